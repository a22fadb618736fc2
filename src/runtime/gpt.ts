// The model organism's policy: a GPT-2-style decoder (pre-norm LayerNorm, learned positions, GELU MLP,
// untied LM head). Every projection is one 2-D matmul over all batch×time rows, the fast path on wasm;
// only the attention scores use batched matmuls, and never with transpose flags.
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng.js';
import { installGradientFixes } from './kernels.js';
import { embedding, gelu, layerNorm, linear } from './nn.js';
import { fusedAttention, fusedDecodeAttention, fusedDecodeLayer, fusedKernels } from './native-kernels.js';
import { transposeFlagsAreFast } from './wasm-blas-kernels.js';
import { loadNativeBlas } from './native-blas.js';
import { assignWeights, readWeights, type KvCache, type Policy, type TokenBatch, type WeightMap } from './policy.js';
import type { Tokenizer } from './tokenizer.js';

export interface GptConfig {
  vocabSize: number;
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Hidden width of the MLP as a multiple of dModel (default 4). */
  mlpRatio?: number;
  layerNormEps?: number;
}

const NEG = -1e9; // finite, so a fully masked row (a left pad) gives a uniform softmax, not NaN

type V1 = tf.Variable<tf.Rank.R1>;
type V2 = tf.Variable<tf.Rank.R2>;
interface Layer {
  ln1g: V1; ln1b: V1;
  wqkv: V2; bqkv: V1;
  wo: V2; bo: V1;
  ln2g: V1; ln2b: V1;
  w1: V2; b1: V1;
  w2: V2; b2: V1;
}

class GptCache implements KvCache {
  constructor(
    /**
     * Per layer: keys and values [B·H, T, hd]. Time is the middle axis: appending a step is a concat along
     * axis 1, measured ~3x cheaper on wasm than along the last axis (a transposed layout).
     */
    public k: tf.Tensor3D[],
    public v: tf.Tensor3D[],
    /** Additive key mask [B, 1, 1, T]: 0 for real keys, −1e9 for padding ([B, capacity] when in place). */
    public keyBias: tf.Tensor4D,
    /** Real tokens seen so far per row = position id of the next token. */
    public positions: Int32Array,
    /**
     * With the fused kernels: k, v are [B·H, capacity, hd] and each decoding step writes its slot in place
     * (native-kernels.ts fusedDecodeAttention) instead of concatenating the whole cache; `filled` slots hold
     * positions. null: the concat layout above.
     */
    public filled: number | null = null,
  ) {}
  get length(): number {
    return this.filled ?? this.keyBias.shape[3];
  }
  replace(k: tf.Tensor3D[], v: tf.Tensor3D[], keyBias: tf.Tensor4D): void {
    const old = [...this.k, ...this.v, this.keyBias];
    this.k = k.map(t => tf.keep(t));
    this.v = v.map(t => tf.keep(t));
    this.keyBias = tf.keep(keyBias);
    tf.dispose(old);
  }
  dispose(): void {
    tf.dispose([...this.k, ...this.v, this.keyBias]);
    this.k = [];
    this.v = [];
  }
}

export class Gpt implements Policy {
  readonly config: Required<GptConfig>;
  readonly tokenizer: Tokenizer;
  private readonly vars: Array<{ name: string; variable: tf.Variable }> = [];
  private readonly wte: V2;
  private readonly wpe: V2;
  private readonly layers: Layer[] = [];
  private readonly lnfg: V1;
  private readonly lnfb: V1;
  private readonly head: V2;

  /** Use createGpt; this constructor takes initial weights (name → values) from the caller. */
  constructor(config: GptConfig, tokenizer: Tokenizer, init: WeightMap, trainable = true) {
    installGradientFixes();
    this.config = { mlpRatio: 4, layerNormEps: 1e-5, ...config };
    const c = this.config;
    if (c.dModel % c.nHeads !== 0) throw new Error(`GPT: dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`);
    if (tokenizer.vocabSize > c.vocabSize) throw new Error(`GPT: tokenizer has ${tokenizer.vocabSize} tokens but vocabSize is ${c.vocabSize}`);
    this.tokenizer = tokenizer;
    const mk = <V extends tf.Variable>(name: string): V => {
      const w = init[name];
      if (!w) throw new Error(`GPT: no initial value for weight '${name}'`);
      // tidy drops the temporary tensor; variables survive it.
      const v = tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape, 'float32'), trainable, undefined, 'float32'));
      this.vars.push({ name, variable: v });
      return v as V;
    };
    this.wte = mk('wte');
    this.wpe = mk('wpe');
    for (let i = 0; i < c.nLayers; i++) {
      const p = `h${i}.`;
      this.layers.push({
        ln1g: mk(p + 'ln1.g'), ln1b: mk(p + 'ln1.b'),
        wqkv: mk(p + 'attn.wqkv'), bqkv: mk(p + 'attn.bqkv'),
        wo: mk(p + 'attn.wo'), bo: mk(p + 'attn.bo'),
        ln2g: mk(p + 'ln2.g'), ln2b: mk(p + 'ln2.b'),
        w1: mk(p + 'mlp.w1'), b1: mk(p + 'mlp.b1'),
        w2: mk(p + 'mlp.w2'), b2: mk(p + 'mlp.b2'),
      });
    }
    this.lnfg = mk('lnf.g');
    this.lnfb = mk('lnf.b');
    this.head = mk('head.w');
  }

  get contextLength(): number {
    return this.config.contextLength;
  }
  get vocabSize(): number {
    return this.config.vocabSize;
  }

  trainableVariables(): Array<{ name: string; variable: tf.Variable }> {
    return this.vars.slice();
  }

  get numParameters(): number {
    return this.vars.reduce((n, v) => n + v.variable.size, 0);
  }

  /** Token + position embeddings of a batch → [B·T, D]; positions count real tokens from `start`. */
  private embed(ids: Int32Array, mask: Float32Array, B: number, T: number, start?: Int32Array): tf.Tensor2D {
    const pos = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let p = start ? start[b]! : 0;
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (p >= this.config.contextLength) throw new Error(`GPT: sequence longer than the context length ${this.config.contextLength}`);
        pos[i] = p;
        if (mask[i]! > 0) p++;
      }
    }
    return tf.add(
      embedding(this.wte, tf.tensor1d(ids, 'int32')),
      embedding(this.wpe, tf.tensor1d(pos, 'int32')),
    );
  }

  /** Causal + key-padding additive mask [B, 1, T, T]. */
  private attentionBias(mask: Float32Array, B: number, T: number): tf.Tensor4D {
    const bias = new Float32Array(B * T * T);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) if (j > i || mask[b * T + j] === 0) bias[(b * T + i) * T + j] = NEG;
    return tf.tensor4d(bias, [B, 1, T, T]);
  }

  /**
   * The transformer over new positions x [B·Tq, D]; `bias` [B, 1, Tq, Tk] masks keys. With `past` (one new
   * position per row) attention reads the cache; with `cache` set the keys/values are also returned in the
   * cache layout (see GptCache).
   */
  private trunk(x: tf.Tensor2D, B: number, Tq: number, bias: tf.Tensor4D, opts: { past?: GptCache; cache?: boolean } = {}): { h: tf.Tensor2D; k: tf.Tensor3D[]; v: tf.Tensor3D[] } {
    const { nHeads: H, dModel: D, layerNormEps: eps } = this.config;
    const hd = D / H;
    const scale = 1 / Math.sqrt(hd);
    const { past } = opts;
    const ks: tf.Tensor3D[] = [];
    const vs: tf.Tensor3D[] = [];
    // [B·Tq, D] → [B·H, Tq, hd] with the given order of (head-dim, time) axes
    const heads = (t: tf.Tensor2D, perm: number[], shape: [number, number, number]): tf.Tensor3D => {
      // With one position, swapping the time and head axes moves no data: skip the transpose kernel.
      if (Tq === 1 && perm[3] === 3) return tf.reshape(t, shape);
      return tf.reshape(tf.transpose(tf.reshape(t, [B, Tq, H, hd]), perm), shape);
    };
    // With OpenBLAS computing the matmuls, a fused decoding step runs each layer as one native call.
    const wholeLayer = past && past.filled !== null && transposeFlagsAreFast() ? loadNativeBlas().blas : null;
    // Training and scoring (no cache in or out): attention straight from the qkv projection on the fused kernels.
    const fusedFull = !past && !opts.cache && fusedKernels() && transposeFlagsAreFast() ? loadNativeBlas().blas : null;
    this.layers.forEach((L, li) => {
      if (wholeLayer) {
        x = fusedDecodeLayer(x, L, past!.k[li]!, past!.v[li]!, past!.keyBias as unknown as tf.Tensor2D, H, past!.filled!, scale, eps, wholeLayer.threads());
        return;
      }
      const h1 = layerNorm(x, L.ln1g, L.ln1b, eps);
      const qkv = linear(h1, L.wqkv, L.bqkv);
      if (fusedFull) {
        x = tf.add(x, linear(fusedAttention(qkv, bias, H, scale, fusedFull.threads()), L.wo, L.bo));
        const h2a = layerNorm(x, L.ln2g, L.ln2b, eps);
        x = tf.add(x, linear(gelu(linear(h2a, L.w1, L.b1)) as tf.Tensor2D, L.w2, L.b2));
        return;
      }
      const [q0, k0, v0] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      let y: tf.Tensor2D;
      if (past && past.filled !== null) {
        // Fused: appends k0, v0 to the cache in place and attends in one native kernel.
        y = tf.reshape(fusedDecodeAttention(q0, past.k[li]!, past.v[li]!, k0, v0, past.keyBias as unknown as tf.Tensor2D, H, past.filled, scale), [B, D]);
        x = tf.add(x, linear(y, L.wo, L.bo));
        const h2f = layerNorm(x, L.ln2g, L.ln2b, eps);
        x = tf.add(x, linear(gelu(linear(h2f, L.w1, L.b1)) as tf.Tensor2D, L.w2, L.b2));
        return;
      }
      const q = heads(tf.mul(q0, scale), [0, 2, 1, 3], [B * H, Tq, hd]); // pre-scaled: the smaller tensor
      if (past) {
        // One query per row: scores = Σ_d q·k as a broadcast product + last-axis sum (no transposed copy
        // of the cache), then att [B·H, 1, Tk] @ v.
        const k = tf.concat([past.k[li]!, heads(k0, [0, 2, 1, 3], [B * H, 1, hd])], 1);
        const v = tf.concat([past.v[li]!, heads(v0, [0, 2, 1, 3], [B * H, 1, hd])], 1);
        ks.push(k);
        vs.push(v);
        const Tk = k.shape[1];
        const scores = tf.add(tf.reshape(tf.sum(tf.mul(q, k), -1), [B, H, 1, Tk]), bias);
        const att = tf.reshape(tf.softmax(scores), [B * H, 1, Tk]);
        y = tf.reshape(tf.matMul(att, v), [B, D]);
      } else {
        // q [B·H, Tq, hd] @ kT [B·H, hd, Tq], then @ v [B·H, Tq, hd]: no transpose flags (slow on wasm).
        const kT = heads(k0, [0, 2, 3, 1], [B * H, hd, Tq]);
        const v = heads(v0, [0, 2, 1, 3], [B * H, Tq, hd]);
        if (opts.cache) {
          ks.push(heads(k0, [0, 2, 1, 3], [B * H, Tq, hd]));
          vs.push(v);
        }
        const scores = tf.add(tf.reshape(tf.matMul(q, kT), [B, H, Tq, Tq]), bias);
        const att = tf.reshape(tf.softmax(scores), [B * H, Tq, Tq]);
        y = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v), [B, H, Tq, hd]), [0, 2, 1, 3]), [B * Tq, D]);
      }
      x = tf.add(x, linear(y, L.wo, L.bo));
      const h2 = layerNorm(x, L.ln2g, L.ln2b, eps);
      x = tf.add(x, linear(gelu(linear(h2, L.w1, L.b1)) as tf.Tensor2D, L.w2, L.b2));
    });
    const h = layerNorm(x, this.lnfg, this.lnfb, eps);
    return { h, k: ks, v: vs };
  }

  logits(batch: TokenBatch): tf.Tensor3D {
    const { ids, mask, batch: B, length: T } = batch;
    return tf.tidy(() => {
      const x = this.embed(ids, mask, B, T);
      const { h } = this.trunk(x, B, T, this.attentionBias(mask, B, T));
      return tf.reshape(tf.matMul(h, this.head), [B, T, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  prefill(batch: TokenBatch): { logits: tf.Tensor2D; cache: KvCache } {
    const { ids, mask, batch: B, length: T } = batch;
    const positions = new Int32Array(B);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) positions[b] += mask[b * T + t]! > 0 ? 1 : 0;
    let cache!: GptCache;
    const logits = tf.tidy(() => {
      const x = this.embed(ids, mask, B, T);
      const { h, k, v } = this.trunk(x, B, T, this.attentionBias(mask, B, T), { cache: true });
      if (fusedKernels()) {
        // In-place layout: room for the whole context; slots past T are written before they are read.
        const cap = this.config.contextLength;
        const grow = (t: tf.Tensor3D) => tf.keep(tf.pad(t, [[0, 0], [0, cap - T], [0, 0]]));
        const bias = new Float32Array(B * cap);
        for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (!(mask[b * T + t]! > 0)) bias[b * cap + t] = NEG;
        cache = new GptCache(k.map(grow), v.map(grow), tf.keep(tf.tensor2d(bias, [B, cap])) as unknown as tf.Tensor4D, positions, T);
      } else {
        const keyBias = tf.tensor4d(mask.map(m => (m > 0 ? 0 : NEG)), [B, 1, 1, T]);
        cache = new GptCache(k.map(t => tf.keep(t)), v.map(t => tf.keep(t)), tf.keep(keyBias), positions);
      }
      const last = tf.reshape(tf.slice(tf.reshape(h, [B, T, -1]), [0, T - 1, 0], [B, 1, -1]), [B, -1]);
      return tf.matMul(last, this.head) as tf.Tensor2D;
    });
    return { logits, cache };
  }

  decode(tokens: Int32Array, cacheIn: KvCache): tf.Tensor2D {
    const cache = cacheIn as GptCache;
    if (!(cache instanceof GptCache)) throw new Error('GPT.decode: cache was not made by a GPT');
    const B = tokens.length;
    if (cache.positions.some(p => p >= this.config.contextLength)) {
      throw new Error(`GPT.decode: sequence reached the context length ${this.config.contextLength}`);
    }
    if (cache.filled !== null) {
      if (!fusedKernels()) throw new Error('GPT.decode: this cache was made with the fused kernels, which are now off or not on this backend');
      if (cache.filled >= this.config.contextLength) throw new Error(`GPT.decode: sequence reached the context length ${this.config.contextLength}`);
      return tf.tidy(() => {
        const x = this.embed(tokens, new Float32Array(B).fill(1), B, 1, cache.positions);
        const { h } = this.trunk(x, B, 1, cache.keyBias, { past: cache });
        cache.filled!++;
        for (let b = 0; b < B; b++) cache.positions[b]++;
        return tf.matMul(h, this.head) as tf.Tensor2D;
      });
    }
    return tf.tidy(() => {
      const x = this.embed(tokens, new Float32Array(B).fill(1), B, 1, cache.positions);
      const keyBias = tf.concat([cache.keyBias, tf.zeros([B, 1, 1, 1])], 3) as tf.Tensor4D;
      const { h, k, v } = this.trunk(x, B, 1, keyBias, { past: cache });
      cache.replace(k, v, keyBias);
      for (let b = 0; b < B; b++) cache.positions[b]++;
      return tf.matMul(h, this.head) as tf.Tensor2D;
    });
  }

  getWeights(): WeightMap {
    return readWeights(this.vars);
  }

  setWeights(weights: WeightMap): void {
    assignWeights(this.vars, weights, 'GPT');
  }

  clone(): Gpt {
    return new Gpt(this.config, this.tokenizer, this.getWeights(), false);
  }

  dispose(): void {
    tf.dispose(this.vars.map(v => v.variable));
  }
}

/** GPT-2 initial weights from our seeded Rng: N(0, 0.02), residual projections scaled by 1/√(2·layers). */
export function initGptWeights(config: GptConfig, seed: number | string): WeightMap {
  const c = { mlpRatio: 4, ...config };
  const rng = new Rng(seed, 'gpt-init');
  const D = c.dModel;
  const F = D * c.mlpRatio;
  const w: WeightMap = {};
  const normal = (name: string, shape: number[], std: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
    w[name] = { shape, data };
  };
  const fill = (name: string, shape: number[], value: number) => {
    w[name] = { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value) };
  };
  const resid = 0.02 / Math.sqrt(2 * c.nLayers);
  normal('wte', [c.vocabSize, D], 0.02);
  normal('wpe', [c.contextLength, D], 0.01);
  for (let i = 0; i < c.nLayers; i++) {
    const p = `h${i}.`;
    fill(p + 'ln1.g', [D], 1); fill(p + 'ln1.b', [D], 0);
    normal(p + 'attn.wqkv', [D, 3 * D], 0.02); fill(p + 'attn.bqkv', [3 * D], 0);
    normal(p + 'attn.wo', [D, D], resid); fill(p + 'attn.bo', [D], 0);
    fill(p + 'ln2.g', [D], 1); fill(p + 'ln2.b', [D], 0);
    normal(p + 'mlp.w1', [D, F], 0.02); fill(p + 'mlp.b1', [F], 0);
    normal(p + 'mlp.w2', [F, D], resid); fill(p + 'mlp.b2', [D], 0);
  }
  fill('lnf.g', [D], 1); fill('lnf.b', [D], 0);
  normal('head.w', [D, c.vocabSize], 0.02);
  return w;
}

/** A freshly initialised GPT; the same config and seed give the same weights on every backend. */
export function createGpt(config: GptConfig, tokenizer: Tokenizer, seed: number | string): Gpt {
  return new Gpt(config, tokenizer, initGptWeights(config, seed));
}
