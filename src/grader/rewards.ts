// Every reward of the paper (paper.md section 2) as a pure function of (response, item, rng), and the
// combinators that build the compound ones. All rewards here return 0 or 1 except weighted sums.
//
// Which label a reward sees is the data's business, not the reward's: ground truth, majority vote,
// incorrect label and one-shot RL are all `correctReward()` (the paper's `math` task) over differently
// labelled data:
//   ground truth    DeepScaleR with its labels
//   majority vote   labels replaced by majorityLabel(...) of the model's own samples (majority.ts)
//   incorrect label only items where isIncorrectLabel(majority, gold), labelled with the majority answer
//   one-shot RL     a take(1) dataset (the paper's π1 example) whose single item is repeated to fill each
//                   rollout batch; the reward is plain ground truth on that item (oneShotReward).
import type { Rng } from '../runtime/rng.js';
import { compareAnswers, type CompareOptions } from './equivalence.js';
import { extractAnswer, extractBoxed, type ExtractOptions } from './extract.js';
import { normalizeAnswer } from './normalize.js';
import { hasRepetition, type RepetitionOptions } from './repetition.js';

/** A seeded random stream: the runtime's Rng, or any function returning uniforms in [0, 1). */
export type RandomSource = Pick<Rng, 'next'> | (() => number);

/** A data item as rewards see it: its label (the gold or relabelled answer) and anything else. */
export interface RewardItem {
  label?: string | number | null;
  [field: string]: unknown;
}

export type RewardFn = (response: string, item: RewardItem, rng: RandomSource) => number;

export interface AnswerRewardOptions {
  /** R1 template (paper's `_r1_style`): answers are read after the last `<answer>`. */
  r1Style?: boolean;
  /** Per-comparison work budget (default GRADER_BUDGET; see CompareOptions). */
  budget?: CompareOptions['budget'];
  /** Which item field holds the label (default "label"). */
  labelKey?: string;
}

export function draw(rng: RandomSource): number {
  return typeof rng === 'function' ? rng() : rng.next();
}

function labelOf(item: RewardItem, key: string): string {
  const v = item[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new TypeError(`correct(${key}): the item has no ${key} (got ${v === undefined ? 'undefined' : JSON.stringify(v)})`);
}

/**
 * Ground truth (`correct(label)`, the paper's `math`): 1 iff the extracted answer is judged equal to the
 * item's label. Like the paper, it does not require `\boxed{}` (the last-number fallback applies).
 */
export function correctReward(options: AnswerRewardOptions = {}): RewardFn {
  const key = options.labelKey ?? 'label';
  const extractOptions: ExtractOptions = options.r1Style ? { r1Style: true } : {};
  const compareOptions = options.budget === undefined ? {} : { budget: options.budget };
  return (response, item) => {
    const gold = labelOf(item, key);
    const pred = extractAnswer(response, extractOptions);
    return compareAnswers(pred, gold, compareOptions).equal ? 1 : 0;
  };
}

/** One-shot RL: ground truth on a one-example dataset (see the file comment for how the data is built). */
export const oneShotReward = correctReward;

/**
 * Format (the paper's `box_only_format`): 1 iff the text after the last occurrence of `boxed` holds a
 * non-empty answer after brace matching and normalisation. Correctness is ignored; `\fbox` does not count;
 * the key is the substring `boxed`, so "boxed" in prose counts too, as in the paper. With r1Style the paper
 * reads the whole `<answer>` region (or the whole text without one), so that variant is almost always 1.
 */
export function formatReward(options: Pick<AnswerRewardOptions, 'r1Style'> = {}): RewardFn {
  const extractOptions = options.r1Style ? { r1Style: true } : {};
  return response => (normalizeAnswer(extractBoxed(response, extractOptions)) !== '' ? 1 : 0);
}

/** The paper's other `format` task (not used in the paper): any extractable answer, last number included. */
export function anyAnswerReward(options: Pick<AnswerRewardOptions, 'r1Style'> = {}): RewardFn {
  const extractOptions: ExtractOptions = options.r1Style ? { r1Style: true } : {};
  return response => (normalizeAnswer(extractAnswer(response, extractOptions)) !== '' ? 1 : 0);
}

/**
 * Random (`random(γ)`): 1 with probability γ, independent of the response. Draws exactly one number per
 * call, also for γ = 0 and γ = 1, so the stream other consumers see does not depend on γ.
 */
export function randomReward(gamma: number): RewardFn {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`random(γ) needs γ in [0, 1], got ${gamma}`);
  return (_response, _item, rng) => (draw(rng) < gamma ? 1 : 0);
}

/** 1 iff the response contains `text` (case-insensitive unless caseSensitive). */
export function containsReward(text: string, options: { caseSensitive?: boolean } = {}): RewardFn {
  if (text === '') throw new RangeError('contains("") would always be 1');
  if (options.caseSensitive) return response => (response.includes(text) ? 1 : 0);
  const needle = text.toLowerCase();
  return response => (response.toLowerCase().includes(needle) ? 1 : 0);
}

/** The paper's code-reasoning test: the lower-cased response contains `python` (no backticks needed). */
export function mentionsPython(response: string): boolean {
  return response.toLowerCase().includes('python');
}

/** Python reward (`contain_python_wo_backticks`): 1 iff the response mentions Python anywhere. */
export const pythonReward: RewardFn = response => (mentionsPython(response) ? 1 : 0);

/** The paper's backtick variant (`contain_python`, not used in the paper's text): a ```python block. */
export const pythonCodeBlockReward: RewardFn = response => (response.toLowerCase().includes('```python') ? 1 : 0);

/** No-repetition (`no_repetition`): 0 iff a 10–256 character substring repeats back to back ≥ 10 times. */
export function noRepetitionReward(options: RepetitionOptions = {}): RewardFn {
  return response => (hasRepetition(response, options) ? 0 : 1);
}

// Combinators. Every sub-reward is evaluated exactly once per call, in order, with no short-circuit: a
// random sub-reward then draws from the stream whatever the other sub-rewards return, so adding a
// condition never shifts the random numbers (the paper's `_AND_` evaluates all sub-rewards too).

/** 1 iff every reward is non-zero (the paper's `A_AND_B`). */
export function andReward(...rewards: RewardFn[]): RewardFn {
  if (rewards.length === 0) throw new RangeError('and() needs at least one reward');
  return (response, item, rng) => {
    let all = true;
    for (const r of rewards) if (r(response, item, rng) === 0) all = false;
    return all ? 1 : 0;
  };
}

/** 1 iff some reward is non-zero. */
export function orReward(...rewards: RewardFn[]): RewardFn {
  if (rewards.length === 0) throw new RangeError('or() needs at least one reward');
  return (response, item, rng) => {
    let any = false;
    for (const r of rewards) if (r(response, item, rng) !== 0) any = true;
    return any ? 1 : 0;
  };
}

/** 1 − r (the paper's `inverse_` prefix). */
export function notReward(reward: RewardFn): RewardFn {
  return (response, item, rng) => 1 - reward(response, item, rng);
}

/** Σ wᵢ·rᵢ. */
export function weightedSumReward(terms: ReadonlyArray<{ weight: number; reward: RewardFn }>): RewardFn {
  if (terms.length === 0) throw new RangeError('a weighted sum needs at least one term');
  for (const t of terms) if (!Number.isFinite(t.weight)) throw new RangeError(`weight must be finite, got ${t.weight}`);
  return (response, item, rng) => {
    let sum = 0;
    for (const t of terms) sum += t.weight * t.reward(response, item, rng);
    return sum;
  };
}

/** `if cond then a else b`: cond non-zero picks a. Both branches are evaluated (see above). */
export function ifThenElseReward(cond: RewardFn, then: RewardFn, otherwise: RewardFn): RewardFn {
  return (response, item, rng) => {
    const c = cond(response, item, rng);
    const a = then(response, item, rng);
    const b = otherwise(response, item, rng);
    return c !== 0 ? a : b;
  };
}

/** The paper's "X w/o Python" compounds (`X_AND_inverse_contain_python_wo_backticks`). */
export function withoutPythonReward(reward: RewardFn): RewardFn {
  return andReward(reward, notReward(pythonReward));
}
