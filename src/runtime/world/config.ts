// Configuration of the arithmetic world: plain JSON-serialisable objects (the .rlvr checker produces them),
// their documented defaults, the model-family presets calibrated to the paper's Table 1, validation that
// returns every problem at once (so the checker can turn each into a diagnostic), and a canonical hash.

export type Operator = '+' | '-' | '*';
export const OPERATORS: readonly Operator[] = ['+', '-', '*'];

export interface IntRange {
  min: number;
  max: number;
}

/** Which problems exist and how the train/test splits are drawn. */
export interface WorldConfig {
  /** Operands per expression. Default { min: 2, max: 3 }. Allowed 2..6. */
  operandCount: IntRange;
  /** Digits per operand; an operand is uniform over all values with that many digits (0..9 for one digit).
   *  Default { min: 1, max: 1 }. Allowed 1..6. */
  digits: IntRange;
  /** Operators that may appear. Default ['+', '-', '*']. */
  operators: Operator[];
  /** At most this many '*' per expression. Default 1. */
  maxMul: number;
  /** Training (RL prompt) problems. Default 8000. */
  trainSize: number;
  /** Held-out problems; never in train and never in a pretraining corpus. Default 256; at most half the universe. */
  testSize: number;
  /** World version: absent or 1 is the first world (README.md); 2 the graded, multi-step world (v2.ts). Kept
   *  absent for 1, so version-1 configs, hashes and caches are what they were before versions existed. */
  version?: number;
}

/** The world versions that exist. */
export const WORLD_VERSIONS: readonly number[] = [1, 2];

export const DEFAULT_WORLD: Readonly<WorldConfig> = Object.freeze({
  operandCount: { min: 2, max: 3 },
  digits: { min: 1, max: 1 },
  operators: ['+', '-', '*'] as Operator[],
  maxMul: 1,
  trainSize: 8000,
  testSize: 256,
});

export type Strategy = 'code' | 'language';
export const STRATEGIES: readonly Strategy[] = ['code', 'language'];

export interface StrategyConfig {
  /** How often the corpus uses this strategy; the two shares sum to 1. */
  share: number;
  /** How often this strategy's written answer is right, over the problem distribution. */
  accuracy: number;
  /** A wrong answer is always the right one plus this offset (a systematic, learnable near miss).
   *  Default +1 for code, +10 for language. Non-zero integer. */
  nearMiss: number;
}

/** A model family's pretraining (mid-training) corpus: its prior over strategies, accuracies and format. */
export interface FamilyConfig {
  name: string;
  strategies: Record<Strategy, StrategyConfig>;
  /** Share of responses whose final answer is `\boxed{N}`; the rest end in `ans=N`. Default 0.8. */
  boxedShare: number;
  /** Per-problem strategy preference strength: 0 = an independent coin per response, 1 = the strategy is
   *  fixed by a visible feature of the problem. The overall code share stays `strategies.code.share`. Default 0.5. */
  preference: number;
  /** P(right) on a problem that is "good" for a strategy. Default 0.95. */
  goodAccuracy: number;
  /** P(right) on a problem that is "bad" for a strategy (otherwise the near miss). Default 0.10. */
  badAccuracy: number;
}

/** What a .rlvr spec may write: a preset to start from (`extends`) and any fields to override. */
export interface FamilyInput {
  extends?: FamilyPresetName;
  name?: string;
  strategies?: Partial<Record<Strategy, Partial<StrategyConfig>>>;
  boxedShare?: number;
  preference?: number;
  goodAccuracy?: number;
  badAccuracy?: number;
}

export const FAMILY_DEFAULTS = Object.freeze({
  boxedShare: 0.8,
  preference: 0.5,
  goodAccuracy: 0.95,
  badAccuracy: 0.1,
  nearMiss: Object.freeze({ code: 1, language: 10 }) as Readonly<Record<Strategy, number>>,
});

function preset(name: string, code: [number, number], language: [number, number], extra: Partial<FamilyConfig> = {}): FamilyConfig {
  return {
    name,
    strategies: {
      code: { share: code[0], accuracy: code[1], nearMiss: FAMILY_DEFAULTS.nearMiss.code },
      language: { share: language[0], accuracy: language[1], nearMiss: FAMILY_DEFAULTS.nearMiss.language },
    },
    boxedShare: FAMILY_DEFAULTS.boxedShare,
    preference: FAMILY_DEFAULTS.preference,
    goodAccuracy: FAMILY_DEFAULTS.goodAccuracy,
    badAccuracy: FAMILY_DEFAULTS.badAccuracy,
    ...extra,
  };
}

/** Table 1 of the paper ([v1] §4): code frequency, accuracy with code, accuracy with language only. */
export const FAMILY_PRESETS = Object.freeze({
  /** Qwen2.5-Math-7B: code 65.0%, 60.9% right with code, 35.0% without. */
  qwen_math_like: preset('qwen_math_like', [0.65, 0.609], [0.35, 0.35]),
  /** Qwen2.5-7B ("bad code"): code 92.2%, 39.9% right with code, 61.5% without. */
  bad_code: preset('bad_code', [0.92, 0.399], [0.08, 0.615]),
  /** Llama / OLMo ("no code"): never writes code; the code accuracy is never exercised. */
  no_code: preset('no_code', [0, 0.35], [1, 0.35]),
  /** The shared first pretraining stage: always right, both strategies equally, no per-problem preference,
   *  so each family's mid-training alone sets its prior. */
  base: preset('base', [0.5, 1], [0.5, 1], { preference: 0, goodAccuracy: 1 }),
}) as Readonly<Record<'qwen_math_like' | 'bad_code' | 'no_code' | 'base', FamilyConfig>>;

export type FamilyPresetName = keyof typeof FAMILY_PRESETS;
export const FAMILY_PRESET_NAMES = Object.keys(FAMILY_PRESETS) as FamilyPresetName[];

export interface ConfigIssue {
  /** JSON path of the offending field, e.g. 'digits.max' or 'strategies.code.accuracy'. */
  path: string;
  message: string;
}

export class WorldConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(i => `${i.path}: ${i.message}`).join('; '));
    this.name = 'WorldConfigError';
  }
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isProb = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;

/** Fills defaults; does not validate (see validateWorldConfig). */
export function withWorldDefaults(input: Partial<WorldConfig> = {}): WorldConfig {
  return {
    operandCount: { ...DEFAULT_WORLD.operandCount, ...input.operandCount },
    digits: { ...DEFAULT_WORLD.digits, ...input.digits },
    operators: [...(input.operators ?? DEFAULT_WORLD.operators)],
    maxMul: input.maxMul ?? DEFAULT_WORLD.maxMul,
    trainSize: input.trainSize ?? DEFAULT_WORLD.trainSize,
    testSize: input.testSize ?? DEFAULT_WORLD.testSize,
    ...(input.version !== undefined && input.version !== 1 ? { version: input.version } : {}),
  };
}

/** Operator sequences of length n with at most maxMul '*'. */
export function operatorSequences(operators: readonly Operator[], n: number, maxMul: number): Operator[][] {
  let seqs: Operator[][] = [[]];
  for (let i = 0; i < n; i++) {
    seqs = seqs.flatMap(s => operators.map(o => [...s, o])).filter(s => s.filter(o => o === '*').length <= maxMul);
  }
  return seqs;
}

/** Smallest and largest operand value for a digit range (one digit includes 0; more digits have no leading zero). */
export function operandRange(digits: IntRange): { lo: number; hi: number } {
  return { lo: digits.min === 1 ? 0 : 10 ** (digits.min - 1), hi: 10 ** digits.max - 1 };
}

/** Number of distinct expressions the config allows (a float when huge; exact below 2^53). */
export function universeSize(cfg: WorldConfig): number {
  const { lo, hi } = operandRange(cfg.digits);
  const v = hi - lo + 1;
  let n = 0;
  for (let k = cfg.operandCount.min; k <= cfg.operandCount.max; k++) {
    n += v ** k * operatorSequences(cfg.operators, k - 1, cfg.maxMul).length;
  }
  return n;
}

export function validateWorldConfig(cfg: WorldConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const range = (path: string, r: IntRange, lo: number, hi: number) => {
    if (!isInt(r.min) || !isInt(r.max) || r.min < lo || r.max > hi || r.min > r.max) {
      issues.push({ path, message: `must be whole numbers with ${lo} <= min <= max <= ${hi}, got ${JSON.stringify(r)}` });
    }
  };
  range('operandCount', cfg.operandCount, 2, 6);
  range('digits', cfg.digits, 1, 6);
  if (cfg.operators.length === 0 || cfg.operators.some(o => !OPERATORS.includes(o)) || new Set(cfg.operators).size !== cfg.operators.length) {
    issues.push({ path: 'operators', message: `must be a non-empty list of distinct operators from + - *, got ${JSON.stringify(cfg.operators)}` });
  }
  if (!isInt(cfg.maxMul) || cfg.maxMul < 0) issues.push({ path: 'maxMul', message: `must be a whole number >= 0, got ${cfg.maxMul}` });
  if (!isInt(cfg.trainSize) || cfg.trainSize < 0) issues.push({ path: 'trainSize', message: `must be a whole number >= 0, got ${cfg.trainSize}` });
  if (!isInt(cfg.testSize) || cfg.testSize < 0) issues.push({ path: 'testSize', message: `must be a whole number >= 0, got ${cfg.testSize}` });
  if (cfg.version !== undefined && !WORLD_VERSIONS.includes(cfg.version)) {
    issues.push({ path: 'version', message: `must be one of ${WORLD_VERSIONS.join(', ')} (the world versions that exist), got ${cfg.version}` });
  } else if (cfg.version === 2 && isInt(cfg.operandCount.min) && cfg.operandCount.min < 3) {
    // v2's strategy prior reads the first two operands and difficulty the last, so they must be distinct.
    issues.push({ path: 'operandCount', message: `must have min >= 3 in world version 2 (its strategy prior reads the first two operands, difficulty the last), got ${JSON.stringify(cfg.operandCount)}` });
  }
  if (issues.length > 0) return issues;

  for (let k = cfg.operandCount.min; k <= cfg.operandCount.max; k++) {
    if (operatorSequences(cfg.operators, k - 1, cfg.maxMul).length === 0) {
      issues.push({ path: 'maxMul', message: `no expression with ${k} operands uses at most ${cfg.maxMul} '*' with operators ${cfg.operators.join(' ')}` });
    }
  }
  // Every intermediate value must stay an exact JS integer.
  const { hi } = operandRange(cfg.digits);
  const factors = Math.min(cfg.maxMul, cfg.operandCount.max - 1) + 1;
  if (cfg.operators.includes('*') && cfg.operandCount.max * hi ** factors > 2 ** 50) {
    issues.push({ path: 'digits', message: `values up to ${hi} with ${factors} factors overflow exact integers; lower digits.max or maxMul` });
  }
  if (issues.length > 0) return issues;
  const n = universeSize(cfg);
  if (cfg.testSize > n / 2) {
    issues.push({ path: 'testSize', message: `${cfg.testSize} exceeds half of the ${n} possible problems (the corpus is drawn from the rest)` });
  } else if (cfg.trainSize + cfg.testSize > n) {
    issues.push({ path: 'trainSize', message: `trainSize + testSize = ${cfg.trainSize + cfg.testSize} exceeds the ${n} possible problems` });
  }
  return issues;
}

export function resolveWorldConfig(input: Partial<WorldConfig> = {}): WorldConfig {
  const cfg = withWorldDefaults(input);
  const issues = validateWorldConfig(cfg);
  if (issues.length > 0) throw new WorldConfigError(issues);
  return cfg;
}

/** Fills a family from its preset (or the defaults) and the overrides; a missing share is 1 - the other. */
export function withFamilyDefaults(input: FamilyInput | FamilyPresetName): FamilyConfig {
  const inp: FamilyInput = typeof input === 'string' ? { extends: input } : input;
  const base = inp.extends !== undefined ? FAMILY_PRESETS[inp.extends] : undefined;
  const strat = (s: Strategy): StrategyConfig => ({
    share: inp.strategies?.[s]?.share ?? base?.strategies[s].share ?? NaN,
    accuracy: inp.strategies?.[s]?.accuracy ?? base?.strategies[s].accuracy ?? NaN,
    nearMiss: inp.strategies?.[s]?.nearMiss ?? base?.strategies[s].nearMiss ?? FAMILY_DEFAULTS.nearMiss[s],
  });
  const code = strat('code');
  const language = strat('language');
  // A spec that overrides one share means the other one is its complement, not the preset's.
  const codeGiven = inp.strategies?.code?.share !== undefined;
  const langGiven = inp.strategies?.language?.share !== undefined;
  if (codeGiven && !langGiven) language.share = 1 - code.share;
  if (langGiven && !codeGiven) code.share = 1 - language.share;
  return {
    name: inp.name ?? base?.name ?? 'custom',
    strategies: { code, language },
    boxedShare: inp.boxedShare ?? base?.boxedShare ?? FAMILY_DEFAULTS.boxedShare,
    preference: inp.preference ?? base?.preference ?? FAMILY_DEFAULTS.preference,
    goodAccuracy: inp.goodAccuracy ?? base?.goodAccuracy ?? FAMILY_DEFAULTS.goodAccuracy,
    badAccuracy: inp.badAccuracy ?? base?.badAccuracy ?? FAMILY_DEFAULTS.badAccuracy,
  };
}

export function validateFamilyConfig(f: FamilyConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof f.name !== 'string' || f.name.length === 0) issues.push({ path: 'name', message: 'must be a non-empty string' });
  for (const k of ['boxedShare', 'preference', 'goodAccuracy', 'badAccuracy'] as const) {
    if (!isProb(f[k])) issues.push({ path: k, message: `must be a number in [0, 1], got ${f[k]}` });
  }
  if (isProb(f.goodAccuracy) && isProb(f.badAccuracy) && f.badAccuracy > f.goodAccuracy) {
    issues.push({ path: 'badAccuracy', message: `must not exceed goodAccuracy (${f.goodAccuracy}), got ${f.badAccuracy}` });
  }
  for (const s of STRATEGIES) {
    const c = f.strategies[s];
    if (!isProb(c.share)) issues.push({ path: `strategies.${s}.share`, message: `must be a number in [0, 1], got ${c.share}` });
    if (!isProb(c.accuracy)) {
      issues.push({ path: `strategies.${s}.accuracy`, message: `must be a number in [0, 1], got ${c.accuracy}` });
    } else if (c.accuracy < f.badAccuracy - 1e-12 || c.accuracy > f.goodAccuracy + 1e-12) {
      // Accuracy is a mix of good problems (right at goodAccuracy) and bad ones (right at badAccuracy).
      issues.push({ path: `strategies.${s}.accuracy`, message: `must lie between badAccuracy ${f.badAccuracy} and goodAccuracy ${f.goodAccuracy}, got ${c.accuracy}` });
    }
    if (!isInt(c.nearMiss) || c.nearMiss === 0 || Math.abs(c.nearMiss) > 1000) {
      issues.push({ path: `strategies.${s}.nearMiss`, message: `must be a non-zero whole number within ±1000, got ${c.nearMiss}` });
    }
  }
  const sum = f.strategies.code.share + f.strategies.language.share;
  if (isProb(f.strategies.code.share) && isProb(f.strategies.language.share) && Math.abs(sum - 1) > 1e-9) {
    issues.push({ path: 'strategies', message: `code and language shares must sum to 1, got ${sum}` });
  }
  return issues;
}

export function resolveFamily(input: FamilyInput | FamilyPresetName): FamilyConfig {
  const name = typeof input === 'string' ? input : input.extends;
  if (name !== undefined && !Object.hasOwn(FAMILY_PRESETS, name)) {
    throw new WorldConfigError([{ path: 'extends', message: `unknown family preset '${name}' (known: ${FAMILY_PRESET_NAMES.join(', ')})` }]);
  }
  const f = withFamilyDefaults(input);
  const issues = validateFamilyConfig(f);
  if (issues.length > 0) throw new WorldConfigError(issues);
  return f;
}

export { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
