// Issue 20: the grader choice in a spec. `correct(label, grader = math_verify)` and an eval's
// `grader = math_verify` lower to `grader: 'math_verify'` in the cell config; the default (the paper's
// grader, named or not) leaves the config, its canonical text and its hash exactly as before; bad grader
// arguments get located diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/checker/index.js';
import { configHash } from '../../src/runtime/run/hash.js';

const ROOT = '/virtual';
function run(reward: string, evalExtra = '') {
  const main = `experiment e {
  language = 1
  dataset arith = arithmetic { operands = 2..2, train = 100, test = 50 }
  model tiny = transformer {
    layers = 1
    d_model = 32
    heads = 4
    context = 48
    pretrain on arith.train { steps = 10, lr = 1e-3, family = qwen_math_like }
  }
  reward r = ${reward}
  algorithm grpo { prompts_per_step = 4, group = 4, minibatch = 8, max_tokens = 40 }
  optimizer adam { lr = 1e-4 }
  train { model = tiny, data = arith.train, reward = r, algorithm = grpo, optimizer = adam, steps = 5 }
  eval held_out { data = arith.test, greedy, metrics = [accuracy]${evalExtra} }
}
`;
  const host = { readFile: (p: string) => (p === `${ROOT}/main.rlvr` ? main : undefined) };
  const fs = { exists: () => true, isDirectory: () => true };
  return check(['main.rlvr'], { cwd: ROOT, host, fs });
}
const diags = (r: ReturnType<typeof run>) => r.diagnostics.map(d => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.summary}`);
const cell = (r: ReturnType<typeof run>) => r.experiments[0]!.cells[0]!;

test('correct(label, grader = math_verify) lowers to grader: math_verify and says so in its text', () => {
  const r = run('correct(label, grader = math_verify)');
  assert.deepEqual(diags(r), []);
  assert.deepEqual(cell(r).reward.expr, { op: 'correct', target: 'label', grader: 'math_verify' });
  assert.equal(cell(r).reward.text, 'correct(label, grader = math_verify)');
});

test('a majority-vote target takes the grader too', () => {
  const r = run('correct(majority_label(samples = 8), grader = math_verify)');
  assert.deepEqual(diags(r), []);
  assert.deepEqual(cell(r).reward.expr, { op: 'correct', target: 'majority_label', samples: 8, temperature: 1, grader: 'math_verify' });
  assert.equal(cell(r).reward.text, 'correct(majority_label(samples = 8, temperature = 1), grader = math_verify)');
});

test('naming the default grader changes nothing: same config, text and hash as no grader', () => {
  const plain = run('correct(label)');
  const named = run('correct(label, grader = paper)', ', grader = paper');
  assert.deepEqual(diags(named), []);
  assert.deepEqual(cell(named), cell(plain));
  assert.equal(configHash(cell(named)), configHash(cell(plain)));
  assert.equal('grader' in cell(plain).evals[0]!, false);
});

test("an eval's grader = math_verify lowers to the eval config", () => {
  const r = run('correct(label)', ', grader = math_verify');
  assert.deepEqual(diags(r), []);
  assert.equal(cell(r).evals[0]!.grader, 'math_verify');
});

test('an unknown grader is RLVR3004 with a suggestion, at the value', () => {
  assert.deepEqual(diags(run('correct(label, grader = math_verfy)')), ["11:38 RLVR3004 'math_verfy' is not a valid grader"]);
  const r = run('correct(label, grader = math_verfy)');
  assert.match(JSON.stringify(r.diagnostics[0]), /math_verify/);
  assert.deepEqual(diags(run('correct(label)', ', grader = sympy')).map(d => d.replace(/^\d+:\d+ /, '')), ["RLVR3004 'sympy' is not a valid grader"]);
});

test('a grader that is not a name is RLVR3001', () => {
  assert.deepEqual(diags(run('correct(label, grader = 3)')), ['11:38 RLVR3001 the grader of correct must be paper or math_verify, found the number 3']);
});

test('another named argument, or two answers, is RLVR3005', () => {
  assert.deepEqual(diags(run('correct(label, checker = math_verify)')), ["11:29 RLVR3005 correct: unknown argument 'checker'"]);
  assert.deepEqual(diags(run('correct(label, label)')), ['11:14 RLVR3005 correct: takes one answer argument and an optional grader, got 2 arguments']);
  assert.deepEqual(diags(run('correct(label, grader = math_verify, grader = paper)')), ['11:14 RLVR3005 correct: takes one answer argument and an optional grader, got 3 arguments']);
});
