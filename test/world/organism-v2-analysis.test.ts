// The preregistered organism-v2 analysis (scripts/organism-v2/verdicts.ts): the sign test against hand-worked
// binomial tails, and each verdict on made-up seeds whose outcome is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, paired, reading, signTestP, summarise, verdicts, type Arms, type SeedGains } from '../../scripts/organism-v2/verdicts.js';

test('sign test: exact two-sided binomial tails', () => {
  // 9 of 10: 2·(C(10,9) + C(10,10))/2^10 = 2·11/1024 = 0.021484375; 8 of 10: 2·56/1024 = 0.109375.
  assert.equal(signTestP(9, 10), 22 / 1024);
  assert.equal(signTestP(8, 10), 112 / 1024);
  assert.equal(signTestP(1, 10), 22 / 1024, 'symmetric');
  // 6 of 6: 2/64 = 0.03125; 5 of 10 is as even as it gets: 1.
  assert.equal(signTestP(6, 6), 2 / 64);
  assert.equal(signTestP(5, 10), 1);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  // A 0 counts as neither sign, and n is every seed.
  assert.deepEqual(summarise([1, 0, -2]), { n: 3, positive: 1, negative: 1, median: 0, mean: -1 / 3, p: 1 });
});

const seeds = (n: number, f: (i: number) => Partial<SeedGains>): SeedGains[] =>
  Array.from({ length: n }, (_, i) => ({ seed: String(i + 1), codeRate0: 0.65, codeRateEnd: 0.7, codeGain: 0, accGain: 0, sampledCodeGain: 0, entropyChange: 0, ...f(i) }));

/** A world where the clipping account is right: qwen grpo drifts to code; no drift without clipping. */
function supporting(): Arms {
  const arms: Arms = new Map();
  arms.set('qwen_math_like/random/grpo', seeds(10, i => ({ codeGain: 5 + i, accGain: 2, entropyChange: -0.1 })));
  arms.set('qwen_math_like/random/no_clip', seeds(10, i => ({ codeGain: i % 2 ? 1 : -1 })));
  arms.set('qwen_math_like/random/one_update', seeds(10, i => ({ codeGain: i % 2 ? 0.5 : -0.5 })));
  arms.set('qwen_math_like/random/tight_high', seeds(10, i => ({ codeGain: 9 + i, entropyChange: -0.3 })));
  arms.set('qwen_math_like/random/loose_high', seeds(10, i => ({ codeGain: 2 + i, entropyChange: -0.05 })));
  arms.set('bad_code/random/grpo', seeds(6, () => ({ codeRate0: 0.95, sampledCodeGain: 3, accGain: -1 })));
  for (const a of ['grpo', 'no_clip', 'loose_high', 'tight_high', 'one_update']) arms.set(`no_code/random/${a}`, seeds(6, i => ({ codeRate0: 0, codeRateEnd: 0, accGain: i % 2 ? 1 : -1 })));
  for (const m of ['qwen_math_like', 'bad_code', 'no_code']) arms.set(`${m}/ground_truth/grpo`, seeds(3, () => ({ accGain: 25 })));
  return arms;
}

test('verdicts: a supporting outcome holds every prediction and falsifies nothing', () => {
  const v = verdicts(supporting(), 0.8);
  assert.deepEqual(v.void.map(x => x.holds), [false, false, false, false, false, false]);
  assert.deepEqual(v.predictions.map(x => [x.id, x.holds]), [['P1', true], ['P2', true], ['P3', true], ['P4', true], ['P5', true], ['P6', true], ['P7', true], ['P8', true]]);
  assert.deepEqual(v.falsification.map(x => x.holds), [false, false, false]);
  assert.match(reading(v), /^not falsified; predictions held: P1, P2, P3, P4, P5, P6, P7, P8$/);
});

test('verdicts: 8 of 10 seeds up is not enough for P1 (F1), and a drift without clipping is F2', () => {
  const arms = supporting();
  arms.set('qwen_math_like/random/grpo', seeds(10, i => ({ codeGain: i < 8 ? 4 : -1, accGain: 1 })));
  let v = verdicts(arms, 0.8);
  assert.equal(v.predictions.find(x => x.id === 'P1')!.holds, false);
  assert.equal(v.falsification.find(x => x.id === 'F1')!.holds, true);
  assert.equal(v.falsification.find(x => x.id === 'F3')!.holds, false, 'F3 is read only without F1');
  assert.match(reading(v), /^falsified \(F1/);
  const drift = supporting();
  drift.set('qwen_math_like/random/one_update', seeds(10, i => ({ codeGain: 3 + i })));
  v = verdicts(drift, 0.8);
  assert.equal(v.falsification.find(x => x.id === 'F2')!.holds, true);
  assert.equal(v.predictions.find(x => x.id === 'P3')!.holds, false);
});

test('verdicts: a failed control or a miscalibrated family makes the run void, and missing arms make it incomplete', () => {
  const arms = supporting();
  arms.set('bad_code/ground_truth/grpo', seeds(3, () => ({ accGain: 4 })));
  assert.match(reading(verdicts(arms, 0.8)), /^void/);
  const off = supporting();
  off.set('qwen_math_like/random/grpo', seeds(10, i => ({ codeRate0: 0.9, codeGain: 5 + i, accGain: 2 })));
  for (const a of ['no_clip', 'one_update', 'tight_high', 'loose_high']) off.set(`qwen_math_like/random/${a}`, off.get(`qwen_math_like/random/${a}`)!.map(g => ({ ...g, codeRate0: 0.9 })));
  assert.equal(verdicts(off, 0.8).void.find(x => x.id === 'calibration qwen_math_like')!.holds, true);
  const partial = supporting();
  partial.delete('qwen_math_like/random/loose_high');
  assert.match(reading(verdicts(partial, 0.8)), /^incomplete/);
  // Paired differences use the seeds both arms have.
  assert.deepEqual(paired(seeds(3, i => ({ codeGain: i })), seeds(2, () => ({ codeGain: 1 })), g => g.codeGain), [-1, 0]);
});
