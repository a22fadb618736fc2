// Every reward of the paper on crafted responses, and the combinators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/rng.js';
import {
  andReward,
  anyAnswerReward,
  containsReward,
  correctReward,
  formatReward,
  ifThenElseReward,
  noRepetitionReward,
  notReward,
  oneShotReward,
  orReward,
  pythonCodeBlockReward,
  pythonReward,
  randomReward,
  weightedSumReward,
  withoutPythonReward,
  type RewardFn,
} from '../../src/grader/index.js';

const never = () => {
  throw new Error('this reward must not draw random numbers');
};
const item = (label: string | number) => ({ label });

test('ground truth: 1 iff the extracted answer equals the label', () => {
  const r = correctReward();
  assert.equal(r('So the result is $\\boxed{\\frac{1}{2}}$.', item('0.5'), never), 1);
  assert.equal(r('So the result is $\\boxed{\\frac{1}{3}}$.', item('0.5'), never), 0);
  // No box needed: "the answer is" and the last-number fallback count, as in the paper.
  assert.equal(r('The answer is 12.', item('12'), never), 1);
  assert.equal(r('We compute 7 + 5 = 12', item('12'), never), 1);
  assert.equal(r('', item('12'), never), 0);
  // Numeric labels (AMC floats, AIME integers) are read as text.
  assert.equal(r('\\boxed{142}', item(142), never), 1);
  assert.equal(r('\\boxed{142}', item('142.0'), never), 1);
});

test('ground truth reads the label from another field when told, and refuses items without one', () => {
  const r = correctReward({ labelKey: 'answer' });
  assert.equal(r('\\boxed{7}', { answer: '7' }, never), 1);
  assert.throws(() => r('\\boxed{7}', { label: '7' }, never), /no answer/);
  assert.throws(() => correctReward()('\\boxed{7}', {}, never), /no label/);
});

test('ground truth with _r1_style reads the <answer> region', () => {
  const response = '<think>maybe \\boxed{3}</think> <answer>4</answer>';
  assert.equal(correctReward()(response, item('4'), never), 0);
  assert.equal(correctReward({ r1Style: true })(response, item('4'), never), 1);
});

test('one-shot RL is ground truth on its one example (the data repeats the example)', () => {
  // The paper's π1 example has label 12.8; a take(1) dataset feeds the same item to every rollout.
  const pi1 = { label: '12.8', prompt: 'wind pressure on a sail …' };
  const batch = Array.from({ length: 8 }, () => pi1);
  const responses = ['\\boxed{12.8}', '\\boxed{12.80}', '\\boxed{\\frac{64}{5}}', '\\boxed{13}'];
  assert.deepEqual(
    responses.map((resp, i) => oneShotReward()(resp, batch[i]!, never)),
    [1, 1, 1, 0],
  );
});

test('format: a non-empty last `boxed`, correctness ignored', () => {
  const r = formatReward();
  assert.equal(r('\\boxed{wrong}', item('5'), never), 1);
  assert.equal(r('\\boxed{}', item('5'), never), 0);
  assert.equal(r('\\boxed{ }', item('5'), never), 0);
  assert.equal(r('\\boxed{\\text{}}', item('5'), never), 0);
  assert.equal(r('The answer is 5', item('5'), never), 0); // no box, no fallback
  assert.equal(r('\\fbox{5}', item('5'), never), 0);
  assert.equal(r('\\boxed{5} but finally \\boxed{}', item('5'), never), 0); // the last occurrence decides
  assert.equal(r('I boxed it$', item('5'), never), 1); // keyed on the substring, as in the paper
  // R1 style: any non-empty <answer> region (the paper's behaviour, almost always 1).
  assert.equal(formatReward({ r1Style: true })('<answer>5</answer>', item('5'), never), 1);
  assert.equal(formatReward({ r1Style: true })('<think>x</think><answer></answer>', item('5'), never), 0);
});

test('any-answer format (the paper\'s unused `format` task) accepts the last-number fallback', () => {
  assert.equal(anyAnswerReward()('we get 3', item('5'), never), 1);
  assert.equal(anyAnswerReward()('nothing', item('5'), never), 0);
});

test('random(γ): 1 with probability γ, one draw per call, whatever the response', () => {
  const rng = new Rng(42, 'reward');
  const r = randomReward(0.3);
  const n = 20000;
  let ones = 0;
  for (let i = 0; i < n; i++) ones += r('anything', item('5'), rng);
  const sd = Math.sqrt((0.3 * 0.7) / n);
  assert.ok(Math.abs(ones / n - 0.3) < 4 * sd, `frequency ${ones / n}`);

  let draws = 0;
  const counting = () => (draws++, 0.5);
  for (const gamma of [0, 0.5, 1]) randomReward(gamma)('x', item('5'), counting);
  assert.equal(draws, 3); // also γ = 0 and γ = 1 draw, so the stream does not depend on γ
  assert.equal(randomReward(0)('x', item('5'), () => 0), 0); // rng < γ is strict
  assert.equal(randomReward(1)('x', item('5'), () => 0.999999), 1);
  assert.equal(randomReward(0.5)('x', item('5'), () => 0.5), 0);
  assert.equal(randomReward(0.5)('x', item('5'), () => 0.4999), 1);

  // The same seed gives the same rewards.
  const a = new Rng(7);
  const b = new Rng(7);
  const seq = (g: Rng) => Array.from({ length: 50 }, () => r('x', item('5'), g));
  assert.deepEqual(seq(a), seq(b));

  for (const bad of [-0.1, 1.1, Number.NaN]) assert.throws(() => randomReward(bad), RangeError);
});

test('python mention: case-insensitive substring `python`, backticks not needed', () => {
  assert.equal(pythonReward('Let me write Python code', item('5'), never), 1);
  assert.equal(pythonReward('```python\nprint(1)\n```', item('5'), never), 1);
  assert.equal(pythonReward('PYTHONIC reasoning', item('5'), never), 1);
  assert.equal(pythonReward('I will use py code', item('5'), never), 0);
  assert.equal(pythonCodeBlockReward('Let me use Python', item('5'), never), 0);
  assert.equal(pythonCodeBlockReward('```Python\nx=1```', item('5'), never), 1);
  assert.equal(containsReward('Python', { caseSensitive: true })('python', item('5'), never), 0);
  assert.equal(containsReward('python')('PyThOn', item('5'), never), 1);
});

test('no-python compounds: X and not python', () => {
  const fmt = withoutPythonReward(formatReward());
  assert.equal(fmt('\\boxed{5}', item('5'), never), 1);
  assert.equal(fmt('```python\nprint(5)\n```\n\\boxed{5}', item('5'), never), 0);
  assert.equal(fmt('no box, no code', item('5'), never), 0);
  const gt = withoutPythonReward(correctReward());
  assert.equal(gt('\\boxed{5}', item('5'), never), 1);
  assert.equal(gt('\\boxed{5}', item('6'), never), 0);
  assert.equal(gt('python says \\boxed{5}', item('5'), never), 0);
});

test('no-repetition: 0 iff a 10–256 character substring repeats ≥ 10 times back to back', () => {
  const r = noRepetitionReward();
  // The paper's own example: a 23-character sentence repeated 21 times.
  const looping = 'so the answer is 5050.' + ' so the answer is 5050.'.repeat(20);
  assert.equal(r(looping, item('5050'), never), 0);
  const unit = 'abcdefghij'; // 10 characters
  assert.equal(r(`start ${unit.repeat(9)} end`, item('x'), never), 1);
  assert.equal(r(`start ${unit.repeat(10)} end`, item('x'), never), 0);
  assert.equal(r('a normal solution with 1 + 2 = 3, then \\boxed{3}.', item('3'), never), 1);
});

test('combinators: and, or, not, weighted sums, if-then-else', () => {
  const one: RewardFn = () => 1;
  const zero: RewardFn = () => 0;
  assert.equal(andReward(one, one)('x', item('1'), never), 1);
  assert.equal(andReward(one, zero)('x', item('1'), never), 0);
  assert.equal(orReward(zero, one)('x', item('1'), never), 1);
  assert.equal(orReward(zero, zero)('x', item('1'), never), 0);
  assert.equal(notReward(one)('x', item('1'), never), 0);
  assert.equal(notReward(zero)('x', item('1'), never), 1);
  const mix = weightedSumReward([
    { weight: 0.7, reward: correctReward() },
    { weight: 0.3, reward: formatReward() },
  ]);
  assert.ok(Math.abs(mix('\\boxed{5}', item('5'), never) - 1) < 1e-12);
  assert.ok(Math.abs(mix('\\boxed{4}', item('5'), never) - 0.3) < 1e-12);
  assert.ok(Math.abs(mix('it is 5', item('5'), never) - 0.7) < 1e-12);
  const ite = ifThenElseReward(pythonReward, zero, correctReward());
  assert.equal(ite('python: \\boxed{5}', item('5'), never), 0);
  assert.equal(ite('\\boxed{5}', item('5'), never), 1);
  assert.throws(() => andReward(), RangeError);
  assert.throws(() => weightedSumReward([{ weight: Number.POSITIVE_INFINITY, reward: one }]), RangeError);
});

test('combinators evaluate every sub-reward once, so random draws do not depend on other outcomes', () => {
  let draws = 0;
  const rng = () => (draws++, 0.1);
  const compound = andReward(formatReward(), randomReward(0.5));
  compound('no box at all', item('5'), rng); // format is 0: a short-circuit would skip the draw
  compound('\\boxed{5}', item('5'), rng);
  assert.equal(draws, 2);
  ifThenElseReward(formatReward(), randomReward(0.5), randomReward(0.5))('\\boxed{1}', item('1'), rng);
  assert.equal(draws, 4);
});
