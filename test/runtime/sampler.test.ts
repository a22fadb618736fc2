import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, Rng, padBatch, sample, sampleToken, tokenLogprobs, type KvCache, type Policy, type TokenBatch } from '../../src/runtime/index.js';
import { tinyGpt, tinyTokenizer, useBackend } from './setup.js';

before(() => useBackend('wasm'));

const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map(v => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map(v => v / s);
};

/** Pearson's χ² of observed counts against expected probabilities (categories with p = 0 must be empty). */
function chiSquare(counts: number[], probs: number[], n: number): number {
  let chi = 0;
  probs.forEach((p, i) => {
    if (p === 0) assert.equal(counts[i], 0, `token ${i} has probability 0 but was drawn ${counts[i]} times`);
    else chi += (counts[i]! - n * p) ** 2 / (n * p);
  });
  return chi;
}
// 0.999 quantiles of χ² with k degrees of freedom: a correct sampler fails one seed in a thousand.
const CHI2_999: Record<number, number> = { 1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47 };

function frequencies(logits: number[], opts: Parameters<typeof sampleToken>[1], n: number): number[] {
  const counts = new Array<number>(logits.length).fill(0);
  const row = Float32Array.from(logits);
  for (let i = 0; i < n; i++) counts[sampleToken(row, opts).token]!++;
  return counts;
}

test('sampled frequencies match softmax(logits / T) (χ² test, fixed seed)', () => {
  const logits = [2, 1, 0, -1, 0.5];
  for (const temperature of [1, 0.5]) {
    const n = 20000;
    const counts = frequencies(logits, { temperature, rng: new Rng(7, temperature) }, n);
    const chi = chiSquare(counts, softmax(logits.map(z => z / temperature)), n);
    assert.ok(chi < CHI2_999[4]!, `T=${temperature}: χ² = ${chi.toFixed(2)}, counts ${counts}`);
  }
  // A sampler that ignored the temperature would fail the T = 0.5 check by a wide margin:
  const wrong = chiSquare(frequencies(logits, { temperature: 1, rng: new Rng(7) }, 20000), softmax(logits.map(z => z / 0.5)), 20000);
  assert.ok(wrong > 100, `the χ² test can tell the distributions apart (${wrong.toFixed(0)})`);
});

test('top-k keeps the k most likely tokens, renormalised; top-p the smallest set reaching p', () => {
  const logits = [2, 1, 0, -1, 0.5];
  const p = softmax(logits); // ≈ [0.563, 0.207, 0.076, 0.028, 0.126] (by probability: 0, 1, 4, 2, 3)
  const n = 20000;
  // top-k = 2: tokens 0 and 1 only, in proportion p0 : p1.
  const k2 = frequencies(logits, { topK: 2, rng: new Rng(8) }, n);
  const pk = [p[0]!, p[1]!, 0, 0, 0].map(v => v / (p[0]! + p[1]!));
  assert.ok(chiSquare(k2, pk, n) < CHI2_999[1]!, `top-k counts ${k2}`);
  // top-p = 0.8: cumulative 0.563, 0.770, 0.896 → the smallest set reaching 0.8 is tokens 0, 1, 4.
  const p80 = frequencies(logits, { topP: 0.8, rng: new Rng(9) }, n);
  const kept = p[0]! + p[1]! + p[4]!;
  const pp = [p[0]! / kept, p[1]! / kept, 0, 0, p[4]! / kept];
  assert.ok(chiSquare(p80, pp, n) < CHI2_999[2]!, `top-p counts ${p80}`);
});

test('greedy picks the argmax and reports its log-probability under softmax(logits)', () => {
  const logits = [0.1, 3, -2, 2.9];
  const r = sampleToken(Float32Array.from(logits), { greedy: true, rng: new Rng(1) });
  assert.equal(r.token, 1);
  assert.ok(Math.abs(r.logprob - Math.log(softmax(logits)[1]!)) < 1e-6);
  assert.equal(sampleToken(Float32Array.from(logits), { temperature: 0, rng: new Rng(1) }).token, 1);
});

test('KV-cache logits equal a full recompute, for a left-padded batch over several decode steps', () => {
  const gpt = tinyGpt(3);
  const rows = [tinyTokenizer.encode('ab:', { bos: true }), tinyTokenizer.encode('x', { bos: true })];
  const { logits, cache } = gpt.prefill(padBatch(rows, tinyTokenizer.pad, 'left'));
  let last = logits;
  const appended = [[5, 6, 7], [8, 4, 3]];
  for (let step = 0; step <= 3; step++) {
    const seqs = rows.map((r, b) => [...r, ...appended[b]!.slice(0, step)]);
    const batch = padBatch(seqs, tinyTokenizer.pad, 'left');
    const full = tf.tidy(() => tf.squeeze(tf.slice(gpt.logits(batch), [0, batch.length - 1, 0], [2, 1, -1]), [1]));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(full, last))).dataSync()[0]!);
    assert.ok(diff < 1e-4, `step ${step}: cached vs recomputed logits differ by ${diff}`);
    tf.dispose([full, last]);
    if (step < 3) last = gpt.decode(Int32Array.from(appended.map(a => a[step]!)), cache);
  }
  cache.dispose();
  gpt.dispose();
});

test('sample(): same seed → same samples; logprobs equal the policy recomputed on the sampled text', () => {
  const gpt = tinyGpt(4);
  const prompts = ['ab:', 'x:', 'cab:'];
  const a = sample(gpt, prompts, { maxNewTokens: 6, rng: new Rng(5) });
  const b = sample(gpt, prompts, { maxNewTokens: 6, rng: new Rng(5) });
  const c = sample(gpt, prompts, { maxNewTokens: 6, rng: new Rng(6) });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map(s => s.tokens), c.map(s => s.tokens));
  for (const s of a) {
    const seq = [...s.promptTokens, ...s.tokens];
    const batch: TokenBatch = { ids: Int32Array.from(seq.slice(0, -1)), mask: new Float32Array(seq.length - 1).fill(1), batch: 1, length: seq.length - 1 };
    const lp = tf.tidy(() => tokenLogprobs(gpt, batch, s.promptTokens.length - 1, s.tokens.length, Int32Array.from(s.tokens)).logp);
    Array.from(lp.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - s.logprobs[i]!) < 1e-4, `${s.prompt} token ${i}: ${v} vs ${s.logprobs[i]}`));
    lp.dispose();
  }
  gpt.dispose();
});

/** A policy that deterministically spells `script` (greedy), whatever the prompt: for testing stop rules. */
class ScriptedPolicy implements Policy {
  readonly contextLength = 64;
  constructor(readonly tokenizer: CharTokenizer, private readonly script: number[]) {}
  get vocabSize() { return this.tokenizer.vocabSize; }
  private row(step: number): number[] {
    const l = new Array<number>(this.vocabSize).fill(0);
    l[this.script[Math.min(step, this.script.length - 1)]!] = 10;
    return l;
  }
  logits(): tf.Tensor3D { throw new Error('not used'); }
  prefill(batch: TokenBatch): { logits: tf.Tensor2D; cache: KvCache } {
    const cache = { length: 0, dispose() {} };
    return { logits: tf.tensor2d(Array.from({ length: batch.batch }, () => this.row(0))), cache };
  }
  decode(tokens: Int32Array, cache: KvCache): tf.Tensor2D {
    const c = cache as { length: number };
    c.length++;
    return tf.tensor2d(Array.from({ length: tokens.length }, () => this.row(c.length)));
  }
  trainableVariables() { return []; }
  getWeights() { return {}; }
  setWeights() {}
  clone(): Policy { return this; }
  dispose() {}
}

test('stop strings, EOS and max new tokens end generation with the right finish reason', () => {
  const tok = new CharTokenizer('ab;');
  const [a, b, semi] = tok.encode('ab;');
  const p = new ScriptedPolicy(tok, [a!, b!, semi!, a!, tok.eos]);
  const rng = new Rng(1);
  const stop = sample(p, ['a'], { maxNewTokens: 10, greedy: true, stop: [';'], rng })[0]!;
  assert.equal(stop.text, 'ab;');
  assert.equal(stop.finishReason, 'stop');
  assert.equal(stop.tokens.length, 3);
  const eos = sample(p, ['a'], { maxNewTokens: 10, greedy: true, rng })[0]!;
  assert.equal(eos.text, 'ab;a');
  assert.equal(eos.finishReason, 'eos');
  assert.equal(eos.tokens.at(-1), tok.eos, 'the EOS token is part of the response (it is trained on)');
  const len = sample(p, ['a'], { maxNewTokens: 2, greedy: true, stop: [';'], rng })[0]!;
  assert.equal(len.text, 'ab');
  assert.equal(len.finishReason, 'length');
});
