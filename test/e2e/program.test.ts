// The whole path on a real (tiny) experiment: rlvrc compile → node generated/<name>.js, run from a user's
// folder. Checks the crash promise (SIGKILL mid-training, re-run resumes and ends with the same numbers
// as an uninterrupted run), failure isolation in a grid, skipping finished cells, and the Slurm array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rlvrc } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { userProject } from '../helpers/user-project.js';
import { requires } from '../helpers/requires.js';

const TINY = join(REPO, 'test/fixtures/e2e/tiny.rlvr');
const CELL = 'reward=ground_truth';

function program(dir: string, args: string[]) {
  return spawnSync(process.execPath, ['generated/tiny.js', ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
}

const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
/** Metrics without the wall-clock timings, which legitimately differ between runs. */
const numbers = (records: Array<Record<string, unknown>>) => records.map(r => Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith('_seconds'))));

test('compile writes the program; --list names the grid cells', () => {
  const dir = userProject([TINY]);
  const c = rlvrc(['compile', 'tiny.rlvr'], { cwd: dir });
  assert.equal(c.status, 0, c.stderr);
  // No package.json says "type": "module" here, so compile writes one beside the programs (src/cli/out-dir.ts).
  assert.equal(c.stderr, 'wrote generated/package.json ({"type": "module"}: the programs are ES modules)\nwrote generated/tiny.ts and generated/tiny.js\n');
  const list = program(dir, ['--list']);
  assert.equal(list.status, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split('\n'), ['reward=ground_truth', 'reward=random']);
});

test('a run killed with SIGKILL mid-training resumes and ends with the numbers of an uninterrupted run', async () => {
  const dir = userProject([TINY]);
  assert.equal(rlvrc(['compile', 'tiny.rlvr'], { cwd: dir }).status, 0);
  const whole = program(dir, ['--cell', CELL, '--out', 'runs-a']);
  assert.equal(whole.status, 0, whole.stderr + whole.stdout);

  // Start the same cell, and kill it hard as soon as its first checkpoint is complete.
  const child = spawn(process.execPath, ['generated/tiny.js', '--cell', CELL, '--out', 'runs-b'], { cwd: dir, stdio: 'ignore' });
  const ckpts = join(dir, 'runs-b', CELL, 'checkpoints');
  const deadline = Date.now() + 120_000;
  while (!(existsSync(ckpts) && readdirSync(ckpts).some(n => /^step-\d+$/.test(n))) && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise(r => child.once('exit', r));
  const partial = jsonl(join(dir, 'runs-b', CELL, 'metrics.jsonl')).length;
  assert.ok(partial < 6, `the kill came too late to test anything (${partial} steps done)`);

  const resumed = program(dir, ['--cell', CELL, '--out', 'runs-b']);
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  const a = join(dir, 'runs-a', CELL);
  const b = join(dir, 'runs-b', CELL);
  const result = JSON.parse(readFileSync(join(b, 'result.json'), 'utf8')) as { status: string; resumed_from_step: number | null; final_metrics: unknown };
  assert.equal(result.status, 'finished');
  assert.ok(result.resumed_from_step !== null && result.resumed_from_step >= 2, `resumed from ${result.resumed_from_step}`);
  assert.deepEqual(numbers(jsonl(join(b, 'metrics.jsonl'))), numbers(jsonl(join(a, 'metrics.jsonl'))));
  assert.deepEqual(jsonl(join(b, 'eval.jsonl')), jsonl(join(a, 'eval.jsonl')));
  assert.deepEqual(result.final_metrics, (JSON.parse(readFileSync(join(a, 'result.json'), 'utf8')) as { final_metrics: unknown }).final_metrics);
});

test('SIGINT mid-training stops the cell after its current step (exit 130, interrupted); the re-run ends with the numbers of an uninterrupted run', async () => {
  const dir = userProject([TINY]);
  assert.equal(rlvrc(['compile', 'tiny.rlvr'], { cwd: dir }).status, 0);
  const longer = ['--set', 'train.steps=30'];
  const whole = program(dir, ['--cell', CELL, '--out', 'runs-a', ...longer]);
  assert.equal(whole.status, 0, whole.stderr + whole.stdout);

  // A training step is synchronous: the program must still see the signal between two steps.
  const child = spawn(process.execPath, ['generated/tiny.js', '--cell', CELL, '--out', 'runs-b', ...longer], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const metrics = join(dir, 'runs-b', CELL, 'metrics.jsonl');
  const deadline = Date.now() + 120_000;
  while (!(existsSync(metrics) && readFileSync(metrics, 'utf8').trim() !== '') && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  child.kill('SIGINT');
  const code = await new Promise<number | null>(r => child.once('exit', c => r(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /SIGINT: stopping after the current step/);
  assert.match(stderr, /interrupted; run the same command again to resume/);
  const partial = jsonl(metrics).length;
  assert.ok(partial < 30, `the cell ran to the end (${partial} steps) instead of stopping`);
  const manifest = JSON.parse(readFileSync(join(dir, 'runs-b', CELL, 'manifest.json'), 'utf8')) as { status: string };
  assert.equal(manifest.status, 'interrupted');
  assert.equal(existsSync(join(dir, 'runs-b', CELL, 'result.json')), false);

  const resumed = program(dir, ['--cell', CELL, '--out', 'runs-b', ...longer]);
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  const a = join(dir, 'runs-a', CELL);
  const b = join(dir, 'runs-b', CELL);
  assert.deepEqual(numbers(jsonl(join(b, 'metrics.jsonl'))), numbers(jsonl(join(a, 'metrics.jsonl'))));
  assert.deepEqual(jsonl(join(b, 'eval.jsonl')), jsonl(join(a, 'eval.jsonl')));
});

test('one failing cell does not stop the others; the summary names it; a re-run skips finished cells', () => {
  const dir = userProject([TINY]);
  // A grid over datasets where one file does not exist: the checker warns, the cell fails at run time.
  const spec = readFileSync(TINY, 'utf8')
    .replace('reward ground_truth', 'dataset missing = json("no-such-file.json") { question = "prompt", answer = "answer" }\n\n  reward ground_truth')
    .replace('reward in [ground_truth, random]', 'reward in [ground_truth]\n    data in [arith.train, missing]');
  writeFileSync(join(dir, 'tiny.rlvr'), spec);
  const c = rlvrc(['compile', 'tiny.rlvr'], { cwd: dir });
  assert.equal(c.status, 0, c.stderr);
  const run = program(dir, ['--jobs', '2', '--out', 'runs']);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const out = run.stdout + run.stderr;
  assert.match(out, /Summary: 1 finished, 1 failed, 0 skipped/);
  assert.match(out, /no-such-file\.json/);
  const again = program(dir, ['--out', 'runs']);
  assert.match(again.stdout + again.stderr, /1 skipped/);
});

test('rlvrc grid --emit slurm runs each cell of the compiled program as an array task on a real Slurm', t => {
  if (requires(t, 'slurm')) return;
  const up = spawnSync('bash', [join(REPO, 'scripts/slurm-up.sh')], { encoding: 'utf8' });
  assert.equal(up.status, 0, `slurm-up failed: ${up.stderr}`);
  const dir = userProject([TINY]);
  const g = rlvrc(['grid', 'tiny.rlvr', '--emit', 'slurm', '--time', '00:10:00', '--out', 'runs'], { cwd: dir });
  assert.equal(g.status, 0, g.stderr);
  writeFileSync(join(dir, 'job.sbatch'), g.stdout.replace("exec 'node'", `exec '${process.execPath}'`));
  const sub = spawnSync('sbatch', ['--parsable', 'job.sbatch'], { cwd: dir, encoding: 'utf8' });
  assert.equal(sub.status, 0, sub.stderr);
  const job = sub.stdout.trim().split(';')[0]!;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const q = spawnSync('squeue', ['-h', '-j', job], { encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') break;
    spawnSync('sleep', ['1']);
  }
  for (const [i, id] of ['reward=ground_truth', 'reward=random'].entries()) {
    const result = join(dir, 'runs', id, 'result.json');
    const log = join(dir, 'slurm-logs', `tiny-${i}.err`);
    assert.ok(existsSync(result), `cell ${id} left no result; slurm log: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(none)'}`);
    assert.equal((JSON.parse(readFileSync(result, 'utf8')) as { status: string }).status, 'finished');
  }
});

test('majority labels: the incorrect-label reward trains only where the majority is wrong, labels computed once and cached', () => {
  const dir = userProject([TINY]);
  const spec = readFileSync(TINY, 'utf8')
    .replace('reward random = random(0.5)', 'reward incorrect = correct(majority_label(samples = 4, temperature = 1.0)) where majority_label != label')
    .replace('reward in [ground_truth, random]', 'reward in [incorrect]');
  writeFileSync(join(dir, 'tiny.rlvr'), spec);
  assert.equal(rlvrc(['compile', 'tiny.rlvr'], { cwd: dir }).status, 0);
  const first = program(dir, ['--out', 'runs']);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  const log = readFileSync(join(dir, 'runs', 'reward=incorrect', 'log.txt'), 'utf8');
  assert.match(log, /majority labels: \d+ prompt\(s\) × 4 samples at temperature 1/);
  assert.match(log, /training prompt(s)? (selected by|satisfy) the reward's condition/);
  const labels = readdirSync(join(dir, 'runs', '.pretrained', 'labels'));
  assert.equal(labels.length, 1);
  const cached = JSON.parse(readFileSync(join(dir, 'runs', '.pretrained', 'labels', labels[0]!), 'utf8')) as Record<string, string | null>;
  assert.ok(Object.keys(cached).length >= 4);
  // A fresh run of the same cell samples no labels again: they come from the cache.
  const again = program(dir, ['--out', 'runs', '--fresh']);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.doesNotMatch(readFileSync(join(dir, 'runs', 'reward=incorrect', 'log.txt'), 'utf8').split('==> rlvrc').pop()!, /majority labels:/);
});

test('majority labels do not depend on scheduling: cells run two at a time, one by one, and one by one in reverse give the same labels and numbers (issue 16)', () => {
  const dir = userProject([TINY]);
  // Temperature 2 scatters the tiny model's answers, so a label depends on every random draw.
  const spec = readFileSync(TINY, 'utf8')
    .replace('reward random = random(0.5)', 'reward majority = correct(majority_label(samples = 4, temperature = 2.0))\n  reward incorrect = correct(majority_label(samples = 4, temperature = 2.0)) where majority_label != label')
    .replace('reward in [ground_truth, random]', 'reward in [incorrect, majority]\n    seed in [1, 2]');
  writeFileSync(join(dir, 'tiny.rlvr'), spec);
  assert.equal(rlvrc(['compile', 'tiny.rlvr'], { cwd: dir }).status, 0);
  const ids = program(dir, ['--list']).stdout.trim().split('\n');
  assert.equal(ids.length, 4, ids.join(', '));
  // Run A: two cell processes at a time, the two seeds of a reward labelling into one cache concurrently.
  const a = program(dir, ['--out', 'runs-a', '--jobs', '2']);
  assert.equal(a.status, 0, a.stdout + a.stderr);
  // Runs B and C: one cell at a time, in order and in reverse (the prompts both seeds examine are labelled
  // first by seed 1's cell in B, by seed 2's in C).
  for (const [out, order] of [['runs-b', ids], ['runs-c', [...ids].reverse()]] as const) {
    for (const id of order) {
      const r = program(dir, ['--out', out, '--cell', id]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
  }
  const labelFiles = (out: string) => readdirSync(join(dir, out, '.pretrained', 'labels')).sort();
  assert.equal(labelFiles('runs-a').length, 1, `one label key, no lock or temporary file left: ${labelFiles('runs-a').join(', ')}`);
  const file = labelFiles('runs-a')[0]!;
  const labels = readFileSync(join(dir, 'runs-a', '.pretrained', 'labels', file), 'utf8');
  assert.ok(new Set(Object.values(JSON.parse(labels) as Record<string, unknown>)).size > 3, `labels vary: ${labels}`);
  for (const out of ['runs-b', 'runs-c']) {
    assert.deepEqual(labelFiles(out), [file]);
    assert.equal(readFileSync(join(dir, out, '.pretrained', 'labels', file), 'utf8'), labels, out);
    for (const id of ids) {
      const cellDir = id.replace(/\//g, '__');
      assert.deepEqual(numbers(jsonl(join(dir, out, cellDir, 'metrics.jsonl'))), numbers(jsonl(join(dir, 'runs-a', cellDir, 'metrics.jsonl'))), `${out} ${id}`);
      assert.deepEqual(numbers(jsonl(join(dir, out, cellDir, 'eval.jsonl'))), numbers(jsonl(join(dir, 'runs-a', cellDir, 'eval.jsonl'))), `${out} ${id}`);
    }
  }
});
