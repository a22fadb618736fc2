import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, GrpoTrainer, NonFiniteError, SftTrainer, loadCheckpoint, loadPolicyWeights, saveCheckpoint, savePolicyWeights, type GrpoConfig, type RewardFn } from '../../src/runtime/index.js';
import { tinyGpt, useBackend } from './setup.js';

before(() => useBackend('wasm'));

const items = [{ prompt: 'a:' }, { prompt: 'b:' }];
const reward: RewardFn = (s, item) => (s.text.startsWith(item.prompt[0]!) ? 1 : 0);
const config: GrpoConfig = {
  groupSize: 4, minibatchSize: 4, sampling: { maxNewTokens: 3 }, clip: 0.2, klCoef: 0.01, klEstimator: 'k3', entropyCoef: 0,
  advantage: 'group_norm', whitenBatch: false, aggregation: 'seq_mean_token_mean',
  optimizer: { schedule: { kind: 'linear', lr: 1e-2, warmupSteps: 1, totalSteps: 10 } }, seed: 3,
};
const numbers = ({ sampleSeconds, rewardSeconds, updateSeconds, ...rest }: ReturnType<GrpoTrainer["trainStep"]>) => rest;
const scratch = () => mkdtempSync(join(tmpdir(), 'rlvrc-ckpt-test-'));

test('a resumed GRPO run continues with exactly the numbers of an uninterrupted one', () => {
  const dir = scratch();
  try {
    const straight = new GrpoTrainer(tinyGpt(1), config);
    const all = [1, 2, 3, 4].map(() => numbers(straight.trainStep(items, reward)));

    const first = new GrpoTrainer(tinyGpt(1), config);
    first.trainStep(items, reward);
    first.trainStep(items, reward);
    first.saveCheckpoint(join(dir, 'step-2'));
    // A fresh process would build the policy from another seed: every weight must come from the checkpoint.
    const resumed = new GrpoTrainer(tinyGpt(99), config);
    resumed.loadCheckpoint(join(dir, 'step-2'));
    assert.equal(resumed.step, 2);
    assert.deepEqual(resumed.policy.getWeights(), first.policy.getWeights());
    assert.deepEqual(resumed.optimizer.getState(), first.optimizer.getState());
    assert.deepEqual(resumed.reference!.getWeights(), first.reference!.getWeights());
    const rest = [3, 4].map(() => numbers(resumed.trainStep(items, reward)));
    assert.deepEqual(rest, all.slice(2));
    assert.deepEqual(resumed.policy.getWeights(), straight.policy.getWeights());
    for (const t of [straight, first, resumed]) {
      t.dispose();
      t.policy.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SFT checkpoints restore weights, optimizer and RNG', () => {
  const dir = scratch();
  try {
    const corpus = ['ab:c;', 'ba:x;', 'cab;'];
    const opts = { batchSize: 2, optimizer: { schedule: { kind: 'constant' as const, lr: 1e-2 } }, seed: 1 };
    const a = new SftTrainer(tinyGpt(1), corpus, opts);
    a.trainStep();
    a.saveCheckpoint(join(dir, 'c'));
    const next = a.trainStep();
    const b = new SftTrainer(tinyGpt(2), corpus, opts);
    b.loadCheckpoint(join(dir, 'c'));
    const again = b.trainStep();
    assert.equal(again.loss, next.loss);
    assert.equal(again.gradNorm, next.gradNorm);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupted or truncated checkpoint is rejected with a message that says what is wrong', () => {
  const dir = scratch();
  try {
    const ck = join(dir, 'c');
    saveCheckpoint(ck, { step: 5, tensors: { w: { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } }, rng: { r: [1, 2, 3, 4] }, meta: { kind: 'test' } });
    const ok = loadCheckpoint(ck);
    assert.deepEqual(Array.from(ok.tensors.w!.data), [1, 2, 3, 4]);
    assert.deepEqual(ok.rng.r, [1, 2, 3, 4]);
    // Saving again over it replaces it atomically and leaves no temp directories behind.
    saveCheckpoint(ck, { step: 6, tensors: { w: { shape: [1], data: Float32Array.from([7]) } }, rng: {}, meta: {} });
    assert.equal(loadCheckpoint(ck).step, 6);
    assert.deepEqual(readdirSync(dir), ['c']);

    const bin = join(ck, 'weights.bin');
    const bytes = readFileSync(bin);
    bytes[1] = bytes[1]! ^ 0xff;
    writeFileSync(bin, bytes);
    assert.throws(() => loadCheckpoint(ck), (e: Error) => e instanceof CheckpointError && /corrupted: sha256 [0-9a-f]{64} does not match/.test(e.message) && e.message.includes(ck));
    writeFileSync(bin, bytes.subarray(0, 2));
    assert.throws(() => loadCheckpoint(ck), /weights.bin has 2 bytes, meta.json says 4 \(truncated or corrupted\)/);
    writeFileSync(join(ck, 'meta.json'), '{"format": "rlvrc-checkpoint", ');
    assert.throws(() => loadCheckpoint(ck), /meta.json is not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NaN guard: a non-finite reward or loss stops training naming the step and the quantity; the last checkpoint stays good', () => {
  const dir = scratch();
  try {
    const gpt = tinyGpt(1);
    const t = new GrpoTrainer(gpt, { ...config, klCoef: 0 });
    t.trainStep(items, reward);
    t.saveCheckpoint(join(dir, 'good'));
    assert.throws(() => t.trainStep(items, () => NaN), (e: Error) => e instanceof NonFiniteError && /non-finite reward \(NaN\) at step 2/.test(e.message));
    // Poison the weights so the forward pass overflows: the loss guard fires before any update is applied.
    const w = gpt.getWeights();
    w['head.w']!.data.fill(3e38);
    w['lnf.g']!.data.fill(3e38);
    gpt.setWeights(w);
    assert.throws(() => t.trainStep(items, reward), (e: Error) => e instanceof NonFiniteError && /non-finite (loss|grad norm) .* at step 2 \(update 1 of 2\)/.test(e.message) && e.message.includes(join(dir, 'good')));
    assert.equal(t.step, 1, 'the failed step is not counted');
    const kept = loadCheckpoint(join(dir, 'good'));
    assert.equal(kept.step, 1);
    assert.ok(Object.values(kept.tensors).every(x => x.data.every(Number.isFinite)));
    t.dispose();
    gpt.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('policy weights saved alone load into a differently initialised policy', () => {
  const dir = scratch();
  try {
    const a = tinyGpt(1);
    savePolicyWeights(join(dir, 'w'), a);
    const b = tinyGpt(2);
    assert.notDeepEqual(b.getWeights(), a.getWeights());
    loadPolicyWeights(join(dir, 'w'), b);
    assert.deepEqual(b.getWeights(), a.getWeights());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
