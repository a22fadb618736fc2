// A .rlvr file that evaluates and trains a tiny Hugging Face checkpoint end to end: a random Qwen2 written
// by the hf test helpers (safetensors + config.json + tokenizer.json + chat template), real MATH-500 items,
// the Qwen2.5-Math chat template with its default system prompt, one GRPO step, evaluations before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rlvrc } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { userProject } from '../helpers/user-project.js';
import { SPECS, writeTinyCheckpoint } from '../hf/helpers.js';

test('rlvrc run on an hf("dir") model: chat prompts, GRPO step, evaluations, artifacts', () => {
  const dir = userProject([join(REPO, 'test/fixtures/e2e/hf.rlvr')]);
  const qwen = SPECS.find(s => s.name === 'qwen2-tied-f32')!;
  // A longer context than the reference model's, for the chat template's system prompt.
  writeTinyCheckpoint(join(dir, 'ckpt'), { ...qwen, config: { ...qwen.config, max_position_embeddings: 512 } });
  const math = (JSON.parse(readFileSync(join(REPO, 'data/math500.json'), 'utf8')) as Array<{ prompt: string }>)
    .sort((a, b) => a.prompt.length - b.prompt.length).slice(0, 4);
  writeFileSync(join(dir, 'math.json'), JSON.stringify(math));

  const run = rlvrc(['run', 'hf.rlvr', '--out', 'runs'], { cwd: dir });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const cell = join(dir, 'runs', 'default');
  const evals = readFileSync(join(cell, 'eval.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as { step: number; accuracy: number });
  assert.deepEqual(evals.map(e => e.step), [0, 1]);
  const samples = JSON.parse(readFileSync(join(cell, 'samples.jsonl'), 'utf8').split('\n')[0]!) as { samples: Array<{ prompt: string; label: string }> };
  assert.match(samples.samples[0]!.prompt, /^<\|im_start\|>system\nPlease reason step by step, and put your final answer within \\boxed\{\}\.<\|im_end\|>\n<\|im_start\|>user\n/);
  assert.equal(samples.samples[0]!.label, (math[0] as unknown as { answer: string }).answer);
  const manifest = JSON.parse(readFileSync(join(cell, 'manifest.json'), 'utf8')) as { status: string; cell_config: { model: { source: string } } };
  assert.equal(manifest.status, 'finished');
  assert.equal(manifest.cell_config.model.source, 'hf');
  // The checker knows the model's context from config.json: an unknown directory is a warning at check time.
  const check = spawnSync(process.execPath, [join(REPO, 'dist/cli/main.js'), 'check', 'hf.rlvr'], { cwd: dir, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});
