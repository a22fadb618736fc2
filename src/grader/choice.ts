// The grader choice (issue 20): the paper's grader (Qwen2.5-Math's semantics, the default everywhere) or
// the Math-Verify grader (Hugging Face Math-Verify's semantics, as TRL, Open-R1 and verl's math_verify
// score grade). One function grades a whole response with either, so rewards, evals and `rlvrc grade`
// cannot disagree about what a choice means.
import { GRADER_VERSION, MATH_VERIFY_VERSION } from './budget.js';
import { compareAnswers, type CompareOptions } from './equivalence.js';
import { extractAnswer, r1AnswerRegion } from './extract.js';
import { compareMathVerify, gradeMathVerify } from './math-verify/index.js';

import type { GraderName } from './names.js';
export { DEFAULT_GRADER, GRADERS, isGraderName, type GraderName } from './names.js';

/** What each grader follows, for help texts and diagnostics. */
export const GRADER_DESCRIPTIONS: Record<GraderName, string> = {
  paper: "the paper's grader (Qwen2.5-Math: last \\boxed{}, \"the answer is\", last number; exact literals)",
  math_verify: "Math-Verify's semantics (TRL, Open-R1, verl's math_verify: prioritised extraction, 6-place rounding, sets, intervals, relations)",
};

/** The version of a grader's verdicts (manifests and `rlvrc grade` output record it). */
export function graderVersion(grader: GraderName): number {
  return grader === 'math_verify' ? MATH_VERIFY_VERSION : GRADER_VERSION;
}

export interface ResponseGrade {
  extracted: string | null;
  correct: boolean;
  reason: string;
}

/** Grades a whole response against a gold label with the chosen grader. Never throws. */
export function gradeResponse(grader: GraderName, response: string, gold: string, options: CompareOptions & { r1Style?: boolean } = {}): ResponseGrade {
  const budget = options.budget === undefined ? {} : { budget: options.budget };
  if (grader === 'math_verify') {
    const r = gradeMathVerify(options.r1Style ? r1AnswerRegion(response) : response, gold, budget);
    return { extracted: r.extracted, correct: r.equal, reason: r.reason };
  }
  const extracted = extractAnswer(response, options.r1Style ? { r1Style: true } : {});
  const v = compareAnswers(extracted, gold, budget);
  return { extracted, correct: v.equal, reason: v.reason };
}

/** Compares an extracted answer with a gold label with the chosen grader. Never throws. */
export function compareWith(grader: GraderName, pred: string | null | undefined, gold: string, options: CompareOptions = {}): { equal: boolean; reason: string } {
  const budget = options.budget === undefined ? {} : { budget: options.budget };
  return grader === 'math_verify' ? compareMathVerify(pred, gold, budget) : compareAnswers(pred, gold, budget);
}
