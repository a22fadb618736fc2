// World version 2 (issue 18): a world where a clipping bias toward a family's likelier strategy could change
// greedy behaviour. Version 1 decides the strategy with one early token from a three-level prior, so greedy
// decoding already emits every problem's mode; here
//   - the prior is graded: each STEP is written in code with probability q = σ(bias + slope·x), where
//     x ∈ [−1, 1] reads the units digits of the first two operands (19 levels, most mass in the middle), so a
//     good share of problems sits near 50/50 and a shift of the code logit flips some greedy choices;
//   - the strategy is spread over many tokens: every step of the plan is written as code (`t=4*5#20;`, a code
//     run opened by `python:`) or as prose (`4 times 5 is 20.`). Step forms follow a Markov chain that keeps
//     the previous form with probability PERSISTENCE and otherwise redraws from q, so each step's marginal is q;
//   - the answer is right with probability c·P(right | code) + (1 − c)·P(right | prose), c the share of steps
//     written in code: every strategy token bears on accuracy, not only the first.
// A response "uses code" when it contains `python` (the paper's detector), i.e. when any step is code. The
// family's `share` is that response-level rate, and its accuracies are accuracies of responses with and
// without code, so Table 1 reads as in version 1; `bias` and the per-step accuracies are solved for them.
import { Rng } from '../rng.js';
import {
  FAMILY_PRESETS, operandRange, operatorSequences, resolveFamily, resolveWorldConfig, universeSize,
  type FamilyConfig, type FamilyInput, type FamilyPresetName, type Strategy, type WorldConfig,
} from './config.js';
import { createWorld, planFor, stepValues, type Problem, type Ref } from './problems.js';
import { combineIntervals, finalAnswerText, intervalTextLength, WORDS, type Interval, type MaxLengths } from './text.js';

/** P(a step keeps the previous step's form) before the form is redrawn from q: high enough that greedy and sampled
 *  code rates both land near Table 1 (0.5 put qwen_math_like's greedy code rate at 0.4), low enough that at
 *  q = 0.5 about 7% of later steps switch form. */
export const PERSISTENCE = 0.85;
/** Logit slope per unit of `preference`: the default preference 0.5 spans bias ± 2 over the feature. */
export const PRIOR_SLOPE = 4;
/** Problems (uniform over the universe) over which the prior's bias and the step accuracies are solved. */
const REFERENCE_PROBLEMS = 2048;

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
export const logit = (p: number) => Math.log(p / (1 - p));

/** The visible feature of the prior, in [−1, 1]: (first units digit + second units digit − 9) / 9. */
export function priorFeature(p: Pick<Problem, 'operands'>): number {
  return ((p.operands[0]! % 10) + (p.operands[1]! % 10) - 9) / 9;
}
export const difficultyDigitV2 = (p: Pick<Problem, 'operands'>): number => p.operands[p.operands.length - 1]! % 10;

/** P(no step is code) for a plan of n steps under the chain (start at q, keep w.p. PERSISTENCE, else redraw). */
export function pAllProse(q: number, n: number): number {
  return (1 - q) * (1 - (1 - PERSISTENCE) * q) ** (n - 1);
}

export interface CalibratedFamily {
  family: FamilyConfig;
  /** Logit bias of the per-step code probability (±Infinity for a family that never or always writes code). */
  bias: number;
  /** Per-step accuracies: P(right) averaged over problems for an all-code and an all-prose response. */
  stepAccuracy: Record<Strategy, number>;
  /** Problems in the world's universe whose (response-level) averages the calibration matches. */
  reference: readonly Problem[];
}

const calibrations = new Map<string, CalibratedFamily>();

/** The family's prior bias and step accuracies in this world (memoised per world and family). */
export function calibrateV2(worldInput: Partial<WorldConfig>, familyInput: FamilyInput | FamilyPresetName | FamilyConfig): CalibratedFamily {
  const world = resolveWorldConfig({ ...worldInput, version: 2 });
  const family = resolveFamily(familyInput);
  const { trainSize: _t, testSize: _s, ...shape } = world;
  const key = JSON.stringify([shape, family]);
  const hit = calibrations.get(key);
  if (hit) return hit;
  // A reference set drawn uniformly from the universe, independent of the world's seed and splits.
  const n = Math.min(REFERENCE_PROBLEMS, Math.floor(universeSize(world) / 2));
  const reference = createWorld({ ...world, trainSize: n, testSize: 0 }, 'v2-reference').train;
  const steps = reference.map(p => planFor(p.operators).length);
  const xs = reference.map(priorFeature);
  const slope = PRIOR_SLOPE * family.preference;
  const share = family.strategies.code.share;
  const codeShare = (bias: number) => reference.reduce((s, _p, i) => s + 1 - pAllProse(sigmoid(bias + slope * xs[i]!), steps[i]!), 0) / reference.length;
  let bias: number;
  if (share <= 0) bias = -Infinity;
  else if (share >= 1) bias = Infinity;
  else {
    let lo = -30, hi = 30;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (codeShare(mid) < share) lo = mid; else hi = mid;
    }
    bias = (lo + hi) / 2;
  }
  // Responses with code: E[c | uses code] = mean q / P(uses code); the answer mixes the two step accuracies.
  const meanQ = reference.reduce((s, _p, i) => s + sigmoid(bias + slope * xs[i]!), 0) / reference.length;
  const m = share > 0 ? Math.min(1, meanQ / share) : 1;
  const lang = family.strategies.language.accuracy;
  const code = share > 0 ? (family.strategies.code.accuracy - (1 - m) * lang) / m : family.strategies.code.accuracy;
  const out: CalibratedFamily = { family, bias, stepAccuracy: { code, language: lang }, reference };
  calibrations.set(key, out);
  return out;
}

/** Why a family cannot be calibrated in version 2 (its code accuracy needs step accuracies outside [bad, good]). */
export function v2FamilyIssues(world: Partial<WorldConfig>, family: FamilyInput | FamilyPresetName | FamilyConfig): string[] {
  const c = calibrateV2(world, family);
  const { badAccuracy: b, goodAccuracy: g } = c.family;
  const a = c.stepAccuracy.code;
  return c.family.strategies.code.share > 0 && (a < b - 1e-9 || a > g + 1e-9)
    ? [`code accuracy ${c.family.strategies.code.accuracy} needs an all-code accuracy of ${a.toFixed(3)} in world version 2, outside [bad_accuracy ${b}, good_accuracy ${g}]`]
    : [];
}

/** 1 below the threshold 10·share, 0 above, the fractional remainder on the straddling digit (as in v1). */
const below = (share: number, digit: number) => Math.min(1, Math.max(0, 10 * share - digit));

export interface ProfileV2 {
  /** P(a step is written in code). */
  q: number;
  /** Logit of q (the quantity a ±0.5 shift moves). */
  codeLogit: number;
  steps: number;
  /** P(the answer is right) for an all-code and an all-prose response. */
  pRight: Record<Strategy, number>;
  /** P(the response contains code). */
  pUsesCode: number;
}

export function problemProfileV2(problem: Pick<Problem, 'operands' | 'operators'>, cal: CalibratedFamily): ProfileV2 {
  const f = cal.family;
  const codeLogit = cal.bias + PRIOR_SLOPE * f.preference * priorFeature(problem);
  const q = Number.isFinite(codeLogit) ? sigmoid(codeLogit) : codeLogit > 0 ? 1 : 0;
  const steps = planFor(problem.operators).length;
  const pRight = {} as Record<Strategy, number>;
  for (const s of ['code', 'language'] as const) {
    const { goodAccuracy: g, badAccuracy: b } = f;
    const good = g === b ? 1 : below((cal.stepAccuracy[s] - b) / (g - b), difficultyDigitV2(problem));
    pRight[s] = good * g + (1 - good) * b;
  }
  return { q, codeLogit, steps, pRight, pUsesCode: 1 - pAllProse(q, steps) };
}

/** The greedy (mode) response's strategy: the chain's likelier start, kept at every step (PERSISTENCE ≥ 0.5). */
export const greedyUsesCode = (profile: Pick<ProfileV2, 'codeLogit'>, shift = 0): boolean => profile.codeLogit + shift > 0;

/** A response whose step i is written in forms[i]; offset ≠ 0 writes the near miss on the last step. */
export function renderResponseV2(problem: Pick<Problem, 'operands' | 'operators'>, forms: readonly Strategy[], opts: { offset: number; boxed: boolean }): string {
  const plan = planFor(problem.operators);
  const values = stepValues(problem.operands, plan);
  values[values.length - 1] = values[values.length - 1]! + opts.offset;
  const env = { t: 0, u: 0 };
  const name = (r: Ref) => ('operand' in r ? String(problem.operands[r.operand]) : r.variable);
  const value = (r: Ref) => ('operand' in r ? problem.operands[r.operand]! : env[r.variable]);
  const parts = plan.map((s, i) => {
    const text = forms[i] === 'code'
      ? `${i === 0 || forms[i - 1] !== 'code' ? 'python:' : ''}${s.target}=${name(s.left)}${s.op}${name(s.right)}#${values[i]};`
      : `${value(s.left)} ${WORDS[s.op]} ${value(s.right)} is ${values[i]}.`;
    env[s.target] = values[i]!;
    return text;
  });
  return `${parts.join(' ')} so ${finalAnswerText(values[values.length - 1]!, opts.boxed)}`;
}

export interface SampledResponseV2 {
  strategy: Strategy;
  /** The form of each step. */
  forms: Strategy[];
  correct: boolean;
  boxed: boolean;
  written: string;
  response: string;
}

export function sampleResponseV2(problem: Problem, cal: CalibratedFamily, rng: Rng): SampledResponseV2 {
  const pr = problemProfileV2(problem, cal);
  const forms: Strategy[] = [];
  for (let i = 0; i < pr.steps; i++) {
    const keep = i > 0 && rng.bernoulli(PERSISTENCE);
    forms.push(keep ? forms[i - 1]! : rng.bernoulli(pr.q) ? 'code' : 'language');
  }
  const c = forms.filter(f => f === 'code').length / forms.length;
  const correct = rng.bernoulli(c * pr.pRight.code + (1 - c) * pr.pRight.language);
  const boxed = rng.bernoulli(cal.family.boxedShare);
  const last = forms[forms.length - 1]!;
  const offset = correct ? 0 : cal.family.strategies[last].nearMiss;
  const response = renderResponseV2(problem, forms, { offset, boxed });
  return { strategy: forms.includes('code') ? 'code' : 'language', forms, correct, boxed, written: String(Number(problem.answer) + offset), response };
}

/** Upper bounds on v2 text lengths: each step at its longer form (a code step with its `python:`). */
export function maxLengthsV2(world: WorldConfig, families: readonly FamilyConfig[]): MaxLengths {
  const offsets: Interval = [0, 0];
  for (const f of families.length > 0 ? families : Object.values(FAMILY_PRESETS)) {
    for (const s of ['code', 'language'] as const) {
      offsets[0] = Math.min(offsets[0], f.strategies[s].nearMiss);
      offsets[1] = Math.max(offsets[1], f.strategies[s].nearMiss);
    }
  }
  const { lo, hi } = operandRange(world.digits);
  const operand: Interval = [lo, hi];
  let question = 0;
  let response = 0;
  for (let k = world.operandCount.min; k <= world.operandCount.max; k++) {
    question = Math.max(question, k * intervalTextLength(operand) + (k - 1) + 1);
    for (const ops of operatorSequences(world.operators, k - 1, world.maxMul)) {
      const plan = planFor(ops);
      const env: Record<'t' | 'u', Interval> = { t: [0, 0], u: [0, 0] };
      const iv = (r: Ref): Interval => ('operand' in r ? operand : env[r.variable]);
      let total = 0;
      plan.forEach((s, i) => {
        const left = iv(s.left);
        const right = iv(s.right);
        let v = combineIntervals(left, s.op, right);
        env[s.target] = v;
        if (i === plan.length - 1) v = [v[0] + offsets[0], v[1] + offsets[1]];
        const ref = (r: Ref) => ('operand' in r ? intervalTextLength(operand) : 1);
        const code = 7 + 1 + 1 + ref(s.left) + 1 + ref(s.right) + 1 + intervalTextLength(v) + 1; // python:t=a*b#v;
        const prose = intervalTextLength(left) + 1 + WORDS[s.op].length + 1 + intervalTextLength(right) + 4 + intervalTextLength(v) + 1; // a plus b is v.
        total += Math.max(code, prose) + 1; // and the space after it
        if (i === plan.length - 1) total += 3 + 8 + intervalTextLength(v); // 'so ' + \boxed{v}
      });
      response = Math.max(response, total);
    }
  }
  return { question, response, sequence: question + response };
}
