// The native OpenBLAS matmuls of the wasm backend (native/rlvrc_blas.cc, src/runtime/wasm-blas-kernels.ts):
// values against a float64 reference, a training step against XNNPACK's, determinism, and every error.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { ADDON_FILE, loadNativeBlas } from '../../src/runtime/native-blas.js';
import { numericsKey } from '../../src/runtime/numerics.js';
import { uninstallWasmBlasKernels, installWasmBlasKernels } from '../../src/runtime/wasm-blas-kernels.js';
import { trainSmallGpt, useBackend } from './setup.js';
import { disableFusedKernels, enableFusedKernels, loadNativeKernels } from '../../src/runtime/native-kernels.js';
import { requires } from '../helpers/requires.js';

const native = loadNativeBlas();
// CI installs g++ and OpenBLAS (scripts/install-system-deps.sh) and requires every test to run
// (RLVRC_REQUIRE_ALL_TESTS=1); elsewhere the tests that need the addon skip and say why (requires()).

/** op(A)·op(B) (+ bias) in float64, batched over leading axes. */
function reference(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean, bias?: tf.Tensor): Float64Array {
  const r = a.rank;
  const A = a.dataSync(), B = b.dataSync(), bb = bias?.dataSync();
  const M = a.shape[ta ? r - 1 : r - 2]!, K = a.shape[ta ? r - 2 : r - 1]!, N = b.shape[tb ? r - 2 : r - 1]!;
  const batch = a.size / (M * K);
  const out = new Float64Array(batch * M * N);
  for (let p = 0; p < batch; p++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = bb ? bb[j]! : 0;
        for (let k = 0; k < K; k++) s += A[p * M * K + (ta ? k * M + i : i * K + k)]! * B[p * K * N + (tb ? j * K + k : k * N + j)]!;
        out[(p * M + i) * N + j] = s;
      }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  assert.ok(worst < 2e-6, `${what}: relative error ${worst}`);
}

test('wasm matmuls through OpenBLAS equal a float64 reference: transposes, batches, fused bias, fallbacks', async t => {
  if (requires(t, 'native-blas')) return;
  await useBackend('wasm');
  installWasmBlasKernels(native.blas!);
  const rnd = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(seed * 7 + i * 1.3)), shape);
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const a = rnd(ta ? [70, 33] : [33, 70], 1);
    const b = rnd(tb ? [45, 70] : [70, 45], 2);
    assertClose(tf.matMul(a, b, ta, tb).dataSync(), reference(a, b, ta, tb), `2-D transposeA=${ta} transposeB=${tb}`);
    const a3 = rnd(ta ? [5, 17, 9] : [5, 9, 17], 3);
    const b3 = rnd(tb ? [5, 11, 17] : [5, 17, 11], 4);
    assertClose(tf.matMul(a3, b3, ta, tb).dataSync(), reference(a3, b3, ta, tb), `batched transposeA=${ta} transposeB=${tb}`);
  }
  const x = rnd([2048, 128], 5), w = rnd([128, 512], 6), bias = rnd([512], 7);
  assertClose(tf.fused.matMul({ a: x, b: w, bias }).dataSync(), reference(x, w, false, false, bias), 'fused with bias, the GPT layer shape');
  // Not covered, so the replaced kernel answers: a fused ReLU, a broadcast batch.
  const relu = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }).dataSync();
  assertClose(relu, reference(x, w, false, false, bias).map(v => Math.max(v, 0)), 'fused ReLU (fallback)');
  const a1 = rnd([1, 6, 4], 8), b3 = rnd([3, 4, 5], 9);
  assert.deepEqual(tf.matMul(a1, b3).shape, [3, 6, 5]);
});

test('a GPT training step on OpenBLAS matches XNNPACK to float32 rounding and repeats bit for bit', async t => {
  if (requires(t, 'native-blas')) return;
  await useBackend('wasm');
  const run = () => {
    const { stats, weights } = trainSmallGpt(3);
    return { losses: stats.map(s => s[0]!), weights };
  };
  uninstallWasmBlasKernels();
  const xnn = run();
  installWasmBlasKernels(native.blas!);
  const blas = run();
  const again = run();
  assert.deepEqual(again.losses, blas.losses);
  for (const [name, w] of Object.entries(blas.weights)) assert.deepEqual(again.weights[name]!.data, w.data, `repeat: ${name}`);
  blas.losses.forEach((l, i) => assert.ok(Math.abs(l - xnn.losses[i]!) < 1e-5, `loss ${i}: ${l} vs ${xnn.losses[i]}`));
  for (const [name, w] of Object.entries(xnn.weights)) assertClose(blas.weights[name]!.data, w.data, `weights after 3 steps: ${name}`);
});

test('selectBackend records OpenBLAS, its threads and its build and kernel; RLVRC_BLAS=none keeps XNNPACK', t => {
  if (requires(t, 'native-blas')) return;
  const info = (env: Record<string, string>) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', "import { selectBackend } from './src/runtime/index.ts'; console.log(JSON.stringify(await selectBackend('wasm')))"], { env: { ...process.env, ...env }, encoding: 'utf8' }));
  const blas = info({}).blas;
  assert.deepEqual(blas, { library: native.blas!.library, threads: 1, config: native.blas!.config });
  // Debian's OpenBLAS names its version and the kernel it picked for this CPU (e.g. 'Zen', 'Haswell').
  assert.match(String(blas.config), /^OpenBLAS \d+\.\d+\.\d+ .* \w+ MAX_THREADS=\d+$/);
  assert.equal(info({ RLVRC_BLAS: 'none' }).blas, null);
  // Another kernel is another cache key: OPENBLAS_CORETYPE picks one (Prescott runs on every x86-64 CPU).
  if (process.arch === 'x64') {
    const prescott = info({ OPENBLAS_CORETYPE: 'Prescott' }).blas;
    assert.match(prescott.config, / Prescott MAX_THREADS=\d+$/);
    const version = /^OpenBLAS (\S+)/.exec(prescott.config)![1];
    assert.equal(numericsKey({ name: 'wasm', blas: prescott }), `wasm+openblas-${version}-Prescott`);
  }
});

test('the native matmul errors: not built, library missing, asked for but unavailable, a bad RLVRC_BLAS', async () => {
  const missing = loadNativeBlas('/nonexistent/rlvrc_blas.node');
  assert.equal(missing.blas, null);
  assert.match(missing.reason, /\/nonexistent\/rlvrc_blas\.node is not built \(npm run build builds it where g\+\+ and Node's headers are\)/);
  const run = (env: Record<string, string>) => {
    try {
      execFileSync(process.execPath, ['--import', 'tsx', '-e', "import { selectBackend } from './src/runtime/index.ts'; await selectBackend('wasm')"], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (e) {
      return String((e as { stderr: string }).stderr);
    }
  };
  assert.match(run({ RLVRC_BLAS: 'fast' }), /RLVRC_BLAS must be auto, openblas or none, not 'fast'/);
  if (native.blas) {
    assert.match(run({ RLVRC_BLAS: 'openblas', RLVRC_BLAS_LIBRARY: '/nonexistent/libopenblas.so' }), /backend 'wasm' is not available: native OpenBLAS matmuls were asked for \(RLVRC_BLAS=openblas\) but OpenBLAS did not load \(\/nonexistent\/libopenblas\.so: cannot open shared object file.*\); install libopenblas0-pthread/);
    // auto: the reason is recorded, and XNNPACK computes
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', "import { selectBackend } from './src/runtime/index.ts'; console.log(JSON.stringify(await selectBackend('wasm')))"], { env: { ...process.env, RLVRC_BLAS_LIBRARY: '/nonexistent/libopenblas.so' }, encoding: 'utf8' });
    const info = JSON.parse(out);
    assert.equal(info.blas, null);
    assert.match(info.skipped.join('\n'), /native OpenBLAS matmuls: OpenBLAS did not load/);
  }
});

test("the addon's own argument checks", t => {
  if (requires(t, 'native-blas')) return;
  // A fresh process, so that gemm can be called before any library is loaded.
  const script = `
    const a = require(${JSON.stringify(ADDON_FILE)});
    const out = [];
    const t = f => { try { f(); out.push('no error'); } catch (e) { out.push(e.message); } };
    const heap = new Uint8Array(64);
    t(() => a.gemm(heap, 0, 0, 0, 1, 1, 1, false, false, 0));
    t(() => a.load('x'));
    t(() => a.load([]));
    t(() => a.load(['/nonexistent/a.so', '/nonexistent/b.so']));
    t(() => a.load(['libc.so.6']));
    a.load([${JSON.stringify(native.blas ? native.blas.library : '')}]);
    t(() => a.setThreads(0));
    t(() => a.gemm(heap, 0, 0, 0));
    t(() => a.gemm([1, 2], 0, 0, 0, 1, 1, 1, false, false, 0));
    t(() => a.gemm(heap, 0, 16, 32, 4, 4, 4, false, false, 0));
    new Float32Array(heap.buffer, 0, 8).set([1, 2, 3, 4, 1, 0, 0, 1]);
    t(() => a.gemm(heap, 0, 16, 32, 2, 2, 2, false, false, 0));
    out.push(Array.from(new Float32Array(heap.buffer, 32, 4)).join(','));
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
  assert.equal(out[0], 'gemm: OpenBLAS is not loaded');
  assert.equal(out[1], 'load: expected an array of library names');
  assert.equal(out[2], 'no library names given');
  assert.match(out[3]!, /^\/nonexistent\/a\.so: cannot open shared object file.*; \/nonexistent\/b\.so: cannot open shared object file/);
  assert.equal(out[4], 'libc.so.6: no cblas_sgemm');
  assert.equal(out[5], 'setThreads: expected a positive integer');
  assert.equal(out[6], 'gemm: expected 10 arguments');
  assert.equal(out[7], 'gemm: heap must be a Uint8Array');
  assert.equal(out[8], "gemm: operands out of the heap's bounds"); // 4×4 at byte 32 ends past 64
  assert.equal(out[9], 'no error');
  assert.equal(out[10], '1,2,3,4'); // [[1,2],[3,4]]·I
});

test('with the fused kernels, small matmuls and batched items run on one OpenBLAS thread; without, on all', async t => {
  if (requires(t, 'native-blas', 'native-kernels')) return;
  await useBackend('wasm');
  installWasmBlasKernels(native.blas!);
  const saved = native.blas!.threads();
  native.blas!.setThreads(2);
  try {
    // 115×32×115 and 115×115×32: above OpenBLAS's 2^18 threading threshold, below SINGLE_THREAD_ITEM.
    const q = tf.randomNormal([6, 115, 32], 0, 1, 'float32', 1);
    const k = tf.randomNormal([6, 115, 32], 0, 1, 'float32', 2);
    for (const [a, b, tb] of [[q, k, true], [tf.randomNormal([6, 115, 115], 0, 1, 'float32', 3), k, false]] as const) {
      // Each item alone is a 2-D matmul, which OpenBLAS splits over the threads it has.
      const items = (threads: number) => {
        native.blas!.setThreads(threads);
        const out = Array.from({ length: 6 }, (_, i) => Array.from(tf.matMul(tf.squeeze(tf.slice(a, [i, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D, tf.squeeze(tf.slice(b, [i, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D, false, tb).dataSync()));
        native.blas!.setThreads(2);
        return Float32Array.from(out.flat());
      };
      const [fused, plain] = [true, false].map(on => {
        if (on) enableFusedKernels(loadNativeKernels().kernels!);
        else disableFusedKernels();
        const r = tf.matMul(a, b, false, tb).dataSync();
        assert.equal(native.blas!.threads(), 2, 'the thread count is restored');
        return r;
      });
      disableFusedKernels();
      assert.deepEqual(fused, items(1));
      assert.deepEqual(plain, items(2));
      // Dot products of 115 N(0, 1) terms: float32 rounding reaches a few 1e-6 of 1 + |value|.
      const ref = reference(a, b, false, tb);
      assert.ok(fused.every((v, i) => Math.abs(v - ref[i]!) / (1 + Math.abs(ref[i]!)) < 2e-5), 'against float64');
    }
  } finally {
    disableFusedKernels();
    native.blas!.setThreads(saved);
  }
});
