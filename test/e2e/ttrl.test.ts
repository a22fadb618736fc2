// TTRL end to end: `correct(majority_label(samples = 4, online = true))` on the tiny cell. The labels are
// recomputed from the current policy before every step: the log says so once, nothing goes to the label
// cache, the rewards are graded against labels that exist (a reward with no labels is 0 everywhere), and a
// run killed mid-training resumes with the labels, and so the numbers, of an uninterrupted run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rlvrc } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { userProject } from '../helpers/user-project.js';

const SPEC = join(REPO, 'test/fixtures/e2e/ttrl.rlvr');
const CELL = 'default';

function program(dir: string, args: string[]) {
  return spawnSync(process.execPath, ['generated/ttrl.js', ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
}
const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
/** Metrics without the wall-clock timings, which legitimately differ between runs. */
const numbers = (records: Array<Record<string, unknown>>) => records.map(r => Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith('_seconds'))));

test('TTRL: online majority labels are recomputed every step, never cached, and a resumed run gets the same ones', async () => {
  const dir = userProject([SPEC]);
  const c = rlvrc(['compile', 'ttrl.rlvr'], { cwd: dir });
  assert.equal(c.status, 0, c.stderr);
  assert.match(readFileSync(join(dir, 'generated', 'ttrl.ts'), 'utf8'), /"online": true/, 'the cell config carries online: true');

  const whole = program(dir, ['--cell', CELL, '--out', 'runs-a']);
  assert.equal(whole.status, 0, whole.stderr + whole.stdout);
  const a = join(dir, 'runs-a', CELL);
  const log = whole.stdout + whole.stderr; // with --cell the cell logs to the program's output
  assert.equal(log.match(/majority labels: online, 4 samples per prompt at temperature 1, recomputed every step/g)?.length, 1, log);
  assert.doesNotMatch(log, /majority labels: \d+ prompt\(s\)/, 'no labels are computed once up front');
  assert.ok(!existsSync(join(dir, 'runs-a', '.pretrained', 'labels')), 'nothing is written to the label cache');
  const manifest = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8')) as { seeds: { derived: Record<string, unknown> } };
  assert.ok('majority-online' in manifest.seeds.derived, `online labels were sampled: ${JSON.stringify(manifest.seeds.derived)}`);
  assert.ok(!('majority' in manifest.seeds.derived), 'and the offline labeller never ran');
  const metrics = jsonl(join(a, 'metrics.jsonl'));
  assert.deepEqual(metrics.map(m => m.step), [1, 2, 3, 4, 5, 6]);
  // Every rollout agrees with its prompt's majority label now and then; with no label, correct(...) is always 0.
  assert.ok(metrics.some(m => (m.reward_mean as number) > 0), `rewards: ${metrics.map(m => m.reward_mean).join(', ')}`);

  // The same cell, killed hard as soon as its first checkpoint is complete, then run again: it resumes.
  const child = spawn(process.execPath, ['generated/ttrl.js', '--cell', CELL, '--out', 'runs-b'], { cwd: dir, stdio: 'ignore' });
  const ckpts = join(dir, 'runs-b', CELL, 'checkpoints');
  const deadline = Date.now() + 120_000;
  while (!(existsSync(ckpts) && readdirSync(ckpts).some(n => /^step-\d+$/.test(n))) && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise(r => child.once('exit', r));
  const resumed = program(dir, ['--cell', CELL, '--out', 'runs-b']);
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  const b = join(dir, 'runs-b', CELL);
  const result = JSON.parse(readFileSync(join(b, 'result.json'), 'utf8')) as { status: string; resumed_from_step: number | null };
  assert.equal(result.status, 'finished');
  assert.ok(result.resumed_from_step !== null && result.resumed_from_step >= 2 && result.resumed_from_step < 6, `resumed from ${result.resumed_from_step}`);
  // The labels of the steps after the checkpoint come from the restored policy and the step's own seed.
  assert.deepEqual(numbers(jsonl(join(b, 'metrics.jsonl'))), numbers(metrics));
  assert.ok(!existsSync(join(dir, 'runs-b', '.pretrained', 'labels')));
});
