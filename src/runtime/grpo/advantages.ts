// Advantages of the GRPO family, on plain numbers (one reward per rollout, rollouts grouped by prompt).

export type AdvantageMode = 'group_norm' | 'group_center';

/** Torch's default (unbiased, n−1) standard deviation; 0 for a single value. */
export function unbiasedStd(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
}

/**
 * Per-rollout advantages. `rewards` is laid out group by group (groupSize consecutive rollouts share a prompt).
 * group_norm: (r − mean) / (std + epsilon), unbiased std over the group (the paper, via OpenRLHF, with
 * epsilon 1e-9: the algorithm's advantage_epsilon). group_center: r − mean (Dr. GRPO).
 */
export function groupAdvantages(rewards: readonly number[], groupSize: number, mode: AdvantageMode, epsilon = 1e-9): number[] {
  if (!(epsilon > 0)) throw new Error(`groupAdvantages: epsilon must be > 0, got ${epsilon}`);
  if (groupSize < 1 || rewards.length % groupSize !== 0) {
    throw new Error(`groupAdvantages: ${rewards.length} rewards do not split into groups of ${groupSize}`);
  }
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = rewards.slice(g, g + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const std = mode === 'group_norm' ? unbiasedStd(group) : 0;
    for (const r of group) out.push(mode === 'group_norm' ? (r - mean) / (std + epsilon) : r - mean);
  }
  return out;
}

/**
 * OpenRLHF's replay-buffer normalisation: advantages are broadcast to every response token, then whitened
 * with the token-level mean and (biased) variance over the whole rollout batch: (a − μ) · rsqrt(max(σ², 1e-8)).
 * With one advantage per sequence this weights each sequence by its length.
 */
export function whitenOverTokens(advantages: readonly number[], lengths: readonly number[]): number[] {
  let n = 0;
  let sum = 0;
  advantages.forEach((a, i) => {
    n += lengths[i]!;
    sum += a * lengths[i]!;
  });
  if (n === 0) return advantages.slice();
  const mean = sum / n;
  let sq = 0;
  advantages.forEach((a, i) => (sq += (a - mean) ** 2 * lengths[i]!));
  const rstd = 1 / Math.sqrt(Math.max(sq / n, 1e-8));
  return advantages.map(a => (a - mean) * rstd);
}
