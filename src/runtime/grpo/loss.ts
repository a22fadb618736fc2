// The GRPO-family objective on one minibatch, per token then aggregated. Every switch is explicit:
//   ratio      r_t = exp(logp_t − old_logp_t)                     (old = the sampling policy)
//   surrogate  clip: −min(r·A, clip(r, 1−ε_low, 1+ε_high)·A)     none: −r·A
//   KL         against a frozen reference, r' = p_ref / p (Schulman's estimators):
//              k1 = −log r' = logp − ref,  k2 = ½ (log r')²,  k3 = r' − 1 − log r'
//   entropy    −coef · H(p_t) (a bonus: higher entropy lowers the loss)
//   per-token loss ℓ_t = surrogate + β·KL − coef_H·H, then aggregated:
//              token_mean               Σ_{i,t} ℓ m / Σ_{i,t} m                  (all tokens of the minibatch)
//              seq_mean_token_mean      mean_i ( Σ_t ℓ m / Σ_t m )               (the paper / OpenRLHF)
//              seq_mean_token_sum_norm  mean_i ( Σ_t ℓ m / L ), L a constant     (Dr. GRPO)
//              micro_token_mean         mean_k ( Σ_{i∈k,t} ℓ m / Σ_{i∈k,t} m )   (k: consecutive micro-batches of
//                                       microBatch rows, the last one shorter; OpenRLHF with packed samples)
import * as tf from '@tensorflow/tfjs';

export type Aggregation = 'token_mean' | 'seq_mean_token_mean' | 'seq_mean_token_sum_norm' | 'micro_token_mean';
export type KlEstimator = 'k1' | 'k2' | 'k3';

export interface GrpoLossConfig {
  /** null = no clipping (plain ratio·A surrogate). */
  clip: { low: number; high: number } | null;
  klCoef: number;
  klEstimator: KlEstimator;
  entropyCoef: number;
  aggregation: Aggregation;
  /** The constant L of seq_mean_token_sum_norm (usually the max response length). */
  lengthNorm: number;
  /** Rows per micro-batch of micro_token_mean (default 1). */
  microBatch?: number;
}

export interface GrpoLossInputs {
  /** [N, T] current policy log-probabilities of the response tokens (differentiable). */
  logp: tf.Tensor2D;
  /** [N, T] log-probabilities under the sampling policy. */
  oldLogp: tf.Tensor2D;
  /** [N, T] advantages (one per sequence, broadcast over its tokens). */
  advantages: tf.Tensor2D;
  /** [N, T] 1 for response tokens, 0 for padding. */
  mask: tf.Tensor2D;
  /** [N, T] reference log-probabilities; required when klCoef > 0. */
  refLogp?: tf.Tensor2D;
  /** [N, T] per-token entropies; required when entropyCoef > 0 (and used for stats when present). */
  entropy?: tf.Tensor2D;
}

export interface GrpoLossOutput {
  loss: tf.Scalar;
  /** Stats as scalars (token means over the minibatch): clipLow, clipHigh, approxKl (k3 vs old), refKl, entropy. */
  stats: Record<'clipLow' | 'clipHigh' | 'approxKl' | 'refKl' | 'entropy', tf.Scalar>;
}

/** Per-token KL estimate between the policy (logp) and the reference (refLogp); log r = ref − logp. */
export function klEstimate(logp: tf.Tensor, refLogp: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  const logR = tf.sub(refLogp, logp);
  switch (estimator) {
    case 'k1':
      return tf.neg(logR);
    case 'k2':
      return tf.mul(tf.square(logR), 0.5);
    case 'k3':
      return tf.sub(tf.sub(tf.exp(logR), 1), logR);
  }
}

export function aggregate(perToken: tf.Tensor2D, mask: tf.Tensor2D, how: Aggregation, lengthNorm: number, microBatch = 1): tf.Scalar {
  const masked = tf.mul(perToken, mask);
  switch (how) {
    case 'token_mean':
      return tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1));
    case 'seq_mean_token_mean':
      return tf.mean(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1)));
    case 'seq_mean_token_sum_norm':
      return tf.mean(tf.div(tf.sum(masked, 1), lengthNorm));
    case 'micro_token_mean': {
      // Per-row sums, then summed within each chunk of microBatch consecutive rows (a [K, N] 0/1 matrix).
      const n = perToken.shape[0];
      const k = Math.ceil(n / microBatch);
      const chunk = tf.tensor2d(Array.from({ length: k * n }, (_, x) => (Math.floor((x % n) / microBatch) === Math.floor(x / n) ? 1 : 0)), [k, n]);
      const tokens = tf.matMul(chunk, tf.reshape(tf.sum(masked, 1), [n, 1]));
      const counts = tf.matMul(chunk, tf.reshape(tf.sum(mask, 1), [n, 1]));
      return tf.mean(tf.div(tokens, tf.maximum(counts, 1)));
    }
  }
}

export function grpoLoss(x: GrpoLossInputs, c: GrpoLossConfig): GrpoLossOutput {
  const { logp, oldLogp, advantages: A, mask } = x;
  const ratio = tf.exp(tf.sub(logp, oldLogp));
  const unclipped = tf.mul(ratio, A);
  let surrogate: tf.Tensor;
  let clipLow: tf.Tensor = tf.zerosLike(mask);
  let clipHigh: tf.Tensor = tf.zerosLike(mask);
  if (c.clip) {
    const lo = 1 - c.clip.low;
    const hi = 1 + c.clip.high;
    const clipped = tf.mul(tf.clipByValue(ratio, lo, hi), A);
    surrogate = tf.neg(tf.minimum(unclipped, clipped));
    // Tokens whose gradient the clip removed: pushed past the bound in the direction the advantage favours.
    clipHigh = tf.cast(tf.logicalAnd(tf.greater(A, 0), tf.greater(ratio, hi)), 'float32');
    clipLow = tf.cast(tf.logicalAnd(tf.less(A, 0), tf.less(ratio, lo)), 'float32');
  } else {
    surrogate = tf.neg(unclipped);
  }
  let perToken = surrogate;
  let refKl: tf.Tensor = tf.zerosLike(mask);
  if (c.klCoef > 0) {
    if (!x.refLogp) throw new Error('grpoLoss: klCoef > 0 needs reference log-probabilities');
    refKl = klEstimate(logp, x.refLogp, c.klEstimator);
    perToken = tf.add(perToken, tf.mul(refKl, c.klCoef));
  }
  if (c.entropyCoef !== 0) {
    if (!x.entropy) throw new Error('grpoLoss: entropyCoef ≠ 0 needs per-token entropies');
    perToken = tf.sub(perToken, tf.mul(x.entropy, c.entropyCoef));
  }
  const loss = aggregate(perToken as tf.Tensor2D, mask, c.aggregation, c.lengthNorm, c.microBatch);
  const tokens = tf.maximum(tf.sum(mask), 1);
  const tokenMean = (t: tf.Tensor): tf.Scalar => tf.div(tf.sum(tf.mul(t, mask)), tokens);
  const logR = tf.sub(oldLogp, logp); // stats only: gradients are taken of `loss` alone
  return {
    loss,
    stats: {
      clipLow: tokenMean(clipLow),
      clipHigh: tokenMean(clipHigh),
      approxKl: tokenMean(tf.sub(tf.sub(tf.exp(logR), 1), logR)),
      refKl: tokenMean(refKl),
      entropy: x.entropy ? tokenMean(x.entropy) : tf.scalar(NaN),
    },
  };
}
