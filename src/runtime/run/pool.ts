// The local pool: every selected cell runs in its own child process (this program again, with --cell ID),
// at most `jobs` at a time. A child's stdout/stderr are appended to its cell's log.txt; its progress
// comes over the fd-3 side channel (progress.ts). A failing or crashing child never stops the others.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { FILES, readResult } from './artifacts.js';
import { inspectCell, RefusedError } from './cell.js';
import { lockHolder } from './lock.js';
import { cellDirName } from './dirname.js';
import { configHash } from './hash.js';
import { parseEvent, PROGRESS_FD_ENV, ProgressView, type ProgramIO } from './progress.js';
import type { CellConfig } from './types.js';

export interface PoolOptions {
  cells: CellConfig[];
  out: string;
  jobs: number;
  /** Arguments every child gets after `--cell ID` (--out, --backend, --set ...). */
  childArgs: string[];
  entry: string;
  io: ProgramIO;
  /** How long stopped children get to finish their step before SIGKILL. */
  stopGraceMs?: number;
  /** An engine's files that may be in a cell directory before its manifest (ProgramDefinition.engineFiles). */
  engineFiles?: readonly string[];
}

interface Outcome { id: string; status: 'finished' | 'failed' | 'interrupted' | 'skipped'; error: string | null; log: string; seconds: number }

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A path as the user can use it from here: relative when below the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

function firstLines(text: string, n: number): string[] {
  return text.split('\n').filter(l => l.trim() !== '').slice(0, n);
}

export async function runPool(o: PoolOptions): Promise<number> {
  const { io } = o;
  const t0 = Date.now();
  const outcomes: Outcome[] = [];
  const todo: CellConfig[] = [];
  const refusals: string[] = [];
  // Check every cell before starting any, so a conflicting directory stops the run before work is done.
  for (const cell of o.cells) {
    const dir = join(o.out, cellDirName(cell.id));
    try {
      const busy = lockHolder(dir);
      if (busy) throw new RefusedError(`${dir} is in use: ${busy}`);
      const state = inspectCell(dir, cell, configHash(cell), o.engineFiles);
      if (state.kind === 'finished') outcomes.push({ id: cell.id, status: 'skipped', error: null, log: join(dir, FILES.log), seconds: 0 });
      else todo.push(cell);
    } catch (e) {
      if (!(e instanceof RefusedError) && !(e instanceof Error && e.name === 'ArtifactError')) throw e;
      refusals.push(`cell '${cell.id}': ${e.message}`);
    }
  }
  if (refusals.length) {
    io.stderr(`refusing to run: ${refusals.length} cell director${refusals.length === 1 ? 'y' : 'ies'} cannot be used as they are\n${refusals.map(r => `  ${r.replaceAll('\n', '\n  ')}\n`).join('')}`);
    return 2;
  }
  const skipped = outcomes.length;
  if (skipped) io.stdout(`${skipped} of ${o.cells.length} cells already finished; skipping them (--fresh runs them again)\n`);

  // Children run under the same node options (e.g. `--import tsx`), except a debugger port they would fight over.
  const nodeArgs = process.execArgv.filter(a => !/^--inspect(-brk|-port)?(=|$)/.test(a));
  const view = new ProgressView(io);
  const children = new Map<string, { kill(signal: NodeJS.Signals): boolean }>();
  let stopping = false;
  let killTimer: NodeJS.Timeout | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!stopping) {
      stopping = true;
      view.line(`${sig}: stopping ${children.size} running cell${children.size === 1 ? '' : 's'} after their current step; they resume on re-run (again to kill them now)`);
      // A terminal's Ctrl-C reaches the children too; forwarding covers `kill -INT <pool>` (children dedupe).
      for (const c of children.values()) c.kill('SIGINT');
      killTimer = setTimeout(() => { for (const c of children.values()) c.kill('SIGKILL'); }, o.stopGraceMs ?? 60_000);
    } else {
      for (const c of children.values()) c.kill('SIGKILL');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runOne = async (cell: CellConfig): Promise<void> => {
    const dir = join(o.out, cellDirName(cell.id));
    const log = join(dir, FILES.log);
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    appendFileSync(log, `==> rlvrc: ${new Date(started).toISOString()} running cell '${cell.id}' (pool pid ${process.pid})\n`);
    const child = execa(process.execPath, [...nodeArgs, o.entry, '--cell', cell.id, ...o.childArgs], {
      reject: false,
      forceKillAfterDelay: false,
      buffer: false,
      stdio: ['ignore', { file: log, append: true }, { file: log, append: true }, 'pipe'],
      env: { [PROGRESS_FD_ENV]: '3' },
    });
    children.set(cell.id, child);
    let ended: { status: string; error: string | null } | null = null;
    const channel = child.stdio[3];
    if (channel) {
      createInterface({ input: channel }).on('line', line => {
        const e = parseEvent(line);
        if (!e) return;
        if (e.event === 'start') view.start(cell.id, e.resumed_from_step, e.total);
        else if (e.event === 'step') view.step(cell.id, e.step, e.total, e.metrics);
        else ended = { status: e.status, error: e.error };
      });
    }
    const r = await child;
    children.delete(cell.id);
    const seconds = (Date.now() - started) / 1000;
    const done = ended as { status: string; error: string | null } | null;
    let outcome: Outcome;
    if (r.exitCode === 0) {
      outcome = { id: cell.id, status: done?.status === 'skipped' ? 'skipped' : 'finished', error: null, log, seconds };
    } else if (r.exitCode === 130 || (stopping && (r.signal === 'SIGINT' || r.signal === 'SIGKILL'))) {
      outcome = { id: cell.id, status: 'interrupted', error: null, log, seconds };
    } else {
      let error = done?.error ?? null;
      if (error === null && existsSync(join(dir, FILES.result))) {
        try { error = readResult(join(dir, FILES.result)).error?.message ?? null; } catch { /* the log tail says more */ }
      }
      const how = r.signal ? `killed by ${r.signal}` : `exited with code ${r.exitCode}`;
      error ??= `the cell process ${how}; last lines of its log:\n${tail(log, 5)}`;
      outcome = { id: cell.id, status: 'failed', error, log, seconds };
    }
    outcomes.push(outcome);
    const rel = shown(log);
    if (outcome.status === 'finished') view.end(cell.id, `[${cell.id}] finished in ${seconds.toFixed(1)}s`);
    else if (outcome.status === 'skipped') view.end(cell.id, `[${cell.id}] already finished; skipped`);
    else if (outcome.status === 'interrupted') view.end(cell.id, `[${cell.id}] interrupted; resumes on re-run`);
    else view.end(cell.id, `[${cell.id}] FAILED after ${seconds.toFixed(1)}s: ${firstLines(outcome.error!, 1)[0] ?? ''} (log: ${rel})`);
  };

  const queue = [...todo];
  const worker = async (): Promise<void> => {
    for (let cell = queue.shift(); cell && !stopping; cell = queue.shift()) await runOne(cell);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.jobs, Math.max(1, todo.length)) }, worker));
  } finally {
    view.close();
    if (killTimer) clearTimeout(killTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const count = (s: Outcome['status']): Outcome[] => outcomes.filter(x => x.status === s);
  const failed = count('failed');
  const interrupted = count('interrupted');
  const notStarted = stopping ? queue.length : 0;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const lines = [
    `Summary: ${count('finished').length} finished, ${failed.length} failed, ${count('skipped').length} skipped` +
    `${interrupted.length || notStarted ? `, ${interrupted.length} interrupted, ${notStarted} not started` : ''} (${o.cells.length} cells, ${secs}s)`,
  ];
  if (failed.length) {
    lines.push('Failed:');
    for (const f of failed) {
      lines.push(`  ${f.id}`);
      for (const l of firstLines(f.error ?? '', 3)) lines.push(`    ${l}`);
      lines.push(`    log: ${shown(f.log)}`);
    }
  }
  if (stopping) lines.push('Interrupted: run the same command again to resume (finished cells are skipped).');
  io.stdout(lines.join('\n') + '\n');
  if (stopping) return 130;
  return failed.length ? 1 : 0;
}
