// The Math-Verify grader's verdicts are bounded by the deterministic budget (budget.ts), never by a clock:
// pathological inputs (100 kB strings, huge exponents, deep nesting) come back "not equal (budget
// exceeded)" or an ordinary verdict, and a smaller budget gives the same verdict on every machine.
// How long they take is measured in bench/math-verify.ts, not asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradeMathVerify } from '../../../src/grader/index.js';

const EXCEEDED = 'not equal (budget exceeded)';

test('pathological inputs are "not equal (budget exceeded)"', () => {
  const cases: Array<[string, string, string]> = [
    ['a 100 kB number in a box', `\\boxed{${'9'.repeat(100_000)}}`, '9'],
    ['a 100 kB sum', `${'1+'.repeat(50_000)}1`, '2'],
    ['a 60 kB inline formula', `$${'x+'.repeat(30_000)}x$`, 'x'],
    ['a tower of powers', '\\boxed{10^{10^{10^{10}}}}', '1'],
    ['a 9-digit exponent', '\\boxed{2^{999999999}}', '3^{999999999}'],
    ['two values past floating point', '\\boxed{10^{400}}', '10^{401}'],
    ['2000 nested parentheses', `\\boxed{${'('.repeat(2000)}1${')'.repeat(2000)}}`, '1'],
    ['500 nested fractions', `\\boxed{${'\\frac{1}{'.repeat(500)}2${'}'.repeat(500)}}`, '1'],
    ['a 100 kB gold', '\\boxed{1}', '1'.repeat(100_000)],
  ];
  const got = cases.map(([name, r, g]) => [name, gradeMathVerify(r, g).reason]);
  assert.deepEqual(got, cases.map(([name]) => [name, EXCEEDED]));
});

test('100 kB responses with ordinary answers are graded (linear scans, not backtracking)', () => {
  assert.equal(gradeMathVerify('1 '.repeat(50_000), '1').equal, true);
  assert.equal(gradeMathVerify('answer = 1 '.repeat(10_000), '1').equal, true);
  assert.equal(gradeMathVerify('\\boxed{1}'.repeat(10_000), '1').equal, true);
  assert.deepEqual(gradeMathVerify('a'.repeat(100_000), '1'), { equal: false, reason: 'no answer found', extracted: null });
  assert.equal(gradeMathVerify('$'.repeat(100_000), '1').equal, false);
  assert.equal(gradeMathVerify(`\\boxed{${'{'.repeat(100_000)}`, '1').equal, false);
});

test('the same over-budget verdict whatever the machine: a budget of a few operations', () => {
  const response = 'So the answer is $\\boxed{(x+1)^2}$.';
  assert.equal(gradeMathVerify(response, 'x^2+2x+1').equal, true);
  assert.equal(gradeMathVerify(response, 'x^2+2x+1', { budget: { operations: 3 } }).reason, EXCEEDED);
  assert.equal(gradeMathVerify(response, 'x^2+2x+1', { budget: { digits: 0 } }).reason, EXCEEDED);
});
