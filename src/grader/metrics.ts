// Evaluation metrics over graded samples (paper.md section 5), as pure functions. Sampling (greedy or at a
// temperature) is the runtime's business; these only count. A "group" is the samples of one problem.
import type { CompareOptions } from './equivalence.js';
import { compareAnswers } from './equivalence.js';
import { extractAnswer, extractBoxed, type ExtractOptions } from './extract.js';
import { majorityVote } from './majority.js';
import { gradeResponse, type GraderName } from './choice.js';
import { normalizeAnswer } from './normalize.js';

/** The paper's code-reasoning test: the lower-cased response contains `python` (no backticks needed). */
export function mentionsPython(response: string): boolean {
  return response.toLowerCase().includes('python');
}

export interface GradedSample {
  response: string;
  extracted: string | null;
  correct: boolean;
  /** The paper's code-reasoning test (lower-cased response contains `python`). */
  hasCode: boolean;
  /** A non-empty last `boxed` (the format reward's condition). */
  boxed: boolean;
  /** Response length: tokens when the caller knows them, otherwise characters. */
  length: number;
}

export interface GradeSampleOptions extends CompareOptions, Pick<ExtractOptions, 'r1Style'> {
  /** Length in tokens, when known (otherwise the character count is used). */
  tokens?: number;
  /** Which grader decides `correct` (default: the paper's). */
  grader?: GraderName;
}

/** Grades one response against its gold answer, with everything the metrics need. */
export function gradeSample(response: string, gold: string, options: GradeSampleOptions = {}): GradedSample {
  const extractOptions: ExtractOptions = options.r1Style ? { r1Style: true } : {};
  const compareOptions = options.budget === undefined ? {} : { budget: options.budget };
  const graded = options.grader === 'math_verify' ? gradeResponse('math_verify', response, gold, { ...compareOptions, ...extractOptions }) : null;
  const extracted = graded ? graded.extracted : extractAnswer(response, extractOptions);
  return {
    response,
    extracted,
    correct: graded ? graded.correct : compareAnswers(extracted, gold, compareOptions).equal,
    hasCode: mentionsPython(response),
    boxed: normalizeAnswer(extractBoxed(response, extractOptions)) !== '',
    length: options.tokens ?? response.length,
  };
}

function mean(xs: readonly number[], what: string): number {
  if (xs.length === 0) throw new RangeError(`${what} of no samples`);
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Unbiased pass@k from n samples of which c are correct: 1 − C(n−c, k) / C(n, k), computed as
 * 1 − Π_{i=n−c+1}^{n} (1 − k/i), which never forms a binomial coefficient (no overflow, no cancellation).
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) throw new RangeError('pass@k needs integers');
  if (n < 1 || k < 1 || k > n || c < 0 || c > n) throw new RangeError(`pass@k needs 0 ≤ c ≤ n and 1 ≤ k ≤ n (n=${n}, c=${c}, k=${k})`);
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** Mean unbiased pass@k over problems (each group: the n ≥ k samples of one problem). */
export function meanPassAtK(groups: ReadonlyArray<ReadonlyArray<{ correct: boolean }>>, k: number): number {
  return mean(
    groups.map(g => passAtK(g.length, g.filter(s => s.correct).length, k)),
    'pass@k',
  );
}

/** Greedy pass@1 (MATH-500 in the paper): the accuracy of one greedy sample per problem. */
export function greedyPassAt1(samples: ReadonlyArray<{ correct: boolean }>): number {
  return mean(samples.map(s => (s.correct ? 1 : 0)), 'pass@1');
}

/** avg@k (AMC / AIME in the paper): mean accuracy of the k samples of each problem, averaged over problems. */
export function avgAtK(groups: ReadonlyArray<ReadonlyArray<{ correct: boolean }>>): number {
  return mean(
    groups.map(g => mean(g.map(s => (s.correct ? 1 : 0)), 'avg@k')),
    'avg@k',
  );
}

/**
 * maj@k: per problem, the majority answer of the first k samples (equivalent answers vote together, empty
 * answers are dropped, ties go to the answer seen first); the problem counts when that answer is correct.
 */
export function majAtK(
  groups: ReadonlyArray<ReadonlyArray<{ extracted: string | null; correct: boolean }>>,
  k: number,
  options: CompareOptions = {},
): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`maj@k needs k ≥ 1, got ${k}`);
  return mean(
    groups.map(g => {
      if (g.length < k) throw new RangeError(`maj@${k} needs ${k} samples per problem, got ${g.length}`);
      const first = g.slice(0, k);
      const vote = majorityVote(first.map(s => s.extracted), options);
      const winner = vote.clusters[0];
      return winner && first[winner.members[0]!]!.correct ? 1 : 0;
    }),
    'maj@k',
  );
}

/** Code-reasoning rate: the fraction of responses that mention Python (the paper's case-insensitive test). */
export function codeRate(samples: ReadonlyArray<{ response: string }>): number {
  return mean(samples.map(s => (mentionsPython(s.response) ? 1 : 0)), 'code rate');
}

export interface SplitAccuracy {
  count: number;
  /** null when there are no samples on this side. */
  accuracy: number | null;
}

/** Accuracy of responses with and without code reasoning (the paper's Table 1). */
export function accuracyByCode(samples: ReadonlyArray<{ response: string; correct: boolean }>): {
  code: SplitAccuracy;
  noCode: SplitAccuracy;
} {
  const side = (xs: ReadonlyArray<{ correct: boolean }>): SplitAccuracy => ({
    count: xs.length,
    accuracy: xs.length === 0 ? null : xs.filter(s => s.correct).length / xs.length,
  });
  return {
    code: side(samples.filter(s => mentionsPython(s.response))),
    noCode: side(samples.filter(s => !mentionsPython(s.response))),
  };
}

/** Fraction of responses with a non-empty last `boxed` (the format reward's condition). */
export function boxedRate(samples: ReadonlyArray<{ response: string }>, options: Pick<ExtractOptions, 'r1Style'> = {}): number {
  const extractOptions = options.r1Style ? { r1Style: true } : {};
  return mean(
    samples.map(s => (normalizeAnswer(extractBoxed(s.response, extractOptions)) !== '' ? 1 : 0)),
    'boxed rate',
  );
}

/** Mean response length (in the unit of `length`: tokens when the runtime supplies them). */
export function meanLength(samples: ReadonlyArray<{ length: number }>): number {
  return mean(samples.map(s => s.length), 'mean length');
}

export interface EvalSummary {
  problems: number;
  samplesPerProblem: number;
  /** Accuracy of the first sample of each problem (pass@1 when it is the greedy sample). */
  pass1: number;
  avgAtK: number;
  passAtK: number;
  majAtK: number;
  k: number;
  codeRate: number;
  accuracyByCode: { code: SplitAccuracy; noCode: SplitAccuracy };
  boxedRate: number;
  meanLength: number;
}

/** Every metric at once, for groups of equal size k (k = 1 for greedy evaluation). */
export function summarizeEval(groups: ReadonlyArray<ReadonlyArray<GradedSample>>, options: CompareOptions = {}): EvalSummary {
  if (groups.length === 0) throw new RangeError('summarizeEval of no problems');
  const k = groups[0]!.length;
  if (k === 0 || groups.some(g => g.length !== k)) throw new RangeError('summarizeEval needs the same number (≥ 1) of samples per problem');
  const all = groups.flat();
  return {
    problems: groups.length,
    samplesPerProblem: k,
    pass1: greedyPassAt1(groups.map(g => g[0]!)),
    avgAtK: avgAtK(groups),
    passAtK: meanPassAtK(groups, k),
    majAtK: majAtK(groups, k, options),
    k,
    codeRate: mean(all.map(s => (s.hasCode ? 1 : 0)), 'code rate'),
    accuracyByCode: accuracyByCode(all),
    boxedRate: mean(all.map(s => (s.boxed ? 1 : 0)), 'boxed rate'),
    meanLength: meanLength(all),
  };
}

