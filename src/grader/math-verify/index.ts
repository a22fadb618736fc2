// The Math-Verify grader: Hugging Face Math-Verify's semantics (what TRL, Open-R1 and verl's `math_verify`
// score grade with) in TypeScript on rlvrc's symbolic engine: extract (extract.ts), normalise
// (normalize.ts), read (value.ts) and compare (compare.ts). Set-up as verl's math_verify score: the gold
// label is read as the content of a \boxed{} (LaTeX target), the response with the plain-expression and
// LaTeX targets. A verdict is a pure function of the two texts, MATH_VERIFY_VERSION and the budget.
import { GRADER_BUDGET, type GraderBudget } from '../budget.js';
import { BudgetExceeded, Meter } from '../symbolic.js';
import { compareValues, newCtx, type MvCompareOptions } from './compare.js';
import { exprTarget, latexTarget, orderedCandidates, type Candidate, type ExtractionTarget } from './extract.js';
import { normalizeMvLatex } from './normalize.js';
import { MAX_ANSWER, readValue, valueText, type Value } from './value.js';

export { exprTarget, latexTarget, stringTarget, orderedCandidates, type Candidate, type ExtractionTarget, type LatexTarget, type ExprTarget, type StringTarget } from './extract.js';
export { normalizeMvLatex } from './normalize.js';
export { readValue, valueText, type Value } from './value.js';

export { MATH_VERIFY_VERSION } from '../budget.js';

/** The response's targets: verl's math_verify score (plain expressions, then LaTeX; boxes at priority 50). */
export const RESPONSE_TARGETS: readonly ExtractionTarget[] = Object.freeze([exprTarget(), latexTarget()]);

export interface MathVerifyOptions extends MvCompareOptions {
  /** Extraction targets for the response (default RESPONSE_TARGETS). */
  targets?: readonly ExtractionTarget[];
  /** The work budget of one grading (default GRADER_BUDGET). */
  budget?: Partial<GraderBudget>;
}

export interface MathVerifyResult {
  equal: boolean;
  reason: string;
  /** The answer read from the response (normalised LaTeX), or null when none was found. */
  extracted: string | null;
}

export const MV_BUDGET_EXCEEDED = 'not equal (budget exceeded)';

interface Read { value: Value | null; text: string }

function readCandidate(c: Candidate, meter: Meter): Read {
  meter.spend(1, 'an extraction candidate');
  if (c.target === 'string') return { value: { kind: 'text', text: c.parts[0]!.text }, text: c.parts[0]!.text };
  const values: Value[] = [];
  const texts: string[] = [];
  for (const p of c.parts) {
    if (p.overlong) throw new BudgetExceeded(`an answer of more than ${MAX_ANSWER} characters`);
    const latex = c.target === 'latex' ? normalizeMvLatex(p.text) : p.text.replace(/\*\*/g, '^').replace(/×|\*/g, '\\cdot ').replace(/÷/g, '/');
    const withPct = p.percent && !latex.endsWith('\\%') ? `${latex}\\%` : latex;
    texts.push(withPct);
    if (withPct.length > MAX_ANSWER) throw new BudgetExceeded(`an answer of ${withPct.length} characters (at most ${MAX_ANSWER})`);
    const v = readValue(withPct);
    if (!v) return { value: null, text: texts.join(', ') };
    values.push(v);
  }
  if (values.length === 1) return { value: values[0]!, text: texts[0]! };
  // "1, 2 and 3": one set of all the pieces' elements
  const items = values.flatMap(v => (v.kind === 'set' ? v.items : [v]));
  return { value: { kind: 'set', items }, text: texts.join(', ') };
}

/** The answer Math-Verify would take from a text: the first candidate (by priority) that reads as a value. */
export function extractMathVerify(text: string, targets: readonly ExtractionTarget[] = RESPONSE_TARGETS, meter = new Meter()): Read & { fallback: string | null } {
  let fallback: string | null = null;
  for (const c of orderedCandidates(text, targets, meter)) {
    const r = readCandidate(c, meter);
    fallback ??= r.text === '' ? null : r.text;
    if (r.value) return { ...r, fallback };
  }
  return { value: null, text: '', fallback };
}

/** Reads a gold label as Math-Verify reads `\boxed{label}`. */
export function readGold(label: string, meter = new Meter()): Read {
  meter.spend(1, 'the gold answer');
  if (label.length > MAX_ANSWER) throw new BudgetExceeded(`an answer of ${label.length} characters (at most ${MAX_ANSWER})`);
  const latex = normalizeMvLatex(label);
  return { value: readValue(latex), text: latex };
}

function meterFor(options: MathVerifyOptions): Meter {
  return new Meter(options.budget ? { ...GRADER_BUDGET, ...options.budget } : GRADER_BUDGET);
}

/** Grades a whole response against a gold label with Math-Verify's semantics. Never throws. */
export function gradeMathVerify(response: string, gold: string, options: MathVerifyOptions = {}): MathVerifyResult {
  const meter = meterFor(options);
  let extracted: string | null = null;
  try {
    const g = readGold(gold, meter);
    const p = extractMathVerify(response, options.targets ?? RESPONSE_TARGETS, meter);
    extracted = p.value ? p.text : p.fallback;
    if (!g.value) return { equal: false, reason: 'gold answer is empty or unreadable', extracted };
    if (!p.value) {
      // Math-Verify's string fallback: equal strings are equal.
      if (p.fallback !== null && p.fallback.trim() !== '' && p.fallback.trim() === g.text.trim()) return { equal: true, reason: 'same text', extracted };
      return { equal: false, reason: 'no answer found', extracted };
    }
    return { ...compareValues(g.value, p.value, newCtx(meter, options)), extracted };
  } catch (err) {
    if (err instanceof BudgetExceeded) return { equal: false, reason: MV_BUDGET_EXCEEDED, extracted };
    return { equal: false, reason: `checker error: ${(err as Error).message}`, extracted };
  }
}

/** Compares an already extracted answer with a gold label (both read as LaTeX answers). Never throws. */
export function compareMathVerify(pred: string | null | undefined, gold: string, options: MathVerifyOptions = {}): { equal: boolean; reason: string } {
  if (pred === null || pred === undefined || pred.trim() === '') return { equal: false, reason: 'no answer' };
  const meter = meterFor(options);
  try {
    const g = readGold(gold, meter);
    const p = readGold(pred, meter);
    if (!g.value) return { equal: false, reason: 'gold answer is empty or unreadable' };
    if (!p.value) return { equal: false, reason: 'answer is unreadable' };
    return compareValues(g.value, p.value, newCtx(meter, options));
  } catch (err) {
    if (err instanceof BudgetExceeded) return { equal: false, reason: MV_BUDGET_EXCEEDED };
    return { equal: false, reason: `checker error: ${(err as Error).message}` };
  }
}

/** valueText of what a text reads as, for debugging and tables. */
export function describeAnswer(latex: string): string | null {
  const v = readValue(normalizeMvLatex(latex));
  return v ? valueText(v) : null;
}
