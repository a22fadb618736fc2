// The verl engine end to end, against a STAND-IN for verl.trainer.main_ppo (fixtures/engines/verl-e2e/standin:
// verl, Ray and vLLM cannot be installed here). Everything else is real: `rlvrc compile --engine verl`, the
// generated program with --profile, --dry-run, --jobs and resume, the reward server, the shipped reward module
// and its group-level manager (loaded by the stand-in the way verl loads it), launch.sh run by bash under
// Debian's python3 with OmegaConf merging verl.yaml over verl's pinned config in struct mode, and the
// conversion of what the stand-in writes in verl's formats into schema-validated artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../../helpers/golden.js';
import { rlvrc } from '../../helpers/cli.js';
import { requires, REFERENCE_PYTHON } from '../../helpers/requires.js';
import { readJsonl, readManifest, readResult } from '../../../src/runtime/run/artifacts.js';
import { gradeSample } from '../../../src/grader/index.js';
import type { StepRecord } from '../../../src/runtime/run/types.js';

const SPEC_DIR = join(FIXTURES, 'engines', 'verl-e2e');
const STANDIN = join(SPEC_DIR, 'standin');
const ROOT = join(FIXTURES, '..', '..');
const CELLS = ['reward=ground_truth', 'reward=random', 'reward=ttrl', 'reward=majority', 'reward=incorrect'];

interface Setup { dir: string; program: string; profile: string }

function setUp(t: { after(fn: () => void): void }): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-verl-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = rlvrc(['compile', join(SPEC_DIR, 'verl-e2e.rlvr'), '--engine', 'verl', '--out', join(dir, 'generated')], { cwd: dir });
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stderr, /warning\[RLVR7033\]/, 'the TTRL cell runs, with its approximation said');
  const profile = join(dir, 'profile.json');
  writeFileSync(profile, JSON.stringify({
    python: REFERENCE_PYTHON,
    max_steps: null,
    env: { PYTHONPATH: STANDIN, VERL_STANDIN_BASE_CONFIG: join(ROOT, 'data', 'verl', '_generated_ppo_trainer.yaml'), VERL_STANDIN_NODE: process.execPath },
  }));
  return { dir, program: join(dir, 'generated', 'verl-e2e.js'), profile };
}

function run(s: Setup, args: string[], env: Record<string, string> = {}) {
  // The limit only catches a hang: the grid takes about 2 min on an idle 2-core machine, over 5 on a loaded one.
  const r = spawnSync(process.execPath, [s.program, '--profile', s.profile, ...args], { cwd: s.dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 1_200_000 });
  if (r.error) throw new Error(`${args.join(' ')}: ${r.error.message} (signal ${r.signal ?? 'none'})\n${r.stdout}${r.stderr}`);
  return r;
}

const cellDir = (s: Setup, out: string, id: string) => join(s.dir, out, id);
const metrics = (dir: string) => readJsonl('metrics', join(dir, 'metrics.jsonl')).records;

/**
 * Records compared across runs whose batches arrive in different orders: everything equal except the
 * advantages' float32 sums, which depend on the summation order (as verl's own do), so equal to 1e-6.
 */
function sameRecords(a: StepRecord[], b: StepRecord[]): void {
  const split = (r: StepRecord) => {
    const exact: Record<string, unknown> = {};
    const adv: Record<string, number> = {};
    const verl = { ...(r.verl as Record<string, unknown>) };
    for (const [k, v] of Object.entries(r)) if (k !== 'verl') (/advantage/.test(k) ? (adv[k] = v as number) : (exact[k] = v));
    for (const k of Object.keys(verl)) if (/advantages/.test(k)) { adv[k] = verl[k] as number; delete verl[k]; }
    return { exact: { ...exact, verl }, adv };
  };
  assert.equal(a.length, b.length);
  a.forEach((r, i) => {
    const x = split(r);
    const y = split(b[i]!);
    assert.deepEqual(x.exact, y.exact);
    assert.deepEqual(Object.keys(x.adv).sort(), Object.keys(y.adv).sort());
    for (const k of Object.keys(x.adv)) assert.ok(Math.abs(x.adv[k]! - y.adv[k]!) < 1e-6, `${k}: ${x.adv[k]} vs ${y.adv[k]}`);
  });
}

test('compile --engine verl, --dry-run, then the grid with --jobs 2 on the stand-in: every artifact, regraded evals', async t => {
  if (requires(t, 'omegaconf') || requires(t, 'torch')) return;
  const s = setUp(t);

  // --dry-run writes what the run needs, prints the command, runs nothing (no manifest) ...
  const dry = run(s, ['--dry-run', '--cell', 'reward=random', '--out', 'runs']);
  assert.equal(dry.status, 0, dry.stderr);
  const rdir = cellDir(s, 'runs', 'reward=random');
  assert.match(dry.stdout, /prepared .*reward=random\n {2}RLVRC_REWARD_URL=<the reward server the program starts> bash .*launch\.sh\n {2}which runs: '\/usr\/bin\/python3' -m verl\.trainer\.main_ppo --config-dir /);
  assert.deepEqual(readdirSync(rdir).sort(), ['data', 'launch-posthoc-1.sh', 'launch.sh', 'rlvrc-posthoc-1.yaml', 'rlvrc.yaml', 'verl-posthoc-1.yaml', 'verl.yaml']);
  for (const f of ['launch.sh', 'launch-posthoc-1.sh']) assert.equal(spawnSync('bash', ['-n', join(rdir, f)]).status, 0);
  const usage = spawnSync('bash', [join(rdir, 'launch-posthoc-1.sh'), 'x'], { encoding: 'utf8', env: { ...process.env, RLVRC_REWARD_URL: 'http://127.0.0.1:1/score' } });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /launch-posthoc: STEP must be a whole number, not 'x'/);
  // ... and the tfjs program has no --dry-run (compiled elsewhere: `rlvrc run` writes generated/ in its cwd).
  const tfjsDir = join(s.dir, 'tfjs');
  mkdirSync(tfjsDir);
  assert.match(rlvrc(['run', join(SPEC_DIR, 'verl-e2e.rlvr'), '--dry-run'], { cwd: tfjsDir }).stderr, /--dry-run is for programs compiled for an external engine/);

  // The grid: the dry-run directory is taken over as a new cell.
  const r = run(s, ['--jobs', '2', '--out', 'runs']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const id of CELLS) {
    const dir = cellDir(s, 'runs', id);
    const manifest = readManifest(join(dir, 'manifest.json'));
    assert.equal(manifest.status, 'finished');
    assert.equal(manifest.engine?.name, 'verl');
    assert.equal(manifest.engine?.commit, 'b178a3cd56f58b2d502255daba591e92833930a7');
    assert.equal(manifest.engine?.profile.python, REFERENCE_PYTHON);
    const result = readResult(join(dir, 'result.json'));
    assert.equal(result.steps, 4);
    assert.deepEqual(metrics(dir).map(m => m.step), [1, 2, 3, 4]);
    for (const m of metrics(dir)) assert.equal(typeof m.reward_mean, 'number');

    // eval.jsonl: rlvrc's grader over the stand-in's validation dumps at steps 0 (before training), 2 and 4:
    // the greedy eval from training's validation, the sampled one (2 samples at T = 0.6, unlike the first eval)
    // from validation-only runs on verl's checkpoints after training, merged in step order. Recomputed here
    // independently of the converter: a response is right when it boxes exactly the label.
    const evals = readJsonl('eval', join(dir, 'eval.jsonl')).records;
    assert.deepEqual(evals.map(e => `${e.step}:${e.name}`), ['0:products_greedy', '0:products_sampled', '2:products_greedy', '2:products_sampled', '4:products_greedy', '4:products_sampled']);
    const dumpRows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { output: string; gts: string; data_source: string; prompt_id: string });
    const right = (x: { output: string; gts: string }) => x.output.includes(`\\boxed{${x.gts}}`);
    for (const e of evals) {
      if (e.name === 'products_greedy') {
        const rows = dumpRows(join(dir, 'verl', 'validation', `${e.step}.jsonl`));
        assert.ok(rows.every(x => x.data_source === 'products_greedy' && x.prompt_id !== ''), 'the manager names each row\'s eval and prompt');
        assert.equal(e.accuracy, rows.filter(right).length / rows.length, `${id} step ${e.step}`);
        assert.equal(rows.filter(x => gradeSample(x.output, x.gts).correct).length, rows.filter(right).length);
      } else {
        const rows = dumpRows(join(dir, 'verl', 'posthoc-1', 'validation', `${e.step}.jsonl`));
        assert.equal(rows.length, 2 * 4, 'two samples of each of the 4 problems');
        assert.equal(e.avg_at_k, rows.filter(right).length / rows.length);
        const prompts = [0, 2, 4, 6].map(j => rows.slice(j, j + 2));
        assert.equal(e.pass_at_k, prompts.filter(p => p.some(right)).length / 4);
      }
    }
    assert.ok(existsSync(join(dir, 'verl', 'posthoc-1', 'done-4')));
    assert.equal(result.final_metrics['products_greedy.accuracy'], evals.find(e => e.step === 4 && e.name === 'products_greedy')!.accuracy);
    assert.equal(result.final_metrics['products_sampled.avg_at_k'], evals.at(-1)!.avg_at_k);
    assert.deepEqual(readJsonl('samples', join(dir, 'samples.jsonl')).records.map(r => r.step), [0, 0, 2, 2, 4, 4]);
  }
  // Offline majority labels: the label phase's dump (3 samples per training problem) voted per problem; a
  // value boxed at least twice must be the label (recomputed here from the dump); the incorrect-label cell
  // trains on exactly the problems whose label is wrong.
  for (const id of ['reward=majority', 'reward=incorrect']) {
    const dir = cellDir(s, 'runs', id);
    const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, string | null>;
    const rows = readFileSync(join(dir, 'verl', 'labels', 'validation', '0.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as { output: string; prompt_id: string });
    assert.equal(rows.length, 8 * 3, 'every training problem, 3 samples');
    assert.deepEqual(Object.keys(labels).sort(), ['0', '1', '2', '3', '4', '5', '6', '7']);
    for (const [pid, label] of Object.entries(labels)) {
      const boxed = rows.filter(r => r.prompt_id === pid).map(r => /\\boxed\{([^}]*)\}/.exec(r.output)?.[1]).filter((b): b is string => b !== undefined);
      const twice = boxed.find(b => boxed.filter(x => x === b).length >= 2);
      if (twice !== undefined) assert.equal(label, twice, `problem ${pid}`);
      if (boxed.length === 0) assert.equal(label, null, `problem ${pid}`);
    }
  }
  const gold = (JSON.parse(readFileSync(join(SPEC_DIR, 'train.json'), 'utf8')) as Array<{ answer: string }>).map(x => x.answer);
  const labels = JSON.parse(readFileSync(join(cellDir(s, 'runs', 'reward=incorrect'), 'labels.json'), 'utf8')) as Record<string, string | null>;
  const wrong = Object.entries(labels).filter(([pid, l]) => l !== null && l !== gold[Number(pid)]).map(([pid]) => pid);
  const trainRows = JSON.parse(spawnSync(process.execPath, [join(STANDIN, 'read_parquet.mjs'), join(cellDir(s, 'runs', 'reward=incorrect'), 'data', 'train.parquet')], { encoding: 'utf8' }).stdout) as Array<{ extra_info: { prompt_id: string; majority_label: string } }>;
  assert.ok(wrong.length > 0 && wrong.length < 8, `${wrong.length} wrong labels`);
  assert.deepEqual([...new Set(trainRows.map(r => r.extra_info.prompt_id))].sort(), wrong.sort());
  assert.ok(trainRows.every(r => r.extra_info.majority_label === labels[r.extra_info.prompt_id]));

  // The ground-truth reward is the grader's verdict on the stand-in's responses; the random one is not.
  const gt = metrics(cellDir(s, 'runs', 'reward=ground_truth'));
  const rnd = metrics(cellDir(s, 'runs', 'reward=random'));
  assert.notDeepEqual(gt.map(m => m.reward_mean), rnd.map(m => m.reward_mean));

  // rlvrc report reads verl cells as it reads tfjs ones, and says which engine computed them.
  const rep = rlvrc(['report', join(s.dir, 'runs'), '--no-png', '--out', join(s.dir, 'report')], { cwd: s.dir });
  assert.equal(rep.status, 0, rep.stderr);
  const md = readFileSync(join(s.dir, 'report', 'report.md'), 'utf8');
  assert.match(md, /Computed on `engine verl b178a3cd56f5` \(5 cells\)\./);
  assert.match(md, /products_greedy\.accuracy/);

  // A second run skips finished cells.
  const again = run(s, ['--cell', 'reward=random', '--out', 'runs']);
  assert.equal(again.status, 0);
  assert.match(again.stdout, /already finished/);
});

test('rewards repeat whatever the batch order, and a crashed run resumes from its last verl checkpoint to the same records', async t => {
  if (requires(t, 'omegaconf') || requires(t, 'torch')) return;
  const s = setUp(t);
  // The stand-in shuffles each batch by its process id (as balance_batch reorders it): two runs see the
  // responses in different orders, and the group manager's sample indices must not care.
  for (const out of ['a', 'b']) assert.equal(run(s, ['--cell', 'reward=random', '--out', out]).status, 0);
  const a = metrics(cellDir(s, 'a', 'reward=random'));
  sameRecords(metrics(cellDir(s, 'b', 'reward=random')), a);
  assert.ok(new Set(a.map(m => m.reward_mean)).size > 1, 'random rewards vary over the steps');

  // Crash after step 3 (verl checkpointed at step 2): the cell fails, with steps 1-3 kept.
  const crashed = run(s, ['--cell', 'reward=random', '--out', 'c'], { VERL_STANDIN_DIE_AFTER_STEP: '3' });
  assert.equal(crashed.status, 1, crashed.stdout + crashed.stderr);
  const c = cellDir(s, 'c', 'reward=random');
  assert.match(crashed.stderr, /verl exited with code 3/);
  assert.equal(readResult(join(c, 'result.json')).status, 'failed');
  assert.deepEqual(metrics(c).map(m => m.step), [1, 2, 3]);
  assert.ok(existsSync(join(c, 'checkpoints', 'step-2', 'meta.json')), 'verl\'s checkpoint 2 marked for the run layer');

  // The same command again: verl resumes from global_step_2, the run layer from step 2.
  const resumed = run(s, ['--cell', 'reward=random', '--out', 'c']);
  assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /resuming from checkpoint step 2/);
  assert.match(resumed.stdout, /verl stand-in: resuming from .*global_step_2/);
  const result = readResult(join(c, 'result.json'));
  assert.equal(result.resumed_from_step, 2);
  assert.equal(result.attempts, 2);
  sameRecords(metrics(c), a); // the resumed run's records are the uninterrupted run's
  // Whitened advantages (rlvrc_grpo_whiten, registered by the reward module into the stand-in's registry).
  for (const m of a) assert.ok(Math.abs(m.advantage_mean as number) < 1e-6 && (m.advantage_max as number) > 0.5, JSON.stringify(m));
  assert.deepEqual(readJsonl('eval', join(c, 'eval.jsonl')).records, readJsonl('eval', join(cellDir(s, 'a', 'reward=random'), 'eval.jsonl')).records);
  assert.ok(existsSync(join(c, 'verl', 'metrics.attempt-1.jsonl')), 'the first attempt\'s verl log is kept');
});

test('Ctrl-C stops a verl cell resumably: verl is stopped, the cell is interrupted (exit 130), and the same command resumes it', async t => {
  if (requires(t, 'omegaconf') || requires(t, 'torch')) return;
  const s = setUp(t);
  const dir = cellDir(s, 'i', 'reward=random');
  const child = spawn(process.execPath, [s.program, '--profile', s.profile, '--cell', 'reward=random', '--out', 'i'], { cwd: s.dir, env: { ...process.env, VERL_STANDIN_STEP_SECONDS: '4' } });
  let output = '';
  child.stdout.on('data', d => (output += d));
  child.stderr.on('data', d => (output += d));
  const code = await new Promise<number | null>(resolve => {
    const poll = setInterval(() => {
      if (/step 3\/4/.test(output) && existsSync(join(dir, 'checkpoints', 'step-2', 'meta.json'))) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 100);
    child.on('exit', c => { clearInterval(poll); resolve(c); });
  });
  assert.equal(code, 130, output);
  assert.match(output, /SIGINT: stopping after the current step/);
  assert.match(output, /interrupted; run the same command again to resume/);
  assert.equal(readManifest(join(dir, 'manifest.json')).status, 'interrupted');
  const again = run(s, ['--cell', 'reward=random', '--out', 'i']);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /resuming from checkpoint step 2/);
  assert.deepEqual(metrics(dir).map(m => m.step), [1, 2, 3, 4]);
  assert.equal(readResult(join(dir, 'result.json')).status, 'finished');
});

test('a profile that fails its schema, --set that makes a cell unrunnable on verl, and a missing python are refused or fail clearly', async t => {
  if (requires(t, 'omegaconf')) return;
  const s = setUp(t);
  const bad = join(s.dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ nodes: 2 }));
  const p = spawnSync(process.execPath, [s.program, '--profile', bad, '--list'], { encoding: 'utf8' });
  assert.equal(p.status, 2);
  assert.match(p.stderr, /bad\.json: not a valid verl profile .*must NOT have additional properties \('nodes'\)/);
  const set = run(s, ['--cell', 'reward=random', '--set', 'optimizer.warmup=1', '--out', 'x']);
  assert.equal(set.status, 2);
  assert.match(set.stderr, /verl cannot run cell 'reward=random' as specified:\n {2}RLVR7008 optimizer\.warmup/);
  assert.equal(existsSync(join(s.dir, 'x')), false, 'nothing written');
  const noPython = join(s.dir, 'nopython.json');
  writeFileSync(noPython, JSON.stringify({ python: '/nonexistent/python3', max_steps: null }));
  const np = spawnSync(process.execPath, [s.program, '--profile', noPython, '--cell', 'reward=random', '--out', 'y'], { cwd: s.dir, encoding: 'utf8' });
  assert.equal(np.status, 1);
  assert.match(np.stderr, /FAILED: verl exited with code 127 .*launch\.sh\); its last lines:\n.*\/nonexistent\/python3: No such file or directory/s);
  assert.match(spawnSync(process.execPath, [s.program, '--profile'], { encoding: 'utf8' }).stderr, /--profile needs a file/);
});

function waitForJob(jobId: string, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const q = spawnSync('squeue', ['-h', '-j', jobId], { encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') return;
    spawnSync('sleep', ['1']);
  }
  throw new Error(`job ${jobId} still queued after ${timeoutMs} ms`);
}

test('rlvrc grid --engine verl --emit slurm: the profile\'s nodes and GPUs, Ray started inside a multi-node job, and the array run on a real Slurm', async t => {
  if (requires(t, 'slurm') || requires(t, 'omegaconf') || requires(t, 'torch')) return;
  const s = setUp(t);
  chmodSync(s.dir, 0o755);
  const spec = join(SPEC_DIR, 'verl-e2e.rlvr');

  // Two nodes of 8 GPUs: Ray's head on the first node, workers on the others, verl and the reward server pointed at it.
  const two = join(s.dir, 'two-nodes.json');
  writeFileSync(two, JSON.stringify({ nnodes: 2, n_gpus_per_node: 8 }));
  const g2 = rlvrc(['grid', spec, '--engine', 'verl', '--emit', 'slurm', '--profile', two, '--out', join(s.dir, 'runs2'), '--generated', join(s.dir, 'gen2')], { cwd: s.dir });
  assert.equal(g2.status, 0, g2.stderr);
  assert.match(g2.stdout, /^#SBATCH --nodes=2$/m);
  assert.match(g2.stdout, /^#SBATCH --gpus-per-node=8$/m);
  assert.match(g2.stdout, /ray start --head --node-ip-address="\$head_ip" --port="\$port" --num-gpus=8 --block &/);
  assert.match(g2.stdout, /^export RAY_ADDRESS="\$head_ip:\$port"$/m);
  assert.match(g2.stdout, /^export RLVRC_REWARD_HOST="\$head_ip"$/m);
  assert.match(g2.stdout, /--cell "\$cell" '--out' '[^']*runs2' '--profile' '[^']*two-nodes\.json'$/m);
  writeFileSync(join(s.dir, 'two.sbatch'), g2.stdout);
  assert.equal(spawnSync('bash', ['-n', join(s.dir, 'two.sbatch')]).status, 0);
  assert.match(rlvrc(['grid', spec, '--emit', 'slurm', '--profile', two], { cwd: s.dir }).stderr, /--profile is the verl cluster profile: it goes with --engine verl/);

  // One node (the stand-in's profile): no Ray to start; every cell of the array runs to the end.
  const up = spawnSync('bash', [join(ROOT, 'scripts/slurm-up.sh')], { encoding: 'utf8' });
  assert.equal(up.status, 0, `slurm-up failed: ${up.stderr}`);
  const out = join(s.dir, 'runs');
  const g = rlvrc(['grid', spec, '--engine', 'verl', '--emit', 'slurm', '--profile', s.profile, '--out', out, '--generated', join(s.dir, 'gen'), '--time', '00:05:00'], { cwd: s.dir });
  assert.equal(g.status, 0, g.stderr);
  assert.doesNotMatch(g.stdout, /ray start/);
  assert.match(g.stdout, /^#SBATCH --nodes=1$/m);
  // The one-machine test cluster has no GPUs to give (gres): the request is dropped here, and only here.
  writeFileSync(join(s.dir, 'job.sbatch'), g.stdout.replace(/^#SBATCH --gpus-per-node=\d+\n/m, ''));
  const sub = spawnSync('sbatch', ['--parsable', join(s.dir, 'job.sbatch')], { encoding: 'utf8', cwd: s.dir });
  assert.equal(sub.status, 0, sub.stderr);
  waitForJob(sub.stdout.trim().split(';')[0]!, 240_000);
  for (const id of CELLS) {
    const dir = join(out, id);
    assert.ok(existsSync(join(dir, 'result.json')), `${id} did not finish; logs in ${join(s.dir, 'slurm-logs')}: ${readdirSync(join(s.dir, 'slurm-logs')).map(f => readFileSync(join(s.dir, 'slurm-logs', f), 'utf8')).join('\n').slice(-2000)}`);
    assert.equal(readResult(join(dir, 'result.json')).status, 'finished');
    assert.equal(readManifest(join(dir, 'manifest.json')).engine?.name, 'verl');
    assert.deepEqual(metrics(dir).map(m => m.step), [1, 2, 3, 4]);
  }
});
