// Learning really happens, every GRPO switch runs, and nothing leaks tensors between steps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { GrpoTrainer, Rng, sft, sftBatch, sftLoss, type GrpoConfig, type RewardFn } from '../../src/runtime/index.js';
import { near, tinyGpt, tinyTokenizer, useBackend } from './setup.js';

before(() => useBackend('wasm'));

test('SFT lowers the cross-entropy of a small corpus', () => {
  const gpt = tinyGpt(1, { dModel: 32 });
  const corpus = ['ab:c;', 'ba:c;', 'aa:x;', 'bb:x;', 'ab:c;ba:c;', 'cab=x;'];
  const before = tf.tidy(() => sftLoss(gpt, corpus).dataSync()[0]!);
  const stats = sft(gpt, corpus, { steps: 60, batchSize: 8, optimizer: { schedule: { kind: 'cosine', lr: 1e-2, warmupSteps: 5, totalSteps: 60 } }, seed: 2 });
  const after = tf.tidy(() => sftLoss(gpt, corpus).dataSync()[0]!);
  // A uniform guess over 10 tokens costs ln 10 = 2.30 nats; the corpus is nearly deterministic.
  assert.ok(before > 2, `initial loss ${before}`);
  assert.ok(after < 0.6 * before, `loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
  assert.equal(stats.length, 60);
  assert.ok(stats.every(s => Number.isFinite(s.gradNorm) && s.lr > 0));
  gpt.dispose();
});

test('prompt-masked SFT puts loss on response tokens (and EOS) only', () => {
  const gpt = tinyGpt();
  const { targets, lossMask, batch } = sftBatch(gpt, [{ prompt: 'ab:', response: 'c' }, 'ab'], true);
  // Row 0: BOS a b : c EOS → inputs BOS a b : c, targets a b : c EOS; only c and EOS carry loss.
  const T = batch.length;
  assert.equal(T, 5);
  assert.deepEqual(Array.from(targets.slice(0, T)), [...tinyTokenizer.encode('ab:c'), tinyTokenizer.eos]);
  assert.deepEqual(Array.from(lossMask.slice(0, T)), [0, 0, 0, 1, 1]);
  // Row 1 is a plain document: every real target counts, padding does not.
  assert.deepEqual(Array.from(lossMask.slice(T)), [1, 1, 1, 0, 0]);
  gpt.dispose();
});

const toyItems = [{ prompt: 'a:' }, { prompt: 'b:' }, { prompt: 'c:' }, { prompt: 'x:' }];
/** Correct answer: the response begins with the prompt's letter repeated, e.g. 'a:' → 'a'. */
const correct: RewardFn<{ prompt: string }> = (s, item) => (s.text.startsWith(item.prompt[0]!) ? 1 : 0);

function toyConfig(over: Partial<GrpoConfig> = {}): GrpoConfig {
  return {
    groupSize: 8,
    minibatchSize: 16,
    sampling: { maxNewTokens: 3, temperature: 1 },
    clip: 0.2,
    klCoef: 0,
    klEstimator: 'k3',
    entropyCoef: 0,
    advantage: 'group_norm',
    whitenBatch: false,
    aggregation: 'seq_mean_token_mean',
    optimizer: { schedule: { kind: 'constant', lr: 1e-2 }, beta1: 0.9, beta2: 0.95, maxGradNorm: 1 },
    seed: 7,
    ...over,
  };
}

test('GRPO with a correctness reward raises the mean reward on a toy task', () => {
  const gpt = tinyGpt(2);
  const trainer = new GrpoTrainer(gpt, toyConfig({ optimizer: { schedule: { kind: 'constant', lr: 3e-2 }, beta1: 0.9, beta2: 0.95, maxGradNorm: 1 } }));
  const rewards: number[] = [];
  for (let i = 0; i < 50; i++) rewards.push(trainer.trainStep(toyItems, correct).rewardMean);
  const first = rewards.slice(0, 5).reduce((a, b) => a + b) / 5;
  const last = rewards.slice(-5).reduce((a, b) => a + b) / 5;
  // Chance is about 1/10 per prompt (10-token vocabulary). A prompt whose whole group fails gets zero
  // advantage and no signal, so not every prompt is learned in 50 steps: ask for a clear, not total, gain.
  assert.ok(first < 0.3, `initial reward ${first}`);
  assert.ok(last > first + 0.25 && last > 2 * first, `mean reward ${first.toFixed(2)} → ${last.toFixed(2)} (${rewards.map(r => r.toFixed(2)).join(' ')})`);
  trainer.dispose();
  gpt.dispose();
});

test('every GRPO switch runs; updates per step = prompts × group / minibatch; no tensors leak across steps', () => {
  const variants: Array<Partial<GrpoConfig>> = [
    { clip: null, aggregation: 'token_mean' },
    { clip: { low: 0.2, high: 0.28 }, advantage: 'group_center', aggregation: 'seq_mean_token_sum_norm', lengthNorm: 3 },
    { klCoef: 0.05, klEstimator: 'k1', whitenBatch: true },
    { klCoef: 0.05, klEstimator: 'k2', entropyCoef: 0.01 },
    { klCoef: 0.05, klEstimator: 'k3', minibatchSize: 8, sampling: { maxNewTokens: 3, temperature: 0.7, topP: 0.9, topK: 5 } },
  ];
  for (const v of variants) {
    const gpt = tinyGpt(3);
    const cfg = toyConfig(v);
    const trainer = new GrpoTrainer(gpt, cfg);
    assert.equal(trainer.reference !== null, cfg.klCoef > 0, 'a reference policy exists exactly when KL > 0');
    const s1 = trainer.trainStep(toyItems, correct);
    const tensors = tf.memory().numTensors;
    const s2 = trainer.trainStep(toyItems, correct);
    trainer.trainStep(toyItems, correct);
    assert.equal(tf.memory().numTensors, tensors, `tensor count stable across steps (${JSON.stringify(v)})`);
    assert.equal(s1.updates, (toyItems.length * cfg.groupSize) / cfg.minibatchSize);
    for (const [k, x] of Object.entries(s2)) assert.ok(Number.isFinite(x), `${k} = ${x} (${JSON.stringify(v)})`);
    if (cfg.klCoef > 0) assert.ok(s2.refKl !== 0, 'KL to the reference is measured once the policy moved');
    else assert.equal(s2.refKl, 0);
    assert.ok(s2.entropy > 0 && s2.responseLengthMean > 0 && s2.sampleSeconds > 0 && s2.rewardSeconds >= 0 && s2.updateSeconds > 0);
    trainer.dispose();
    gpt.dispose();
  }
});

test('one root seed gives identical GRPO numbers; another seed gives different ones', () => {
  const run = (seed: number) => {
    const gpt = tinyGpt(4);
    const t = new GrpoTrainer(gpt, toyConfig({ seed }));
    const out = [t.trainStep(toyItems, correct), t.trainStep(toyItems, correct)].map(({ sampleSeconds, rewardSeconds, updateSeconds, ...rest }) => rest);
    const w = gpt.getWeights()['head.w']!.data;
    t.dispose();
    gpt.dispose();
    return { out, w };
  };
  const a = run(1);
  const b = run(1);
  const c = run(2);
  assert.deepEqual(a.out, b.out);
  assert.deepEqual(a.w, b.w);
  assert.notDeepEqual(a.out, c.out);
  void Rng;
});

test("the trainer recomputes exactly the sampler's log-probs (mixed prompt lengths, temperature 0.7): ratio 1 before any update", () => {
  // With lr = 0 the policy never moves, so every update sees r = exp(logp − old_logp) = 1 up to float noise:
  // this fails if the rollout layout (left-padded prompts, positions, temperature) differs from sampling.
  const gpt = tinyGpt(5);
  const items = [{ prompt: 'a:' }, { prompt: 'bca:' }, { prompt: 'x' }, { prompt: 'cc=:' }];
  const trainer = new GrpoTrainer(gpt, toyConfig({ optimizer: { schedule: { kind: 'constant', lr: 0 } }, sampling: { maxNewTokens: 5, temperature: 0.7 } }));
  const s = trainer.trainStep(items, correct);
  assert.ok(Math.abs(s.approxKl) < 1e-6, `approx KL ${s.approxKl}`);
  assert.equal(s.clipFracLow + s.clipFracHigh, 0);
  trainer.dispose();
  gpt.dispose();
});

test('creating and disposing a policy, a trainer and its reference leaves no tensors behind', () => {
  const before = tf.memory().numTensors;
  const gpt = tinyGpt(6);
  const trainer = new GrpoTrainer(gpt, toyConfig({ klCoef: 0.1 }));
  trainer.trainStep(toyItems, correct);
  trainer.dispose();
  gpt.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('a step whose rollouts do not split into minibatches is refused before any sampling', () => {
  const gpt = tinyGpt(7);
  const trainer = new GrpoTrainer(gpt, toyConfig({ minibatchSize: 12 }));
  assert.throws(() => trainer.trainStep(toyItems, correct), /4 prompts × group 8 = 32 rollouts, not a positive multiple of minibatchSize 12/);
  assert.equal(trainer.step, 0);
  trainer.dispose();
  gpt.dispose();
});

/** The trainer's own random stream, to show which draws a step makes. */
const rngState = (t: GrpoTrainer) => (t as unknown as { rng: Rng }).rng.getState();

test('epochs: every epoch passes over all rollouts in its own order, updates count them all, and epoch 2 sees ratio ≠ 1', () => {
  // minibatch = all 32 rollouts: one update per pass, so the first update has ratio 1 and any KL to πold
  // comes from the second pass.
  const run = (epochs: number) => {
    const gpt = tinyGpt(8);
    const t = new GrpoTrainer(gpt, toyConfig({ minibatchSize: 32, epochs, optimizer: { schedule: { kind: 'constant', lr: 3e-2 }, beta1: 0.9, beta2: 0.95, maxGradNorm: 1 } }));
    const s = t.trainStep(toyItems, correct);
    const state = rngState(t);
    t.dispose();
    gpt.dispose();
    return { s, state };
  };
  const one = run(1);
  const two = run(2);
  assert.equal(one.s.updates, 1);
  assert.equal(two.s.updates, 2, 'epochs × rollouts / minibatch');
  assert.equal(run(3).s.updates, 3);
  assert.ok(Math.abs(one.s.approxKl) < 1e-6, `first pass: πθ = πold, approx KL ${one.s.approxKl}`);
  // The first update of both runs is the same computation, so the second pass's KL is 2·mean − first.
  const second = 2 * two.s.approxKl - one.s.approxKl;
  assert.ok(second > 1e-5, `second pass approx KL ${second}`);
  assert.deepEqual(two.state, one.state, "extra epochs draw only from the step's shuffle stream, not the trainer's");

  // With several minibatches per pass, each epoch's order is a different permutation of all rows.
  const gpt = tinyGpt(8);
  const t = new GrpoTrainer(gpt, toyConfig({ minibatchSize: 8, epochs: 2 }));
  const seen: number[][] = [];
  const slice = (t as unknown as { slice: (r: unknown, rows: number[]) => unknown }).slice.bind(t);
  (t as unknown as { slice: (r: unknown, rows: number[]) => unknown }).slice = (r, rows) => (seen.push(rows), slice(r, rows));
  assert.equal(t.trainStep(toyItems, correct).updates, 8);
  const [e1, e2] = [seen.slice(0, 4).flat(), seen.slice(4, 8).flat()];
  const all = Array.from({ length: 32 }, (_, i) => i);
  assert.deepEqual([...e1].sort((a, b) => a - b), all);
  assert.deepEqual([...e2].sort((a, b) => a - b), all);
  assert.notDeepEqual(e1, e2);
  t.dispose();
  gpt.dispose();
});

test('the GRPO learning rate is a function of the RL step: all updates of a step share it, and a resumed run continues the curve', () => {
  // linear, lr 0.01, warmup 2 over 4 RL steps, 2 epochs × 1 minibatch = 2 updates per step.
  // learningRate: step k < 2 → 0.01·(k+1)/2; then 0.01·(1 − (k − 2)/2): steps 0..3 → 0.005, 0.01, 0.01, 0.005
  // (the decay would reach 0 at step 4, after the last step, as in HF's and verl's schedulers).
  const cfg = toyConfig({ minibatchSize: 32, epochs: 2, optimizer: { schedule: { kind: 'linear', lr: 0.01, warmupSteps: 2, totalSteps: 4 } } });
  const expected = [0.005, 0.005, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005];
  const spy = (t: GrpoTrainer, into: number[]) => {
    const apply = t.optimizer.apply.bind(t.optimizer);
    t.optimizer.apply = (g, check, lr) => {
      const r = apply(g, check, lr);
      into.push(r.lr);
      return r;
    };
  };
  const lrs: number[] = [];
  const straight = new GrpoTrainer(tinyGpt(9), cfg);
  spy(straight, lrs);
  const stats = [1, 2, 3, 4].map(() => straight.trainStep(toyItems, correct));
  assert.equal(lrs.length, 8);
  lrs.forEach((lr, i) => assert.ok(near(lr, expected[i]!, 1e-12), `update ${i}: lr ${lr}, expected ${expected[i]} (${lrs.join(', ')})`));
  assert.deepEqual(stats.map(s => s.lr), [0.005, 0.01, 0.01, 0.005].map((x, i) => lrs[2 * i + 1]));

  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-lr-test-'));
  try {
    const first = new GrpoTrainer(tinyGpt(9), cfg);
    first.trainStep(toyItems, correct);
    first.trainStep(toyItems, correct);
    first.saveCheckpoint(join(dir, 'step-2'));
    const resumed = new GrpoTrainer(tinyGpt(9), cfg);
    resumed.loadCheckpoint(join(dir, 'step-2'));
    const rest: number[] = [];
    spy(resumed, rest);
    resumed.trainStep(toyItems, correct);
    resumed.trainStep(toyItems, correct);
    assert.deepEqual(rest, lrs.slice(4));
    first.dispose();
    resumed.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  straight.dispose();
});

test('advantage epsilon: group_norm divides by std + ε with the configured ε', async () => {
  const { groupAdvantages } = await import('../../src/runtime/grpo/advantages.js');
  // Rewards [1, 0]: mean 0.5, unbiased std √0.5 ≈ 0.7071, so A = ±0.5 / (0.7071 + ε).
  const std = Math.sqrt(0.5);
  const [a] = groupAdvantages([1, 0], 2, 'group_norm');
  assert.ok(near(a!, 0.5 / (std + 1e-9), 1e-12), `default ε = 1e-9: ${a}`);
  const [b, c] = groupAdvantages([1, 0], 2, 'group_norm', 0.3);
  assert.ok(near(b!, 0.5 / (std + 0.3), 1e-12) && near(c!, -0.5 / (std + 0.3), 1e-12), `ε = 0.3: ${b}, ${c}`);
  // A group that all got the same reward has std 0: ε alone is the denominator, and A = 0 either way.
  assert.deepEqual(groupAdvantages([1, 1], 2, 'group_norm', 0.3), [0, 0]);
  // The trainer passes its config's ε through: a huge ε makes the advantages (and so the update) vanish.
  const maxAdvantage = (over: Partial<GrpoConfig>) => {
    const gpt = tinyGpt(10);
    const t = new GrpoTrainer(gpt, toyConfig(over));
    const s = t.trainStep(toyItems, correct);
    t.dispose();
    gpt.dispose();
    return s.advantageMax;
  };
  const usual = maxAdvantage({});
  const huge = maxAdvantage({ advantageEpsilon: 1e6 });
  assert.ok(usual > 0.5, `advantage max ${usual} with the default ε`);
  assert.ok(huge >= 0 && huge < 1e-5, `advantage max ${huge} with ε = 1e6`);
});
