// Qwen2 / Llama / OLMo2 decoders as a runtime Policy, so the sampler and GRPO trainer run them
// unchanged. Shared skeleton: token embedding, N blocks of (attention, SwiGLU MLP) with RMSNorm, final
// RMSNorm, LM head. Differences come from the config (see config.ts): QKV biases (Qwen2), norm placement
// and QK-norm (OLMo2), RoPE scaling, GQA, tied embeddings. All projections are 2-D matmuls over B·T rows.
import * as tf from '@tensorflow/tfjs';
import { installGradientFixes } from '../kernels.js';
import { assignWeights, readWeights, type KvCache, type Policy, type TokenBatch, type WeightMap } from '../policy.js';
import type { Tokenizer } from '../tokenizer.js';
import { ropeInvFreq, type HfConfig } from './config.js';
import { assemble, disassemble, weightLayout, type LayoutEntry } from './layout.js';
import { applyRope, embeddingRows, rmsNorm, swiglu } from './ops.js';

const NEG = -1e9; // finite: a fully masked row (left padding) gives a uniform softmax, not NaN

type V1 = tf.Variable<tf.Rank.R1>;
type V2 = tf.Variable<tf.Rank.R2>;

interface Block {
  inNorm?: V1;
  wqkv: V2;
  bqkv?: V1;
  qNorm?: V1;
  kNorm?: V1;
  wo: V2;
  bo?: V1;
  /** Pre-MLP norm (Llama/Qwen2) or attention-output norm (OLMo2). */
  postAttnNorm: V1;
  wgu: V2;
  bgu?: V1;
  wd: V2;
  bd?: V1;
  postFfNorm?: V1;
}

export class HfCache implements KvCache {
  constructor(
    /** Per layer: keys transposed [B·Hkv, hd, T], values [B·Hkv, T, hd] (no GQA repetition). */
    public kT: tf.Tensor3D[],
    public v: tf.Tensor3D[],
    /** Additive key mask [B, 1, 1, 1, T]: 0 for real keys, −1e9 for padding. */
    public keyBias: tf.Tensor,
    /** Real tokens seen so far per row = position id of the next token. */
    public positions: Int32Array,
  ) {}
  get length(): number {
    return this.keyBias.shape[4]!;
  }
  replace(kT: tf.Tensor3D[], v: tf.Tensor3D[], keyBias: tf.Tensor): void {
    const old = [...this.kT, ...this.v, this.keyBias];
    this.kT = kT.map(t => tf.keep(t));
    this.v = v.map(t => tf.keep(t));
    this.keyBias = tf.keep(keyBias);
    tf.dispose(old);
  }
  dispose(): void {
    tf.dispose([...this.kT, ...this.v, this.keyBias]);
    this.kT = [];
    this.v = [];
  }
}

export interface HfModelOptions {
  /** Variables take gradients (default true); clones for KL references are frozen. */
  trainable?: boolean;
  /** Longest sequence (prompt + response) allowed; default and maximum: max_position_embeddings. */
  contextLength?: number;
}

export class HfCausalLM implements Policy {
  readonly config: HfConfig;
  readonly tokenizer: Tokenizer;
  readonly contextLength: number;
  readonly layout: LayoutEntry[];
  private readonly vars: Array<{ name: string; variable: tf.Variable }> = [];
  private readonly byName = new Map<string, tf.Variable>();
  private readonly embed: V2;
  private readonly head: V2;
  private readonly blocks: Block[] = [];
  private readonly finalNorm: V1;
  private readonly invFreq: Float64Array;

  /**
   * `source(entry)` gives the values of each layout entry in order (loadHfModel streams them from the
   * checkpoint; clone() and tests pass tensors or arrays). A tensor is taken over (not copied).
   */
  constructor(config: HfConfig, tokenizer: Tokenizer, source: (e: LayoutEntry) => Float32Array | tf.Tensor, opts: HfModelOptions = {}) {
    installGradientFixes();
    this.config = config;
    this.tokenizer = tokenizer;
    const ctx = opts.contextLength ?? config.maxPositionEmbeddings;
    if (ctx > config.maxPositionEmbeddings) throw new Error(`HF model: contextLength ${ctx} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
    this.contextLength = ctx;
    this.invFreq = ropeInvFreq(config);
    this.layout = weightLayout(config);
    const trainable = opts.trainable ?? true;
    try {
      for (const e of this.layout) {
        const val = source(e);
        let t: tf.Tensor;
        if (val instanceof tf.Tensor) {
          t = val;
        } else {
          if (val.length !== e.shape.reduce((a, d) => a * d, 1)) throw new Error(`HF model: weight '${e.name}' has ${val.length} values, expected shape [${e.shape}]`);
          t = tf.tensor(val, e.shape, 'float32');
        }
        if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) throw new Error(`HF model: weight '${e.name}' has shape [${t.shape}], expected [${e.shape}]`);
        const v = tf.variable(t, trainable, undefined, 'float32');
        t.dispose(); // the variable holds the data
        this.vars.push({ name: e.name, variable: v });
        this.byName.set(e.name, v);
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
    const get = <T extends tf.Variable>(name: string) => this.byName.get(name) as T;
    const opt = <T extends tf.Variable>(name: string) => this.byName.get(name) as T | undefined;
    if (config.tieWordEmbeddings) {
      this.embed = get<V2>('model.embed_tokens.weight.T');
      this.head = this.embed;
    } else {
      this.embed = get<V2>('model.embed_tokens.weight');
      this.head = get<V2>('lm_head.weight.T');
    }
    for (let i = 0; i < config.numLayers; i++) {
      const p = `model.layers.${i}.`;
      this.blocks.push({
        inNorm: opt(`${p}input_layernorm.weight`),
        wqkv: get(`${p}self_attn.qkv_proj.weight.T`),
        bqkv: opt(`${p}self_attn.qkv_proj.bias`),
        qNorm: opt(`${p}self_attn.q_norm.weight`),
        kNorm: opt(`${p}self_attn.k_norm.weight`),
        wo: get(`${p}self_attn.o_proj.weight.T`),
        bo: opt(`${p}self_attn.o_proj.bias`),
        postAttnNorm: get(`${p}post_attention_layernorm.weight`),
        wgu: get(`${p}mlp.gate_up_proj.weight.T`),
        bgu: opt(`${p}mlp.gate_up_proj.bias`),
        wd: get(`${p}mlp.down_proj.weight.T`),
        bd: opt(`${p}mlp.down_proj.bias`),
        postFfNorm: opt(`${p}post_feedforward_layernorm.weight`),
      });
    }
    this.finalNorm = get<V1>('model.norm.weight');
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  get numParameters(): number {
    return this.vars.reduce((n, v) => n + v.variable.size, 0);
  }

  trainableVariables(): Array<{ name: string; variable: tf.Variable }> {
    return this.vars.slice();
  }

  private embedIds(ids: Int32Array): tf.Tensor2D {
    return embeddingRows(this.embed, ids, this.config.tieWordEmbeddings);
  }

  /** Position ids counting real tokens from `start` (left padding does not shift positions). */
  private positionsOf(mask: Float32Array, B: number, T: number, start?: Int32Array): Int32Array {
    const pos = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let p = start ? start[b]! : 0;
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (p >= this.contextLength) throw new Error(`HF model: sequence longer than the context length ${this.contextLength}`);
        pos[i] = p;
        if (mask[i]! > 0) p++;
      }
    }
    return pos;
  }

  /** cos and sign-folded sin [N, 1, hd] for the rotate-half RoPE at these positions. */
  private ropeTables(pos: Int32Array): { cos: tf.Tensor3D; sin: tf.Tensor3D } {
    const hd = this.config.headDim;
    const half = hd / 2;
    const N = pos.length;
    const c = new Float32Array(N * hd);
    const s = new Float32Array(N * hd);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < half; j++) {
        const ang = pos[n]! * this.invFreq[j]!;
        const cj = Math.cos(ang);
        const sj = Math.sin(ang);
        c[n * hd + j] = cj;
        c[n * hd + half + j] = cj;
        s[n * hd + j] = -sj;
        s[n * hd + half + j] = sj;
      }
    }
    return { cos: tf.tensor3d(c, [N, 1, hd]), sin: tf.tensor3d(s, [N, 1, hd]) };
  }

  /** Causal + key-padding additive mask [B, 1, T, 1, T]. */
  private attentionBias(mask: Float32Array, B: number, T: number): tf.Tensor {
    const bias = new Float32Array(B * T * T);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) if (j > i || mask[b * T + j] === 0) bias[(b * T + i) * T + j] = NEG;
    return tf.tensor(bias, [B, 1, T, 1, T]);
  }

  /**
   * The decoder over new positions x [B·Tq, D] at positions `pos`. `bias` [B, 1, Tq, 1, Tk] masks keys;
   * `past` holds earlier keys/values. Returns the final normed hidden states and this call's keys/values.
   */
  private trunk(x: tf.Tensor2D, B: number, Tq: number, pos: Int32Array, bias: tf.Tensor, past?: HfCache): { h: tf.Tensor2D; kT: tf.Tensor3D[]; v: tf.Tensor3D[] } {
    const c = this.config;
    const H = c.numHeads;
    const Hkv = c.numKvHeads;
    const G = H / Hkv;
    const hd = c.headDim;
    const Q = H * hd;
    const K = Hkv * hd;
    const eps = c.rmsNormEps;
    const scale = 1 / Math.sqrt(hd);
    const { cos, sin } = this.ropeTables(pos);
    const kTs: tf.Tensor3D[] = [];
    const vs: tf.Tensor3D[] = [];
    this.blocks.forEach((L, li) => {
      const h1 = L.inNorm ? rmsNorm(x, L.inNorm, eps) : x;
      let qkv = tf.matMul(h1, L.wqkv);
      if (L.bqkv) qkv = tf.add(qkv, L.bqkv) as tf.Tensor2D;
      let [q, k, v0] = tf.split(qkv, [Q, K, K], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      if (L.qNorm && L.kNorm) {
        q = rmsNorm(q, L.qNorm, eps);
        k = rmsNorm(k, L.kNorm, eps);
      }
      q = applyRope(tf.mul(q, scale) as tf.Tensor2D, H, hd, cos, sin);
      k = applyRope(k, Hkv, hd, cos, sin);
      // GQA without repeating K/V: the G query heads of one KV head are stacked as rows (t, g), so
      // q [B·Hkv, Tq·G, hd] meets kT [B·Hkv, hd, Tk] in one batched matmul. Head h = kv·G + g as in HF.
      const qg = tf.reshape(tf.transpose(tf.reshape(q, [B, Tq, Hkv, G * hd]), [0, 2, 1, 3]), [B * Hkv, Tq * G, hd]);
      let kT = tf.reshape(tf.transpose(tf.reshape(k, [B, Tq, Hkv, hd]), [0, 2, 3, 1]), [B * Hkv, hd, Tq]) as tf.Tensor3D;
      let v = tf.reshape(tf.transpose(tf.reshape(v0, [B, Tq, Hkv, hd]), [0, 2, 1, 3]), [B * Hkv, Tq, hd]) as tf.Tensor3D;
      if (past) {
        kT = tf.concat([past.kT[li]!, kT], 2);
        v = tf.concat([past.v[li]!, v], 1);
      }
      kTs.push(kT);
      vs.push(v);
      const Tk = kT.shape[2];
      const scores = tf.add(tf.reshape(tf.matMul(qg, kT), [B, Hkv, Tq, G, Tk]), bias);
      const att = tf.reshape(tf.softmax(scores), [B * Hkv, Tq * G, Tk]);
      const y = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v), [B, Hkv, Tq, G * hd]), [0, 2, 1, 3]), [B * Tq, Q]) as tf.Tensor2D;
      let a: tf.Tensor2D = tf.matMul(y, L.wo);
      if (L.bo) a = tf.add(a, L.bo) as tf.Tensor2D;
      if (c.norm === 'post') a = rmsNorm(a, L.postAttnNorm, eps);
      x = tf.add(x, a) as tf.Tensor2D;
      const h2 = c.norm === 'pre' ? rmsNorm(x, L.postAttnNorm, eps) : x;
      let gu = tf.matMul(h2, L.wgu);
      if (L.bgu) gu = tf.add(gu, L.bgu) as tf.Tensor2D;
      const [g, u] = tf.split(gu, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      let m: tf.Tensor2D = tf.matMul(swiglu(g, u), L.wd);
      if (L.bd) m = tf.add(m, L.bd) as tf.Tensor2D;
      if (L.postFfNorm) m = rmsNorm(m, L.postFfNorm, eps);
      x = tf.add(x, m) as tf.Tensor2D;
    });
    return { h: rmsNorm(x, this.finalNorm, eps), kT: kTs, v: vs };
  }

  logits(batch: TokenBatch): tf.Tensor3D {
    const { ids, mask, batch: B, length: T } = batch;
    return tf.tidy(() => {
      const pos = this.positionsOf(mask, B, T);
      const { h } = this.trunk(this.embedIds(ids), B, T, pos, this.attentionBias(mask, B, T));
      return tf.reshape(tf.matMul(h, this.head), [B, T, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  prefill(batch: TokenBatch): { logits: tf.Tensor2D; cache: KvCache } {
    const { ids, mask, batch: B, length: T } = batch;
    const positions = new Int32Array(B);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) positions[b] += mask[b * T + t]! > 0 ? 1 : 0;
    let cache!: HfCache;
    const logits = tf.tidy(() => {
      const pos = this.positionsOf(mask, B, T);
      const { h, kT, v } = this.trunk(this.embedIds(ids), B, T, pos, this.attentionBias(mask, B, T));
      const keyBias = tf.tensor(mask.map(m => (m > 0 ? 0 : NEG)), [B, 1, 1, 1, T]);
      cache = new HfCache(kT.map(t => tf.keep(t)), v.map(t => tf.keep(t)), tf.keep(keyBias), positions);
      // Only the last position's logits: [B, D] @ [D, V] instead of the whole [B·T, V].
      const last = tf.reshape(tf.slice(tf.reshape(h, [B, T, -1]), [0, T - 1, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D;
      return tf.matMul(last, this.head) as tf.Tensor2D;
    });
    return { logits, cache };
  }

  decode(tokens: Int32Array, cacheIn: KvCache): tf.Tensor2D {
    const cache = cacheIn as HfCache;
    if (!(cache instanceof HfCache)) throw new Error('HF model decode: cache was not made by an HF model');
    const B = tokens.length;
    if (cache.positions.some(p => p >= this.contextLength)) throw new Error(`HF model decode: sequence reached the context length ${this.contextLength}`);
    return tf.tidy(() => {
      const keyBias = tf.concat([cache.keyBias, tf.zeros([B, 1, 1, 1, 1])], 4);
      const { h, kT, v } = this.trunk(this.embedIds(tokens), B, 1, Int32Array.from(cache.positions), keyBias, cache);
      cache.replace(kT, v, keyBias);
      for (let b = 0; b < B; b++) cache.positions[b]++;
      return tf.matMul(h, this.head) as tf.Tensor2D;
    });
  }

  /** Our variables by name, in our layout ([in, out] projections, fused q/k/v and gate/up). */
  getWeights(): WeightMap {
    return readWeights(this.vars);
  }

  setWeights(weights: WeightMap): void {
    assignWeights(this.vars, weights, 'HF model');
  }

  /** The weights as the checkpoint names and lays them out (for saving back to safetensors). */
  hfTensors(): Array<{ name: string; shape: number[]; data: Float32Array }> {
    return this.layout.flatMap(e => disassemble(e, this.byName.get(e.name)!.dataSync() as Float32Array));
  }

  /** A frozen deep copy (the KL reference); copies tensor to tensor, never through JS arrays. */
  clone(): HfCausalLM {
    return new HfCausalLM(this.config, this.tokenizer, e => tf.clone(this.byName.get(e.name)!), { trainable: false, contextLength: this.contextLength });
  }

  dispose(): void {
    tf.dispose(this.vars.map(v => v.variable));
    this.vars.length = 0;
  }
}

/** A model from per-tensor values in checkpoint layout (names as in the safetensors file). */
export function hfModelFromTensors(config: HfConfig, tokenizer: Tokenizer, tensors: Record<string, Float32Array>, opts: HfModelOptions = {}): HfCausalLM {
  return new HfCausalLM(
    config,
    tokenizer,
    e =>
      assemble(e, name => {
        const t = tensors[name];
        if (!t) throw new Error(`HF model: tensor '${name}' is missing`);
        return t;
      }),
    opts,
  );
}
