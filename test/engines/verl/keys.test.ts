// Every cell of experiments/paper.rlvr lowers to a verl.yaml whose every key exists in verl's config at the
// pinned commit with a value of the right type, and that merges into that config with Debian's
// python3-omegaconf in struct mode (which rejects unknown keys). Cells verl refuses are lowered too (the
// lowering is total) and their refusals are asserted, code by code, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellConfig } from '../../../src/ir/cell.js';
import { flattenKeys, parseYaml, verlCapabilities, verlConfig, verlYaml } from '../../../src/engines/verl/index.js';
import { DEBIAN_PYTHON, PINNED_YAML, PY_MERGE, jsType, paperCells, pinnedKeyTypes, type YamlType } from './paper-cells.js';
import { requires } from '../../helpers/requires.js';

/**
 * Keys whose verl field is typed wider than its default's YAML type. Each is checked in verl's code at the
 * pinned commit: entropy_coeff and top_p are floats with int-looking defaults (0, 1); train_files/val_files
 * take a path or a list of paths (verl/utils/dataset/rl_dataset.py: `if not isinstance(data_files, list |
 * ListConfig)`); a null default is an Optional field (override_optimizer_config: a dict of optimizer kwargs,
 * verl/workers/config/optimizer.py).
 */
const WIDER: Record<string, YamlType[]> = {
  'actor_rollout_ref.actor.entropy_coeff': ['int', 'float'],
  'actor_rollout_ref.rollout.top_p': ['int', 'float'],
  'actor_rollout_ref.rollout.temperature': ['int', 'float'],
  'actor_rollout_ref.rollout.val_kwargs.temperature': ['int', 'float'],
  'actor_rollout_ref.rollout.val_kwargs.top_p': ['int', 'float'],
  'data.train_files': ['str', 'list'],
  'data.val_files': ['str', 'list'],
};

/** Optional dicts (null by default) whose keys are free: override_optimizer_config holds kwargs for the torch.optim class (optimizer.py: optimizer_args.update(...)). */
const OPEN_MAPS = ['actor_rollout_ref.actor.optim.override_optimizer_config'];

function compatible(key: string, base: YamlType, emitted: YamlType): boolean {
  if (WIDER[key]) return WIDER[key]!.includes(emitted);
  if (base === 'null') return true;
  if (base === 'float') return emitted === 'float' || emitted === 'int';
  return base === emitted;
}

/** The grid a cell belongs to and the error codes verl must refuse it with, derived from the spec's rows. */
function expectedErrors(c: CellConfig): string[] {
  const codes = new Set<string>();
  const trains = c.train.steps > 0;
  // MATH-500 greedy every step beside AMC/AIME avg@8 at T = 0.6 every 10 steps: the latter run post hoc on the
  // checkpoints (RLVR7010, a warning); a cell that trains with checkpoint_every = 0 has none to run them on.
  if (trains && c.train.checkpoint_every <= 0 && c.evals.length > 1) codes.add('RLVR7034');
  // Base Llama rows: the raw R1 template and its </answer> stop string.
  if (c.axes.prompt === 'r1') codes.add('RLVR7009').add('RLVR7021');
  // TTRL votes over 64 samples with a group of 16.
  if (c.axes.reward === 'ttrl') codes.add('RLVR7013');
  // Table 3's forced response start.
  if (c.axes.prompt === 'code_forcing') codes.add('RLVR7022');
  return [...codes].sort();
}

/**
 * Edited copies of the main cell that take every optional branch of the lowering the paper's cells do not:
 * a KL term with each estimator, token_mean and seq_mean_token_sum_norm, cosine, AdamW with an ε, no grad
 * clip, clip = none, top_k, one eval, no evals, evaluation only.
 */
function variantCells(): CellConfig[] {
  const base = paperCells().find(c => c.id === 'main/model=qwen_math_7b,reward=random')!;
  const v = (name: string, edit: (c: CellConfig) => void): CellConfig => {
    const c = structuredClone(base);
    c.id = `variant/${name}`;
    edit(c);
    return c;
  };
  return [
    ...(['k1', 'k2', 'k3'] as const).map(k => v(`kl-${k}`, c => { c.algorithm.kl = 0.001; c.algorithm.kl_estimator = k; })),
    v('token-mean', c => { c.algorithm.loss = 'token_mean'; }),
    v('dr-grpo', c => { c.algorithm.family = 'dr_grpo'; c.algorithm.advantage = 'group_center'; c.algorithm.loss = 'seq_mean_token_sum_norm'; }),
    v('cosine-adamw-eps', c => { c.optimizer.schedule = 'cosine'; c.optimizer.type = 'adamw'; c.optimizer.weight_decay = 0.01; c.optimizer.eps = 1e-6; }),
    v('no-grad-clip-no-clip-top-k', c => { c.optimizer.grad_clip = null; c.algorithm.clip = null; c.algorithm.top_k = 50; c.algorithm.entropy = 0.001; }),
    v('one-eval', c => { c.evals = [c.evals[1]!]; }),
    v('no-evals', c => { c.evals = []; c.train.checkpoint_every = 0; }),
    v('eval-only', c => { c.train.steps = 0; }),
  ];
}

test('every paper.rlvr cell: verl refuses exactly what it cannot express, and says why', () => {
  const cells = paperCells();
  assert.equal(cells.length, 156);
  for (const c of cells) {
    const issues = verlCapabilities(c);
    const errors = [...new Set(issues.filter(i => i.severity === 'error').map(i => i.code))].sort();
    assert.deepEqual(errors, expectedErrors(c), c.id);
    for (const i of issues) assert.ok(i.message.length > 20 && i.path.length > 0, `${c.id}: ${i.code} has a path and a reason`);
  }
  // The reasons, on the main row's random-reward cell.
  const main = cells.find(c => c.id === 'main/model=qwen_math_7b,reward=random')!;
  const byCode = new Map(verlCapabilities(main).map(i => [`${i.code} ${i.path}`, i.message]));
  assert.match(byCode.get('RLVR7004 algorithm.whiten')!, /runs as algorithm\.adv_estimator = rlvrc_grpo_whiten/);
  assert.match(byCode.get('RLVR7010 evals.1')!, /eval 'amc_avg8' samples unlike eval 'math' \(greedy false, 8 samples, temperature 0\.6\)/);
  assert.ok(byCode.has('RLVR7005 algorithm.advantage_epsilon'), 'the 1e-9 vs 1e-6 epsilon warning');
});

test('every paper.rlvr cell lowers to keys that exist in verl\'s pinned config with values of the right type', t => {
  const base = pinnedKeyTypes();
  for (const c of [...paperCells(), ...variantCells()]) {
    for (const [key, value] of flattenKeys(verlConfig(c))) {
      if (OPEN_MAPS.some(m => key.startsWith(`${m}.`) && base.get(m) === 'null')) continue;
      const bt = base.get(key);
      assert.ok(bt !== undefined, `${c.id}: ${key} is not a key of verl's config at the pinned commit`);
      assert.ok(compatible(key, bt, jsType(value)), `${c.id}: ${key} = ${JSON.stringify(value)} (${jsType(value)}) where verl's default is ${bt}`);
      if (Array.isArray(value) && key === 'actor_rollout_ref.actor.optim.betas') assert.ok(value.every(v => typeof v === 'number'));
    }
  }
});

test('a lowered config round-trips through its YAML text, byte for byte the same each time', () => {
  const c = paperCells()[0]!;
  const text = verlYaml(c);
  assert.equal(verlYaml(structuredClone(c)), text);
  assert.deepEqual(parseYaml(text), JSON.parse(JSON.stringify(verlConfig(c))));
  assert.match(text, /lr: 5\.0e-07/);
  assert.match(text, /'n': 16/);
});


test('every distinct verl.yaml of paper.rlvr merges into verl\'s pinned config with omegaconf in struct mode (python3-omegaconf)', t => {
  if (requires(t, 'omegaconf')) return;
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-verl-'));
  try {
    // Distinct configs: the cell's name (trainer.experiment_name) aside, many cells lower alike.
    const files = new Map<string, { file: string; cell: string; config: Record<string, unknown> }>();
    const seen = new Set<string>();
    for (const c of [...paperCells(), ...variantCells()]) {
      for (const profile of [{}, { max_steps: null, n_gpus_per_node: 8, ppo_micro_batch_size_per_gpu: 4, logger: ['console', 'wandb'] }]) {
        const config = verlConfig(c, profile);
        const key = JSON.stringify({ ...config, trainer: { ...(config.trainer as object), experiment_name: null } });
        if (seen.has(key)) continue;
        seen.add(key);
        const file = join(dir, `cell-${files.size}.yaml`);
        writeFileSync(file, verlYaml(c, profile));
        files.set(file, { file, cell: c.id, config });
      }
    }
    // The negative case: a key verl does not have must be rejected by the same merge.
    const unknown = join(dir, 'unknown-key.yaml');
    writeFileSync(unknown, 'actor_rollout_ref:\n  actor:\n    ppo_mini_batch_size_in_rollouts: 128\n');
    const typo = join(dir, 'unknown-section.yaml');
    writeFileSync(typo, 'trainer:\n  total_training_step: 2\n');
    const script = join(dir, 'merge.py');
    writeFileSync(script, PY_MERGE);
    const r = spawnSync(DEBIAN_PYTHON, [script, PINNED_YAML, ...files.keys(), unknown, typo], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, { ok: boolean; error?: string; types?: Record<string, string> }>;
    assert.equal(out[unknown]!.ok, false, 'an unknown key must not merge');
    assert.match(out[unknown]!.error!, /ppo_mini_batch_size_in_rollouts/);
    assert.equal(out[typo]!.ok, false, 'a misspelt key must not merge');
    assert.ok(files.size >= 20, `${files.size} distinct files`);
    for (const f of files.values()) {
      const res = out[f.file]!;
      assert.ok(res.ok, `${f.cell}: ${res.error}`);
      // omegaconf read every value as the type the engine meant (floats as floats, 'n' as a key, …).
      for (const [key, value] of flattenKeys(f.config)) assert.equal(res.types![key], jsType(value), `${f.cell}: ${key}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
