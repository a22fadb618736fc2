// The wasm data-movement kernels (src/runtime/wasm-copy-kernels.ts) move bits exactly like the stock
// kernels they replace: every result here is compared bit for bit with the stock kernel's in the same process.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { installWasmCopyKernels, transposePlan, uninstallWasmCopyKernels } from '../../src/runtime/wasm-copy-kernels.js';
import { trainSmallGpt, useBackend } from './setup.js';

/** Runs `f` with the stock kernels, then with ours; returns both results' raw bits. */
function bothWays(f: () => tf.Tensor): { stock: Int32Array; ours: Int32Array; shape: number[] } {
  const bits = (t: tf.Tensor) => {
    const v = t.dataSync();
    return new Int32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  };
  uninstallWasmCopyKernels();
  const a = f();
  const stock = bits(a);
  installWasmCopyKernels();
  const b = f();
  const ours = bits(b);
  assert.deepEqual(b.shape, a.shape);
  tf.dispose([a, b]);
  return { stock, ours, shape: b.shape };
}

/** Values with every kind of float: signs, zeros, subnormals, infinities, NaN. */
function floats(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const special = [0, -0, 1e-42, -1e-42, Infinity, -Infinity, NaN, 3.4e38];
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = i % 97 === 0 ? special[(i / 97) % special.length]! : Math.sin(seed * 1000 + i) * 1e3;
  return tf.tensor(v, shape, 'float32');
}

test('transposePlan reduces a permutation to batch × [rows, cols] of chunks, or null', () => {
  assert.deepEqual(transposePlan([2048, 512], [1, 0]), { batch: 1, rows: 2048, cols: 512, chunk: 1 });
  // size-1 axes move no data
  assert.deepEqual(transposePlan([1, 300, 200], [0, 2, 1]), { batch: 1, rows: 300, cols: 200, chunk: 1 });
  // attention's head transposes: [B, T, H, hd]
  assert.deepEqual(transposePlan([32, 64, 4, 32], [0, 2, 1, 3]), { batch: 32, rows: 64, cols: 4, chunk: 32 });
  assert.deepEqual(transposePlan([32, 64, 4, 32], [0, 2, 3, 1]), { batch: 32, rows: 64, cols: 128, chunk: 1 });
  // adjacent input axes that stay adjacent merge: [a, b, c] → [c, a, b] is a 2-D swap of [a·b, c]
  assert.deepEqual(transposePlan([3, 5, 7], [2, 0, 1]), { batch: 1, rows: 15, cols: 7, chunk: 1 });
  assert.equal(transposePlan([3, 5, 7], [0, 1, 2]), null); // identity
  assert.equal(transposePlan([2, 3, 5, 7], [3, 1, 2, 0]), null); // not a single swap
});

test('wasm Transpose: bit-identical to the stock kernel, float32 and int32, large 2-D and every other case', async () => {
  await useBackend('wasm');
  const cases: Array<[number[], number[]]> = [
    [[2048, 512], [1, 0]], // the JS kernel: 2-D, ≥ 16384 elements
    [[2048, 128], [1, 0]],
    [[1, 300, 200], [0, 2, 1]],
    [[129, 257], [1, 0]], // sizes that are not multiples of the 8×8 tile
    [[10, 12], [1, 0]], // small: stock
    [[32, 64, 4, 32], [0, 2, 1, 3]], // batched and chunked: stock
    [[8, 16, 4, 8], [0, 2, 3, 1]],
    [[3, 5, 7], [2, 0, 1]],
  ];
  for (const [i, [shape, perm]] of cases.entries()) {
    for (const dtype of ['float32', 'int32'] as const) {
      const x = dtype === 'float32' ? floats(shape, i) : tf.cast(tf.mul(floats(shape, i), 1e-3), 'int32');
      const { stock, ours } = bothWays(() => tf.transpose(x, perm));
      assert.deepEqual(ours, stock, `${dtype} ${JSON.stringify(shape)} perm ${JSON.stringify(perm)}`);
      x.dispose();
    }
  }
});

test('wasm GatherV2: bit-identical to the stock kernel on every axis; an index out of range is an error', async () => {
  await useBackend('wasm');
  const x = floats([6, 5, 4], 1);
  const cases: Array<[number[] | number[][], number]> = [
    [[0, 5, 5, 2, 0], 0],
    [[[1, 2], [3, 0]], 0],
    [[4, 0], 1],
    [[3, 3, 1], 2],
    [[1], -1],
  ];
  for (const [ids, axis] of cases) {
    const idx = tf.tensor(ids, undefined, 'int32');
    const { stock, ours, shape } = bothWays(() => tf.gather(x, idx, axis));
    assert.deepEqual(ours, stock, `ids ${JSON.stringify(ids)} axis ${axis}`);
    assert.equal(shape.length, 3 - 1 + idx.rank);
    idx.dispose();
  }
  const big = floats([32, 128], 2); // the embedding lookup of the training step
  const ids = tf.tensor1d(Int32Array.from({ length: 2048 }, (_, i) => (i * 7) % 32), 'int32');
  const { stock, ours } = bothWays(() => tf.gather(big, ids));
  assert.deepEqual(ours, stock);
  installWasmCopyKernels();
  const bad = tf.tensor1d([0, 6], 'int32');
  assert.throws(() => tf.gather(x, bad), /GatherV2: index 6 is not in \[0, 5\]/);
  tf.dispose([x, big, ids, bad]);
});

test('wasm Slice: bit-identical to the stock kernel for every rank, contiguous or strided, and split', async () => {
  await useBackend('wasm');
  const cases: Array<[number[], number[] | number, number[] | number]> = [
    [[2048, 384], [0, 128], [2048, 128]], // the q/k/v split
    [[7, 9], [2, 0], [3, 9]], // contiguous rows
    [[7, 9], [1, 3], [-1, 4]],
    [[4, 5, 6], [1, 2, 3], [2, 3, 2]],
    [[3, 4, 5, 6], [0, 1, 0, 2], [3, 2, 5, 3]],
    [[3, 4, 5, 6, 2], [1, 1, 1, 1, 1], [1, 2, 3, 4, 1]],
    [[10], 3, 4],
    [[6, 4], [2, 1], [0, 2]], // empty
  ];
  for (const [i, [shape, begin, size]] of cases.entries()) {
    for (const dtype of ['float32', 'int32'] as const) {
      const x = dtype === 'float32' ? floats(shape, i) : tf.cast(tf.mul(floats(shape, i), 1e-3), 'int32');
      const { stock, ours } = bothWays(() => tf.slice(x, begin, size));
      assert.deepEqual(ours, stock, `${dtype} ${JSON.stringify([shape, begin, size])}`);
      x.dispose();
    }
  }
  const qkv = floats([64, 48], 9);
  for (let part = 0; part < 3; part++) {
    const { stock, ours } = bothWays(() => tf.split(qkv, 3, 1)[part]!);
    assert.deepEqual(ours, stock, `split part ${part}`);
  }
  qkv.dispose();
});

test('wasm Identity shares memory: a clone outlives its disposed original, and nothing leaks', async () => {
  await useBackend('wasm');
  installWasmCopyKernels();
  const before = tf.memory().numBytes;
  const x = tf.tensor([1, 2, 3, 4], [2, 2]);
  const y = tf.clone(x);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
  y.dispose();
  assert.equal(tf.memory().numBytes, before);
});

test('installWasmCopyKernels names a stock kernel it cannot find', async () => {
  await useBackend('wasm');
  uninstallWasmCopyKernels();
  const identity = tf.getKernel('Identity', 'wasm')!;
  tf.unregisterKernel('Identity', 'wasm');
  try {
    assert.throws(() => installWasmCopyKernels(), /installWasmCopyKernels: wasm has no Identity kernel to fall back on/);
  } finally {
    uninstallWasmCopyKernels();
    tf.registerKernel(identity);
    installWasmCopyKernels();
  }
});

test('a GPT training step gives bit-identical gradients, loss and weights with and without the copy kernels', async () => {
  await useBackend('wasm');
  uninstallWasmCopyKernels();
  const stock = trainSmallGpt(2);
  installWasmCopyKernels();
  const ours = trainSmallGpt(2);
  assert.deepEqual(ours.stats, stock.stats);
  for (const [name, w] of Object.entries(stock.weights)) assert.deepEqual(ours.weights[name]!.data, w.data, name);
});
