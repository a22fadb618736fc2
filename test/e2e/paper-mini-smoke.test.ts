// A smoke test of the committed paper-mini program: two of its cells, with every step count cut down by
// command-line overrides (--set), run through the whole path (staged pretraining, GRPO, both evals).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO } from '../helpers/golden.js';

const CELLS = ['rewards/model=qwen_math_like,reward=format,seed=1', 'clipping/model=qwen_math_like,reward=random,algorithm=no_clip,seed=1'];

test('two paper-mini cells run end to end with their step counts cut down', () => {
  const out = mkdtempSync(join(tmpdir(), 'rlvrc-pm-'));
  const cut = [
    'model.stages.0.steps=3', 'model.stages.1.steps=3', 'model.stages.0.batch=8', 'model.stages.1.batch=8',
    'train.steps=2', 'evals.0.data.take=8', 'evals.1.data.take=4',
  ].flatMap(s => ['--set', s]);
  const r = spawnSync(process.execPath, [join(REPO, 'generated/paper-mini.js'), '--only', CELLS.join(','), '--out', out, '--jobs', '2', ...cut], { cwd: REPO, encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /Summary: 2 finished, 0 failed/);
  for (const id of CELLS) {
    const dir = join(out, id.replace(/\//g, '__'));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { overrides: unknown[]; cell_config: { train: { steps: number } } };
    assert.equal(manifest.overrides.length, 7);
    assert.equal(manifest.cell_config.train.steps, 2);
    const evals = readFileSync(join(dir, 'eval.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as { step: number; name: string });
    assert.deepEqual(evals.map(e => `${e.name}@${e.step}`), ['held_out@0', 'sampled@0', 'held_out@2', 'sampled@2']);
  }
});
