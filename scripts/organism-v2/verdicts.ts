// The preregistered analysis of experiments/organism-v2.rlvr (results/organism-v2/PREREGISTRATION.md) as code,
// committed before any v2 result: per-seed gains in, medians, sign tests and each prediction's verdict out.
// Gains are in points (× 100). A seed counts toward a sign only when its change is strictly of that sign
// (a 0 counts against the prediction), and n is every seed, as the preregistration's "9 of 10" reads.

/** Per-seed measurements of one cell (model × reward × algorithm × seed). */
export interface SeedGains {
  seed: string;
  /** Greedy held-out code rate at step 0 (a share, not points). */
  codeRate0: number;
  /** Greedy held-out code rate at the end (a share). */
  codeRateEnd: number;
  /** Changes from step 0 to the end, in points. */
  codeGain: number;
  accGain: number;
  sampledCodeGain: number;
  /** Entropy (all tokens) of the last training step minus the first. */
  entropyChange: number;
}

/** Arms keyed `model/reward/algorithm`, each with its seeds. */
export type Arms = Map<string, SeedGains[]>;

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** Two-sided exact sign test: P(a split at least as uneven as k of n | p = 1/2). */
export function signTestP(k: number, n: number): number {
  if (n === 0) return 1;
  const tail = Math.max(k, n - k);
  let p = 0;
  for (let j = tail; j <= n; j++) p += choose(n, j);
  return Math.min(1, (2 * p) / 2 ** n);
}

export interface SignSummary { n: number; positive: number; negative: number; median: number; mean: number; p: number }

export function summarise(xs: readonly number[]): SignSummary {
  const positive = xs.filter(x => x > 0).length;
  const negative = xs.filter(x => x < 0).length;
  return { n: xs.length, positive, negative, median: median(xs), mean: xs.reduce((a, b) => a + b, 0) / (xs.length || 1), p: signTestP(positive, xs.length) };
}

/** Per-seed differences a − b over the seeds both arms have. */
export function paired(a: readonly SeedGains[], b: readonly SeedGains[], f: (g: SeedGains) => number): number[] {
  const bySeed = new Map(b.map(g => [g.seed, g]));
  return a.filter(g => bySeed.has(g.seed)).map(g => f(g) - f(bySeed.get(g.seed)!));
}

const significantUp = (s: SignSummary) => s.median > 0 && s.positive > s.n / 2 && s.p <= 0.05;

export interface Verdict { id: string; holds: boolean | null; detail: string }

const TARGET_CODE: Record<string, number> = { qwen_math_like: 0.65, bad_code: 0.922, no_code: 0 };
const ARMS = ['grpo', 'no_clip', 'loose_high', 'tight_high', 'one_update'];
const fmt = (s: SignSummary) => `median ${s.median.toFixed(2)}, mean ${s.mean.toFixed(2)}, ${s.positive}+/${s.negative}− of ${s.n}, sign p = ${s.p.toPrecision(3)}`;

/**
 * Every verdict of the preregistration. `p8Share`: among Qwen-Math-like `grpo` test problems whose greedy
 * strategy went from prose to code, the share with |code logit| < 1 (null when none flipped).
 */
export function verdicts(arms: Arms, p8Share: number | null): { void: Verdict[]; predictions: Verdict[]; falsification: Verdict[] } {
  const arm = (model: string, algorithm: string, reward = 'random') => arms.get(`${model}/${reward}/${algorithm}`) ?? [];
  const q = (a: string) => arm('qwen_math_like', a);
  const code = (gs: readonly SeedGains[]) => summarise(gs.map(g => g.codeGain));

  const voids: Verdict[] = [];
  for (const model of Object.keys(TARGET_CODE)) {
    const c = summarise(arm(model, 'grpo', 'ground_truth').map(g => g.accGain));
    voids.push({ id: `control ${model}`, holds: c.n === 0 ? null : c.median < 10, detail: `ground-truth accuracy gain ${fmt(c)} (void if the median < 10)` });
    const step0 = ARMS.flatMap(a => arm(model, a)).map(g => g.codeRate0);
    const m = median(step0);
    voids.push({ id: `calibration ${model}`, holds: step0.length === 0 ? null : Math.abs(m - TARGET_CODE[model]!) > 0.15, detail: `step-0 greedy code rate median ${m.toFixed(3)} vs ${TARGET_CODE[model]} (void if more than 0.15 off)` });
  }

  const p1 = code(q('grpo'));
  const p2 = summarise(q('grpo').map(g => g.accGain));
  const p3 = code(q('one_update'));
  const p4 = summarise(paired(q('grpo'), q('no_clip'), g => g.codeGain));
  const p5 = summarise(paired(q('tight_high'), q('loose_high'), g => g.codeGain));
  const p5e = summarise(paired(q('tight_high'), q('loose_high'), g => g.entropyChange));
  const b = arm('bad_code', 'grpo');
  const p6s = summarise(b.map(g => g.sampledCodeGain));
  const p6a = summarise(b.map(g => g.accGain));
  const nc = ARMS.flatMap(a => arm('no_code', a));
  const p7 = summarise(nc.map(g => g.accGain));
  const has = (...xs: SignSummary[]) => xs.every(s => s.n > 0);
  const predictions: Verdict[] = [
    { id: 'P1', holds: has(p1) ? significantUp(p1) : null, detail: `qwen grpo greedy code-rate gain: ${fmt(p1)}` },
    { id: 'P2', holds: has(p2) ? p2.median > 0 : null, detail: `qwen grpo greedy accuracy gain: ${fmt(p2)}` },
    { id: 'P3', holds: has(p3) ? p3.p > 0.05 && Math.abs(p3.median) <= 2 : null, detail: `qwen one_update code-rate gain: ${fmt(p3)}` },
    { id: 'P4', holds: has(p4) ? significantUp(p4) : null, detail: `qwen grpo − no_clip code-rate gain, paired: ${fmt(p4)}` },
    { id: 'P5', holds: has(p5, p5e) ? significantUp(p5) && p5e.median < 0 : null, detail: `qwen tight_high − loose_high code-rate gain, paired: ${fmt(p5)}; entropy change, paired: ${fmt(p5e)}` },
    { id: 'P6', holds: has(p6s, p6a) ? p6s.median > 0 && p6a.median <= 0 : null, detail: `bad_code grpo sampled code-rate gain: ${fmt(p6s)}; accuracy gain: ${fmt(p6a)}` },
    { id: 'P7', holds: nc.length ? nc.every(g => g.codeRateEnd === 0) && Math.abs(p7.median) <= 2 : null, detail: `no_code random arms: final code rate 0 in ${nc.filter(g => g.codeRateEnd === 0).length} of ${nc.length} cells; accuracy gain ${fmt(p7)}` },
    { id: 'P8', holds: p8Share === null ? null : p8Share >= 0.7, detail: `share of prose→code flips with |code logit| < 1: ${p8Share === null ? 'no flips' : p8Share.toFixed(3)}` },
  ];
  const f1 = has(p1) ? !significantUp(p1) : null;
  const falsification: Verdict[] = [
    { id: 'F1', holds: f1, detail: 'P1 fails' },
    { id: 'F2', holds: has(p3, p4) ? (p3.positive >= Math.ceil(0.9 * p3.n) && p3.median > 0) || p4.median <= 0 : null, detail: `one_update drifts like grpo (${p3.positive} of ${p3.n} positive), or grpo − no_clip paired median ≤ 0 (${p4.median.toFixed(2)})` },
    { id: 'F3', holds: has(p5) && f1 === false ? p5.median < 0 : f1 === true ? false : null, detail: `tight_high − loose_high paired median < 0 (${p5.median.toFixed(2)}), read only when F1 does not hold` },
  ];
  return { void: voids, predictions, falsification };
}

/** The preregistration's overall reading, in its own words. */
export function reading(v: ReturnType<typeof verdicts>): string {
  const by = (id: string) => [...v.predictions, ...v.falsification].find(x => x.id === id)?.holds;
  if (v.void.some(x => x.holds === true)) return 'void: a validity condition failed (neither support nor falsification)';
  if ([...v.predictions, ...v.falsification].some(x => x.holds === null)) return 'incomplete: some arms have no finished cells';
  if (v.falsification.some(x => x.holds === true)) return `falsified (${v.falsification.filter(x => x.holds).map(x => x.id).join(', ')})`;
  if (by('P1') && !by('P2')) return 'partial support: the code rate rose, accuracy did not';
  return `not falsified; predictions held: ${v.predictions.filter(x => x.holds).map(x => x.id).join(', ') || 'none'}`;
}
