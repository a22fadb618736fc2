// The verl cluster profile (--profile FILE): the published schema, the examples, the defaults, and every
// error path of readVerlProfile (unreadable, not JSON, each kind of invalid field), each naming the file and
// the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMOKE_PROFILE, readVerlProfile, resolveLaunchProfile, loweringProfile, verlConfig, flattenKeys } from '../../../src/engines/verl/index.js';
import { ROOT, paperCell } from './paper-cells.js';

function withFile(text: string, body: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-verl-profile-'));
  try {
    const path = join(dir, 'profile.json');
    writeFileSync(path, text);
    body(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('examples/verl/smoke.json is the smoke profile, with the launcher defaults', () => {
  const p = readVerlProfile(join(ROOT, 'examples', 'verl', 'smoke.json'));
  assert.deepEqual(p, { ...SMOKE_PROFILE, logger: [...SMOKE_PROFILE.logger], python: 'python3', env: {}, reward_host: '127.0.0.1' });
});

test('examples/verl/cluster.json: one node, eight GPUs, its env and python', () => {
  const p = readVerlProfile(join(ROOT, 'examples', 'verl', 'cluster.json'));
  assert.equal(p.nnodes, 1);
  assert.equal(p.n_gpus_per_node, 8);
  assert.equal(p.max_steps, null);
  assert.equal(p.python, 'python3');
  assert.deepEqual(p.env, { VLLM_USE_V1: '1', TOKENIZERS_PARALLELISM: 'false' });
});

test('an empty profile resolves to SMOKE_PROFILE; a partial one keeps the rest', () => {
  withFile('{}', path => assert.deepEqual(readVerlProfile(path), resolveLaunchProfile({})));
  assert.deepEqual(loweringProfile(resolveLaunchProfile({})), { ...SMOKE_PROFILE, logger: [...SMOKE_PROFILE.logger] });
  withFile('{"n_gpus_per_node": 4, "python": "/opt/verl/bin/python"}', path => {
    const p = readVerlProfile(path);
    assert.equal(p.n_gpus_per_node, 4);
    assert.equal(p.nnodes, SMOKE_PROFILE.nnodes);
    assert.equal(p.python, '/opt/verl/bin/python');
  });
});

test('python and env never reach the lowering', () => {
  const p = resolveLaunchProfile({ python: '/x/python', env: { A: 'b' } });
  assert.equal('python' in loweringProfile(p), false);
  assert.equal('env' in loweringProfile(p), false);
});

test('a missing file names the file', () => {
  assert.throws(() => readVerlProfile('/nonexistent/verl-profile.json'), /\/nonexistent\/verl-profile\.json: cannot read the verl profile/);
});

test('a file that is not JSON names the file', () => {
  withFile('{ nnodes: 1 ', path => assert.throws(() => readVerlProfile(path), (e: Error) => e.message.startsWith(`${path}: the verl profile is not JSON`)));
});

const INVALID: Array<[string, unknown, RegExp]> = [
  ['not an object', [1, 2], /\(top level\) must be object/],
  ['an unknown field', { nodes: 2 }, /\(top level\) must NOT have additional properties \('nodes'\)/],
  ['a fractional GPU count', { n_gpus_per_node: 1.5 }, /\/n_gpus_per_node must be integer/],
  ['zero nodes', { nnodes: 0 }, /\/nnodes must be >= 1/],
  ['a string TP size', { tensor_model_parallel_size: '2' }, /\/tensor_model_parallel_size must be integer/],
  ['micro-batch 0', { ppo_micro_batch_size_per_gpu: 0 }, /\/ppo_micro_batch_size_per_gpu must be >= 1/],
  ['log-prob micro-batch negative', { log_prob_micro_batch_size_per_gpu: -1 }, /\/log_prob_micro_batch_size_per_gpu must be >= 1/],
  ['memory share over 1', { gpu_memory_utilization: 1.2 }, /\/gpu_memory_utilization must be <= 1/],
  ['memory share 0', { gpu_memory_utilization: 0 }, /\/gpu_memory_utilization must be > 0/],
  ['an unknown rollout engine', { rollout_name: 'hf' }, /\/rollout_name must be equal to one of the allowed values \("vllm", "sglang"\)/],
  ['prompt length 0', { max_prompt_length: 0 }, /\/max_prompt_length must be >= 1/],
  ['logger not a list', { logger: 'console' }, /\/logger must be array/],
  ['a duplicated logger', { logger: ['console', 'console'] }, /\/logger must NOT have duplicate items/],
  ['an empty logger name', { logger: [''] }, /\/logger\/0 must NOT have fewer than 1 characters/],
  ['max_steps 0', { max_steps: 0 }, /\/max_steps must be >= 1/],
  ['max_steps a string', { max_steps: 'all' }, /\/max_steps must be integer,null/],
  ['python empty', { python: '' }, /\/python must NOT have fewer than 1 characters/],
  ['python not a string', { python: 3 }, /\/python must be string/],
  ['env not an object', { env: ['A=1'] }, /\/env must be object/],
  ['an env value not a string', { env: { CUDA_VISIBLE_DEVICES: 0 } }, /\/env\/CUDA_VISIBLE_DEVICES must be string/],
  ['an env name that is not a shell identifier', { env: { 'A B': 'x' } }, /\/env must match pattern|property name must be valid/],
];

for (const [what, value, expected] of INVALID) {
  test(`an invalid profile names the file and the field: ${what}`, () => {
    withFile(JSON.stringify(value), path => {
      assert.throws(() => readVerlProfile(path), (e: Error) => {
        assert.ok(e.message.startsWith(`${path}: not a valid verl profile`), e.message);
        assert.match(e.message, expected);
        return true;
      });
    });
  });
}

test('every invalid field is named, not just the first', () => {
  withFile(JSON.stringify({ nnodes: 0, rollout_name: 'hf', env: { A: 1 } }), path => {
    assert.throws(() => readVerlProfile(path), (e: Error) => /\/nnodes/.test(e.message) && /\/rollout_name/.test(e.message) && /\/env\/A/.test(e.message));
  });
});

test('the cluster example lowers: its settings reach verl keys, python and env do not', () => {
  const p = readVerlProfile(join(ROOT, 'examples', 'verl', 'cluster.json'));
  // Any cell will do for key names; the lowering only reads the VerlProfile part.
  const keys = new Set(flattenKeys(verlConfig(paperMain(), loweringProfile(p))).map(([k]) => k));
  assert.ok(keys.has('trainer.n_gpus_per_node'));
  for (const k of keys) assert.doesNotMatch(k, /python|\benv\b|VLLM_USE_V1/);
});

function paperMain() {
  return paperCell('main/model=qwen_math_7b,reward=random');
}
