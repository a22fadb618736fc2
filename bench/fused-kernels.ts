// Each fused native kernel (src/runtime/native-kernels.ts) against the wasm kernels it replaces, on the GRPO
// step's shapes (paper-mini: minibatch 32 × 61 positions, d_model 128, MLP 512; decoding 128 rows × 4 heads
// at cache length 40), interleaved, medians of --reps. Ratios are fused / wasm (lower is better).
// Usage: node --import tsx bench/fused-kernels.ts [--reps N] [--json]
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { selectBackend } from '../src/runtime/index.js';
import { layerNorm, gelu } from '../src/runtime/nn.js';
import { disableFusedKernels, enableFusedKernels, fusedDecodeAttention, loadNativeKernels } from '../src/runtime/native-kernels.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 0) || 15;
await selectBackend('wasm', { threads: 1 });
const kernels = loadNativeKernels().kernels;
if (!kernels) throw new Error(loadNativeKernels().reason);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (f: () => tf.Tensor | tf.Tensor[]) => {
  const t = performance.now();
  tf.dispose(f());
  return performance.now() - t;
};

const N = 32 * 61;
const x = tf.randomNormal([N, 128]) as tf.Tensor2D;
const g = tf.randomNormal([128]) as tf.Tensor1D;
const b = tf.randomNormal([128]) as tf.Tensor1D;
const h = tf.randomNormal([N, 512]);
const dy = tf.randomNormal([N, 128]);
const dh = tf.randomNormal([N, 512]);
const lnGrad = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => layerNorm(a as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D));
const geluGrad = tf.grad((a: tf.Tensor) => gelu(a));
// Decoding: B·H = 512 rows of 32 dims, 40 cached positions; the wasm path is gpt.ts's (concat, broadcast
// product, sum, softmax, batched matmul).
const BH = 512;
const T = 40;
const q = tf.randomNormal([BH, 32]);
const kNew = tf.randomNormal([BH, 32]);
const vNew = tf.randomNormal([BH, 32]);
const kCat = tf.randomNormal([BH, T - 1, 32]) as tf.Tensor3D;
const vCat = tf.randomNormal([BH, T - 1, 32]) as tf.Tensor3D;
const kBuf = tf.keep(tf.pad(kCat, [[0, 0], [0, 64 - T + 1], [0, 0]])) as tf.Tensor3D;
const vBuf = tf.keep(tf.pad(vCat, [[0, 0], [0, 64 - T + 1], [0, 0]])) as tf.Tensor3D;
const bias2 = tf.zeros([128, 64]) as tf.Tensor2D;
const bias4 = tf.zeros([128, 4, 1, T]);
const wasmDecode = () =>
  tf.tidy(() => {
    const k = tf.concat([kCat, tf.reshape(kNew, [BH, 1, 32])], 1);
    const v = tf.concat([vCat, tf.reshape(vNew, [BH, 1, 32])], 1);
    const s = tf.add(tf.reshape(tf.sum(tf.mul(tf.reshape(tf.mul(q, 0.17), [BH, 1, 32]), k), -1), [128, 4, 1, T]), bias4);
    return [tf.matMul(tf.reshape(tf.softmax(s), [BH, 1, T]), v), k, v];
  });

const cases: Record<string, () => tf.Tensor | tf.Tensor[]> = {
  layernorm_fwd: () => layerNorm(x, g, b),
  layernorm_fwd_bwd: () => lnGrad([x, g, b], dy),
  gelu_fwd: () => gelu(h),
  gelu_fwd_bwd: () => geluGrad(h, dh),
};
const out: Record<string, { wasm_ms: number; fused_ms: number; ratio: number }> = {};
const loads: number[] = [];
for (const [name, f] of Object.entries(cases)) {
  const w: number[] = [];
  const n: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    loads.push(loadavg()[0]!);
    disableFusedKernels();
    const a = ms(f);
    enableFusedKernels(kernels);
    const c = ms(f);
    if (i >= 2) (w.push(a), n.push(c));
  }
  out[name] = { wasm_ms: median(w), fused_ms: median(n), ratio: median(n.map((c, i) => c / w[i]!)) };
}
{
  const w: number[] = [];
  const n: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const a = ms(wasmDecode);
    const c = ms(() => fusedDecodeAttention(q, kBuf, vBuf, kNew, vNew, bias2, 4, T - 1, 0.17));
    if (i >= 2) (w.push(a), n.push(c));
  }
  out.decode_attention = { wasm_ms: median(w), fused_ms: median(n), ratio: median(n.map((c, i) => c / w[i]!)) };
}
disableFusedKernels();
const result = { reps, kernels: out, load_average_1m: { min: Math.min(...loads), max: Math.max(...loads) } };
console.log(args.includes('--json') ? JSON.stringify(result) : JSON.stringify(result, null, 2));
