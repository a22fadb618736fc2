// The rewards that run: each reward expression is checked and compiled exactly as `rlvrc compile` does
// (checker → codegen's RewardCompiler → TypeScript transpiled to JavaScript: test/helpers/compiled-rewards.ts)
// and called with the runtime's reward primitives, on crafted responses. There is one reward library, src/runtime/cell/reward-primitives.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/checker/check.js';
import { compileRewards } from '../helpers/compiled-rewards.js';
import * as rt from '../../src/runtime/index.js';
import type { CellItem } from '../../src/runtime/cell/data.js';

const SPEC = (reward: string) => `experiment r {
  language = 1
  dataset arith = arithmetic { operands = 2..2, digits = 1..1, train = 100, test = 20 }
  model m = transformer {
    layers = 1
    d_model = 32
    heads = 2
    context = 64
    pretrain on arith.train { steps = 10, lr = 1e-3, family = qwen_math_like }
  }
  reward python = contains("python")
  reward ground_truth = correct(label)
  algorithm grpo { prompts_per_step = 2, group = 4, minibatch = 4, max_tokens = 48 }
  optimizer adam { lr = 1e-4 }
  train { model = m, data = arith.train, reward = ${reward}, algorithm = grpo, optimizer = adam, steps = 2 }
  eval held_out { data = arith.test, every = 2, greedy, metrics = [accuracy] }
}`;

type Compiled = { reward: (text: string, item: Partial<CellItem>, rng: rt.Rng | { next(): number }, r1Style?: boolean) => number; filter: ((item: Partial<CellItem>) => boolean) | null };

/** The reward (and `where` filter) a spec's `reward = EXPR` compiles to, as the generated program holds it. */
function compiled(expr: string): Compiled {
  const result = check([{ file: 'r.rlvr', text: SPEC(expr) }], { cwd: '/' });
  const errors = result.diagnostics.filter(d => d.severity === 'error');
  assert.deepEqual(errors.map(d => d.summary), [], expr);
  const cell = result.experiments[0]!.cells[0]!;
  const made = compileRewards([cell])[cell.reward.text]!;
  return { reward: (text, item, rng, r1Style = false) => made.reward({ text, r1Style }, item as CellItem, rng as rt.Rng), filter: made.filter as Compiled['filter'] };
}

const never = { next: () => { throw new Error('this reward must not draw random numbers'); } };
const item = (label: string | null, more: Partial<CellItem> = {}): Partial<CellItem> => ({ id: 'p', example: 0, question: 'q', prompt: 'q', label, ...more });

test('ground truth: 1 iff the extracted answer equals the label; no label scores 0', () => {
  const { reward: r } = compiled('correct(label)');
  assert.equal(r('So the result is $\\boxed{\\frac{1}{2}}$.', item('0.5'), never), 1);
  assert.equal(r('So the result is $\\boxed{\\frac{1}{3}}$.', item('0.5'), never), 0);
  // No box needed: "the answer is" and the last-number fallback count, as in the paper.
  assert.equal(r('The answer is 12.', item('12'), never), 1);
  assert.equal(r('We compute 7 + 5 = 12', item('12'), never), 1);
  assert.equal(r('', item('12'), never), 0);
  assert.equal(r('\\boxed{142}', item('142.0'), never), 1);
  // An item without a label scores 0 (the checker refuses a labelled reward on unlabelled data, RLVR5010).
  assert.equal(r('\\boxed{7}', item(null), never), 0);
});

test('ground truth with r1_style reads the <answer> region', () => {
  const { reward: r } = compiled('correct(label)');
  const response = '<think>maybe \\boxed{3}</think> <answer>4</answer>';
  assert.equal(r(response, item('4'), never), 0);
  assert.equal(r(response, item('4'), never, true), 1);
});

test('majority-vote label: graded against the item\'s majority_label; none scores 0', () => {
  const { reward: r } = compiled('correct(majority_label(samples = 8, temperature = 1.0))');
  assert.equal(r('\\boxed{5}', item('6', { majority_label: '5' }), never), 1);
  assert.equal(r('\\boxed{6}', item('6', { majority_label: '5' }), never), 0);
  assert.equal(r('\\boxed{6}', item('6', { majority_label: null }), never), 0);
});

test('incorrect label and one-shot: the `where` filter picks the prompts, the reward is plain correctness', () => {
  const incorrect = compiled('correct(majority_label(samples = 8, temperature = 1.0)) where majority_label != label');
  assert.ok(incorrect.filter);
  assert.equal(incorrect.filter(item('12.8', { majority_label: '13' })), true);
  assert.equal(incorrect.filter(item('12.8', { majority_label: '\\frac{64}{5}' })), false, 'labels compare as answers');
  const oneShot = compiled('correct(label) where example == 0');
  assert.equal(oneShot.filter!(item('12.8', { example: 0 })), true);
  assert.equal(oneShot.filter!(item('12.8', { example: 1 })), false);
  assert.deepEqual(['\\boxed{12.8}', '\\boxed{12.80}', '\\boxed{\\frac{64}{5}}', '\\boxed{13}'].map(s => oneShot.reward(s, item('12.8'), never)), [1, 1, 1, 0]);
});

test('format: a non-empty last `boxed`, correctness ignored', () => {
  const { reward: r } = compiled('boxed_nonempty');
  assert.equal(r('\\boxed{wrong}', item('5'), never), 1);
  assert.equal(r('\\boxed{}', item('5'), never), 0);
  assert.equal(r('\\boxed{ }', item('5'), never), 0);
  assert.equal(r('\\boxed{\\text{}}', item('5'), never), 0);
  assert.equal(r('The answer is 5', item('5'), never), 0); // no box, no fallback
  assert.equal(r('\\fbox{5}', item('5'), never), 0);
  assert.equal(r('\\boxed{5} but finally \\boxed{}', item('5'), never), 0); // the last occurrence decides
  assert.equal(r('I boxed it$', item('5'), never), 1); // keyed on the substring, as in the paper
  assert.equal(r('<answer>5</answer>', item('5'), never, true), 1);
  assert.equal(r('<think>x</think><answer></answer>', item('5'), never, true), 0);
});

test('random(γ): 1 with probability γ, one draw per call, whatever the response', () => {
  const r = compiled('random(0.3)').reward;
  const rng = new rt.Rng(42, 'reward');
  const n = 20000;
  let ones = 0;
  for (let i = 0; i < n; i++) ones += r('anything', item('5'), rng);
  const sd = Math.sqrt((0.3 * 0.7) / n);
  assert.ok(Math.abs(ones / n - 0.3) < 4 * sd, `frequency ${ones / n}`);
  let draws = 0;
  const counting = { next: () => (draws++, 0.5) };
  for (const gamma of ['0', '0.5', '1']) compiled(`random(${gamma})`).reward('x', item('5'), counting);
  assert.equal(draws, 3, 'γ = 0 and γ = 1 draw too, so the stream does not depend on γ');
  assert.equal(compiled('random(0.5)').reward('x', item('5'), { next: () => 0.5 }), 0, 'rng < γ is strict');
  assert.equal(compiled('random(0.5)').reward('x', item('5'), { next: () => 0.4999 }), 1);
  const seq = (g: rt.Rng) => Array.from({ length: 50 }, () => r('x', item('5'), g));
  assert.deepEqual(seq(new rt.Rng(7)), seq(new rt.Rng(7)));
});

test('python mention: case-insensitive substring, backticks not needed', () => {
  const r = compiled('python').reward;
  assert.equal(r('Let me write Python code', item('5'), never), 1);
  assert.equal(r('```python\nprint(1)\n```', item('5'), never), 1);
  assert.equal(r('PYTHONIC reasoning', item('5'), never), 1);
  assert.equal(r('I will use py code', item('5'), never), 0);
  assert.equal(compiled('contains("```python")').reward('Let me use Python', item('5'), never), 0);
  assert.equal(compiled('contains("```python")').reward('```Python\nx=1```', item('5'), never), 1);
});

test('no-python compounds: X and not python', () => {
  const fmt = compiled('boxed_nonempty and not python').reward;
  assert.equal(fmt('\\boxed{5}', item('5'), never), 1);
  assert.equal(fmt('```python\nprint(5)\n```\n\\boxed{5}', item('5'), never), 0);
  assert.equal(fmt('no box, no code', item('5'), never), 0);
  const gt = compiled('ground_truth and not python').reward;
  assert.equal(gt('\\boxed{5}', item('5'), never), 1);
  assert.equal(gt('\\boxed{5}', item('6'), never), 0);
  assert.equal(gt('python says \\boxed{5}', item('5'), never), 0);
});

test('no-repetition: 0 iff a 10–256 character substring repeats ≥ 10 times back to back', () => {
  const r = compiled('no_repetition').reward;
  const looping = 'so the answer is 5050.' + ' so the answer is 5050.'.repeat(20);
  assert.equal(r(looping, item('5050'), never), 0);
  const unit = 'abcdefghij';
  assert.equal(r(`start ${unit.repeat(9)} end`, item('x'), never), 1);
  assert.equal(r(`start ${unit.repeat(10)} end`, item('x'), never), 0);
  assert.equal(r('a normal solution with 1 + 2 = 3, then \\boxed{3}.', item('3'), never), 1);
});

test('combinators: or, weighted sums, if-then-else', () => {
  assert.equal(compiled('boxed_nonempty or python').reward('python', item('1'), never), 1);
  assert.equal(compiled('boxed_nonempty or python').reward('none', item('1'), never), 0);
  const mix = compiled('0.7 * ground_truth + 0.3 * boxed_nonempty').reward;
  assert.ok(Math.abs(mix('\\boxed{5}', item('5'), never) - 1) < 1e-12);
  assert.ok(Math.abs(mix('\\boxed{4}', item('5'), never) - 0.3) < 1e-12);
  assert.ok(Math.abs(mix('it is 5', item('5'), never) - 0.7) < 1e-12);
  const ite = compiled('if python then 0 else ground_truth').reward;
  assert.equal(ite('python: \\boxed{5}', item('5'), never), 0);
  assert.equal(ite('\\boxed{5}', item('5'), never), 1);
});

test('combinators evaluate every sub-reward once, so random draws do not depend on other outcomes', () => {
  let draws = 0;
  const rng = { next: () => (draws++, 0.1) };
  const both = compiled('boxed_nonempty and random(0.5)').reward;
  both('no box at all', item('5'), rng); // format is 0: a short-circuit would skip the draw
  both('\\boxed{5}', item('5'), rng);
  assert.equal(draws, 2);
  compiled('if boxed_nonempty then random(0.5) else random(0.5)').reward('\\boxed{1}', item('1'), rng);
  assert.equal(draws, 4);
});

test('correct(label, grader = math_verify) grades with Math-Verify: same spec, different verdicts where the graders differ', () => {
  const { reward: mv } = compiled('correct(label, grader = math_verify)');
  const { reward: paper } = compiled('correct(label)');
  // Both: a boxed fraction spelled \dfrac.
  assert.equal(mv('So $\\boxed{\\dfrac{1}{2}}$.', item('\\frac{1}{2}'), never), 1);
  assert.equal(paper('So $\\boxed{\\dfrac{1}{2}}$.', item('\\frac{1}{2}'), never), 1);
  // Math-Verify rounds decimals to 6 places (0.333333 = 1/3); the paper's decimals are exact.
  assert.equal(mv('\\boxed{0.333333}', item('\\frac{1}{3}'), never), 1);
  assert.equal(paper('\\boxed{0.333333}', item('\\frac{1}{3}'), never), 0);
  // Math-Verify reads a percentage as value/100; the paper drops the sign.
  assert.equal(mv('\\boxed{25\\%}', item('25'), never), 0);
  assert.equal(paper('\\boxed{25\\%}', item('25'), never), 1);
  // No answer, no label: 0.
  assert.equal(mv('', item('12'), never), 0);
  assert.equal(mv('\\boxed{7}', item(null), never), 0);
  // r1_style: only the <answer> region.
  assert.equal(mv('<think>\\boxed{3}</think> <answer>$4$</answer>', item('4'), never, true), 1);
});
