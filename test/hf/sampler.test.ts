// The runtime's own sampler and GRPO trainer, unchanged, on loaded checkpoints: stop strings, seeded
// sampling from chat-template and raw prompts, and one GRPO step with a KL reference (a frozen clone).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadHfModel, renderPrompt } from '../../src/runtime/hf/index.js';
import { sample } from '../../src/runtime/sampler.js';
import { Rng } from '../../src/runtime/rng.js';
import { GrpoTrainer } from '../../src/runtime/grpo/trainer.js';
import { fixtures } from './setup.js';

let dirOf: (name: string) => string;
before(async () => {
  ({ dirOf } = await fixtures());
});

test('the sampler stops a loaded model at a stop string, on the token that completes it', async () => {
  const { policy, tokenizer } = await loadHfModel(dirOf('llama-sharded'));
  const prompt = renderPrompt(tokenizer, '12 + 30', { kind: 'raw', template: 'User: {question}\nAssistant: <think>' });
  const free = sample(policy, [prompt], { maxNewTokens: 16, greedy: true, rng: new Rng(1) })[0]!;
  assert.equal(free.finishReason, 'length');
  assert.equal(free.tokens.length, 16);
  assert.equal(free.promptTokens[0], tokenizer.bos); // Llama: BOS from tokenizer.json's post-processor
  // Stop on the text of the 6th token with text: generation must end at its first occurrence.
  const k = free.tokens.findIndex((t, i) => i >= 5 && tokenizer.tokenText(t).trim().length > 0);
  assert.ok(k >= 5, 'a token with visible text was generated');
  const stop = tokenizer.tokenText(free.tokens[k]!).trim();
  const stopped = sample(policy, [prompt], { maxNewTokens: 16, greedy: true, stop: [stop], rng: new Rng(1) })[0]!;
  assert.equal(stopped.finishReason, 'stop');
  assert.ok(stopped.tokens.length <= k + 1);
  assert.deepEqual(stopped.tokens, free.tokens.slice(0, stopped.tokens.length), 'same greedy path up to the stop');
  assert.ok(stopped.text.includes(stop));
  const before = stopped.tokens.slice(0, -1).map(t => tokenizer.tokenText(t)).join('');
  assert.ok(!before.includes(stop), 'it stopped at the first occurrence');
  assert.equal(tokenizer.decode(stopped.tokens), stopped.text);
  policy.dispose();
});

test('seeded sampling from a chat-template prompt is reproducible and the logprobs are the model\'s', async () => {
  const { policy, tokenizer } = await loadHfModel(dirOf('qwen2-tied-f32'));
  const prompts = [renderPrompt(tokenizer, 'What is 1+1?', { kind: 'chat' }), renderPrompt(tokenizer, 'Solve x+2=5.', { kind: 'chat', system: 'Be brief.' })];
  const opts = { maxNewTokens: 10, temperature: 1, topP: 0.95 };
  const a = sample(policy, prompts, { ...opts, rng: new Rng(7) });
  const b = sample(policy, prompts, { ...opts, rng: new Rng(7) });
  const c = sample(policy, prompts, { ...opts, rng: new Rng(8) });
  assert.deepEqual(a.map(s => s.tokens), b.map(s => s.tokens));
  assert.notDeepEqual(a.map(s => s.tokens), c.map(s => s.tokens));
  assert.equal(a[0]!.promptTokens[0], tokenizer.tokenId('<|im_start|>')); // no BOS for Qwen
  // The sampler's log-probabilities equal log-softmax of a full forward pass over prompt + response.
  const s = a[0]!;
  const seq = [...s.promptTokens, ...s.tokens];
  const lg = policy.logits({ ids: Int32Array.from(seq), mask: new Float32Array(seq.length).fill(1), batch: 1, length: seq.length });
  const lsm = tf.logSoftmax(lg.reshape([seq.length, -1]));
  const data = lsm.arraySync() as number[][];
  s.tokens.forEach((t, j) => {
    const lp = data[s.promptTokens.length - 1 + j]![t]!;
    assert.ok(Math.abs(lp - s.logprobs[j]!) < 1e-4, `token ${j}: ${lp} vs ${s.logprobs[j]}`);
  });
  tf.dispose([lg, lsm]);
  policy.dispose();
});

test('one GRPO step on a loaded model: finite stats, weights move, the frozen KL reference does not', async () => {
  const { policy, tokenizer } = await loadHfModel(dirOf('olmo2'));
  const trainer = new GrpoTrainer(policy, {
    groupSize: 4,
    minibatchSize: 4,
    sampling: { maxNewTokens: 6, temperature: 1 },
    clip: 0.2,
    klCoef: 0.01,
    klEstimator: 'k3',
    entropyCoef: 0,
    advantage: 'group_norm',
    whitenBatch: false,
    aggregation: 'seq_mean_token_mean',
    optimizer: { schedule: { kind: 'constant', lr: 1e-3 }, maxGradNorm: 1 },
    seed: 3,
  });
  const prompt = renderPrompt(tokenizer, '2+2', { kind: 'raw', template: 'Q: {question}\nA:' });
  const w0 = policy.getWeights()['model.layers.1.mlp.gate_up_proj.weight.T']!.data.slice();
  const r0 = trainer.reference!.getWeights()['model.layers.1.mlp.gate_up_proj.weight.T']!.data.slice();
  // Reward: the response contains a digit (binary, so advantages are non-zero when the group differs).
  let stats = trainer.trainStep([{ prompt }], s => (/\d/.test(s.text) ? 1 : 0));
  for (let seed = 0; stats.rewardStd === 0 && seed < 5; seed++) stats = trainer.trainStep([{ prompt }], s => (s.tokens.length % 2 === seed % 2 ? 1 : 0));
  assert.ok(stats.rewardStd > 0, 'some group had mixed rewards');
  for (const k of ['loss', 'gradNorm', 'approxKl', 'refKl', 'entropy'] as const) assert.ok(Number.isFinite(stats[k]), `${k} = ${stats[k]}`);
  assert.ok(stats.gradNorm > 0);
  const w1 = policy.getWeights()['model.layers.1.mlp.gate_up_proj.weight.T']!.data;
  const r1 = trainer.reference!.getWeights()['model.layers.1.mlp.gate_up_proj.weight.T']!.data;
  assert.ok(w1.some((x, i) => x !== w0[i]), 'the policy was updated');
  assert.deepEqual(Array.from(r1), Array.from(r0), 'the reference stayed frozen');
  trainer.dispose();
  policy.dispose();
});
