// `--engine verl` on the command line: check reports what verl cannot express of each cell at the field
// that set it (golden), explain adds the engine's issues and the verl.yaml keys, compile refuses a spec with
// refused cells with the same located errors, and without --engine nothing of verl is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { check } from '../../../src/checker/check.js';
import { renderReport } from '../../../src/diagnostics/render.js';
import { verlEngine } from '../../../src/engines/verl/index.js';
import { expectGolden, FIXTURES } from '../../helpers/golden.js';
import { rlvrc } from '../../helpers/cli.js';

const DIR = join(FIXTURES, 'engines');

test('check --engine verl: refusals and approximations at the fields that set them (golden)', () => {
  const result = check(['verl-small.rlvr'], { cwd: DIR, engine: verlEngine });
  expectGolden(join(DIR, 'verl-small.diagnostics.txt'), renderReport(result.diagnostics, { sources: result.sources, color: false }));
  const codes = result.diagnostics.filter(d => d.code.startsWith('RLVR70')).map(d => `${d.code}@${d.span.start.line}`);
  assert.deepEqual(codes, ['RLVR7005@9', 'RLVR7025@12', 'RLVR7004@13', 'RLVR7020@14', 'RLVR7008@17', 'RLVR7010@28']);
  assert.deepEqual(result.experiments[0]!.cells, [], 'refused cells are not handed on');
  const tfjs = check(['verl-small.rlvr'], { cwd: DIR });
  assert.deepEqual(tfjs.diagnostics.filter(d => d.code.startsWith('RLVR70')), [], 'tfjs is the default and runs every valid cell');
  assert.equal(tfjs.experiments[0]!.cells.length, 1);
});

test('the CLI: check exits 1 on refusals, explain shows the verl section, compile --engine verl refuses the spec where check does', () => {
  const c = rlvrc(['check', 'verl-small.rlvr', '--engine', 'verl'], { cwd: DIR });
  assert.equal(c.status, 1);
  assert.match(c.stderr, /warning\[RLVR7004\]: verl: verl's grpo estimator stops at/);
  assert.match(c.stderr, /error\[RLVR7008\]: verl: both count the warmup in RL steps/);
  assert.match(c.stderr, /warning\[RLVR7010\]: verl: eval 'sampled_eval' samples unlike eval 'greedy_eval'/);
  assert.equal(rlvrc(['check', 'verl-small.rlvr'], { cwd: DIR }).status, 0);
  const e = rlvrc(['explain', 'verl-small.rlvr', '--cell', 'default', '--engine', 'verl'], { cwd: DIR });
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /\nengine verl\n(.*\n)* {2}error\[RLVR7008\] optimizer\.warmup: /);
  assert.match(e.stdout, / {2}warning\[RLVR7004\] algorithm\.whiten: /);
  assert.match(e.stdout, /verl\.yaml \(the keys the spec decides; not runnable until the errors above are fixed\)/);
  assert.match(e.stdout, / {4}\s*ppo_mini_batch_size: 2\n/, '8 rollouts are 2 prompts of a group of 4: verl counts prompts');
  const k = rlvrc(['compile', 'verl-small.rlvr', '--engine', 'verl'], { cwd: DIR });
  assert.equal(k.status, 1, 'the located errors of check, and nothing written');
  assert.match(k.stderr, /error\[RLVR7008\]: verl: both count the warmup/);
  assert.doesNotMatch(k.stderr, /wrote /);
  const u = rlvrc(['check', 'verl-small.rlvr', '--engine', 'openrlhf'], { cwd: DIR });
  assert.equal(u.status, 2);
  assert.match(u.stderr, /--engine must be one of tfjs, verl, not 'openrlhf'/);
});

test('compile --engine verl --only: the chosen rows of paper.rlvr compile for verl; the whole file does not; a pattern that selects nothing is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-verl-only-'));
  try {
    const whole = rlvrc(['compile', 'experiments/paper.rlvr', '--engine', 'verl', '--out', join(dir, 'all')]);
    assert.equal(whole.status, 1);
    assert.match(whole.stderr, /error\[RLVR7021\]: verl: /);
    assert.match(whole.stderr, /error\[RLVR7013\]: verl: /);
    const main = rlvrc(['compile', 'experiments/paper.rlvr', '--engine', 'verl', '--only', 'main/', '--out', join(dir, 'gen')]);
    assert.equal(main.status, 0, main.stderr);
    assert.doesNotMatch(main.stderr, /^error/m);
    assert.match(main.stderr, /warning\[RLVR7014\]: verl: the majority label of 64 samples/);
    const list = spawnSync(process.execPath, [join(dir, 'gen', 'paper.js'), '--list'], { encoding: 'utf8' });
    assert.equal(list.stdout.trim().split('\n').length, 10);
    assert.ok(list.stdout.split('\n').every(l => l === '' || l.startsWith('main/')));
    const none = rlvrc(['compile', 'experiments/paper.rlvr', '--engine', 'verl', '--only', 'mian/', '--out', join(dir, 'x')]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--only 'mian\/' selects no cell/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
