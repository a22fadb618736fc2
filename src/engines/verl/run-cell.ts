// One cell on verl (issue 17): prepare its directory, serve its rewards, run launch.sh with execa, and turn
// what verl writes into the cell's artifacts while it runs (watch.ts). The run layer (src/runtime/run/)
// around it is the tfjs engine's: the same manifest, locks, resume and --jobs pool.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { CellConfig } from '../../ir/cell.js';
import type { CellProgram, CompiledRewards } from '../../runtime/cell/run-cell.js';
import { specDirOf } from '../../runtime/cell/run-cell.js';
import type { CellContext, CellResult } from '../../runtime/run/types.js';
import { labelNames, posthocNames, prepareVerlCell, verlManifestFields, verlRunPaths } from './prepare.js';
import { needsLabels, writeLabelledTrain } from './datasets.js';
import { parseJsonlObjects } from './convert.js';
import { majorityLabel } from '../../grader/index.js';
import { responseText } from '../../runtime/cell/prompts.js';
import { ArtifactError } from '../../runtime/run/schemas.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { evalGroups, posthocSteps, type EvalGroup } from './evals.js';
import { regradeValidation } from './convert.js';
import { evalDue } from '../../runtime/cell/evaluate.js';
import { loweringProfile, type VerlLaunchProfile } from './profile.js';
import { startRewardServer, REWARD_URL_ENV } from './reward-server.js';
import { VerlRunWatcher } from './watch.js';
import { verlSteps } from './config.js';

/** How often the watcher reads verl's files while it runs (ms). Affects only how soon records appear, never their content. */
const POLL_MS = 500;

export interface VerlCellOptions {
  program: Pick<CellProgram, 'rewards' | 'specDir' | 'programUrl'>;
  profile: VerlLaunchProfile;
}

/** Writes the cell's verl directory (prepare.ts); returns the launch command. With labels, train.parquet too. */
export function prepareForProgram(cell: CellConfig, dir: string, o: VerlCellOptions, labels?: ReadonlyMap<string, string | null>): { command: string; verlYamlText: string } {
  return prepareVerlCell({ cell, profile: o.profile, cellDir: dir, specDir: specDirOf(o.program), filter: compiledOf(cell, o).filter, ...(labels ? { labels } : {}) });
}

function compiledOf(cell: CellConfig, o: VerlCellOptions): CompiledRewards[string] {
  const compiled = o.program.rewards[cell.reward.text];
  if (!compiled) throw new Error(`the program has no compiled reward for '${cell.reward.text}' (cell '${cell.id}'); compile the spec again`);
  return compiled;
}

/** labels.json of an earlier attempt's label phase, or null. */
function readLabels(dir: string): Map<string, string | null> | null {
  const path = labelNames(dir).labels;
  return existsSync(path) ? new Map(Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string | null>)) : null;
}

/**
 * The label phase: a validation-only verl run of the base model samples the majority spec's responses for
 * every training problem (launch-labels.sh); rlvrc votes each problem's majority answer as the tfjs engine
 * does (majorityLabel of the responses after the prompt's response text) and keeps them in labels.json, which a
 * re-run reuses (readLabels). Returns the labels by prompt id (null: no answer won).
 */
async function labelPhase(cell: CellConfig, ctx: CellContext, url: string): Promise<Map<string, string | null>> {
  const n = labelNames(ctx.dir);
  mkdirSync(n.root, { recursive: true });
  const spec = needsLabels(cell)!;
  ctx.log(`label phase: ${spec.samples} samples at temperature ${spec.temperature} per training problem: ${n.launch}`);
  await runVerl(ctx, url, [n.launch]);
  const dump = join(n.validation, '0.jsonl');
  if (!existsSync(dump)) throw new Error(`verl's label-phase run wrote no generations to ${dump} (trainer.validation_data_dir)`);
  const byPrompt = new Map<string, string[]>();
  for (const { line, value } of parseJsonlObjects(readFileSync(dump, 'utf8'), dump)) {
    const id = value.prompt_id;
    const output = value.output;
    if (typeof id !== 'string' || typeof output !== 'string') throw new ArtifactError(dump, line, 'a label-phase row needs string prompt_id (a reward extra info of RlvrcRewardManager) and output');
    let outs = byPrompt.get(id);
    if (!outs) byPrompt.set(id, (outs = []));
    outs.push(output);
  }
  for (const [id, outs] of byPrompt) if (outs.length !== spec.samples) throw new ArtifactError(dump, 1, `prompt '${id}' has ${outs.length} responses, the majority label needs ${spec.samples}`);
  const labels = new Map([...byPrompt].map(([id, outs]) => [id, majorityLabel(outs.map(t => responseText(cell.prompt, t))).answer]));
  writeFileAtomic(n.labels, JSON.stringify(Object.fromEntries([...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), null, 1) + '\n');
  ctx.log(`label phase: ${labels.size} problems labelled, ${[...labels.values()].filter(l => l === null).length} without a majority answer (${n.labels})`);
  return labels;
}

/** Keeps an earlier attempt's file-logger output: verl's FileLogger truncates its file when it starts. */
function keepEarlierLog(metrics: string): void {
  if (!existsSync(metrics)) return;
  const dir = join(metrics, '..');
  const n = readdirSync(dir).filter(f => /^metrics\.attempt-\d+\.jsonl$/.test(f)).length + 1;
  renameSync(metrics, join(dir, `metrics.attempt-${n}.jsonl`));
}

export async function runVerlCell(cell: CellConfig, ctx: CellContext, o: VerlCellOptions): Promise<CellResult> {
  // Labels from an earlier attempt: train.parquet is written with them at once.
  const earlier = readLabels(ctx.dir);
  const prepared = prepareForProgram(cell, ctx.dir, o, earlier ?? undefined);
  const fields = verlManifestFields(prepared.verlYamlText, o.profile);
  ctx.setEngine({ name: 'verl', commit: fields.engine_commit, profile: { ...fields.profile }, config_sha256: fields.verl_config_sha256 });
  const total = verlSteps(cell, loweringProfile(o.profile));
  ctx.setTotalSteps(total);
  const paths = verlRunPaths(ctx.dir);
  // verl's FileLogger opens VERL_FILE_LOGGER_PATH without creating its directory.
  mkdirSync(join(paths.metrics, '..'), { recursive: true });
  keepEarlierLog(paths.metrics);

  // A multi-node Slurm job sets RLVRC_REWARD_HOST to the Ray head's address (src/cluster/slurm.ts).
  // A multi-node Slurm job sets RLVRC_REWARD_HOST to the Ray head's address (src/cluster/slurm.ts).
  const server = await startRewardServer({ rewards: o.program.rewards, cell, host: process.env.RLVRC_REWARD_HOST || o.profile.reward_host });
  try {
    // Offline majority labels: the base model's votes on every training problem, then the training data.
    if (needsLabels(cell) && !earlier) {
      const labels = await labelPhase(cell, ctx, server.url);
      writeLabelledTrain(cell, specDirOf(o.program), ctx.dir, compiledOf(cell, o).filter, labels);
    }
    // A re-run whose training finished (the run layer resumed from verl's last checkpoint) only has post-hoc evals left.
    const trained = total > 0 && ctx.resume !== null && ctx.resume.step >= total;
    let steps = ctx.resume?.step ?? 0;
    if (!trained) {
      ctx.log(`reward server at ${server.url}; starting verl: ${join(ctx.dir, 'launch.sh')}`);
      const watcher = new VerlRunWatcher(paths, cell, ctx);
      await runVerl(ctx, server.url, [join(ctx.dir, 'launch.sh')], () => watcher.poll());
      if (watcher.step < total) throw new Error(`verl exited without error after step ${Math.max(0, watcher.step)} of ${total} (no more lines in ${paths.metrics})`);
      steps = watcher.step;
    }
    for (const g of evalGroups(cell).slice(1)) await runPosthoc(cell, ctx, g, o, server.url, total);
    return { steps: Math.max(0, steps) };
  } finally {
    await server.close();
  }
}

/** Runs bash SCRIPT ARGS… with the reward server's URL, streaming its lines; `poll` runs every POLL_MS and once at the end. */
async function runVerl(ctx: CellContext, url: string, args: string[], poll: () => void = () => {}): Promise<void> {
  const tail: string[] = [];
  let watchError: unknown = null;
  const child = execa('bash', args, {
    cwd: ctx.dir,
    env: { [REWARD_URL_ENV]: url },
    reject: false,
    buffer: false,
    all: true,
    cancelSignal: ctx.signal,
    forceKillAfterDelay: 30_000,
  });
  const lines = child.all ? createInterface({ input: child.all }) : null;
  lines?.on('line', line => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    ctx.log(`verl | ${line}`);
  });
  const timer = setInterval(() => {
    try {
      poll();
    } catch (e) {
      // Malformed verl output fails the cell: stop verl rather than train on without artifacts.
      watchError ??= e;
      child.kill('SIGTERM');
    }
  }, POLL_MS);
  let r;
  try {
    r = await child;
  } finally {
    clearInterval(timer);
  }
  if (watchError) throw watchError;
  poll(); // what verl wrote between the last poll and its exit
  ctx.throwIfStopped();
  if (r.exitCode !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
    throw new Error(`verl ${how} (${args.join(' ')}); its last lines:\n${tail.map(l => `  ${l}`).join('\n')}`);
  }
}

/**
 * An eval group that samples unlike the first (evals.ts): after training, one validation-only verl run per
 * step of posthocSteps (the base model at 0, then the checkpoints), each dump regraded and merged into
 * eval.jsonl/samples.jsonl in step order. A `done-<step>` file marks each finished step, so a re-run goes on
 * where it stopped.
 */
async function runPosthoc(cell: CellConfig, ctx: CellContext, g: EvalGroup, o: VerlCellOptions, url: string, total: number): Promise<void> {
  const n = posthocNames(ctx.dir, g.index);
  mkdirSync(n.root, { recursive: true });
  for (const step of posthocSteps(cell, g, o.profile)) {
    const done = join(n.root, `done-${step}`);
    if (existsSync(done)) continue;
    ctx.throwIfStopped();
    ctx.log(`post-hoc evals ${g.evals.map(i => cell.evals[i]!.name).join(', ')} at step ${step}: ${n.launch} ${step}`);
    await runVerl(ctx, url, [n.launch, String(step)]);
    const dump = join(n.validation, `${step}.jsonl`);
    if (!existsSync(dump)) throw new Error(`verl's validation-only run for step ${step} wrote no generations to ${dump} (trainer.validation_data_dir)`);
    const { evals, samples } = regradeValidation(readFileSync(dump, 'utf8'), cell, dump);
    const due = new Set(g.evals.filter(i => evalDue(step, cell.evals[i]!.every, total)).map(i => cell.evals[i]!.name));
    ctx.insertEvals(evals.filter(e => e.step === step && due.has(String(e.name))));
    for (const s of samples) {
      const kept = s.step === step ? s.samples.filter(x => due.has(String(x.eval))) : [];
      if (kept.length > 0) ctx.insertSamples(step, kept);
    }
    writeFileSync(done, '');
  }
}
