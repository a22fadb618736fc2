// The fused native kernels (native/rlvrc_kernels.cc, src/runtime/native-kernels.ts): each against a float64
// reference and against the wasm kernels it replaces (its fallback), the sampler and a GRPO step with and
// without them, determinism, how a run records them (backend and numerics key), and every error.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng, sample, selectBackend } from '../../src/runtime/index.js';
import { layerNorm, gelu } from '../../src/runtime/nn.js';
import { FUSED_KERNELS, disableFusedKernels, enableFusedKernels, fusedAttention, fusedDecodeAttention, fusedDecodeLayer, fusedKernels, loadNativeKernels } from '../../src/runtime/native-kernels.js';
import { ADDON_FILE, loadNativeBlas } from '../../src/runtime/native-blas.js';
import { installWasmBlasKernels, uninstallWasmBlasKernels } from '../../src/runtime/wasm-blas-kernels.js';
import { requireFusedKernels } from '../../src/runtime/backend.js';
import { numericsKey, numericsOfManifest } from '../../src/runtime/numerics.js';
import { GrpoTrainer } from '../../src/runtime/grpo/trainer.js';
import { Adam } from '../../src/runtime/optim.js';
import { tinyGpt, tinyTokenizer, useBackend } from './setup.js';
import { requires } from '../helpers/requires.js';

const loaded = loadNativeKernels();
const rnd = (n: number, seed: number, scale = 1) => Float64Array.from({ length: n }, (_, i) => scale * Math.sin(seed * 7.1 + i * 1.37) * Math.cos(i * 0.11 + seed));

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  assert.ok(worst < tol, `${what}: relative error ${worst} ≥ ${tol}`);
}

/** Both paths of `f`: [fused, wasm]. */
function both<T>(f: () => T): [T, T] {
  enableFusedKernels(loaded.kernels!);
  const a = f();
  disableFusedKernels();
  return [a, f()];
}

test('LayerNorm forward and backward equal a float64 reference and the wasm kernels', async t => {
  if (requires(t, 'native-kernels')) return;
  await useBackend('wasm');
  const N = 67, D = 48, eps = 1e-5;
  const x = rnd(N * D, 1, 3).map((v, i) => v + (i % D === 0 ? 5 : 0)); // an offset row mean, as activations have
  const g = rnd(D, 2).map(v => 1 + v), b = rnd(D, 3), w = rnd(N * D, 4);
  // Reference: y, and the gradients of Σ y·w.
  const y64 = new Float64Array(N * D), dx64 = new Float64Array(N * D), dg64 = new Float64Array(D), db64 = new Float64Array(D);
  for (let r = 0; r < N; r++) {
    const row = x.subarray(r * D, (r + 1) * D);
    const mean = row.reduce((a, v) => a + v, 0) / D;
    const rstd = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / D + eps);
    const xh = row.map(v => (v - mean) * rstd);
    const dxh = xh.map((_, i) => w[r * D + i]! * g[i]!);
    const m1 = dxh.reduce((a, v) => a + v, 0) / D, m2 = dxh.reduce((a, v, i) => a + v * xh[i]!, 0) / D;
    for (let i = 0; i < D; i++) {
      y64[r * D + i] = xh[i]! * g[i]! + b[i]!;
      dx64[r * D + i] = rstd * (dxh[i]! - m1 - xh[i]! * m2);
      dg64[i] += w[r * D + i]! * xh[i]!;
      db64[i] += w[r * D + i]!;
    }
  }
  const [xt, gt, bt, wt] = [tf.tensor2d(Float32Array.from(x), [N, D]), tf.tensor1d(Float32Array.from(g)), tf.tensor1d(Float32Array.from(b)), tf.tensor2d(Float32Array.from(w), [N, D])];
  const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D, eps), wt)));
  const [fused, wasm] = both(() => ({ y: layerNorm(xt, gt, bt, eps).dataSync(), g: grads([xt, gt, bt]).map(v => v.dataSync()) }));
  for (const [name, r] of [['fused', fused], ['wasm', wasm]] as const) {
    assertClose(r.y, y64, 2e-6, `${name} forward`);
    assertClose(r.g[0]!, dx64, 2e-5, `${name} dx`);
    assertClose(r.g[1]!, dg64, 2e-5, `${name} dgain`);
    assertClose(r.g[2]!, db64, 2e-5, `${name} dbias`);
  }
  assertClose(fused.y, wasm.y, 2e-6, 'fused vs wasm forward');
  assertClose(fused.g[0]!, wasm.g[0]!, 2e-5, 'fused vs wasm dx');
});

test('GELU forward and backward equal the float64 tanh formula and the wasm kernels, over the whole range', async t => {
  if (requires(t, 'native-kernels')) return;
  await useBackend('wasm');
  // Includes the tails (exp's clamps), zero, a denormal (flushed to 0 by the fused kernels) and n % 8 ≠ 0.
  const x = Float64Array.from([...rnd(4099, 5, 6), -120, 120, 0, 1e-39, -1e-39]);
  const dy = rnd(x.length, 6);
  const c = Math.sqrt(2 / Math.PI), a = 0.044715;
  const y64 = x.map(v => 0.5 * v * (1 + Math.tanh(c * (v + a * v ** 3))));
  const dx64 = x.map((v, i) => {
    const th = Math.tanh(c * (v + a * v ** 3));
    return dy[i]! * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * a * v * v));
  });
  const xt = tf.tensor1d(Float32Array.from(x)), dyt = tf.tensor1d(Float32Array.from(dy));
  const grad = tf.grad((v: tf.Tensor) => gelu(v));
  const [fused, wasm] = both(() => ({ y: gelu(xt).dataSync(), dx: grad(xt, dyt).dataSync() }));
  for (const [name, r] of [['fused', fused], ['wasm', wasm]] as const) {
    assertClose(r.y, y64, 2e-6, `${name} forward`);
    assertClose(r.dx, dx64, 2e-6, `${name} backward`);
  }
  assertClose(fused.y, wasm.y, 2e-6, 'fused vs wasm forward');
  assertClose(fused.dx, wasm.dx, 2e-6, 'fused vs wasm backward');
  const again = both(() => grad(xt, dyt).dataSync())[0];
  assert.deepEqual(again, fused.dx, 'repeats bit for bit');
});

test('decoding attention writes the cache slot in place and equals a float64 reference', async t => {
  if (requires(t, 'native-kernels')) return;
  await useBackend('wasm');
  enableFusedKernels(loaded.kernels!);
  const B = 3, H = 2, hd = 20, cap = 9, tNow = 5, scale = 1 / Math.sqrt(hd); // hd % 8 ≠ 0: the tail loop
  const q = rnd(B * H * hd, 7), kNew = rnd(B * H * hd, 8), vNew = rnd(B * H * hd, 9);
  const k = rnd(B * H * cap * hd, 10), v = rnd(B * H * cap * hd, 11);
  const bias = new Float64Array(B * cap);
  bias[0] = -1e9; // row 0's first key is padding
  const kt = tf.tensor3d(Float32Array.from(k), [B * H, cap, hd]), vt = tf.tensor3d(Float32Array.from(v), [B * H, cap, hd]);
  const y = fusedDecodeAttention(tf.tensor2d(Float32Array.from(q), [B * H, hd]), kt, vt, tf.tensor2d(Float32Array.from(kNew), [B * H, hd]), tf.tensor2d(Float32Array.from(vNew), [B * H, hd]), tf.tensor2d(Float32Array.from(bias), [B, cap]), H, tNow, scale);
  const y64 = new Float64Array(B * H * hd);
  for (let i = 0; i < B * H; i++) {
    for (let d = 0; d < hd; d++) {
      k[(i * cap + tNow) * hd + d] = Math.fround(kNew[i * hd + d]!);
      v[(i * cap + tNow) * hd + d] = Math.fround(vNew[i * hd + d]!);
    }
    const s = Array.from({ length: tNow + 1 }, (_, j) => {
      let dot = 0;
      for (let d = 0; d < hd; d++) dot += Math.fround(q[i * hd + d]!) * Math.fround(k[(i * cap + j) * hd + d]!);
      return dot * scale + bias[Math.floor(i / H) * cap + j]!;
    });
    const m = Math.max(...s);
    const e = s.map(z => Math.exp(z - m));
    const sum = e.reduce((a2, z) => a2 + z, 0);
    for (let j = 0; j <= tNow; j++) for (let d = 0; d < hd; d++) y64[i * hd + d] += (e[j]! / sum) * Math.fround(v[(i * cap + j) * hd + d]!);
  }
  assertClose(y.dataSync(), y64, 2e-6, 'attention output');
  // The new key and value now sit in slot tNow; the other slots are untouched.
  assert.deepEqual(kt.dataSync(), Float32Array.from(k), 'keys after the in-place write');
  assert.deepEqual(vt.dataSync(), Float32Array.from(v), 'values after the in-place write');
  disableFusedKernels();
});

test('training attention from qkv, forward and backward, equals a float64 reference and the wasm kernels\' path', async t => {
  if (requires(t, 'native-kernels', 'native-blas')) return;
  await useBackend('wasm');
  const B = 3, T = 7, H = 2, hd = 12, D = H * hd, scale = 1 / Math.sqrt(hd); // hd % 8 ≠ 0
  const qkv = rnd(B * T * 3 * D, 21), w = rnd(B * T * D, 22);
  // Causal mask, and row 1 left-padded by two positions (its first two keys masked for every query).
  const bias = new Float64Array(B * T * T);
  for (let b = 0; b < B; b++) for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (j > i || (b === 1 && j < 2)) bias[(b * T + i) * T + j] = -1e9;
  // Reference: y = softmax(scale·q·kᵀ + bias)·v per (row, head), and the gradient of Σ y·w with respect to qkv.
  const y64 = new Float64Array(B * T * D), d64 = new Float64Array(B * T * 3 * D);
  const at = (b: number, i: number, part: number, h: number, d: number) => ((b * T + i) * 3 + part) * D + h * hd + d;
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
    const P: number[][] = [];
    for (let i = 0; i < T; i++) {
      const s = Array.from({ length: T }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < hd; d++) dot += qkv[at(b, i, 0, h, d)]! * qkv[at(b, j, 1, h, d)]!;
        // In float32, as both kernels add it: a fully masked row (row 1's first two queries) is then uniform.
        return Math.fround(dot * scale + bias[(b * T + i) * T + j]!);
      });
      const m = Math.max(...s);
      const e = s.map(z => Math.exp(z - m));
      const sum = e.reduce((a, z) => a + z, 0);
      P.push(e.map(z => z / sum));
      for (let j = 0; j < T; j++) for (let d = 0; d < hd; d++) y64[(b * T + i) * D + h * hd + d] += P[i]![j]! * qkv[at(b, j, 2, h, d)]!;
    }
    for (let i = 0; i < T; i++) {
      const g = (d: number) => w[(b * T + i) * D + h * hd + d]!;
      const dP = Array.from({ length: T }, (_, j) => { let s = 0; for (let d = 0; d < hd; d++) s += g(d) * qkv[at(b, j, 2, h, d)]!; return s; });
      const dot = dP.reduce((a, v, j) => a + v * P[i]![j]!, 0);
      for (let j = 0; j < T; j++) {
        const dS = P[i]![j]! * (dP[j]! - dot);
        for (let d = 0; d < hd; d++) {
          d64[at(b, j, 2, h, d)] += P[i]![j]! * g(d);
          d64[at(b, i, 0, h, d)] += scale * dS * qkv[at(b, j, 1, h, d)]!;
          d64[at(b, j, 1, h, d)] += scale * dS * qkv[at(b, i, 0, h, d)]!;
        }
      }
    }
  }
  const qt = tf.tensor2d(Float32Array.from(qkv), [B * T, 3 * D]), bt = tf.tensor4d(Float32Array.from(bias), [B, 1, T, T]), wt = tf.tensor2d(Float32Array.from(w), [B * T, D]);
  const threads = loadNativeBlas().blas!.threads();
  enableFusedKernels(loaded.kernels!);
  const fused = { y: fusedAttention(qt, bt, H, scale, threads).dataSync(), g: tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fusedAttention(x as tf.Tensor2D, bt, H, scale, threads), wt)))(qt).dataSync() };
  // One OpenBLAS thread or two (the (row, head) items split over threads, which happens only above 2^20
  // multiply-adds, so on a larger batch: 16 rows × 4 heads × 64² × 16): the same bits.
  const [B2, T2, H2, D2] = [16, 64, 4, 64];
  const big = tf.tensor2d(Float32Array.from(rnd(B2 * T2 * 3 * D2, 23)), [B2 * T2, 3 * D2]);
  const bigW = tf.tensor2d(Float32Array.from(rnd(B2 * T2 * D2, 24)), [B2 * T2, D2]);
  const bigBias = tf.tensor4d(Float32Array.from({ length: B2 * T2 * T2 }, (_, i) => ((i % T2) > Math.floor(i / T2) % T2 ? -1e9 : 0)), [B2, 1, T2, T2]);
  const onBig = (n: number) => ({ y: fusedAttention(big, bigBias, H2, 0.25, n).dataSync(), g: tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fusedAttention(x as tf.Tensor2D, bigBias, H2, 0.25, n), bigW)))(big).dataSync() });
  const [one, two] = [onBig(1), onBig(2)];
  disableFusedKernels();
  assertClose(fused.y, y64, 2e-6, 'fused attention output');
  assertClose(fused.g, d64, 2e-5, 'fused attention dqkv');
  assert.deepEqual(one.y, two.y, 'one thread vs two: output');
  assert.deepEqual(one.g, two.g, 'one thread vs two: dqkv');
  // The tfjs kernels' path of gpt.ts (split, head transposes, batched matmuls, softmax), as the fallback computes it.
  const heads = (x: tf.Tensor2D, perm: number[], shape: [number, number, number]) => tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), perm), shape);
  const stock = (x: tf.Tensor) => {
    const [q0, k0, v0] = tf.split(x, 3, 1) as tf.Tensor2D[];
    const scores = tf.add(tf.reshape(tf.matMul(heads(tf.mul(q0!, scale), [0, 2, 1, 3], [B * H, T, hd]), heads(k0!, [0, 2, 3, 1], [B * H, hd, T])), [B, H, T, T]), bt);
    const att = tf.reshape(tf.softmax(scores), [B * H, T, T]);
    return tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, heads(v0!, [0, 2, 1, 3], [B * H, T, hd])), [B, H, T, hd]), [0, 2, 1, 3]), [B * T, D]);
  };
  assertClose(fused.y, stock(qt).dataSync(), 2e-6, 'fused vs wasm output');
  assertClose(fused.g, tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stock(x), wt)))(qt).dataSync(), 2e-5, 'fused vs wasm dqkv');
});

test('the fused Adam update gives the same bits as the wasm kernels, with clipping and either weight decay', async t => {
  if (requires(t, 'native-kernels')) return;
  await useBackend('wasm');
  for (const cfg of [{ weightDecay: 0, maxGradNorm: 0 }, { weightDecay: 0.1, decoupled: false, maxGradNorm: 0.5 }, { weightDecay: 0.01, decoupled: true, maxGradNorm: 1 }]) {
    const run = () => {
      const params = [tf.variable(tf.tensor2d(Float32Array.from(rnd(40 * 13, 1)), [40, 13])), tf.variable(tf.tensor1d(Float32Array.from(rnd(29, 2, 1e-3))))];
      const opt = new Adam(params.map((variable, i) => ({ name: `p${i}`, variable })), { schedule: { kind: 'constant', lr: 3e-3 }, beta1: 0.9, beta2: 0.95, ...cfg });
      for (let step = 0; step < 4; step++) {
        // Gradients from 1e-30 (denormal squares, as decaying moments reach) to 10.
        const grads = { p0: tf.tensor2d(Float32Array.from(rnd(40 * 13, 3 + step, 10)), [40, 13]), p1: tf.tensor1d(Float32Array.from(rnd(29, 9 + step, 1e-30))) };
        opt.apply(grads);
      }
      const out = [...params.map(p => p.dataSync()), ...Object.values(opt.getState().tensors).map(w => w.data)];
      opt.dispose();
      tf.dispose(params);
      return out;
    };
    const [fused, wasm] = both(run);
    fused.forEach((a, i) => assert.deepEqual(a, wasm[i], `${JSON.stringify(cfg)}: tensor ${i}`));
  }
});

test('a whole decoding layer in one call gives the same bits as its fused kernels one by one on OpenBLAS', async t => {
  if (requires(t, 'native-kernels', 'native-blas')) return;
  await useBackend('wasm');
  const blas = loadNativeBlas().blas!;
  installWasmBlasKernels(blas);
  enableFusedKernels(loaded.kernels!);
  const saved = blas.threads();
  try {
    const B = 5, D = 16, H = 2, F = 40, cap = 12, tNow = 7, eps = 1e-5, scale = 1 / Math.sqrt(D / H);
    const T = (shape: number[], seed: number, s = 1) => tf.tensor(Float32Array.from(rnd(shape.reduce((a, b) => a * b, 1), seed, s)), shape);
    const w = { ln1g: T([D], 1), ln1b: T([D], 2), wqkv: T([D, 3 * D], 3, 0.3), bqkv: T([3 * D], 4), wo: T([D, D], 5, 0.3), bo: T([D], 6), ln2g: T([D], 7), ln2b: T([D], 8), w1: T([D, F], 9, 0.3), b1: T([F], 10), w2: T([F, D], 11, 0.3), b2: T([D], 12) };
    const x = T([B, D], 13) as tf.Tensor2D;
    const bias = tf.tensor2d(Float32Array.from({ length: B * cap }, (_, i) => (i % cap === 0 && i < cap ? -1e9 : 0)), [B, cap]);
    for (const threads of [1, 2]) {
      blas.setThreads(threads);
      const k0 = T([B * H, cap, D / H], 14) as tf.Tensor3D, v0 = T([B * H, cap, D / H], 15) as tf.Tensor3D;
      const k1 = k0.clone(), v1 = v0.clone();
      const whole = fusedDecodeLayer(x, w, k0, v0, bias, H, tNow, scale, eps, threads).dataSync();
      // The same layer from the kernels gpt.ts used before the whole-layer call (nn.ts takes the fused ones).
      const h = layerNorm(x, w.ln1g as tf.Tensor1D, w.ln1b as tf.Tensor1D, eps);
      const [q, kn, vn] = tf.split(tf.fused.matMul({ a: h, b: w.wqkv as tf.Tensor2D, bias: w.bqkv }), 3, 1);
      const y = tf.reshape(fusedDecodeAttention(q!, k1, v1, kn!, vn!, bias, H, tNow, scale), [B, D]) as tf.Tensor2D;
      const x1 = tf.add(x, tf.fused.matMul({ a: y, b: w.wo as tf.Tensor2D, bias: w.bo })) as tf.Tensor2D;
      const m = gelu(tf.fused.matMul({ a: layerNorm(x1, w.ln2g as tf.Tensor1D, w.ln2b as tf.Tensor1D, eps), b: w.w1 as tf.Tensor2D, bias: w.b1 }));
      const oneByOne = tf.add(x1, tf.fused.matMul({ a: m as tf.Tensor2D, b: w.w2 as tf.Tensor2D, bias: w.b2 })).dataSync();
      assert.deepEqual(whole, oneByOne, `${threads} OpenBLAS thread(s)`);
      assert.deepEqual(k0.dataSync(), k1.dataSync(), 'the same keys written in place');
      assert.deepEqual(v0.dataSync(), v1.dataSync(), 'the same values written in place');
    }
  } finally {
    blas.setThreads(saved);
    disableFusedKernels();
  }
});

test('the sampler and a GRPO step with the fused kernels match the wasm kernels, and repeat bit for bit', async t => {
  if (requires(t, 'native-kernels', 'native-blas')) return;
  await useBackend('wasm');
  const prompts = ['ab', 'abc:x', 'c', 'a;b=c'];
  // With OpenBLAS each decoding layer is one native call; on XNNPACK the fused kernels run one by one.
  for (const blas of [true, false]) {
    if (blas) installWasmBlasKernels(loadNativeBlas().blas!);
    else uninstallWasmBlasKernels();
    const samples = both(() => sample(tinyGpt(2), prompts, { maxNewTokens: 10, rng: new Rng(3, 's') }));
    samples[0].forEach((s, i) => {
      assert.deepEqual(s.tokens, samples[1][i]!.tokens, `row ${i} tokens (OpenBLAS: ${blas})`);
      assertClose(s.logprobs, samples[1][i]!.logprobs, 1e-5, `row ${i} log-probs (OpenBLAS: ${blas})`);
    });
  }
  installWasmBlasKernels(loadNativeBlas().blas!);
  // The fused path keeps its cache in place; decoding it after switching the kernels off is an error.
  enableFusedKernels(loaded.kernels!);
  const gpt = tinyGpt(2);
  const { logits, cache } = gpt.prefill({ ids: new Int32Array([1, 4, 5]), mask: new Float32Array([1, 1, 1]), batch: 1, length: 3 });
  assert.equal(cache.length, 3);
  tf.dispose(gpt.decode(new Int32Array([4]), cache));
  assert.equal(cache.length, 4);
  disableFusedKernels();
  assert.throws(() => gpt.decode(new Int32Array([4]), cache), /GPT.decode: this cache was made with the fused kernels, which are now off or not on this backend/);
  tf.dispose([logits]);
  cache.dispose();

  const step = () => {
    const trainer = new GrpoTrainer(tinyGpt(4), {
      groupSize: 4, minibatchSize: 8, sampling: { maxNewTokens: 8 }, clip: 0.2, klCoef: 0, klEstimator: 'k3', entropyCoef: 0,
      advantage: 'group_norm', whitenBatch: false, aggregation: 'seq_mean_token_mean', optimizer: { schedule: { kind: 'constant', lr: 1e-3 }, maxGradNorm: 1 }, seed: 9,
    });
    const stats = [1, 2].map(() => trainer.trainStep([{ prompt: 'ab' }, { prompt: 'c:' }, { prompt: 'a' }, { prompt: 'xb' }], s => s.tokens.length % 3));
    const weights = trainer.policy.getWeights();
    trainer.dispose();
    return { stats: stats.map(s => [s.loss, s.gradNorm, s.entropy, s.rewardMean]), weights };
  };
  const [fused, wasm] = both(step);
  fused.stats.forEach((s, i) => assertClose(s, wasm.stats[i]!, 1e-5, `step ${i + 1}: loss, grad norm, entropy, reward`));
  for (const [name, w] of Object.entries(wasm.weights)) assertClose(fused.weights[name]!.data, w.data, 1e-5, `weights: ${name}`);
  const again = both(step)[0];
  assert.deepEqual(again.stats, fused.stats);
  for (const [name, w] of Object.entries(fused.weights)) assert.deepEqual(again.weights[name]!.data, w.data, `repeat: ${name}`);
});

test('a run with the fused kernels records them, in its backend and its numerics key; without them nothing changes', async t => {
  if (requires(t, 'native-kernels')) return;
  const on = await selectBackend('wasm', { nativeKernels: true });
  assert.equal(on.fusedKernels, FUSED_KERNELS);
  assert.ok(fusedKernels());
  const off = await selectBackend('wasm', { nativeKernels: false });
  assert.equal(off.fusedKernels, null);
  assert.equal(fusedKernels(), null);
  const config = 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64';
  assert.equal(numericsKey({ name: 'wasm', blas: { config }, fusedKernels: FUSED_KERNELS }), 'wasm+openblas-0.3.21-Haswell+rlvrc-fused-2');
  assert.equal(numericsKey({ name: 'wasm', blas: null, fusedKernels: FUSED_KERNELS }), 'wasm+rlvrc-fused-2');
  // Manifests written before the kernels existed (no field) and runs without them keep their keys.
  assert.equal(numericsKey({ name: 'wasm', blas: { config } }), 'wasm+openblas-0.3.21-Haswell');
  assert.equal(numericsOfManifest({ name: 'wasm', blas: { config }, fusedKernels: null }), 'wasm+openblas-0.3.21-Haswell');
  assert.equal(numericsOfManifest({ name: 'wasm', blas: { config }, fusedKernels: FUSED_KERNELS }), 'wasm+openblas-0.3.21-Haswell+rlvrc-fused-2');
  // RLVRC_NATIVE_KERNELS chooses when the option is not given.
  const run = (env: Record<string, string>) =>
    execFileSync(process.execPath, ['--import', 'tsx', '-e', "import { selectBackend } from './src/runtime/index.ts'; console.log(JSON.stringify((await selectBackend('wasm')).fusedKernels))"], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
  assert.equal(run({ RLVRC_NATIVE_KERNELS: '1' }), JSON.stringify(FUSED_KERNELS));
  assert.equal(run({ RLVRC_NATIVE_KERNELS: '0' }), 'null');
  // The default (auto): on wherever OpenBLAS computes the matmuls; with XNNPACK's (RLVRC_BLAS=none), off.
  if (loadNativeBlas().blas) {
    const env = { ...process.env };
    delete env.RLVRC_NATIVE_KERNELS;
    assert.equal(run({ ...env, RLVRC_NATIVE_KERNELS: 'auto' }), JSON.stringify(FUSED_KERNELS));
    assert.equal(execFileSync(process.execPath, ['--import', 'tsx', '-e', "import { selectBackend } from './src/runtime/index.ts'; console.log(JSON.stringify((await selectBackend('wasm')).fusedKernels))"], { env, encoding: 'utf8' }).trim(), JSON.stringify(FUSED_KERNELS));
    assert.equal(run({ RLVRC_NATIVE_KERNELS: 'auto', RLVRC_BLAS: 'none' }), 'null');
  }
});

test('the fused kernels\' errors: a bad RLVRC_NATIVE_KERNELS, an addon not built, too old or unloadable, bad arguments', async t => {
  if (requires(t, 'native-kernels', 'native-blas')) return;
  const saved = process.env.RLVRC_NATIVE_KERNELS;
  process.env.RLVRC_NATIVE_KERNELS = 'yes';
  try {
    await assert.rejects(selectBackend('wasm'), /RLVRC_NATIVE_KERNELS must be auto, 0 or 1, not 'yes'/);
  } finally {
    if (saved === undefined) delete process.env.RLVRC_NATIVE_KERNELS;
    else process.env.RLVRC_NATIVE_KERNELS = saved;
  }
  await useBackend('wasm');
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-kernels-'));
  const missing = loadNativeKernels(join(dir, 'absent.node'));
  assert.equal(missing.kernels, null);
  assert.match(missing.reason, /absent\.node is not built \(npm run build builds it where g\+\+ and Node's headers are\)/);
  assert.throws(() => requireFusedKernels('wasm', missing), /backend 'wasm' is not available: the fused native kernels were asked for \(RLVRC_NATIVE_KERNELS=1\) but .*absent\.node is not built/);
  writeFileSync(join(dir, 'junk.node'), 'not a shared object');
  assert.match(loadNativeKernels(join(dir, 'junk.node')).reason, /junk\.node did not load \(/);
  // An addon without the kernels (one built before them): a module exporting only `load`.
  writeFileSync(join(dir, 'old.c'), '#include <node_api.h>\nstatic napi_value Init(napi_env env, napi_value exports) { return exports; }\nNAPI_MODULE(NODE_GYP_MODULE_NAME, Init)\n');
  const include = ['/usr/include/node', join(process.execPath, '../../include/node')].find(d => { try { execFileSync('test', ['-f', join(d, 'node_api.h')]); return true; } catch { return false; } })!;
  execFileSync('gcc', ['-shared', '-fPIC', `-I${include}`, join(dir, 'old.c'), '-o', join(dir, 'old.node')]);
  assert.match(loadNativeKernels(join(dir, 'old.node')).reason, /old\.node predates the fused kernels; rebuild it with npm run build/);

  const k = loaded.kernels!;
  const heap = new Uint8Array(1024);
  assert.throws(() => (k.gelu as unknown as (h: unknown) => void)('heap'), /gelu: expected a Uint8Array heap and 3 numbers/);
  assert.throws(() => (k.gelu as unknown as (...a: unknown[]) => void)(heap, 0, 'x', 4), /gelu: argument 2 is not a number/);
  assert.throws(() => k.gelu(heap, 0, 512, 200), /gelu: operands out of the heap's bounds/);
  assert.throws(() => k.geluGrad(heap, 0, 2, 512, 4), /geluGrad: operands out of the heap's bounds/); // misaligned
  assert.throws(() => k.layerNorm(heap, 0, 0, 0, 0, 0, 64, 8, 1e-5), /layerNorm: operands out of the heap's bounds/);
  assert.throws(() => k.layerNormGrad(heap, 0, 0, 0, 0, 0, 0, 0, 4, 0), /layerNormGrad: operands out of the heap's bounds/);
  assert.throws(() => k.decodeAttention(heap, 0, 0, 0, 0, 0, 0, 0, 4, 2, 4, 4, 8, 1), /decodeAttention: bad sizes/);
  assert.throws(() => k.decodeAttention(heap, 0, 0, 0, 0, 0, 0, 0, 4, 2, 64, 3, 8, 1), /decodeAttention: operands out of the heap's bounds/);
  const layer = (sizes: number[]) => k.decodeLayer(heap, ...Array<number>(17).fill(0), ...sizes);
  // decodeLayer needs OpenBLAS: in a fresh process that has not loaded it, it says so.
  const fresh = execFileSync(process.execPath, ['-e', `try { require(${JSON.stringify(ADDON_FILE)}).decodeLayer(new Uint8Array(64), ${Array(26).fill(0).join(', ')}); } catch (e) { console.log(e.message); }`], { encoding: 'utf8' });
  assert.equal(fresh.trim(), 'decodeLayer: OpenBLAS is not loaded');
  assert.throws(() => layer([2, 16, 32, 3, 8, 1, 1e-5, 1, 1]), /decodeLayer: bad sizes/); // 16 % 3 heads
  assert.throws(() => layer([2, 16, 32, 2, 8, 8, 1e-5, 1, 1]), /decodeLayer: bad sizes/); // t = cap
  assert.throws(() => layer([2, 16, 32, 2, 8, 1, 1e-5, 1, 1]), /decodeLayer: operands out of the heap's bounds/);
  assert.throws(() => k.attention(heap, 0, 0, 0, 0, 2, 4, 16, 3, 1, 1), /attention: bad sizes/); // 16 % 3 heads
  assert.throws(() => k.attention(heap, 0, 0, 0, 0, 2, 4, 16, 2, 1, 1), /attention: operands out of the heap's bounds/);
  assert.throws(() => k.attentionGrad(heap, 0, 0, 0, 0, 0, 4, 16, 2, 1, 1), /attentionGrad: bad sizes/);
  assert.throws(() => k.attentionGrad(heap, 0, 0, 0, 0, 2, 4, 16, 2, 1, 1), /attentionGrad: operands out of the heap's bounds/);
  assert.throws(() => k.adam(heap, 0, 0, 0, 0, 0, 0, 0, 1000, 1, 0.9, 0.1, 0.99, 0.01, 0.1, 0.01, 1e-8, 1e-3, 0, 0), /adam: operands out of the heap's bounds/);
  assert.throws(() => k.adam(heap, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0.9, 0.1, 0.99, 0.01, 0.1, 0.01, 1e-8, 1e-3, 0, 3), /adam: mode must be 0, 1 or 2/);
});
