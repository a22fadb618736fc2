// Gradients against central finite differences, on the wasm backend (matmuls on OpenBLAS where the native
// addon is built, and on XNNPACK) and the pure-JS cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Gpt, Rng, gelu, initGptWeights, sftLoss, type SftExample } from '../../src/runtime/index.js';
import { tinyTokenizer, useBackend } from './setup.js';

/** Central difference of f at x[i] (float32: eps 1e-2 balances truncation against rounding). */
function centralDiff(f: () => number, data: Float32Array, i: number, write: (d: Float32Array) => void, eps = 1e-2): number {
  const x0 = data[i]!;
  data[i] = x0 + eps;
  write(data);
  const up = f();
  data[i] = x0 - eps;
  write(data);
  const down = f();
  data[i] = x0;
  write(data);
  return (up - down) / (2 * eps);
}

const close = (fd: number, an: number) => Math.abs(fd - an) <= 2e-3 + 2e-2 * Math.abs(an);

for (const backend of ['wasm', 'wasm-xnnpack', 'cpu'] as const) {
  test(`${backend}: BatchMatMul gradient (ours: transpose flags on OpenBLAS, explicit transposes elsewhere) matches finite differences`, async () => {
    await useBackend(backend);
    const rng = new Rng(3);
    const rand = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
    // [shapeA, shapeB, transposeA, transposeB]; the last case broadcasts a batch against a matrix.
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[3, 4], [4, 5], false, false],
      [[3, 4], [5, 4], false, true],
      [[4, 3], [4, 5], true, false],
      [[4, 3], [5, 4], true, true],
      [[2, 3, 4], [2, 4, 5], false, false],
      [[2, 3, 4], [4, 5], false, false],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = rand(sa);
      const b = rand(sb);
      const out = tf.matMul(a, b, ta, tb);
      const r = rand(out.shape); // loss = Σ (A·B) ∘ R, so every entry of the gradient is exercised
      const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), r)) as tf.Scalar;
      const [ga, gb] = tf.grads(loss)([a, b]);
      for (const [which, t, g] of [['a', a, ga!], ['b', b, gb!]] as const) {
        assert.deepEqual(g.shape, t.shape, `gradient of ${which} has the input's shape`);
        const data = t.dataSync().slice() as Float32Array;
        const gd = g.dataSync();
        let cur = t;
        for (let i = 0; i < data.length; i += 3) {
          const fd = centralDiff(() => tf.tidy(() => (which === 'a' ? loss(cur, b) : loss(a, cur)).dataSync()[0]!), data, i, d => {
            cur = tf.tensor(d, t.shape);
          });
          assert.ok(close(fd, gd[i]!), `${backend} [${sa}]@[${sb}] tA=${ta} tB=${tb}: d/d${which}[${i}] fd ${fd} vs ${gd[i]}`);
        }
      }
    }
  });

  test(`${backend}: GPT policy gradients (embeddings, LayerNorm, attention, GELU MLP, head) match finite differences`, async () => {
    await useBackend(backend);
    // Larger-than-default weights (std ≈ 0.2) so gradients are well above float32 noise.
    const init = initGptWeights({ vocabSize: tinyTokenizer.vocabSize, contextLength: 8, dModel: 8, nLayers: 2, nHeads: 2 }, 5);
    for (const [name, w] of Object.entries(init)) if (!/ln/.test(name)) w.data.forEach((v, i) => (w.data[i] = v * 10));
    for (const [name, w] of Object.entries(init)) if (/ln\d?\.(g|b)|lnf/.test(name)) w.data.forEach((_, i) => (w.data[i] = (name.endsWith('g') ? 1 : 0) + 0.1 * Math.sin(i + 1)));
    const gpt = new Gpt({ vocabSize: tinyTokenizer.vocabSize, contextLength: 8, dModel: 8, nLayers: 2, nHeads: 2 }, tinyTokenizer, init);
    const data: SftExample[] = ['ab:c', { prompt: 'xa', response: 'b;' }, 'cab=x'];
    const lossValue = () => tf.tidy(() => sftLoss(gpt, data).dataSync()[0]!);
    const vars = gpt.trainableVariables();
    const { grads, value } = tf.variableGrads(() => sftLoss(gpt, data), vars.map(v => v.variable));
    value.dispose();
    const rng = new Rng(11);
    for (const { name, variable } of vars) {
      const g = grads[variable.name]!.dataSync();
      const d = variable.dataSync().slice() as Float32Array;
      for (let k = 0; k < 2; k++) {
        const i = rng.int(d.length);
        const fd = centralDiff(lossValue, d, i, x => variable.assign(tf.tensor(x, variable.shape)));
        assert.ok(close(fd, g[i]!), `${backend} ${name}[${i}]: finite difference ${fd} vs gradient ${g[i]}`);
      }
    }
    tf.dispose(Object.values(grads));
    gpt.dispose();
  });
}

test('gelu is the tanh approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch computes it', async () => {
  await useBackend('wasm');
  const xs = [-4, -1.5, -0.3, 0, 0.2, 1, 2.5, 6];
  const got = gelu(tf.tensor1d(xs)).dataSync();
  xs.forEach((x, i) => {
    const want = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    assert.ok(Math.abs(got[i]! - want) < 1e-5, `gelu(${x}) = ${got[i]}, expected ${want}`);
  });
});

test('wasm batched matmuls routed to XNNPACK per item (wasm-kernels.ts) equal the cpu backend, values and gradients', async () => {
  // Items of ≥ 32768 multiply-adds take the per-item route; the tiny models elsewhere stay on wasm's C loop.
  const cases: Array<[number[], number[]]> = [[[3, 64, 32], [3, 32, 48]], [[2, 2, 40, 32], [2, 2, 32, 40]]];
  const rng = new Rng(21);
  for (const [sa, sb] of cases) {
    const av = Array.from({ length: sa.reduce((x, y) => x * y) }, () => rng.normal());
    const bv = Array.from({ length: sb.reduce((x, y) => x * y) }, () => rng.normal());
    const run = async (backend: 'wasm-xnnpack' | 'cpu') => {
      await useBackend(backend);
      const a = tf.tensor(av, sa);
      const b = tf.tensor(bv, sb);
      const r = tf.randomUniform([...sa.slice(0, -1), sb[sb.length - 1]!], -1, 1, 'float32', 5);
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r)) as tf.Scalar;
      const [ga, gb] = tf.grads(f)([a, b]);
      return [tf.matMul(a, b).dataSync(), ga!.dataSync(), gb!.dataSync()];
    };
    const wasm = await run('wasm-xnnpack');
    const cpu = await run('cpu');
    ['value', 'd/da', 'd/db'].forEach((what, j) => {
      let worst = 0;
      cpu[j]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - wasm[j]![i]!))));
      assert.ok(worst < 1e-3, `[${sa}]@[${sb}] ${what}: max difference ${worst}`);
    });
  }
});

test("tfjs's own gather gradient trains on wasm (UnsortedSegmentSum registered) and matches the cpu backend", async () => {
  const table = [[1, 2], [3, 4], [5, 6], [7, 8]];
  const ids = [2, 0, 2, 3, 2];
  const weights = [[1, -1], [2, 0.5], [-3, 1], [0, 4], [1, 1]];
  const grad = async (backend: 'wasm' | 'cpu') => {
    await useBackend(backend);
    const w = tf.tensor2d(weights);
    const idx = tf.tensor1d(ids, 'int32');
    return Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(tf.tensor2d(table)).dataSync());
  };
  // Row 2 is picked three times: its gradient is the sum of rows 0, 2 and 4 of `weights`; row 1 never: zeros.
  const expected = [2, 0.5, 0, 0, -1, 1, 0, 4];
  assert.deepEqual(await grad('wasm'), expected);
  assert.deepEqual(await grad('cpu'), expected);
});
