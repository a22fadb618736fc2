// Preparing a cell for verl (prepare.ts): the paper's main random-reward cell made expressible (as in
// capabilities.test.ts runnable()), prepared into a temp dir with the cluster example's settings and a hostile
// env; every file checked: verl.yaml merges over verl's pinned config (omegaconf struct mode), the Parquet
// files read back with the expected row counts, launch.sh passes `bash -n` and quotes the env so that no
// value runs; a refused cell writes nothing; the output is byte-deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParquet } from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import type { CellConfig } from '../../../src/ir/cell.js';
import {
  HYDRA_ENTRY, REWARD_MODULE, VERL_COMMIT, VerlRefusal, parseYaml, prepareVerlCell,
  readVerlProfile, verlDatasets, verlManifestFields,
} from '../../../src/engines/verl/index.js';
import { DEBIAN_PYTHON, PINNED_YAML, PY_MERGE, ROOT, paperCell } from './paper-cells.js';
import { requires } from '../../helpers/requires.js';

const MAIN = 'main/model=qwen_math_7b,reward=random';
const SPEC_DIR = join(ROOT, 'experiments');

/** The main-row cell made expressible: no whitening, verl's ε, one update per step, one eval. */
function runnable(): CellConfig {
  const c = paperCell(MAIN);
  c.algorithm.whiten = false;
  c.algorithm.advantage_epsilon = 1e-6;
  c.algorithm.minibatch = 1024;
  c.algorithm.updates_per_step = 1;
  c.evals = [c.evals[0]!];
  return c;
}

/** Values that would run code or break the line if they were not quoted. */
const HOSTILE: Record<string, string> = {
  QUOTES: `it's "quoted"`,
  SUBST: '$(touch PWNED_SUBST)',
  TICKS: '`touch PWNED_TICKS`',
  NEWLINE: 'line one\ntouch PWNED_NEWLINE',
  DOLLAR: '$HOME ${HOME}',
};

function profile() {
  return { ...readVerlProfile(join(ROOT, 'examples', 'verl', 'smoke.json')), python: '/opt/verl env/bin/python', env: HOSTILE };
}

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-verl-prepare-'));
  try { body(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

function rowCount(path: string): number {
  return tableFromIPC(readParquet(readFileSync(path)).intoIPCStream()).numRows;
}

test('the prepared cell: every file, verl.yaml pointing at them, the launch command', () => {
  withDir(dir => {
    const cellDir = join(dir, 'runs', 'paper', 'main');
    const cell = runnable();
    const out = prepareVerlCell({ cell, profile: profile(), cellDir, specDir: SPEC_DIR, filter: null });
    const train = join(cellDir, 'data', 'train.parquet');
    const val = join(cellDir, 'data', 'val-math.parquet');
    assert.deepEqual(out.files, [join(cellDir, `${HYDRA_ENTRY}.yaml`), train, val, join(cellDir, 'launch.sh'), join(cellDir, 'verl.yaml')].sort());
    for (const f of out.files) assert.ok(existsSync(f), f);
    assert.deepEqual(readdirSync(cellDir).sort(), ['data', 'launch.sh', 'rlvrc.yaml', 'verl.yaml'], 'no temp files left');

    const y = parseYaml(readFileSync(join(cellDir, 'verl.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.equal(y.data!.train_files, train);
    assert.deepEqual(y.data!.val_files, [val]);
    assert.deepEqual(y.custom_reward_function, { path: REWARD_MODULE, name: 'compute_score' });
    assert.ok(existsSync(REWARD_MODULE), 'the shipped reward module exists');
    assert.doesNotMatch(readFileSync(join(cellDir, 'verl.yaml'), 'utf8'), /PWNED|opt\/verl env/, 'python and env are not verl keys');

    // Row counts: what the dataset builder makes of the spec's data, read back by an independent reader.
    const rows = verlDatasets(cell, SPEC_DIR, null);
    assert.equal(rowCount(train), rows.train!.length);
    assert.equal(rowCount(val), rows.val[0]!.length);
    assert.ok(rows.train!.length > 0 && rows.val[0]!.length === 500, `${rows.train!.length} train, ${rows.val[0]!.length} val`);

    assert.equal(out.command, [
      `'/opt/verl env/bin/python' -m verl.trainer.main_ppo --config-dir '${cellDir}' --config-name rlvrc`,
      ...['RLVRC_REWARD_URL', 'RLVRC_REWARD_CELL', 'VERL_FILE_LOGGER_PATH'].map(n => `  "+ray_kwargs.ray_init.runtime_env.env_vars.${n}='\${${n}}'"`),
    ].join(' \\\n'), 'the workers\' environment through ray_init\'s runtime_env');
    // The reward manager and where verl writes: checkpoints, validation dumps (resume_mode auto).
    assert.deepEqual(y.reward_manager, { source: 'importlib', name: 'RlvrcRewardManager', module: { path: REWARD_MODULE } });
    assert.equal((y.reward_model as Record<string, unknown>).use_reward_loop, false);
    assert.equal(y.trainer!.default_local_dir, join(cellDir, 'verl', 'checkpoints'));
    assert.equal(y.trainer!.validation_data_dir, join(cellDir, 'verl', 'validation'));
    assert.equal(y.trainer!.resume_mode, 'auto');
    assert.ok((y.trainer!.logger as string[]).includes('file'));
    assert.equal(readFileSync(join(cellDir, 'rlvrc.yaml'), 'utf8').split('\n').filter(l => l.startsWith('  - ')).join(','), '  - ppo_trainer,  - verl,  - _self_');
  });
});

test('launch.sh: bash -n passes, the env is quoted exactly, nothing in it runs, RLVRC_REWARD_URL is required', () => {
  withDir(dir => {
    const cellDir = join(dir, 'cell');
    const out = prepareVerlCell({ cell: runnable(), profile: profile(), cellDir, specDir: SPEC_DIR, filter: null });
    const launch = join(cellDir, 'launch.sh');
    const text = readFileSync(launch, 'utf8');
    assert.ok(text.startsWith('#!/usr/bin/env bash\n'));
    assert.match(text, /^set -euo pipefail$/m);
    assert.equal(spawnSync('bash', ['-n', launch]).status, 0);
    assert.ok(text.includes(`export QUOTES='it'\\''s "quoted"'\n`));
    assert.ok(text.includes(`export SUBST='$(touch PWNED_SUBST)'\n`));
    assert.ok(text.includes("export TICKS='`touch PWNED_TICKS`'\n"));
    assert.ok(text.includes(`export NEWLINE='line one\ntouch PWNED_NEWLINE'\n`));
    assert.ok(text.includes(`export DOLLAR='$HOME \${HOME}'\n`));
    assert.ok(text.trimEnd().endsWith(`exec ${out.command}`));

    // Run the exports (everything but the exec) in a scratch directory: each variable holds its value
    // byte for byte and no command ran.
    const scratch = join(dir, 'scratch');
    const exports = text.slice(0, text.indexOf('\nexec ')) + '\nenv -0\n';
    writeFileSync(join(dir, 'exports.sh'), exports);
    spawnSync('mkdir', ['-p', scratch]);
    const withoutUrl = spawnSync('bash', [join(dir, 'exports.sh')], { cwd: scratch, env: { PATH: process.env.PATH! } });
    assert.notEqual(withoutUrl.status, 0, 'RLVRC_REWARD_URL is required');
    assert.match(withoutUrl.stderr.toString(), /RLVRC_REWARD_URL must be set/);
    const r = spawnSync('bash', [join(dir, 'exports.sh')], { cwd: scratch, env: { PATH: process.env.PATH!, HOME: '/home/x', RLVRC_REWARD_URL: 'http://127.0.0.1:1' } });
    assert.equal(r.status, 0, r.stderr.toString());
    const env = Object.fromEntries(r.stdout.toString().split('\0').filter(Boolean).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const [k, v] of Object.entries(HOSTILE)) assert.equal(env[k], v, k);
    assert.equal(env.RLVRC_REWARD_URL, 'http://127.0.0.1:1');
    assert.deepEqual(readdirSync(scratch), [], 'no command substitution ran');
  });
});

test('the prepared verl.yaml merges over verl\'s pinned config with omegaconf in struct mode', t => {
  if (requires(t, 'omegaconf')) return;
  withDir(dir => {
    const cellDir = join(dir, 'cell');
    prepareVerlCell({ cell: runnable(), profile: readVerlProfile(join(ROOT, 'examples', 'verl', 'cluster.json')), cellDir, specDir: SPEC_DIR, filter: null });
    const script = join(dir, 'merge.py');
    writeFileSync(script, PY_MERGE);
    const file = join(cellDir, 'verl.yaml');
    const r = spawnSync(DEBIAN_PYTHON, [script, PINNED_YAML, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const res = (JSON.parse(r.stdout) as Record<string, { ok: boolean; error?: string; types?: Record<string, string> }>)[file]!;
    assert.ok(res.ok, res.error);
    assert.equal(res.types!['custom_reward_function.path'], 'str');
    assert.equal(res.types!['custom_reward_function.name'], 'str');
    assert.equal(res.types!['trainer.n_gpus_per_node'], 'int');
  });
});

test('a cell verl refuses (a warmup) throws naming RLVR7008 and writes nothing', () => {
  withDir(dir => {
    const cell = runnable();
    cell.optimizer.warmup = 10;
    const cellDir = join(dir, 'cell');
    assert.throws(() => prepareVerlCell({ cell, cellDir, specDir: SPEC_DIR, filter: null }), (e: Error) => {
      assert.ok(e instanceof VerlRefusal);
      assert.match(e.message, /RLVR7008 optimizer\.warmup/);
      assert.ok(e.issues.some(i => i.code === 'RLVR7008'));
      return true;
    });
    assert.equal(existsSync(cellDir), false);
  });
});

test('a profile verl refuses (GPUs that do not divide the step) throws naming RLVR7030', () => {
  withDir(dir => {
    assert.throws(() => prepareVerlCell({ cell: runnable(), profile: { n_gpus_per_node: 7 }, cellDir: join(dir, 'c'), specDir: SPEC_DIR, filter: null }), /RLVR7030/);
    assert.throws(() => prepareVerlCell({ cell: runnable(), profile: { env: { 'A;B': 'x' } }, cellDir: join(dir, 'c'), specDir: SPEC_DIR, filter: null }), /not a shell identifier/);
    assert.equal(existsSync(join(dir, 'c')), false);
  });
});

test('byte-determinism: preparing twice gives the same verl.yaml, rlvrc.yaml, launch.sh and Parquet bytes; the manifest fields hash verl.yaml', () => {
  withDir(dir => {
    const cellDir = join(dir, 'cell');
    const read = () => Object.fromEntries(['verl.yaml', 'rlvrc.yaml', 'launch.sh', 'data/train.parquet', 'data/val-math.parquet'].map(f => [f, readFileSync(join(cellDir, f)).toString('base64')]));
    const first = prepareVerlCell({ cell: runnable(), profile: profile(), cellDir, specDir: SPEC_DIR, filter: null });
    const a = read();
    const second = prepareVerlCell({ cell: structuredClone(runnable()), profile: profile(), cellDir, specDir: SPEC_DIR, filter: null });
    assert.deepEqual(read(), a);
    assert.equal(second.verlYamlText, first.verlYamlText);
    assert.equal(statSync(join(cellDir, 'launch.sh')).mode & 0o777, 0o755, 'launch.sh is executable');
    const m = verlManifestFields(first.verlYamlText, profile());
    assert.equal(m.engine, 'verl');
    assert.equal(m.engine_commit, VERL_COMMIT);
    assert.deepEqual(m.profile, profile());
    const sha = spawnSync('sha256sum', [join(cellDir, 'verl.yaml')], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.equal(m.verl_config_sha256, sha);
  });
});

test('the paper\'s own main cells as they are: post-hoc eval files and the label phase\'s, each merging over verl\'s pinned config in struct mode', t => {
  if (requires(t, 'omegaconf')) return;
  withDir(dir => {
    const profile = readVerlProfile(join(ROOT, 'examples', 'verl', 'cluster.json'));
    const random = join(dir, 'random');
    const majority = join(dir, 'majority');
    const out = prepareVerlCell({ cell: paperCell(MAIN), profile, cellDir: random, specDir: SPEC_DIR, filter: null });
    // MATH-500 greedy is validated during training; AMC and AIME (avg@8 at T = 0.6) after it, on the checkpoints.
    const y = parseYaml(readFileSync(join(random, 'verl.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(y.data!.val_files, [join(random, 'data', 'val-math.parquet')]);
    const post = parseYaml(readFileSync(join(random, 'verl-posthoc-1.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(post.data!.val_files, [join(random, 'data', 'val-amc_avg8.parquet'), join(random, 'data', 'val-aime_avg8.parquet')]);
    assert.deepEqual((post.actor_rollout_ref as { rollout: { val_kwargs: unknown } }).rollout.val_kwargs, { do_sample: true, n: 8, temperature: 0.6, top_p: 1 });
    assert.equal(post.trainer!.val_only, true);
    assert.ok(out.files.includes(join(random, 'launch-posthoc-1.sh')));
    assert.match(readFileSync(join(random, 'rlvrc-posthoc-1.yaml'), 'utf8'), /defaults:\n {2}- ppo_trainer\n {2}- verl\n {2}- verl-posthoc-1\n {2}- _self_\n/);
    // The majority cell: the label phase's files, and no train.parquet until the labels exist.
    const m = prepareVerlCell({ cell: paperCell('main/model=qwen_math_7b,reward=majority'), profile, cellDir: majority, specDir: SPEC_DIR, filter: null });
    assert.ok(!existsSync(join(majority, 'data', 'train.parquet')) && existsSync(join(majority, 'data', 'label.parquet')));
    assert.ok(m.files.includes(join(majority, 'launch-labels.sh')));
    const labels = parseYaml(readFileSync(join(majority, 'verl-labels.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.deepEqual((labels.actor_rollout_ref as { rollout: { val_kwargs: unknown } }).rollout.val_kwargs, { do_sample: true, n: 64, temperature: 1, top_p: 1 });
    assert.equal(labels.data!.train_files, join(majority, 'data', 'label.parquet'));
    for (const f of ['launch.sh', 'launch-posthoc-1.sh']) assert.equal(spawnSync('bash', ['-n', join(random, f)]).status, 0, f);
    assert.equal(spawnSync('bash', ['-n', join(majority, 'launch-labels.sh')]).status, 0);
    const script = join(dir, 'merge.py');
    writeFileSync(script, PY_MERGE);
    const files = [join(random, 'verl.yaml'), join(random, 'verl-posthoc-1.yaml'), join(majority, 'verl.yaml'), join(majority, 'verl-labels.yaml')];
    const r = spawnSync(DEBIAN_PYTHON, [script, PINNED_YAML, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as Record<string, { ok: boolean; error?: string }>;
    for (const f of files) assert.ok(res[f]!.ok, `${f}: ${res[f]!.error}`);
    assert.equal((y.algorithm as Record<string, unknown>).adv_estimator, 'rlvrc_grpo_whiten');
  });
});
