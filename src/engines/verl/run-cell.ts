// One cell on verl (issue 17): prepare its directory, serve its rewards, run launch.sh with execa, and turn
// what verl writes into the cell's artifacts while it runs (watch.ts). The run layer (src/runtime/run/)
// around it is the tfjs engine's: the same manifest, locks, resume and --jobs pool.
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { CellConfig } from '../../ir/cell.js';
import type { CellProgram } from '../../runtime/cell/run-cell.js';
import { specDirOf } from '../../runtime/cell/run-cell.js';
import type { CellContext, CellResult } from '../../runtime/run/types.js';
import { prepareVerlCell, verlManifestFields, verlRunPaths } from './prepare.js';
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

/** Writes the cell's verl directory (prepare.ts) for a dry run; returns the launch command. */
export function prepareForProgram(cell: CellConfig, dir: string, o: VerlCellOptions): { command: string; verlYamlText: string } {
  const compiled = o.program.rewards[cell.reward.text];
  if (!compiled) throw new Error(`the program has no compiled reward for '${cell.reward.text}' (cell '${cell.id}'); compile the spec again`);
  return prepareVerlCell({ cell, profile: o.profile, cellDir: dir, specDir: specDirOf(o.program), filter: compiled.filter });
}

/** Keeps an earlier attempt's file-logger output: verl's FileLogger truncates its file when it starts. */
function keepEarlierLog(metrics: string): void {
  if (!existsSync(metrics)) return;
  const dir = join(metrics, '..');
  const n = readdirSync(dir).filter(f => /^metrics\.attempt-\d+\.jsonl$/.test(f)).length + 1;
  renameSync(metrics, join(dir, `metrics.attempt-${n}.jsonl`));
}

export async function runVerlCell(cell: CellConfig, ctx: CellContext, o: VerlCellOptions): Promise<CellResult> {
  const prepared = prepareForProgram(cell, ctx.dir, o);
  const fields = verlManifestFields(prepared.verlYamlText, o.profile);
  ctx.setEngine({ name: 'verl', commit: fields.engine_commit, profile: { ...fields.profile }, config_sha256: fields.verl_config_sha256 });
  const total = verlSteps(cell, loweringProfile(o.profile));
  ctx.setTotalSteps(total);
  const paths = verlRunPaths(ctx.dir);
  // verl's FileLogger opens VERL_FILE_LOGGER_PATH without creating its directory.
  mkdirSync(join(paths.metrics, '..'), { recursive: true });
  keepEarlierLog(paths.metrics);

  // A multi-node Slurm job sets RLVRC_REWARD_HOST to the Ray head's address (src/cluster/slurm.ts).
  const server = await startRewardServer({ rewards: o.program.rewards, cell, host: process.env.RLVRC_REWARD_HOST || o.profile.reward_host });
  ctx.log(`reward server at ${server.url}; starting verl: ${join(ctx.dir, 'launch.sh')}`);
  const watcher = new VerlRunWatcher(paths, cell, ctx);
  const tail: string[] = [];
  let watchError: unknown = null;
  const child = execa('bash', [join(ctx.dir, 'launch.sh')], {
    cwd: ctx.dir,
    env: { [REWARD_URL_ENV]: server.url },
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
      watcher.poll();
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
    await server.close();
  }
  if (watchError) throw watchError;
  watcher.poll(); // what verl wrote between the last poll and its exit
  ctx.throwIfStopped();
  if (r.exitCode !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
    throw new Error(`verl ${how} (${join(ctx.dir, 'launch.sh')}); its last lines:\n${tail.map(l => `  ${l}`).join('\n')}`);
  }
  if (watcher.step < total) throw new Error(`verl exited without error after step ${Math.max(0, watcher.step)} of ${total} (no more lines in ${paths.metrics})`);
  return { steps: watcher.step };
}
