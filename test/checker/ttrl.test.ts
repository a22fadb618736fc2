// TTRL (test-time RL): `majority_label(online = true)` relabels every step's prompts from the current policy.
// What the checker makes of it: the cell config carries `online: true` only when set (offline cells keep
// their configs and hashes), the canonical text says it, and a `where` condition on majority_label or a
// non-boolean `online` is rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../src/checker/index.js';
import { configHash } from '../../src/runtime/run/hash.js';

const ROOT = '/virtual';
function run(reward: string, extra = '') {
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
  ${extra}
  reward r = ${reward}
  algorithm grpo { prompts_per_step = 4, group = 4, minibatch = 8, max_tokens = 40 }
  optimizer adam { lr = 1e-4 }
  train { model = tiny, data = arith.train, reward = r, algorithm = grpo, optimizer = adam, steps = 5 }
  eval held_out { data = arith.test, greedy, metrics = [accuracy] }
}
`;
  const host = { readFile: (p: string) => (p === `${ROOT}/main.rlvr` ? main : undefined) };
  const fs = { exists: () => true, isDirectory: () => true };
  return check(['main.rlvr'], { cwd: ROOT, host, fs });
}
const codes = (r: ReturnType<typeof run>) => r.diagnostics.map(d => `${d.span.start.line}:${d.span.start.column} ${d.code}`);
const cell = (r: ReturnType<typeof run>) => r.experiments[0]!.cells[0]!;

test('online = true lowers to online: true in the cell config and in the canonical text', () => {
  const r = run('correct(majority_label(samples = 64, temperature = 1.0, online = true))');
  assert.deepEqual(codes(r), []);
  const c = cell(r);
  assert.deepEqual(c.reward.expr, { op: 'correct', target: 'majority_label', samples: 64, temperature: 1, online: true });
  assert.equal(c.reward.text, 'correct(majority_label(samples = 64, temperature = 1, online = true))');
  assert.equal(c.reward.filter, null);
  assert.equal(c.reward.needs_labels, false, 'online majority labels come from the policy, not the data');
});

test('online = false is the default: the config, its text and its hash are those of a spec without it', () => {
  const without = cell(run('correct(majority_label(samples = 8, temperature = 0.7))'));
  const off = cell(run('correct(majority_label(samples = 8, temperature = 0.7, online = false))'));
  const on = cell(run('correct(majority_label(samples = 8, temperature = 0.7, online = true))'));
  assert.ok(!('online' in without.reward.expr), 'offline configs have no online field');
  assert.equal(without.reward.text, 'correct(majority_label(samples = 8, temperature = 0.7))');
  assert.deepEqual(off, without);
  assert.equal(configHash(off), configHash(without));
  assert.notEqual(configHash(on), configHash(without));
});

test("online labels go with a 'where' condition that does not read them (one-shot TTRL)", () => {
  const r = run('correct(majority_label(samples = 4, online = true)) where example == 0');
  assert.deepEqual(codes(r), []);
  assert.equal(cell(r).reward.text, 'correct(majority_label(samples = 4, temperature = 1, online = true)) where example == 0');
});

test("a 'where' condition on majority_label is rejected with online labels, at the condition", () => {
  const r = run('correct(majority_label(samples = 4, online = true)) where majority_label != label and example < 10');
  assert.deepEqual(codes(r), ['12:72 RLVR5025']);
  assert.match(r.diagnostics[0]!.summary, /cannot use majority_label when the majority labels are online/);
  // The same condition on offline labels is the paper's incorrect-label subset, and stays valid.
  assert.deepEqual(codes(run('correct(majority_label(samples = 4)) where majority_label != label')), []);
});

test('a condition on majority_label inherited from a named reward is rejected too', () => {
  const r = run('inc + correct(majority_label(samples = 4, online = true))', 'reward inc = correct(majority_label(samples = 4)) where majority_label != label');
  assert.deepEqual(codes(r), ['12:14 RLVR5025']);
});

test('online must be a boolean', () => {
  for (const [value, found] of [['1', /found the number 1$/], ['"true"', /found .*string/], ['yes', /found /], ['(true)', null]] as const) {
    const r = run(`correct(majority_label(online = ${value}))`);
    if (found === null) {
      assert.deepEqual(codes(r), [], 'parentheses are allowed');
      continue;
    }
    assert.deepEqual(r.diagnostics.map(d => d.code), ['RLVR3001'], value);
    assert.match(r.diagnostics[0]!.summary, /^majority_label online must be true or false, /);
    assert.match(r.diagnostics[0]!.summary, found);
  }
  const unknown = run('correct(majority_label(onlin = true))');
  assert.deepEqual(unknown.diagnostics.map(d => d.code), ['RLVR3005']);
  assert.match(unknown.diagnostics[0]!.fix ?? '', /online = false/);
});
