// Pretraining / mid-training corpora: for each problem, which strategy a family writes and whether its
// answer is right. Both are functions of visible digits, so a small model can learn *where* each strategy is
// used and *where* it fails (organism.md: i.i.d. errors and problem-independent strategy coins made every
// family improve under any sharpening, and made greedy decoding pick one strategy everywhere).
//   - Strategy preference reads the units digit x of the FIRST operand: code is preferred when x < 10·share.
//   - Difficulty reads the units digit y of the LAST operand: a problem is good for a strategy when
//     y < 10·g, where g = (accuracy − bad) / (good − bad) is that strategy's share of good problems.
// x and y are independent and uniform over problems, so preference does not change a strategy's accuracy,
// and the digit at the threshold gets the fractional remainder, so shares and accuracies hold exactly.
// Both strategies read the same difficulty digit: like one difficulty axis in real models, the weaker
// strategy's good problems are a subset of the stronger one's.
import { Rng } from '../rng.js';
import {
  canonicalJson, resolveFamily, resolveWorldConfig, sha256Hex, STRATEGIES,
  type FamilyConfig, type FamilyInput, type FamilyPresetName, type Strategy, type WorldConfig,
} from './config.js';
import type { Problem, World } from './problems.js';
import { renderResponse } from './text.js';
import { calibrateV2, sampleResponseV2 } from './v2.js';

/** Bump when any text format or sampling rule changes, so cached checkpoints are not reused. */
export const CORPUS_FORMAT_VERSION = 1;

export const preferenceDigit = (p: Pick<Problem, 'operands'>): number => p.operands[0]! % 10;
export const difficultyDigit = (p: Pick<Problem, 'operands'>): number => p.operands[p.operands.length - 1]! % 10;

/** 1 below the threshold 10·share, 0 above, the fractional remainder on the digit that straddles it. */
function below(share: number, digit: number): number {
  return Math.min(1, Math.max(0, 10 * share - digit));
}

/** A strategy's share of good problems, so that good·goodAccuracy + (1−good)·badAccuracy = accuracy. */
export function goodShare(family: FamilyConfig, strategy: Strategy): number {
  const { goodAccuracy: g, badAccuracy: b } = family;
  return g === b ? 1 : (family.strategies[strategy].accuracy - b) / (g - b);
}

export interface ProblemProfile {
  /** P(a corpus response to this problem uses code). */
  pCode: number;
  /** Degree (0..1) to which the problem is good for each strategy; 1 or 0 except on the threshold digit. */
  good: Record<Strategy, number>;
  /** P(the written answer is right) for each strategy. */
  pRight: Record<Strategy, number>;
}

export function problemProfile(problem: Pick<Problem, 'operands'>, family: FamilyConfig): ProblemProfile {
  const share = family.strategies.code.share;
  const pCode = (1 - family.preference) * share + family.preference * below(share, preferenceDigit(problem));
  const good = {} as Record<Strategy, number>;
  const pRight = {} as Record<Strategy, number>;
  for (const s of STRATEGIES) {
    good[s] = below(goodShare(family, s), difficultyDigit(problem));
    pRight[s] = good[s] * family.goodAccuracy + (1 - good[s]) * family.badAccuracy;
  }
  return { pCode, good, pRight };
}

export interface SampledResponse {
  strategy: Strategy;
  correct: boolean;
  boxed: boolean;
  /** The final answer the response writes (the right one, or the strategy's near miss). */
  written: string;
  response: string;
}

/** One response of a family to a problem, drawn from the family's corpus distribution. */
export function sampleResponse(problem: Problem, family: FamilyConfig, rng: Rng): SampledResponse {
  const profile = problemProfile(problem, family);
  const strategy: Strategy = rng.bernoulli(profile.pCode) ? 'code' : 'language';
  const correct = rng.bernoulli(profile.pRight[strategy]);
  const boxed = rng.bernoulli(family.boxedShare);
  const offset = correct ? 0 : family.strategies[strategy].nearMiss;
  const response = renderResponse(problem, strategy, { offset, boxed });
  return { strategy, correct, boxed, written: String(Number(problem.answer) + offset), response };
}

export interface CorpusExample extends SampledResponse {
  /** World version 2: the form of each step (version 1 writes every step in `strategy`). */
  forms?: Strategy[];
  /** Position in the corpus; example(i) is the same for every call. */
  index: number;
  problem: Problem;
  question: string;
  /** The right answer. */
  answer: string;
  /** question + response: one pretraining sequence (without special tokens). */
  text: string;
}

export interface Corpus {
  readonly family: FamilyConfig;
  readonly seed: number | string;
  /** corpusHash of this corpus: a cache key for checkpoints pretrained on it. */
  readonly hash: string;
  /** The i-th example, computed on demand (random access, nothing stored). */
  example(index: number): CorpusExample;
  /** Examples start .. start+n−1. */
  take(n: number, start?: number): CorpusExample[];
}

/**
 * An endless corpus of a family over the world's non-test problems. Example i uses its own stream
 * (seed, 'corpus', i), so corpora of different families with the same seed see the same problems and
 * coins: differences between them come from the family alone.
 */
export function createCorpus(world: World, familyInput: FamilyInput | FamilyPresetName | FamilyConfig, seed: number | string = 0): Corpus {
  const family = resolveFamily(familyInput);
  const hash = corpusHash(world.config, world.seed, family, seed);
  const v2 = world.config.version === 2 ? calibrateV2(world.config, family) : undefined;
  const example = (index: number): CorpusExample => {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`corpus index must be a whole number >= 0, got ${index}`);
    const rng = new Rng(seed, 'corpus', index);
    const problem = world.sampleNonTest(rng);
    const r = v2 ? sampleResponseV2(problem, v2, rng) : sampleResponse(problem, family, rng);
    return { index, problem, question: problem.question, answer: problem.answer, text: problem.question + r.response, ...r };
  };
  return {
    family,
    seed,
    hash,
    example,
    take: (n, start = 0) => Array.from({ length: n }, (_, i) => example(start + i)),
  };
}

/**
 * sha256 (hex) of the canonical JSON of everything that determines a corpus: the format version, the world
 * fields that decide which problems it may contain (trainSize does not), the world seed, the resolved family
 * and the corpus seed. Equal configs written with other key orders or with defaults spelt out hash equally.
 */
export function corpusHash(
  world: Partial<WorldConfig>,
  worldSeed: number | string,
  family: FamilyInput | FamilyPresetName | FamilyConfig,
  seed: number | string,
): string {
  const w = resolveWorldConfig(world);
  const { trainSize: _unused, ...problems } = w;
  return sha256Hex(canonicalJson({ format: CORPUS_FORMAT_VERSION, world: problems, worldSeed, family: resolveFamily(family), seed }));
}
