// Its own file, hence its own process: the threaded build replaces the 'wasm' backend process-wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/runtime/index.js';

test('the threaded wasm build runs with 2 threads under Node and computes what the cpu backend computes', async () => {
  const info = await selectBackend('wasm', { threads: 2 });
  assert.equal(info.threads, 2);
  const a = tf.randomUniform([64, 96], -1, 1, 'float32', 1);
  const b = tf.randomUniform([96, 80], -1, 1, 'float32', 2);
  const [av, bv] = [a.arraySync(), b.arraySync()];
  const threaded = tf.matMul(a, b).dataSync();
  await selectBackend('cpu');
  const reference = tf.matMul(tf.tensor(av), tf.tensor(bv)).dataSync();
  let worst = 0;
  reference.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - threaded[i]!))));
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  // Reaching the end of this file also shows the worker threads do not keep the process alive.
});
