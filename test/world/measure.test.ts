import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answersMatch, containsPython, extractAnswer, measureResponses } from '../../src/runtime/world/index.js';

test('extraction: last \\boxed{} with matched braces, else the last number', () => {
  assert.equal(extractAnswer('\\boxed{1} then \\boxed{-23}'), '-23');
  assert.equal(extractAnswer('x \\boxed{\\frac{1}{2}} 7'), '\\frac{1}{2}');
  assert.equal(extractAnswer('python:t=2+3#5;ans=5'), '5');
  assert.equal(extractAnswer('so ans=-12'), '-12');
  assert.equal(extractAnswer('1,000 apples'), '1000');
  assert.equal(extractAnswer('\\boxed{4 and 5'), '5', 'an unclosed box falls back to the last number');
  assert.equal(extractAnswer('no digits'), null);
});

test('answers match numerically, code is detected by the substring python in any case', () => {
  assert.ok(answersMatch('23', '23') && answersMatch('23.0', '23') && answersMatch('-0', '0'));
  assert.ok(!answersMatch('24', '23') && !answersMatch(null, '23') && !answersMatch('', '0'));
  assert.ok(containsPython('I will use PYTHON') && containsPython('python:t=1'));
  assert.ok(!containsPython('py:t=1') && !containsPython('4 times 5 is 20.'));
});

test('measureResponses counts code rate, accuracy per strategy and boxed rate', () => {
  const m = measureResponses([
    { response: 'python:t=2+3#5;\\boxed{5}', answer: '5' },
    { response: 'python:t=2+3#6;ans=6', answer: '5' },
    { response: 'python:t=1+1#2;ans=2', answer: '2' },
    { response: '2 plus 3 is 5. so ans=5', answer: '5' },
  ]);
  assert.deepEqual(m, { n: 4, codeRate: 0.75, accuracy: 0.75, boxedRate: 0.25, code: { n: 3, accuracy: 2 / 3 }, language: { n: 1, accuracy: 1 } });
  assert.deepEqual(measureResponses([]).language, { n: 0, accuracy: null });
});
