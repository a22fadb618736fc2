import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, selectBackend } from '../../src/runtime/index.js';
import { numericsKey, openblasBuild } from '../../src/runtime/numerics.js';

test("auto falls back past the absent native packages to wasm and reports what ran and why", async () => {
  const info = await selectBackend('auto');
  // In this project's CI the optional @tensorflow/tfjs-node(-gpu) packages are not installed.
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(info.package, '@tensorflow/tfjs-backend-wasm');
  assert.match(info.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof info.simd, 'boolean');
  assert.equal(info.threads, 1);
  assert.match(info.skipped[0]!, /@tensorflow\/tfjs-node-gpu/);
  assert.match(info.skipped[1]!, /@tensorflow\/tfjs-node\b/);
  // Without the native addon (no g++ at install), the third entry says why the matmuls stay on XNNPACK.
  if (info.blas) assert.equal(info.skipped.length, 2);
  else assert.deepEqual([info.skipped.length, /^native OpenBLAS matmuls: /.test(info.skipped[2]!)], [3, true]);
});

test('an explicit backend that cannot load is an error naming the missing package', async () => {
  await assert.rejects(selectBackend('tfjs-node'), (e: Error) => e instanceof BackendUnavailableError && /backend 'tfjs-node' is not available: the optional package @tensorflow\/tfjs-node does not load/.test(e.message));
  await assert.rejects(selectBackend('bogus' as never), /unknown backend/);
});

test('cpu can be chosen explicitly', async () => {
  const info = await selectBackend('cpu');
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
});

test('cache keys tell OpenBLAS runs from wasm runs and OpenBLAS kernels apart, and keep the key wasm runs always had', () => {
  const blas = (config: string | null) => ({ library: 'libopenblas.so.0', threads: 1, config });
  assert.equal(numericsKey({ name: 'wasm', blas: null }), 'wasm');
  assert.equal(numericsKey({ name: 'cpu', blas: null }), 'cpu');
  assert.equal(numericsKey({ name: 'wasm', blas: blas(null) }), 'wasm+openblas');
  assert.equal(numericsKey({ name: 'wasm', blas: blas('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64') }), 'wasm+openblas-0.3.21-Zen');
  assert.equal(numericsKey({ name: 'wasm', blas: blas('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64') }), 'wasm+openblas-0.3.21-Haswell');
  assert.equal(numericsKey({ name: 'wasm', blas: blas('OpenBLAS 0.3.26  SkylakeX MAX_THREADS=8 ') }), 'wasm+openblas-0.3.26-SkylakeX');
  // A config of another shape is kept whole rather than guessed at.
  assert.equal(openblasBuild('OpenBLAS 0.2.20 NO_AFFINITY'), 'OpenBLAS_0.2.20_NO_AFFINITY');
});
