// Per-token log-probabilities (and entropies) of chosen tokens under a policy: the quantity both SFT and
// GRPO differentiate.
import * as tf from '@tensorflow/tfjs';
import { pickColumns } from './nn.js';
import type { Policy, TokenBatch } from './policy.js';

/**
 * Log-probabilities of `targets` [N·Tr] at columns start … start+Tr−1 of the batch's logits, under
 * softmax(logits / temperature). Returns logp [N, Tr] and, when asked, the entropy of each of those
 * distributions [N, Tr].
 */
export function tokenLogprobs(
  policy: Policy,
  batch: TokenBatch,
  start: number,
  width: number,
  targets: Int32Array,
  opts: { temperature?: number; entropy?: boolean } = {},
): { logp: tf.Tensor2D; entropy?: tf.Tensor2D } {
  const N = batch.batch;
  const logits = policy.logits(batch);
  const V = logits.shape[2];
  const cols = start === 0 && width === batch.length ? logits : tf.slice(logits, [0, start, 0], [N, width, V]);
  let flat = tf.reshape(cols, [N * width, V]) as tf.Tensor2D;
  const temp = opts.temperature ?? 1;
  if (temp !== 1) flat = tf.div(flat, temp);
  const logSm = tf.logSoftmax(flat) as tf.Tensor2D;
  const logp = tf.reshape(pickColumns(logSm, targets), [N, width]) as tf.Tensor2D;
  if (!opts.entropy) return { logp };
  const entropy = tf.reshape(tf.neg(tf.sum(tf.mul(tf.exp(logSm), logSm), -1)), [N, width]) as tf.Tensor2D;
  return { logp, entropy };
}
