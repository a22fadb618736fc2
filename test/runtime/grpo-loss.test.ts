// The GRPO objective against numbers worked out by hand (each expected value is derived in a comment).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { aggregate, groupAdvantages, grpoLoss, klEstimate, whitenOverTokens, type GrpoLossConfig } from '../../src/runtime/index.js';
import { near, useBackend } from './setup.js';

before(() => useBackend('wasm'));

const t2 = (rows: number[][]) => tf.tensor2d(rows);
const base: GrpoLossConfig = { clip: { low: 0.2, high: 0.2 }, klCoef: 0, klEstimator: 'k3', entropyCoef: 0, aggregation: 'token_mean', lengthNorm: 4 };

test('group_norm: (r − mean) / (std + 1e-9) with the unbiased (n−1) std of each group', () => {
  // Group [1, 0, 0, 1]: mean 0.5, Σ(r−mean)² = 4·0.25 = 1, unbiased var = 1/3, std = 0.57735 → ±0.5/0.57735 = ±0.866025.
  // Group [1, 1, 1, 1]: std 0 → advantages 0 (the 1e-9 keeps it finite).
  const a = groupAdvantages([1, 0, 0, 1, 1, 1, 1, 1], 4, 'group_norm');
  [0.866025, -0.866025, -0.866025, 0.866025, 0, 0, 0, 0].forEach((e, i) => assert.ok(near(a[i]!, e, 1e-6), `A[${i}] = ${a[i]}`));
});

test('group_center (Dr. GRPO): r − mean, no std division', () => {
  // Group [2, 0, 1]: mean 1 → [1, −1, 0]; group [0, 0, 3]: mean 1 → [−1, −1, 2].
  assert.deepEqual(groupAdvantages([2, 0, 1, 0, 0, 3], 3, 'group_center'), [1, -1, 0, -1, -1, 2]);
});

test('batch whitening over tokens (OpenRLHF): token-weighted mean and biased variance', () => {
  // A = [1, −1] with 3 and 1 response tokens: tokens are [1, 1, 1, −1]; mean 0.5;
  // var = (3·0.5² + 1.5²)/4 = 0.75; (A − 0.5)/√0.75 = [0.57735, −1.73205].
  const w = whitenOverTokens([1, -1], [3, 1]);
  assert.ok(near(w[0]!, 0.57735, 1e-5) && near(w[1]!, -1.73205, 1e-5), `${w}`);
});

test('aggregations: token_mean, seq_mean_token_mean, seq_mean_token_sum_norm', () => {
  // Per-token values ℓ = [[1, 2, 3], [4, ·, ·]] with masks [[1,1,1],[1,0,0]]:
  // token_mean = (1+2+3+4)/4 = 2.5; seq_mean_token_mean = (6/3 + 4/1)/2 = 3; sum_norm (L=4) = (6/4 + 4/4)/2 = 1.25.
  const l = t2([[1, 2, 3], [4, 99, 99]]);
  const m = t2([[1, 1, 1], [1, 0, 0]]);
  assert.ok(near(aggregate(l, m, 'token_mean', 4).dataSync()[0]!, 2.5));
  assert.ok(near(aggregate(l, m, 'seq_mean_token_mean', 4).dataSync()[0]!, 3));
  assert.ok(near(aggregate(l, m, 'seq_mean_token_sum_norm', 4).dataSync()[0]!, 1.25));
});

test('micro_token_mean (OpenRLHF packed samples): a token mean per micro-batch of consecutive rows, then a mean over micro-batches', () => {
  // Rows (masked sums / tokens): [1,2,3] → 6/3, [4] → 4/1, [5,5] → 10/2, [6] → 6/1, [7,7,7] → 21/3.
  // micro_batch 2: micro-batches {0,1}: 10/4 = 2.5; {2,3}: 16/3; {4} (the last, shorter): 21/3 = 7 → mean (2.5 + 16/3 + 7)/3.
  // micro_batch 1 is seq_mean_token_mean (6/3 + 4 + 5 + 6 + 7)/5 = 4.8; micro_batch ≥ 5 is token_mean 47/10 = 4.7.
  const l = t2([[1, 2, 3], [4, 99, 99], [5, 5, 99], [6, 99, 99], [7, 7, 7]]);
  const m = t2([[1, 1, 1], [1, 0, 0], [1, 1, 0], [1, 0, 0], [1, 1, 1]]);
  assert.ok(near(aggregate(l, m, 'micro_token_mean', 4, 2).dataSync()[0]!, (2.5 + 16 / 3 + 7) / 3, 1e-5));
  assert.ok(near(aggregate(l, m, 'micro_token_mean', 4, 1).dataSync()[0]!, 4.8, 1e-5));
  assert.ok(near(aggregate(l, m, 'micro_token_mean', 4, 5).dataSync()[0]!, 4.7, 1e-5));
  assert.ok(near(aggregate(l, m, 'micro_token_mean', 4, 8).dataSync()[0]!, 4.7, 1e-5));
});

test('with ratio 1 the loss is −A aggregated, per aggregation mode', () => {
  // logp = old → r = 1 → ℓ = −A. A = +0.5 on a 3-token sequence, −0.5 on a 1-token one.
  // token_mean: −(3·0.5 − 0.5)/4 = −0.25; seq_mean_token_mean: −(0.5 − 0.5)/2 = 0; sum_norm: −(1.5/4 − 0.5/4)/2 = −0.125.
  const lp = t2([[-1, -2, -3], [-1, 0, 0]]);
  const inputs = { logp: lp, oldLogp: lp, advantages: t2([[0.5, 0.5, 0.5], [-0.5, -0.5, -0.5]]), mask: t2([[1, 1, 1], [1, 0, 0]]) };
  const expect = { token_mean: -0.25, seq_mean_token_mean: 0, seq_mean_token_sum_norm: -0.125 } as const;
  for (const [aggregation, e] of Object.entries(expect)) {
    const got = grpoLoss(inputs, { ...base, aggregation: aggregation as GrpoLossConfig['aggregation'] }).loss.dataSync()[0]!;
    assert.ok(near(got, e, 1e-6), `${aggregation}: ${got} vs ${e}`);
  }
});

test('rewards → advantages → loss, for each advantage mode × each aggregation', () => {
  // One group of 2 rollouts, rewards [1, 0], responses of 3 and 1 tokens, ratio 1 (so ℓ = −A on each token).
  //   group_norm:   mean 0.5, unbiased std √(2·0.25/1) = 0.70711 → A = [+0.70711, −0.70711]
  //   group_center: A = [+0.5, −0.5]
  // token_mean = −(3·A0 + A1)/4; seq_mean_token_mean = −(A0 + A1)/2 = 0; sum_norm (L=4) = −(3·A0/4 + A1/4)/2.
  const lp = t2([[-1, -1, -1], [-1, 0, 0]]);
  const mask = t2([[1, 1, 1], [1, 0, 0]]);
  for (const mode of ['group_norm', 'group_center'] as const) {
    const [a0, a1] = groupAdvantages([1, 0], 2, mode) as [number, number];
    const x = mode === 'group_norm' ? Math.SQRT1_2 : 0.5;
    assert.ok(near(a0, x, 1e-6) && near(a1, -x, 1e-6), `${mode}: ${a0}, ${a1}`);
    const expected = { token_mean: -(3 * x - x) / 4, seq_mean_token_mean: 0, seq_mean_token_sum_norm: -((3 * x) / 4 - x / 4) / 2 };
    for (const [aggregation, e] of Object.entries(expected)) {
      const A = t2([[a0, a0, a0], [a1, a1, a1]]);
      const got = grpoLoss({ logp: lp, oldLogp: lp, advantages: A, mask }, { ...base, aggregation: aggregation as GrpoLossConfig['aggregation'] }).loss.dataSync()[0]!;
      assert.ok(near(got, e, 1e-6), `${mode} × ${aggregation}: ${got} vs ${e}`);
    }
  }
});

test('clipping: tokens past 1±ε in the direction the advantage favours get zero gradient', () => {
  // Sequence 0 (A = +1), ratios [1.5, 1.1, 0.5]; sequence 1 (A = −1), ratio 0.5; ε = 0.2, token_mean over 4 tokens.
  //   r=1.5, A>0: −min(1.5, 1.2) = −1.2, clipped → ∂/∂logp = 0            (counted in clipHigh)
  //   r=1.1, A>0: −min(1.1, 1.1) = −1.1, inside   → ∂/∂logp = −r·A/4 = −0.275
  //   r=0.5, A>0: −min(0.5, 0.8) = −0.5, the unclipped term is smaller → −0.5/4 = −0.125
  //   r=0.5, A<0: −min(−0.5, −0.8) = 0.8, clipped → 0                     (counted in clipLow)
  // loss = (−1.2 − 1.1 − 0.5 + 0.8)/4 = −0.5
  const old = t2([[0, 0, 0], [0, 0, 0]]);
  const lp = t2([[Math.log(1.5), Math.log(1.1), Math.log(0.5)], [Math.log(0.5), 0, 0]]);
  const A = t2([[1, 1, 1], [-1, -1, -1]]);
  const mask = t2([[1, 1, 1], [1, 0, 0]]);
  const f = (x: tf.Tensor) => grpoLoss({ logp: x as tf.Tensor2D, oldLogp: old, advantages: A, mask }, base).loss;
  const g = Array.from(tf.grad(f)(lp).dataSync());
  [0, -0.275, -0.125, 0, 0, 0].forEach((e, i) => assert.ok(near(g[i]!, e, 1e-6), `grad[${i}] = ${g[i]}, expected ${e}`));
  const out = grpoLoss({ logp: lp, oldLogp: old, advantages: A, mask }, base);
  assert.ok(near(out.loss.dataSync()[0]!, -0.5, 1e-6));
  assert.ok(near(out.stats.clipHigh.dataSync()[0]!, 0.25) && near(out.stats.clipLow.dataSync()[0]!, 0.25));

  // No clipping: plain −r·A, every token has gradient −r·A/4: [−0.375, −0.275, −0.125, +0.125].
  const gNone = Array.from(tf.grad((x: tf.Tensor) => grpoLoss({ logp: x as tf.Tensor2D, oldLogp: old, advantages: A, mask }, { ...base, clip: null }).loss)(lp).dataSync());
  [-0.375, -0.275, -0.125, 0.125].forEach((e, i) => assert.ok(near(gNone[i]!, e, 1e-6), `unclipped grad[${i}] = ${gNone[i]}`));

  // Asymmetric (clip-higher) ε_high = 0.6: r = 1.5 < 1.6 is no longer clipped → −1.5/4 = −0.375.
  const gHigh = Array.from(tf.grad((x: tf.Tensor) => grpoLoss({ logp: x as tf.Tensor2D, oldLogp: old, advantages: A, mask }, { ...base, clip: { low: 0.2, high: 0.6 } }).loss)(lp).dataSync());
  assert.ok(near(gHigh[0]!, -0.375, 1e-6), `clip-higher grad[0] = ${gHigh[0]}`);
});

test("KL estimators match Schulman's closed forms; E_p[k1] = E_p[k3] = KL(p‖ref)", () => {
  // p = 0.5, ref = 0.25 → r = ref/p = 0.5: k1 = log(p/ref) = log 2; k2 = ½(log 0.5)²; k3 = 0.5 − 1 − log 0.5.
  const lp = tf.tensor1d([Math.log(0.5)]);
  const ref = tf.tensor1d([Math.log(0.25)]);
  assert.ok(near(klEstimate(lp, ref, 'k1').dataSync()[0]!, Math.log(2), 1e-6));
  assert.ok(near(klEstimate(lp, ref, 'k2').dataSync()[0]!, 0.5 * Math.log(0.5) ** 2, 1e-6));
  assert.ok(near(klEstimate(lp, ref, 'k3').dataSync()[0]!, 0.5 - 1 - Math.log(0.5), 1e-6));
  // Over a whole distribution, the expectations under p of k1 and k3 are the exact KL.
  const p = [0.5, 0.3, 0.2];
  const q = [0.2, 0.2, 0.6];
  const kl = p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]!), 0);
  for (const k of ['k1', 'k3'] as const) {
    const v = klEstimate(tf.tensor1d(p.map(Math.log)), tf.tensor1d(q.map(Math.log)), k).dataSync();
    const expectation = p.reduce((s, pi, i) => s + pi * v[i]!, 0);
    assert.ok(near(expectation, kl, 1e-6), `E_p[${k}] = ${expectation}, KL = ${kl}`);
  }
});

test('KL and entropy enter the per-token loss as +β·KL − c·H', () => {
  // A = 0 removes the surrogate. Two tokens, logp = log 0.5, ref = log 0.25: k3 = 0.19315 each; β = 0.1 → 0.019315.
  // Entropies [1, 3], coefficient 0.01 → −0.01·2 = −0.02. Total (token_mean) = 0.019315 − 0.02 = −0.000685.
  const lp = t2([[Math.log(0.5), Math.log(0.5)]]);
  const out = grpoLoss(
    { logp: lp, oldLogp: lp, advantages: t2([[0, 0]]), mask: t2([[1, 1]]), refLogp: t2([[Math.log(0.25), Math.log(0.25)]]), entropy: t2([[1, 3]]) },
    { ...base, klCoef: 0.1, entropyCoef: 0.01 },
  );
  assert.ok(near(out.loss.dataSync()[0]!, 0.1 * (0.5 - 1 - Math.log(0.5)) - 0.02, 1e-6), `${out.loss.dataSync()[0]}`);
  assert.ok(near(out.stats.refKl.dataSync()[0]!, 0.5 - 1 - Math.log(0.5), 1e-6));
  assert.throws(() => grpoLoss({ logp: lp, oldLogp: lp, advantages: t2([[0, 0]]), mask: t2([[1, 1]]) }, { ...base, klCoef: 0.1 }), /reference/);
});
