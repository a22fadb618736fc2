// Evaluation-only cells (train.steps = 0) and a forced response prefix, end to end: the model organism's
// version of the paper's code-forcing row (Table 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rlvrc } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { userProject } from '../helpers/user-project.js';

const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);

test('steps = 0 evaluates the starting model once; the forced prefix starts every graded response', () => {
  const dir = userProject([join(REPO, 'test/fixtures/e2e/forcing.rlvr')]);
  assert.equal(rlvrc(['compile', 'forcing.rlvr'], { cwd: dir }).status, 0);
  const r = spawnSync(process.execPath, ['generated/forcing.js', '--jobs', '1'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const runs = join(dir, 'runs', 'forcing');
  for (const cell of ['prompt=plain', 'prompt=forced']) {
    const result = JSON.parse(readFileSync(join(runs, cell, 'result.json'), 'utf8')) as { status: string; steps: number };
    assert.deepEqual([result.status, result.steps], ['finished', 0], cell);
    const evals = jsonl(join(runs, cell, 'eval.jsonl'));
    assert.deepEqual(evals.map(e => e.step), [0], `${cell}: one evaluation, before any training`);
    const metrics = join(runs, cell, 'metrics.jsonl');
    assert.ok(!existsSync(metrics) || readFileSync(metrics, 'utf8').trim() === '', `${cell}: no training step logged`);
  }
  const plain = jsonl(join(runs, 'prompt=plain', 'eval.jsonl'))[0]!;
  const forced = jsonl(join(runs, 'prompt=forced', 'eval.jsonl'))[0]!;
  assert.equal(forced.code_rate, 1, 'every forced response starts with python:');
  assert.equal(plain.code_rate, 0, "a model pretrained without code does not reason in code unless forced");
  const shown = (jsonl(join(runs, 'prompt=forced', 'samples.jsonl'))[0]!.samples as Array<{ prompt: string; response: string }>);
  assert.ok(shown.length > 0);
  for (const s of shown) {
    assert.ok(s.prompt.endsWith('python:'), s.prompt);
    assert.ok(s.response.startsWith('python:'), s.response);
  }
});
