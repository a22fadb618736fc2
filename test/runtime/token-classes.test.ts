// Per-token-class GRPO statistics (issue 18): which characters decide the strategy, the accumulator against
// hand-worked numbers and against grpoLoss's own clip indicators, and the trainer's byClass output.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { GrpoTrainer, grpoLoss, Rng, type GrpoConfig, type RewardFn } from '../../src/runtime/index.js';
import { ClassAccumulator, strategyPositions } from '../../src/runtime/grpo/token-classes.js';
import { tokenClassesOf } from '../../src/runtime/cell/train.js';
import { near, tinyGpt, useBackend } from './setup.js';

before(() => useBackend('wasm'));

const marked = (text: string) => strategyPositions(text).flatMap((b, i) => (b ? [text[i]! + '@' + i] : []));

test('strategy positions: the first character and the start of every later step, not the closing "so"', () => {
  // Version 2: three steps (code, prose, code), then "so \boxed{21}".
  const v2 = 'python:t=4*5#20; 3 plus 20 is 23. python:t=t-2#21; so \\boxed{21}';
  assert.deepEqual(marked(v2), ['p@0', '3@17', 'p@34']);
  // A code run continues with the variable ('t'), a prose step after code starts with a (possibly negative) number.
  assert.deepEqual(marked('python:t=1-8#-7; t=t-2#-9; -9 plus 2 is -7. so ans=-7'), ['p@0', 't@17', '-@27']);
  // Version 1's code writes steps without spaces, so it decides once; its prose decides at each step too.
  assert.deepEqual(marked('python:t=4*5#20;t=t+3#23;\\boxed{23}'), ['p@0']);
  assert.deepEqual(marked('4 times 5 is 20. 3 plus 20 is 23. so \\boxed{23}'), ['4@0', '3@17']);
});

test('the accumulator: hand-worked clip shares, entropy and sampled-token probability per class', () => {
  // Four tokens, clip (0.2, 0.2). Ratios e^(logp − old): [e^0.3 = 1.35, e^−0.3 = 0.74, 1, e^0.3 = 1.35].
  // A = [+1, −1, +1, −1]: token 0 clipped high (A > 0, 1.35 > 1.2); token 1 clipped low (A < 0, 0.74 < 0.8);
  // token 2 not; token 3 not (A < 0 and ratio above 1). Token 3 is padding (mask 0).
  const old = [Math.log(0.5), Math.log(0.5), Math.log(0.25), Math.log(0.5)];
  const x = {
    logp: old.map((o, i) => o + [0.3, -0.3, 0, 0.3][i]!), oldLogp: old, adv: [1, -1, 1, -1], mask: [1, 1, 1, 0],
    entropy: [0.2, 0.4, 0.9, 5], clip: { low: 0.2, high: 0.2 },
  };
  const strat = new ClassAccumulator();
  strat.add({ ...x, member: [1, 1, 0, 1] });
  // Strategy tokens 0 and 1 (3 is padding): one clipped high, one low; entropy (0.2 + 0.4)/2; prob (0.5 + 0.5)/2.
  const s = strat.finish();
  assert.equal(s.tokens, 2);
  assert.ok(near(s.clipFracHigh, 0.5) && near(s.clipFracLow, 0.5) && near(s.entropy, 0.3) && near(s.meanProb, 0.5), JSON.stringify(s));
  const other = new ClassAccumulator();
  other.add({ ...x, member: [0, 0, 1, 0] });
  assert.deepEqual(other.finish(), { tokens: 1, clipFracLow: 0, clipFracHigh: 0, entropy: 0.9, meanProb: 0.25 });
  const none = new ClassAccumulator();
  none.add({ ...x, clip: null, member: [1, 1, 1, 1] });
  assert.equal(none.finish().clipFracHigh, 0, 'no clip, nothing clipped');
  assert.ok(Number.isNaN(new ClassAccumulator().finish().entropy), 'an empty class has no mean');
});

test('the two classes together give grpoLoss\'s own clip shares (an independent implementation)', () => {
  const rng = new Rng(5);
  const [N, W] = [6, 9];
  const draw = (f: () => number) => Array.from({ length: N * W }, f);
  const logp = draw(() => Math.log(0.05 + 0.9 * rng.next()));
  const oldLogp = logp.map(l => l + (rng.next() - 0.5) * 0.8);
  const adv = Array.from({ length: N }, () => rng.next() * 2 - 1).flatMap(a => Array<number>(W).fill(a));
  const mask = draw(() => (rng.next() < 0.8 ? 1 : 0));
  const member = draw(() => (rng.next() < 0.3 ? 1 : 0));
  const entropy = draw(() => rng.next());
  const clip = { low: 0.1, high: 0.3 };
  const out = grpoLoss(
    { logp: tf.tensor2d(logp, [N, W]), oldLogp: tf.tensor2d(oldLogp, [N, W]), advantages: tf.tensor2d(adv, [N, W]), mask: tf.tensor2d(mask, [N, W]) },
    { clip, klCoef: 0, klEstimator: 'k3', entropyCoef: 0, aggregation: 'token_mean', lengthNorm: W },
  );
  const a = new ClassAccumulator();
  const b = new ClassAccumulator();
  a.add({ logp, oldLogp, adv, mask, entropy, member, clip });
  b.add({ logp, oldLogp, adv, mask, entropy, member: member.map(m => 1 - m), clip });
  const [sa, sb] = [a.finish(), b.finish()];
  const n = sa.tokens + sb.tokens;
  assert.equal(n, mask.filter(m => m === 1).length);
  const low = (sa.clipFracLow * sa.tokens + sb.clipFracLow * sb.tokens) / n;
  const high = (sa.clipFracHigh * sa.tokens + sb.clipFracHigh * sb.tokens) / n;
  assert.ok(low > 0 && high > 0, `both bounds act in this draw: ${low} ${high}`);
  assert.ok(near(low, out.stats.clipLow.dataSync()[0]!, 1e-6), `low ${low} vs ${out.stats.clipLow.dataSync()[0]}`);
  assert.ok(near(high, out.stats.clipHigh.dataSync()[0]!, 1e-6), `high ${high} vs ${out.stats.clipHigh.dataSync()[0]}`);
});

test('the trainer reports byClass over every update\'s tokens when given token classes, and only then', () => {
  const items = [{ prompt: 'a:' }, { prompt: 'b:' }];
  const reward: RewardFn<{ prompt: string }> = s => (s.text.startsWith('a') ? 1 : 0);
  const config: GrpoConfig = {
    groupSize: 4, minibatchSize: 4, epochs: 2, sampling: { maxNewTokens: 4, temperature: 1 }, clip: 0.2, klCoef: 0, klEstimator: 'k3',
    entropyCoef: 0, advantage: 'group_norm', whitenBatch: false, aggregation: 'token_mean',
    optimizer: { schedule: { kind: 'constant', lr: 5e-2 }, beta1: 0.9, beta2: 0.95, maxGradNorm: 1 }, seed: 3,
  };
  // Mark the first response token as the strategy token.
  const withClasses = new GrpoTrainer(tinyGpt(4), { ...config, tokenClasses: s => s.tokens.map((_, j) => (j === 0 ? 1 : 0)) });
  const plain = new GrpoTrainer(tinyGpt(4), config);
  for (let step = 0; step < 2; step++) {
    const s = withClasses.trainStep(items, reward);
    const p = plain.trainStep(items, reward);
    // Logging classes changes nothing in training.
    assert.equal(s.loss, p.loss);
    assert.equal(p.byClass, undefined);
    // 8 rollouts, each seen once per epoch (2 epochs): 16 first tokens.
    assert.equal(s.byClass!.strategy.tokens, 16);
    assert.ok(s.byClass!.other.tokens > 0);
    for (const c of [s.byClass!.strategy, s.byClass!.other]) {
      assert.ok(c.meanProb > 0 && c.meanProb <= 1 && c.entropy >= 0 && c.clipFracLow >= 0 && c.clipFracHigh <= 1, JSON.stringify(c));
    }
  }
});

test('cells log token classes only for world version 2 on a transformer', () => {
  const cell = (version?: number) => ({ model: { source: 'transformer' }, data: { source: 'arithmetic', world: version ? { version } : {} } }) as unknown as Parameters<typeof tokenClassesOf>[0];
  assert.equal(tokenClassesOf(cell()), undefined);
  const f = tokenClassesOf(cell(2))!;
  const text = '3 plus 4 is 7. python:t=t*2#14; so \\boxed{14}';
  const s = { text, tokens: Array.from({ length: text.length + 1 }, () => 0) } as unknown as Parameters<typeof f>[0];
  const c = Array.from(f(s));
  assert.deepEqual(c.flatMap((v, i) => (v === 1 ? [i] : [])), [0, 15]);
});
