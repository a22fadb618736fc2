// The contract between trainers/sampler and a model. The GPT of the model organism implements it now;
// Qwen2/Llama/OLMo2 loaded from safetensors will implement it later, so nothing here is GPT-specific.
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from './tokenizer.js';

/**
 * A padded batch of token sequences, row-major [batch, length]. `mask` is 1 for real tokens and 0 for
 * padding; padding may sit on the left (prompts in the sampler) or the right (responses, SFT). Position
 * ids count real tokens only, so a left-padded row sees the same positions as an unpadded one.
 */
export interface TokenBatch {
  ids: Int32Array;
  mask: Float32Array;
  batch: number;
  length: number;
}

export interface NamedWeight {
  shape: number[];
  data: Float32Array;
}
export type WeightMap = Record<string, NamedWeight>;

/** Per-sequence keys/values of past positions; owned by the policy that made it. */
export interface KvCache {
  /** Number of positions held (padding included). */
  readonly length: number;
  dispose(): void;
}

export interface Policy {
  readonly tokenizer: Tokenizer;
  readonly contextLength: number;
  readonly vocabSize: number;
  /** Logits [batch, length, vocab] for every position; differentiable w.r.t. trainableVariables(). */
  logits(batch: TokenBatch): tf.Tensor3D;
  /** Runs the prompt once, returns the logits of its last position [batch, vocab] and a cache. */
  prefill(batch: TokenBatch): { logits: tf.Tensor2D; cache: KvCache };
  /** Appends one token per row (all real) to the cache; returns its logits [batch, vocab]. */
  decode(tokens: Int32Array, cache: KvCache): tf.Tensor2D;
  /** Trainable variables in a fixed order, with stable names (checkpoints and optimizer state use them). */
  trainableVariables(): Array<{ name: string; variable: tf.Variable }>;
  getWeights(): WeightMap;
  setWeights(weights: WeightMap): void;
  /** A frozen deep copy (the reference policy for KL). */
  clone(): Policy;
  dispose(): void;
}

/** Builds a TokenBatch from rows of ids, padding on the given side with the tokenizer's PAD. */
export function padBatch(rows: readonly (readonly number[])[], pad: number, side: 'left' | 'right'): TokenBatch {
  const batch = rows.length;
  const length = Math.max(1, ...rows.map(r => r.length));
  const ids = new Int32Array(batch * length).fill(pad);
  const mask = new Float32Array(batch * length);
  rows.forEach((r, b) => {
    const off = b * length + (side === 'left' ? length - r.length : 0);
    for (let i = 0; i < r.length; i++) {
      ids[off + i] = r[i]!;
      mask[off + i] = 1;
    }
  });
  return { ids, mask, batch, length };
}

/** A policy's named variables as plain arrays (getWeights of every Policy). */
export function readWeights(vars: ReadonlyArray<{ name: string; variable: tf.Variable }>): WeightMap {
  const out: WeightMap = {};
  for (const { name, variable } of vars) out[name] = { shape: variable.shape.slice(), data: variable.dataSync() as Float32Array };
  return out;
}

/** Assigns every named variable from `weights` (setWeights of every Policy); `owner` names the policy in errors. */
export function assignWeights(vars: ReadonlyArray<{ name: string; variable: tf.Variable }>, weights: WeightMap, owner: string): void {
  for (const { name, variable } of vars) {
    const w = weights[name];
    if (!w) throw new Error(`${owner}.setWeights: missing weight '${name}'`);
    if (w.shape.length !== variable.shape.length || w.shape.some((d, i) => d !== variable.shape[i])) {
      throw new Error(`${owner}.setWeights: weight '${name}' has shape [${w.shape}], expected [${variable.shape}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(w.data, w.shape, 'float32')));
  }
}
