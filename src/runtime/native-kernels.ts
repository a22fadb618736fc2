// Fused native kernels for the wasm backend (native/rlvrc_kernels.cc, in the same addon as the OpenBLAS
// GEMM): LayerNorm and GELU forward and backward, training's causal attention from the qkv projection and
// back (on OpenBLAS), the sampler's single-query attention on a KV cache appended in place, (with OpenBLAS) a
// whole GPT layer of a decoding step in one call, and the Adam update (the same bits as optim.ts's kernels).
// On by default wherever OpenBLAS computes the matmuls (selectBackend's `nativeKernels`, RLVRC_NATIVE_KERNELS
// auto / 1 / 0): they round differently from wasm's kernels, so a run that uses them records FUSED_KERNELS in
// its backend and numerics key, and results computed without them keep theirs. When they are off, or the
// backend is not wasm, nn.ts and gpt.ts use the tfjs kernels they replace (the fallback, and what the tests
// compare to). While they are on, small matmuls (and batched matmuls' items) also run on one OpenBLAS thread
// (wasm-blas-kernels.ts), which rounds some outputs differently from OpenBLAS's threaded split: part of the
// same numerics key.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { ADDON_FILE } from './native-blas.js';
import { heapOffset, sizeOf, type WasmBackendLike } from './kernel-overrides.js';

/** Names this set of kernels and its rounding; bump it when a kernel's arithmetic changes. */
export const FUSED_KERNELS = 'rlvrc-fused-2'; // 2: training attention fused (attention, attentionGrad)

/** The addon's kernels: float32 operands at byte offsets into `heap`'s buffer (see rlvrc_kernels.cc). */
export interface NativeKernels {
  gelu(heap: Uint8Array, x: number, y: number, n: number): void;
  geluGrad(heap: Uint8Array, dy: number, x: number, dx: number, n: number): void;
  layerNorm(heap: Uint8Array, x: number, g: number, b: number, y: number, stats: number, n: number, d: number, eps: number): void;
  layerNormGrad(heap: Uint8Array, dy: number, x: number, stats: number, g: number, dx: number, dg: number, db: number, n: number, d: number): void;
  decodeAttention(heap: Uint8Array, q: number, k: number, v: number, kNew: number, vNew: number, bias: number, y: number, bh: number, heads: number, cap: number, t: number, hd: number, scale: number): void;
  adam(heap: Uint8Array, p: number, m: number, v: number, g: number, pOut: number, mOut: number, vOut: number, n: number, clip: number, b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, lr: number, wd: number, mode: number): void;
  /** One whole transformer layer of a decoding step; needs OpenBLAS loaded (native-blas.ts). */
  decodeLayer(heap: Uint8Array, ...offsetsThenSizes: number[]): void;
  /** Training's causal self-attention from qkv [B·T, 3D] to y [B·T, D], keeping probs [B·H, T, T]; needs OpenBLAS. */
  attention(heap: Uint8Array, qkv: number, bias: number, y: number, probs: number, b: number, t: number, d: number, heads: number, scale: number, threads: number): void;
  attentionGrad(heap: Uint8Array, dy: number, qkv: number, probs: number, dqkv: number, b: number, t: number, d: number, heads: number, scale: number, threads: number): void;
}

/** The weights of one GPT layer, in the order decodeLayer takes them. */
export interface DecodeLayerWeights {
  ln1g: tf.Tensor; ln1b: tf.Tensor; wqkv: tf.Tensor; bqkv: tf.Tensor; wo: tf.Tensor; bo: tf.Tensor;
  ln2g: tf.Tensor; ln2b: tf.Tensor; w1: tf.Tensor; b1: tf.Tensor; w2: tf.Tensor; b2: tf.Tensor;
}
const LAYER_INPUTS = ['x', 'ln1g', 'ln1b', 'wqkv', 'bqkv', 'wo', 'bo', 'ln2g', 'ln2b', 'w1', 'b1', 'w2', 'b2', 'k', 'v', 'bias'] as const;

/** The addon's kernels, or null and why not (an addon built before they existed lacks them). */
export function loadNativeKernels(file = ADDON_FILE): { kernels: NativeKernels | null; reason: string } {
  if (!existsSync(file)) return { kernels: null, reason: `${file} is not built (npm run build builds it where g++ and Node's headers are)` };
  try {
    const addon = createRequire(import.meta.url)(file) as Partial<NativeKernels>;
    if (typeof addon.attentionGrad !== 'function') return { kernels: null, reason: `${file} predates the fused kernels; rebuild it with npm run build` };
    return { kernels: addon as NativeKernels, reason: `fused kernels from ${file}` };
  } catch (e) {
    return { kernels: null, reason: `${file} did not load (${(e as Error).message})` };
  }
}

let active: NativeKernels | null = null;

/** The fused kernels when they are switched on and wasm is the active backend; else null (use tfjs's). */
export function fusedKernels(): NativeKernels | null {
  return active && tf.getBackend() === 'wasm' ? active : null;
}

const heapOf = (backend: WasmBackendLike) => backend.wasm.HEAPU8;

/** Registers the kernels with tfjs (once) and switches them on. */
export function enableFusedKernels(k: NativeKernels): void {
  active = k;
  if (tf.getKernel('RlvrcGelu', 'wasm')) return;
  const reg = (kernelName: string, fn: (backend: WasmBackendLike, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, number>) => tf.TensorInfo | tf.TensorInfo[]) =>
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: a => fn(a.backend as unknown as WasmBackendLike, a.inputs as Record<string, tf.TensorInfo>, a.attrs as unknown as Record<string, number>) });
  reg('RlvrcGelu', (be, { x }) => {
    const y = be.makeOutput(x!.shape, 'float32');
    active!.gelu(heapOf(be), heapOffset(be, x!), heapOffset(be, y), sizeOf(x!.shape));
    return y;
  });
  reg('RlvrcGeluGrad', (be, { dy, x }) => {
    const dx = be.makeOutput(x!.shape, 'float32');
    active!.geluGrad(heapOf(be), heapOffset(be, dy!), heapOffset(be, x!), heapOffset(be, dx), sizeOf(x!.shape));
    return dx;
  });
  reg('RlvrcLayerNorm', (be, { x, g, b }, { eps }) => {
    const [n, d] = x!.shape as [number, number];
    const y = be.makeOutput([n, d], 'float32');
    const stats = be.makeOutput([n, 2], 'float32');
    active!.layerNorm(heapOf(be), heapOffset(be, x!), heapOffset(be, g!), heapOffset(be, b!), heapOffset(be, y), heapOffset(be, stats), n, d, eps!);
    return [y, stats];
  });
  reg('RlvrcLayerNormGrad', (be, { dy, x, stats, g }) => {
    const [n, d] = x!.shape as [number, number];
    const dx = be.makeOutput([n, d], 'float32');
    const dg = be.makeOutput([d], 'float32');
    const db = be.makeOutput([d], 'float32');
    active!.layerNormGrad(heapOf(be), heapOffset(be, dy!), heapOffset(be, x!), heapOffset(be, stats!), heapOffset(be, g!), heapOffset(be, dx), heapOffset(be, dg), heapOffset(be, db), n, d);
    return [dx, dg, db];
  });
  // k and v [bh, cap, hd] are written in place (slot t): they must be tensors no one else reads (GptCache's).
  reg('RlvrcDecodeAttention', (be, { q, k, v, kNew, vNew, bias }, { heads, t, scale }) => {
    const [bh, cap, hd] = k!.shape as [number, number, number];
    const y = be.makeOutput([bh, hd], 'float32');
    active!.decodeAttention(heapOf(be), heapOffset(be, q!), heapOffset(be, k!), heapOffset(be, v!), heapOffset(be, kNew!), heapOffset(be, vNew!), heapOffset(be, bias!), heapOffset(be, y), bh, heads!, cap, t!, hd, scale!);
    return y;
  });
  reg('RlvrcAdam', (be, { p, m, v, g }, { clip, b1, b2, c1, c2, eps, lr, wd, mode }) => {
    const outs = [p, m, v].map(t => be.makeOutput(t!.shape, 'float32'));
    const o = (t: tf.TensorInfo) => heapOffset(be, t);
    active!.adam(heapOf(be), o(p!), o(m!), o(v!), o(g!), o(outs[0]!), o(outs[1]!), o(outs[2]!), sizeOf(p!.shape), clip!, b1!, 1 - b1!, b2!, 1 - b2!, c1!, c2!, eps!, lr!, wd!, mode!);
    return outs;
  });
  reg('RlvrcDecodeLayer', (be, inputs, { heads, t, scale, eps, threads }) => {
    const [B, D] = inputs.x!.shape as [number, number];
    const F = inputs.w1!.shape[1]!;
    const cap = inputs.k!.shape[1]!;
    const out = be.makeOutput([B, D], 'float32');
    const offsets = LAYER_INPUTS.map(name => heapOffset(be, inputs[name]!));
    offsets.splice(1, 0, heapOffset(be, out));
    active!.decodeLayer(heapOf(be), ...offsets, B, D, F, heads!, cap, t!, eps!, scale!, threads!);
    return out;
  });
  reg('RlvrcAttention', (be, { qkv, bias }, { heads, scale, threads }) => {
    const [B, , T] = bias!.shape as [number, number, number, number];
    const D = qkv!.shape[1]! / 3;
    const y = be.makeOutput([B * T, D], 'float32');
    const probs = be.makeOutput([B * heads!, T, T], 'float32');
    active!.attention(heapOf(be), heapOffset(be, qkv!), heapOffset(be, bias!), heapOffset(be, y), heapOffset(be, probs), B, T, D, heads!, scale!, threads!);
    return [y, probs];
  });
  reg('RlvrcAttentionGrad', (be, { dy, qkv, probs }, { heads, scale, threads }) => {
    const [BH, T] = probs!.shape as [number, number, number];
    const D = qkv!.shape[1]! / 3;
    const dqkv = be.makeOutput(qkv!.shape, 'float32');
    active!.attentionGrad(heapOf(be), heapOffset(be, dy!), heapOffset(be, qkv!), heapOffset(be, probs!), heapOffset(be, dqkv), BH / heads!, T, D, heads!, scale!, threads!);
    return dqkv;
  });
}

/**
 * Causal self-attention for training and scoring on the fused kernels (gpt.ts trunk's fast path, with
 * OpenBLAS): qkv [B·T, 3D] as the qkv projection writes it, bias [B, 1, T, T] additive (0 or −1e9), →
 * softmax(scale·Q·Kᵀ + bias)·V with the heads merged, [B·T, D]. The backward pass gives dqkv in the same
 * layout, so the split, the head transposes and their gradients' concat never run. `threads`: OpenBLAS's.
 */
export function fusedAttention(qkv: tf.Tensor2D, bias: tf.Tensor4D, heads: number, scale: number, threads: number): tf.Tensor2D {
  const attrs = { heads, scale, threads };
  const f = tf.customGrad(((x: tf.Tensor, save: Save) => {
    const [y, probs] = run('RlvrcAttention', { qkv: x, bias }, attrs) as tf.Tensor[];
    save([x, probs!]);
    return { value: y!, gradFunc: (dy: tf.Tensor, [xs, ps]: tf.Tensor[]) => [run('RlvrcAttentionGrad', { dy, qkv: xs!, probs: ps! }, attrs) as tf.Tensor] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(qkv) as tf.Tensor2D;
}

/**
 * One GPT layer for one decoding step on x [B, D] (the sampler's per-token step): the operations of the fused
 * path in gpt.ts, in one native call that does its GEMMs on OpenBLAS as wasm-blas-kernels.ts does (same bits,
 * ~20 fewer tfjs kernels per layer and token). Writes this step's keys and values into slot t of k, v
 * [B·H, cap, hd] in place. `threads`: OpenBLAS's current thread count.
 */
export function fusedDecodeLayer(x: tf.Tensor2D, w: DecodeLayerWeights, k: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor2D, heads: number, t: number, scale: number, eps: number, threads: number): tf.Tensor2D {
  return run('RlvrcDecodeLayer', { x, ...w, k, v, bias } as unknown as tf.NamedTensorMap, { heads, t, scale, eps, threads }) as tf.Tensor2D;
}

/**
 * One parameter's Adam update in one kernel: returns [p', m', v'] as optim.ts computes them (clip factor,
 * L2 or decoupled weight decay by `mode` 0 none / 1 L2 / 2 decoupled; c1, c2 the bias corrections).
 */
export function fusedAdam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, a: { clip: number; b1: number; b2: number; c1: number; c2: number; eps: number; lr: number; wd: number; mode: 0 | 1 | 2 }): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return run('RlvrcAdam', { p, m, v, g }, a) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Switches the fused kernels off (tfjs's kernels again); they stay registered. */
export function disableFusedKernels(): void {
  active = null;
}

type Save = tf.GradSaveFunc;
const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}) => tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);

/** LayerNorm over the last axis of x [N, D] on the fused kernels (nn.ts layerNorm's fast path). */
export function fusedLayerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = tf.customGrad(((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor, save: Save) => {
    const [y, stats] = run('RlvrcLayerNorm', { x: xi, g: gi, b: bi }, { eps }) as tf.Tensor[];
    save([xi, stats!, gi]);
    return { value: y!, gradFunc: (dy: tf.Tensor, [xs, st, gs]: tf.Tensor[]) => run('RlvrcLayerNormGrad', { dy, x: xs!, stats: st!, g: gs! }) as tf.Tensor[] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, g, b) as tf.Tensor2D;
}

/** tanh-GELU on the fused kernels (nn.ts gelu's fast path). */
export function fusedGelu(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((xi: tf.Tensor, save: Save) => {
    save([xi]);
    return { value: run('RlvrcGelu', { x: xi }) as tf.Tensor, gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => [run('RlvrcGeluGrad', { dy, x: xs! }) as tf.Tensor] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x);
}

/**
 * Single-query attention for one decoding step: writes kNew, vNew [B·H, hd] into slot t of the cache
 * k, v [B·H, cap, hd] (in place), and returns softmax(scale·q·K[0..t] + bias[b, 0..t]) · V[0..t] [B·H, hd];
 * q [B·H, hd], bias [B, cap]. Forward only (sampling).
 */
export function fusedDecodeAttention(q: tf.Tensor, k: tf.Tensor3D, v: tf.Tensor3D, kNew: tf.Tensor, vNew: tf.Tensor, bias: tf.Tensor2D, heads: number, t: number, scale: number): tf.Tensor2D {
  return run('RlvrcDecodeAttention', { q, k, v, kNew, vNew, bias }, { heads, t, scale }) as tf.Tensor2D;
}
