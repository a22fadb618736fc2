// The few functions compiled reward expressions call. Each returns a number (rewards are numbers; the
// paper's are 0/1), and combinators take already-evaluated arguments, so every sub-reward is evaluated
// (and every random draw made) whatever the others return: results do not depend on evaluation order.
import { compareAnswers, extractAnswer, extractBoxed, gradeResponse, hasRepetition, normalizeAnswer, type GraderName } from '../../grader/index.js';
import type { Rng } from '../rng.js';

/** 1 when the response's answer is judged equal to `label` by the grader (default: the paper's), else 0. */
export function correct(response: string, label: string | null | undefined, r1Style = false, grader: GraderName = 'paper'): number {
  if (label === null || label === undefined) return 0;
  if (grader !== 'paper') return gradeResponse(grader, response, label, { r1Style }).correct ? 1 : 0;
  return compareAnswers(extractAnswer(response, { r1Style }), label).equal ? 1 : 0;
}

/** 1 when the text after the last `boxed` holds a non-empty answer (the paper's format reward). */
export function boxedNonempty(response: string, r1Style = false): number {
  return normalizeAnswer(extractBoxed(response, { r1Style })) !== '' ? 1 : 0;
}

/** 1 when the lower-cased response contains the lower-cased text (the paper's `python` test). */
export function contains(response: string, text: string): number {
  return response.toLowerCase().includes(text.toLowerCase()) ? 1 : 0;
}

/** 0 when some substring of minLength..maxLength characters repeats consecutively minRepeats times. */
export function noRepetition(response: string, minLength: number, maxLength: number, minRepeats: number): number {
  return hasRepetition(response, { minLength, maxLength, minRepeats }) ? 0 : 1;
}

/** 1 with probability p, drawn from the cell's reward stream. */
export function coin(rng: Rng, p: number): number {
  return rng.next() < p ? 1 : 0;
}

export const all = (...values: number[]): number => (values.every(v => v !== 0) ? 1 : 0);
export const any = (...values: number[]): number => (values.some(v => v !== 0) ? 1 : 0);
export const not = (value: number): number => (value === 0 ? 1 : 0);
export const choose = (condition: number, then: number, otherwise: number): number => (condition !== 0 ? then : otherwise);

/** Label equality in `where` conditions: the grader's equivalence; two missing labels are equal. */
export function sameAnswer(a: string | number | null | undefined, b: string | number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return compareAnswers(String(a), String(b)).equal;
}
