// Evaluation metrics: pass@k against brute-force enumeration, the others on crafted graded samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyByCode,
  avgAtK,
  boxedRate,
  codeRate,
  gradeSample,
  greedyPassAt1,
  majAtK,
  meanLength,
  meanPassAtK,
  passAtK,
  summarizeEval,
} from '../../src/grader/index.js';

// Fraction of the k-subsets of n samples (c of them correct) that contain a correct one, by enumeration.
function bruteForcePassAtK(n: number, c: number, k: number): number {
  let hit = 0;
  let total = 0;
  const visit = (start: number, chosen: number[]) => {
    if (chosen.length === k) {
      total++;
      if (chosen.some(i => i < c)) hit++; // samples 0..c-1 are the correct ones
      return;
    }
    for (let i = start; i < n; i++) visit(i + 1, [...chosen, i]);
  };
  visit(0, []);
  return hit / total;
}

test('pass@k equals the brute-force fraction of k-subsets with a correct sample, for every n ≤ 10', () => {
  for (let n = 1; n <= 10; n++)
    for (let c = 0; c <= n; c++)
      for (let k = 1; k <= n; k++) {
        const want = bruteForcePassAtK(n, c, k);
        assert.ok(Math.abs(passAtK(n, c, k) - want) < 1e-12, `n=${n} c=${c} k=${k}: ${passAtK(n, c, k)} vs ${want}`);
      }
});

test('pass@k stays exact where binomial coefficients overflow doubles', () => {
  // Exact 1 − C(n−c, k)/C(n, k) with BigInt, then compared.
  const binom = (n: bigint, k: bigint) => {
    let r = 1n;
    for (let i = 1n; i <= k; i++) r = (r * (n - k + i)) / i;
    return r;
  };
  for (const [n, c, k] of [[1200, 3, 600], [2000, 1000, 1500], [1024, 1, 512]] as const) {
    const num = binom(BigInt(n - c), BigInt(k));
    const den = binom(BigInt(n), BigInt(k));
    const scale = 10n ** 30n;
    const exact = 1 - Number((num * scale) / den) / 1e30;
    assert.ok(Math.abs(passAtK(n, c, k) - exact) < 1e-12, `n=${n} c=${c} k=${k}`);
    assert.ok(Number.isFinite(passAtK(n, c, k)));
  }
  assert.equal(passAtK(16, 0, 8), 0);
  assert.equal(passAtK(16, 16, 8), 1);
  assert.equal(passAtK(16, 9, 8), 1); // fewer than k wrong samples: every k-subset has a right one
  assert.throws(() => passAtK(4, 5, 1), RangeError);
  assert.throws(() => passAtK(4, 2, 5), RangeError);
});

const s = (correct: boolean, extracted: string | null = correct ? '1' : '0') => ({ correct, extracted });

test('greedy pass@1, avg@k and mean pass@k over problems', () => {
  assert.equal(greedyPassAt1([s(true), s(false), s(true), s(true)]), 0.75);
  const groups = [
    [s(true), s(false), s(false), s(false)], // 1 of 4
    [s(true), s(true), s(true), s(true)], // 4 of 4
  ];
  assert.equal(avgAtK(groups), (0.25 + 1) / 2);
  assert.equal(meanPassAtK(groups, 2), (passAtK(4, 1, 2) + 1) / 2);
  assert.equal(meanPassAtK(groups, 1), avgAtK(groups)); // pass@1 from n samples is the mean accuracy
  assert.throws(() => greedyPassAt1([]), RangeError);
});

test('maj@k: the majority answer (equivalents together, empties dropped, first-seen on ties) decides', () => {
  const groups = [
    // majority "\frac12" (3 votes, written three ways), which is the correct answer
    [
      { extracted: '0.5', correct: true },
      { extracted: '7', correct: false },
      { extracted: '\\frac{1}{2}', correct: true },
      { extracted: '1/2', correct: true },
    ],
    // majority wrong although one sample is right
    [
      { extracted: '3', correct: false },
      { extracted: '3', correct: false },
      { extracted: '4', correct: true },
      { extracted: null, correct: false },
    ],
    // only empty answers: no majority, counts as wrong
    [
      { extracted: null, correct: false },
      { extracted: '', correct: false },
      { extracted: null, correct: false },
      { extracted: null, correct: false },
    ],
  ];
  assert.equal(majAtK(groups, 4), 1 / 3);
  // With k = 1 only the first sample votes.
  assert.equal(majAtK(groups, 1), 1 / 3);
  // With k = 2 the first group ties 0.5 against 7: the first seen (0.5, correct) wins.
  assert.equal(majAtK(groups, 2), 1 / 3);
  assert.throws(() => majAtK(groups, 5), RangeError);
});

test('code rate, accuracy by code, boxed rate and mean length', () => {
  const samples = [
    { response: '```python\nprint(2)\n```\n\\boxed{2}', correct: true, length: 10 },
    { response: 'Using Python: \\boxed{3}', correct: false, length: 20 },
    { response: 'By hand, the answer is 2', correct: true, length: 30 },
    { response: 'By hand: \\boxed{}', correct: false, length: 40 },
  ];
  assert.equal(codeRate(samples), 0.5);
  assert.deepEqual(accuracyByCode(samples), { code: { count: 2, accuracy: 0.5 }, noCode: { count: 2, accuracy: 0.5 } });
  assert.deepEqual(accuracyByCode(samples.slice(2)).code, { count: 0, accuracy: null });
  assert.equal(boxedRate(samples), 0.5); // the empty box does not count
  assert.equal(meanLength(samples), 25);
});

test('gradeSample and summarizeEval put it together', () => {
  const gold = '\\frac{1}{2}';
  const groups = [
    [gradeSample('python: \\boxed{0.5}', gold), gradeSample('so \\boxed{1/3}', gold, { tokens: 5 })],
    [gradeSample('The answer is 2', '2'), gradeSample('\\boxed{2}', '2')],
  ];
  assert.deepEqual(
    { ...groups[0]![0]!, response: undefined },
    { response: undefined, extracted: '0.5', correct: true, hasCode: true, boxed: true, length: 19 },
  );
  assert.equal(groups[0]![1]!.length, 5);
  const summary = summarizeEval(groups);
  assert.equal(summary.problems, 2);
  assert.equal(summary.k, 2);
  assert.equal(summary.pass1, 1);
  assert.equal(summary.avgAtK, 0.75);
  assert.equal(summary.passAtK, 1);
  assert.equal(summary.majAtK, 1);
  assert.equal(summary.codeRate, 0.25);
  assert.equal(summary.boxedRate, 0.75);
  assert.deepEqual(summary.accuracyByCode, { code: { count: 1, accuracy: 1 }, noCode: { count: 3, accuracy: 2 / 3 } });
  assert.throws(() => summarizeEval([[groups[0]![0]!], groups[1]!]), RangeError);
});
