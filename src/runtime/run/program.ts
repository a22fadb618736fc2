// runProgram: the command line of every generated program.
//
//   node generated/x.js --list [--json]      the cells (ids; --json adds directory, seed, axes, status)
//   node generated/x.js [--jobs N]           run the selected cells in a local pool of child processes
//   node generated/x.js --cell ID            run one cell in this process (what a cluster job runs)
//
// Exit codes: 0 every selected cell finished (or had already), 1 a cell failed, 2 usage error or
// refused before anything ran (unknown option or cell, invalid --set, a cell directory in conflict),
// 130 interrupted (cells stopped resumably).
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspectCell, RefusedError, runCellHere } from './cell.js';
import { lockHolder } from './lock.js';
import { cellDirName } from './dirname.js';
import { configHash } from './hash.js';
import { applyOverrides, compileCellSchema, OverrideError, parseSet } from './overrides.js';
import { runPool } from './pool.js';
import { processIO, ProgressSink, type ProgramIO } from './progress.js';
import { ArtifactError } from './schemas.js';
import { parseCellId, selectMany, selectOne, SelectionError } from './select.js';
import { closest } from '../../util/suggest.js';
import type { CellConfig, CellIdentity, Override, ProgramDefinition } from './types.js';

export const DEFAULT_BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

class UsageError extends Error {
  override name = 'UsageError';
}

interface Options {
  list: boolean;
  json: boolean;
  help: boolean;
  fresh: boolean;
  dryRun: boolean;
  cell: string | null;
  jobs: number | null;
  out: string | null;
  backend: string;
  sets: string[];
  only: string[];
}

const BOOLEAN = ['list', 'json', 'help', 'fresh', 'dry-run'] as const;
const VALUED = ['cell', 'jobs', 'out', 'backend', 'set', 'only'] as const;

export function parseProgramArgs(argv: string[]): Options {
  const o: Options = { list: false, json: false, help: false, fresh: false, dryRun: false, cell: null, jobs: null, out: null, backend: 'auto', sets: [], only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h') { o.help = true; continue; }
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}' (options start with --; a cell is chosen with --cell ID)`);
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if ((BOOLEAN as readonly string[]).includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      o[name === 'dry-run' ? 'dryRun' : name as Exclude<(typeof BOOLEAN)[number], 'dry-run'>] = true;
      continue;
    }
    if (!(VALUED as readonly string[]).includes(name)) {
      const near = closest(name, [...BOOLEAN, ...VALUED]);
      throw new UsageError(`unknown option '${a}'${near.length ? ` (did you mean --${near[0]}?)` : ''}`);
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    switch (name as (typeof VALUED)[number]) {
      case 'cell': o.cell = value; break;
      case 'out': o.out = value; break;
      case 'backend': o.backend = value; break;
      case 'set': o.sets.push(value); break;
      case 'only': o.only.push(value); break;
      case 'jobs': {
        if (!/^[1-9][0-9]*$/.test(value)) throw new UsageError(`--jobs needs a whole number >= 1, got '${value}'`);
        o.jobs = Number(value);
        break;
      }
    }
  }
  if (o.cell !== null && o.jobs !== null) throw new UsageError('--cell runs one cell in this process; --jobs is for running several (use --only to choose them)');
  if (o.cell !== null && o.only.length) throw new UsageError('--cell and --only both choose cells; use one');
  if (o.json && !o.list) throw new UsageError('--json goes with --list');
  return o;
}

const DRY_RUN_HELP = `  --dry-run           write what each chosen cell's run needs into its directory, print how it
                      would start, run nothing
`;

export function helpText<C extends CellIdentity>(def: ProgramDefinition<C>): string {
  return `${def.experiment}: ${def.cells.length} cell${def.cells.length === 1 ? '' : 's'}, compiled from ${def.source.file} (sha256 ${def.source.sha256.slice(0, 12)}) by rlvrc ${def.compilerVersion}

Usage: node <program> [options]

  --list [--json]     print the cell ids (--json: id, directory, seed, axes, status)
  --cell ID           run one cell in this process (what a cluster job runs)
  --jobs N            run the selected cells N at a time, each in a child process (default 1)
  --only PATTERN      choose cells: an id, axis values like reward=random,seed=1, a grid like name/,
                      or a glob with *; repeatable, or comma-separated (a repeated axis starts the next)
  --out DIR           where cell directories go (default runs/${def.experiment})
  --backend NAME      ${(def.backends ?? DEFAULT_BACKENDS).join(', ')} (default auto)
  --set PATH=VALUE    override a field of every chosen cell (VALUE is JSON, or else a string); repeatable.
                      The config hash changes: an existing cell directory needs --fresh or another --out
  --fresh             delete the chosen cells' directories first and run them from the start
${def.dryRun ? DRY_RUN_HELP : ''}${def.extraHelp ?? ''}  --help              this text

Re-running skips finished cells and resumes the others from their latest checkpoint.
Exit codes: 0 all chosen cells finished, 1 some cell failed, 2 usage error or refused, 130 interrupted.
`;
}

/** Program bugs (duplicate ids, ids that share a directory) are caught before anything runs. */
function checkDefinition(def: ProgramDefinition): void {
  const dirs = new Map<string, string>();
  for (const c of def.cells) {
    if (typeof c.id !== 'string' || c.id === '') throw new Error(`a cell has no id: ${JSON.stringify(c).slice(0, 80)}`);
    if (typeof c.seed !== 'number') throw new Error(`cell '${c.id}' has no numeric seed`);
    const d = cellDirName(c.id);
    const other = dirs.get(d);
    if (other === c.id) throw new Error(`two cells share the id '${c.id}'`);
    if (other !== undefined) throw new Error(`cells '${other}' and '${c.id}' map to the same directory '${d}'`);
    dirs.set(d, c.id);
  }
}

function listJson(cells: CellConfig[], out: string, engineFiles?: readonly string[]): string {
  const rows = cells.map(c => {
    const dir = join(out, cellDirName(c.id));
    const hash = configHash(c);
    let status: string;
    try {
      const s = inspectCell(dir, c, hash, engineFiles);
      status = s.kind === 'new' ? 'not started' : s.kind === 'finished' ? 'finished' : s.manifest.status;
      if (s.kind === 'resumable' && lockHolder(dir) === null && status === 'running') status = 'stopped';
    } catch (e) {
      status = e instanceof RefusedError ? 'conflict' : e instanceof ArtifactError ? 'corrupt' : 'unreadable';
    }
    const axes = c.axes && typeof c.axes === 'object' ? c.axes : Object.fromEntries(parseCellId(c.id)?.pairs ?? []);
    return { id: c.id, dir, seed: c.seed, ...(typeof c.grid === 'string' ? { grid: c.grid } : {}), axes, config_hash: hash, status };
  });
  return JSON.stringify(rows, null, 2) + '\n';
}

export async function runProgram<C extends CellIdentity>(definition: ProgramDefinition<C>, argv: string[], io: ProgramIO = processIO()): Promise<number> {
  // Cells after --set are still C (the cell schema checks them); the run layer itself only needs CellConfig.
  const def = definition as unknown as ProgramDefinition;
  const name = def.experiment;
  let o: Options;
  let cells: CellConfig[];
  let overrides: Override[];
  try {
    checkDefinition(def);
    o = parseProgramArgs(argv);
    if (o.help) {
      io.stdout(helpText(def));
      return 0;
    }
    const backends = def.backends ?? DEFAULT_BACKENDS;
    if (!backends.includes(o.backend)) {
      const near = closest(o.backend, backends);
      throw new UsageError(`unknown backend '${o.backend}'${near.length ? ` (did you mean '${near[0]}'?)` : ''}; choose one of ${backends.join(', ')}`);
    }
    if (o.dryRun && !def.dryRun) throw new UsageError('--dry-run is for programs compiled for an external engine (rlvrc compile --engine verl); this program runs its cells itself');
    const chosen = o.cell !== null ? [selectOne(def.cells, o.cell)] : selectMany(def.cells, o.only);
    overrides = o.sets.map(parseSet);
    cells = applyOverrides(chosen, overrides, def.cellSchema ? compileCellSchema(def.cellSchema) : null, def.reviseCell);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SelectionError || e instanceof OverrideError) {
      io.stderr(`${name}: ${e.message}\nRun with --help for the options.\n`);
      return 2;
    }
    io.stderr(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const out = resolve(o.out ?? join('runs', def.experiment));

  if (o.list) {
    io.stdout(o.json ? listJson(cells, out, def.engineFiles) : cells.map(c => c.id + '\n').join(''));
    return 0;
  }

  if (o.dryRun) {
    try {
      for (const c of cells) {
        const dir = join(out, cellDirName(c.id));
        // Never write into a directory a live run is using, nor into a finished or another config's cell.
        const busy = lockHolder(dir);
        if (busy) throw new Error(`${dir} is in use: ${busy}`);
        if (o.fresh) rmSync(dir, { recursive: true, force: true });
        const state = inspectCell(dir, c, configHash(c), def.engineFiles);
        if (state.kind !== 'new') throw new Error(`${dir} holds a ${state.kind === 'finished' ? 'finished' : 'started'} run of cell '${c.id}'; a dry run would overwrite its files (pass --fresh to start over, or --out DIR)`);
        await def.dryRun!(c, dir, { stdout: io.stdout });
      }
      return 0;
    } catch (e) {
      io.stderr(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }

  if (o.cell !== null) {
    const cell = cells[0]!;
    const ac = new AbortController();
    let firstSignal = 0;
    // A terminal's Ctrl-C reaches this process and the pool, which forwards it: the same stop can arrive
    // twice, so only a signal more than 2 s after the first one forces an exit (still resumable: every
    // artifact write is atomic, and the manifest says 'running').
    const onSignal = (sig: NodeJS.Signals): void => {
      const now = Date.now();
      if (firstSignal === 0) {
        firstSignal = now;
        io.stderr(`[${cell.id}] ${sig}: stopping after the current step (send it again to stop at once)\n`);
        ac.abort();
      } else if (now - firstSignal > 2000) {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const r = await runCellHere({
        def, cell, overrides, out, backend: o.backend, fresh: o.fresh, signal: ac.signal,
        progress: new ProgressSink(io), stdout: io.stdout,
      });
      if (r.status === 'failed') io.stderr(`[${cell.id}] FAILED: ${r.error}\n  artifacts: ${r.dir}\n`);
      if (r.status === 'interrupted') io.stderr(`[${cell.id}] interrupted; run the same command again to resume\n`);
      return r.status === 'failed' ? 1 : r.status === 'interrupted' ? 130 : 0;
    } catch (e) {
      // Refusals, broken artifacts, and the file system saying no (EACCES, ENOSPC): nothing more ran.
      io.stderr(`${name}: cell '${cell.id}': ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  const entry = def.entry ?? process.argv[1];
  if (!entry) {
    io.stderr(`${name}: cannot start child processes: no program file (set ProgramDefinition.entry)\n`);
    return 2;
  }
  try {
    if (o.fresh) {
      // Never delete a directory a live run is writing to.
      const busy = cells.map(c => lockHolder(join(out, cellDirName(c.id)))).filter((h): h is string => h !== null);
      if (busy.length) {
        io.stderr(`${name}: --fresh would delete cells that are running:\n${busy.map(b => `  ${b}\n`).join('')}`);
        return 2;
      }
      for (const c of cells) rmSync(join(out, cellDirName(c.id)), { recursive: true, force: true });
    }
    const childArgs = ['--out', out, '--backend', o.backend, ...o.sets.flatMap(s => ['--set', s]), ...(def.childArgs ?? [])];
    return await runPool({ cells, out, jobs: o.jobs ?? 1, childArgs, entry: resolve(entry), io, ...(def.engineFiles ? { engineFiles: def.engineFiles } : {}) });
  } catch (e) {
    io.stderr(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
