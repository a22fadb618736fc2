// Its own file, hence its own process: the threaded build replaces the 'wasm' backend process-wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/runtime/index.js';
import { requires } from '../helpers/requires.js';

test('the threaded wasm build runs with 2 threads under Node and computes what the cpu backend computes', async () => {
  const info = await selectBackend('wasm', { threads: 2, blas: 'none' });
  assert.equal(info.threads, 2);
  const a = tf.randomUniform([64, 96], -1, 1, 'float32', 1);
  const b = tf.randomUniform([96, 80], -1, 1, 'float32', 2);
  const [av, bv] = [a.arraySync(), b.arraySync()];
  // A batched matmul large enough for the per-item XNNPACK route of wasm-kernels.ts, too.
  const q = tf.randomUniform([4, 64, 32], -1, 1, 'float32', 3);
  const k = tf.randomUniform([4, 32, 64], -1, 1, 'float32', 4);
  const [qv, kv] = [q.arraySync(), k.arraySync()];
  const threaded = [tf.matMul(a, b).dataSync(), tf.matMul(q, k).dataSync()];
  await selectBackend('cpu');
  const reference = [tf.matMul(tf.tensor(av), tf.tensor(bv)).dataSync(), tf.matMul(tf.tensor(qv), tf.tensor(kv)).dataSync()];
  reference.forEach((ref, j) => {
    let worst = 0;
    ref.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - threaded[j]![i]!))));
    assert.ok(worst < 1e-4, `matmul ${j}: max difference ${worst}`);
  });
  // Reaching the end of this file also shows the worker threads do not keep the process alive.
});

/** Four SFT steps of a tiny seeded GPT: the losses. */
async function tinyLosses(): Promise<number[]> {
  const { CharTokenizer, createGpt, sft } = await import('../../src/runtime/index.js');
  const tok = new CharTokenizer('abc:;');
  const gpt = createGpt({ vocabSize: tok.vocabSize, contextLength: 12, dModel: 16, nLayers: 1, nHeads: 2 }, tok, 3);
  const losses = sft(gpt, ['ab:c;', 'ca:b;', 'abc;'], { steps: 4, batchSize: 4, optimizer: { schedule: { kind: 'constant', lr: 1e-2 } }, seed: 1 }).map(s => s.loss);
  gpt.dispose();
  return losses;
}

test('training on 2 threads is deterministic and agrees with the cpu backend', async () => {
  await selectBackend('wasm', { threads: 2, blas: 'none' });
  const a = await tinyLosses();
  const b = await tinyLosses();
  assert.deepEqual(a, b, 'same seed, same numbers');
  await selectBackend('cpu');
  const c = await tinyLosses();
  a.forEach((x, i) => assert.ok(Math.abs(x - c[i]!) < 1e-3, `step ${i + 1}: threaded wasm ${x} vs cpu ${c[i]}`));
});

test('OpenBLAS matmuls on the threaded build (its heap is a SharedArrayBuffer) train like the cpu backend', async t => {
  if (requires(t, 'native-blas')) return;
  const info = await selectBackend('wasm', { threads: 2, wasmThreads: 2 });
  assert.equal(info.threads, 2);
  assert.equal(info.blas?.threads, 2);
  const a = await tinyLosses();
  await selectBackend('cpu');
  const c = await tinyLosses();
  a.forEach((x, i) => assert.ok(Math.abs(x - c[i]!) < 1e-3, `step ${i + 1}: threaded wasm + OpenBLAS ${x} vs cpu ${c[i]}`));
});
