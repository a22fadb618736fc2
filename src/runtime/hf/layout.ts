// How a checkpoint's tensors become our variables, and back. Projections are stored transposed
// ([in, out]) so every forward matmul is a plain 2-D matmul (wasm's fast path), and q/k/v and gate/up are
// fused so each sublayer's input is multiplied once. A tied embedding is kept once, as [D, V].
import type { HfConfig } from './config.js';

export type LayoutOp =
  /** Same values, same shape. */
  | 'copy'
  /** Sources [out_i, in] → one [in, Σ out_i] (transpose, then concatenate along columns). */
  | 'T'
  /** 1-D sources concatenated. */
  | 'cat';

export interface LayoutEntry {
  /** Our variable's name (stable: checkpoints and optimizer state use it). */
  name: string;
  shape: number[];
  op: LayoutOp;
  /** Checkpoint tensor names and their expected shapes, in concatenation order. */
  sources: Array<{ name: string; shape: number[] }>;
}

/** The variables of a model with this config, in a fixed order. */
export function weightLayout(c: HfConfig): LayoutEntry[] {
  const D = c.hiddenSize;
  const F = c.intermediateSize;
  const V = c.vocabSize;
  const Q = c.numHeads * c.headDim;
  const K = c.numKvHeads * c.headDim;
  const out: LayoutEntry[] = [];
  const copy = (name: string, shape: number[]) => out.push({ name, shape, op: 'copy', sources: [{ name, shape }] });
  const fusedT = (name: string, inDim: number, sources: Array<[string, number]>) =>
    out.push({ name, shape: [inDim, sources.reduce((s, [, o]) => s + o, 0)], op: 'T', sources: sources.map(([n, o]) => ({ name: n, shape: [o, inDim] })) });
  const cat = (name: string, sources: Array<[string, number]>) =>
    out.push({ name, shape: [sources.reduce((s, [, o]) => s + o, 0)], op: 'cat', sources: sources.map(([n, o]) => ({ name: n, shape: [o] })) });

  if (c.tieWordEmbeddings) fusedT('model.embed_tokens.weight.T', D, [['model.embed_tokens.weight', V]]);
  else copy('model.embed_tokens.weight', [V, D]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    const a = `${p}self_attn.`;
    const m = `${p}mlp.`;
    if (c.norm === 'pre') copy(`${p}input_layernorm.weight`, [D]);
    fusedT(`${a}qkv_proj.weight.T`, D, [[`${a}q_proj.weight`, Q], [`${a}k_proj.weight`, K], [`${a}v_proj.weight`, K]]);
    if (c.qkvBias) cat(`${a}qkv_proj.bias`, [[`${a}q_proj.bias`, Q], [`${a}k_proj.bias`, K], [`${a}v_proj.bias`, K]]);
    if (c.qkNorm) {
      copy(`${a}q_norm.weight`, [Q]);
      copy(`${a}k_norm.weight`, [K]);
    }
    fusedT(`${a}o_proj.weight.T`, Q, [[`${a}o_proj.weight`, D]]);
    if (c.oBias) copy(`${a}o_proj.bias`, [D]);
    // Llama/Qwen2: the norm before the MLP; OLMo2: the norm on the attention output. Same HF name.
    copy(`${p}post_attention_layernorm.weight`, [D]);
    fusedT(`${m}gate_up_proj.weight.T`, D, [[`${m}gate_proj.weight`, F], [`${m}up_proj.weight`, F]]);
    if (c.mlpBias) cat(`${m}gate_up_proj.bias`, [[`${m}gate_proj.bias`, F], [`${m}up_proj.bias`, F]]);
    fusedT(`${m}down_proj.weight.T`, F, [[`${m}down_proj.weight`, D]]);
    if (c.mlpBias) copy(`${m}down_proj.bias`, [D]);
    if (c.norm === 'post') copy(`${p}post_feedforward_layernorm.weight`, [D]);
  }
  copy('model.norm.weight', [D]);
  if (!c.tieWordEmbeddings) fusedT('lm_head.weight.T', D, [['lm_head.weight', V]]);
  return out;
}

/** Writes src [rows, cols] transposed into dst [cols, ld] at column offset `off` (cache-blocked). */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array, ld: number, off: number): void {
  const BS = 64;
  for (let r0 = 0; r0 < rows; r0 += BS) {
    const r1 = Math.min(rows, r0 + BS);
    for (let c0 = 0; c0 < cols; c0 += BS) {
      const c1 = Math.min(cols, c0 + BS);
      for (let r = r0; r < r1; r++) {
        const s = r * cols;
        for (let c = c0; c < c1; c++) dst[c * ld + off + r] = src[s + c]!;
      }
    }
  }
}

/** Builds one variable's values from its sources (read one at a time by `read`). */
export function assemble(e: LayoutEntry, read: (name: string) => Float32Array): Float32Array {
  if (e.op === 'copy') return read(e.sources[0]!.name);
  const out = new Float32Array(e.shape.reduce((a, d) => a * d, 1));
  let off = 0;
  for (const s of e.sources) {
    const data = read(s.name);
    if (e.op === 'cat') out.set(data, off);
    else transposeInto(data, s.shape[0]!, s.shape[1]!, out, e.shape[1]!, off);
    off += s.shape[0]!;
  }
  return out;
}

/** The inverse of assemble: one variable's values → its checkpoint tensors in HF layout. */
export function disassemble(e: LayoutEntry, data: Float32Array): Array<{ name: string; shape: number[]; data: Float32Array }> {
  if (e.op === 'copy') return [{ name: e.sources[0]!.name, shape: e.shape.slice(), data }];
  const res: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  let off = 0;
  for (const s of e.sources) {
    const o = s.shape[0]!;
    if (e.op === 'cat') {
      res.push({ name: s.name, shape: [o], data: data.slice(off, off + o) });
    } else {
      const inDim = e.shape[0]!;
      const ld = e.shape[1]!;
      const t = new Float32Array(o * inDim);
      for (let i = 0; i < inDim; i++) for (let r = 0; r < o; r++) t[r * inDim + i] = data[i * ld + off + r]!;
      res.push({ name: s.name, shape: [o, inDim], data: t });
    }
    off += o;
  }
  return res;
}
