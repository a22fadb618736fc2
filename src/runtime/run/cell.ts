// One cell, in this process: decide whether it is new, finished (skip), resumable or someone else's
// (refuse), then run it with a CellContext and leave its artifacts behind whatever happens.
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FILES, JsonlWriter, readJsonl, readManifest, readResult, rewriteJsonl, writeManifest, writeResult, type JsonlKind, type JsonlRecordOf } from './artifacts.js';
import { checkpointPath, latestCheckpoint, pruneCheckpoints, removeIncompleteCheckpoints } from './checkpoints.js';
import { cellDirName } from './dirname.js';
import { canonicalJson, configHash } from './hash.js';
import { CellLock, lockHolder } from './lock.js';
import { platformInfo, runtimeVersion } from './platform.js';
import { graderRecord } from '../../grader/budget.js';

// Whether a cell grades anything with Math-Verify (a reward's correct(..., grader = math_verify) or an
// eval's grader): its manifest then records that grader's version too. The run layer sees cells as JSON.
const usesMathVerify = (cell: unknown): boolean => JSON.stringify(cell).includes('"grader":"math_verify"');
import type { ProgressSink } from './progress.js';
import { ArtifactError } from './schemas.js';
import type { Attempt, CellConfig, CellContext, CellResult, EvalRecord, Manifest, Override, ProgramDefinition, ResultFile, ResumePoint, StepRecord } from './types.js';

/** A cell directory that cannot be used as it is: nothing runs, and the message says what to do. */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

export type CellState =
  | { kind: 'new' }
  | { kind: 'finished'; result: ResultFile }
  | { kind: 'resumable'; manifest: Manifest };

const OWN = new Set<string>([...Object.values(FILES)]);

/** Up to `max` fields that differ between two configs, as `path: old → new`. */
export function configDiff(a: unknown, b: unknown, max = 5, path = ''): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, p: string): void => {
    if (out.length >= max || canonicalJson(x) === canonicalJson(y)) return;
    const bothObjects = x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y);
    if (!bothObjects) {
      out.push(`${p || '(the config)'}: ${JSON.stringify(x) ?? 'absent'} → ${JSON.stringify(y) ?? 'absent'}`);
      return;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(xo), ...Object.keys(yo)])]) walk(xo[k], yo[k], p ? `${p}.${k}` : k);
  };
  walk(a, b, path);
  return out;
}

export function inspectCell(dir: string, cell: CellConfig, hash: string, engineFiles: readonly string[] = []): CellState {
  if (!existsSync(dir)) return { kind: 'new' };
  const manifestPath = join(dir, FILES.manifest);
  if (!existsSync(manifestPath)) {
    // A crash before the first manifest write (or an engine's dry run) leaves at most our own files; anything else is not ours.
    const engines = (n: string) => engineFiles.some(f => (f.endsWith('*') ? n.startsWith(f.slice(0, -1)) : n === f));
    const foreign = readdirSync(dir).filter(n => !OWN.has(n) && !engines(n) && !n.startsWith('.'));
    if (foreign.length === 0) return { kind: 'new' };
    throw new RefusedError(`${dir} exists but is not a cell directory (no ${FILES.manifest}; it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}).\n  Choose another --out, or pass --fresh to replace it.`);
  }
  let manifest: Manifest;
  try {
    manifest = readManifest(manifestPath);
  } catch (e) {
    if (e instanceof ArtifactError) throw new RefusedError(`${e.message}\n  The cell cannot be resumed from a broken manifest: restore it, or pass --fresh to start the cell over.`);
    throw e;
  }
  if (manifest.cell_id !== cell.id) {
    throw new RefusedError(`${dir} holds cell '${manifest.cell_id}', not '${cell.id}' (their ids map to the same directory name).\n  Choose another --out, or pass --fresh to replace it.`);
  }
  if (manifest.config_hash !== hash) {
    const diff = configDiff(manifest.cell_config, cell);
    throw new RefusedError(
      `${dir} holds cell '${cell.id}' run with a different config (hash ${manifest.config_hash.slice(0, 12)} in its manifest, ${hash.slice(0, 12)} now):\n` +
      diff.map(d => `    ${d}\n`).join('') +
      `  Resuming would mix two configs. Pass --fresh to discard that run and start over, or --out DIR to keep it and run elsewhere.`);
  }
  const resultPath = join(dir, FILES.result);
  if (existsSync(resultPath)) {
    const result = readResult(resultPath);
    if (result.status === 'finished' && result.config_hash === hash) return { kind: 'finished', result };
  }
  return { kind: 'resumable', manifest };
}

export interface CellRunOptions {
  def: ProgramDefinition;
  /** The cell after overrides. */
  cell: CellConfig;
  overrides: Override[];
  out: string;
  backend: string;
  fresh: boolean;
  signal: AbortSignal;
  progress: ProgressSink;
  stdout(s: string): void;
}

export interface CellOutcome {
  status: 'finished' | 'failed' | 'interrupted' | 'skipped';
  error: string | null;
  dir: string;
}

function errorOf(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return e.stack ? { message: e.message, stack: e.stack } : { message: e.message };
  return { message: String(e) };
}

/** Numeric fields of the eval records at the last eval step: `<name>.<metric>`, or `<metric>` unnamed. */
export function finalEvalMetrics(records: EvalRecord[]): Record<string, number | null> {
  const last = records.at(-1)?.step;
  const out: Record<string, number | null> = {};
  for (const r of records) {
    if (r.step !== last) continue;
    const prefix = typeof r.name === 'string' ? `${r.name}.` : '';
    for (const [k, v] of Object.entries(r)) {
      if (k === 'step' || k === 'name') continue;
      if (typeof v === 'number' || v === null) out[prefix + k] = v;
      else if (v && typeof v === 'object') for (const [s, sv] of Object.entries(v)) out[`${prefix}${k}.${s}`] = sv;
    }
  }
  return out;
}

export async function runCellHere(o: CellRunOptions): Promise<CellOutcome> {
  const { cell } = o;
  const dir = join(o.out, cellDirName(cell.id));
  const hash = configHash(cell);
  const busy = lockHolder(dir);
  if (busy) throw new RefusedError(`${dir} is in use: ${busy}.\n  Wait for that run to end or stop it; it resumes from where it stops.`);
  if (o.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Lock first, then look: what the directory holds cannot change under us afterwards.
  const taken = CellLock.acquire(dir);
  if ('holder' in taken) throw new RefusedError(`${dir} is in use: ${taken.holder}.\n  Wait for that run to end or stop it; it resumes from where it stops.`);
  try {
    const state = inspectCell(dir, cell, hash, o.def.engineFiles);
    if (state.kind === 'finished') {
      o.stdout(`[${cell.id}] already finished (${join(dir, FILES.result)}); skipped. Pass --fresh to run it again.\n`);
      o.progress.emit({ event: 'end', id: cell.id, status: 'skipped', error: null });
      return { status: 'skipped', error: null, dir };
    }
    const ckptDir = join(dir, FILES.checkpoints);
    mkdirSync(ckptDir, { recursive: true });
    return await runLocked(o, dir, hash, state, ckptDir);
  } finally {
    taken.lock.release();
  }
}

async function runLocked(o: CellRunOptions, dir: string, hash: string, state: Exclude<CellState, { kind: 'finished' }>, ckptDir: string): Promise<CellOutcome> {
  const { def, cell } = o;
  removeIncompleteCheckpoints(ckptDir);
  const resume: ResumePoint | null = state.kind === 'resumable' ? latestCheckpoint(ckptDir) : null;
  const cut = resume?.step ?? -1;

  // Keep exactly the records the checkpoint covers, so the files continue as if never interrupted.
  const kept = {} as Record<JsonlKind, number>;
  let lastStep: number | null = null;
  let lastEvalStep = -1;
  let lastSampleStep = -1;
  for (const kind of ['metrics', 'eval', 'samples'] as const) {
    const path = join(dir, FILES[kind]);
    const records = state.kind === 'resumable' ? readJsonl(kind, path).records.filter(r => r.step <= cut) : [];
    rewriteJsonl(kind, path, records);
    kept[kind] = records.length;
    const last = records.at(-1)?.step;
    if (last !== undefined) {
      if (kind === 'metrics') lastStep = last;
      else if (kind === 'eval') lastEvalStep = last;
      else lastSampleStep = last;
    }
  }

  const now = new Date().toISOString();
  const attempt: Attempt = { started_at: now, ended_at: null, status: 'running', resumed_from_step: resume?.step ?? null, pid: process.pid };
  const prior = state.kind === 'resumable' ? state.manifest : null;
  const manifest: Manifest = {
    artifact_version: 1,
    experiment: def.experiment,
    cell_id: cell.id,
    source: { file: def.source.file, sha256: def.source.sha256 },
    compiler_version: def.compilerVersion,
    runtime_version: runtimeVersion(),
    node_version: process.version,
    platform: platformInfo(),
    backend: null,
    grader: graderRecord(usesMathVerify(cell)),
    dependencies: {},
    options: { backend: o.backend },
    cell_config: cell,
    config_hash: hash,
    overrides: o.overrides,
    seeds: { root: cell.seed, derived: {} },
    started_at: prior?.started_at ?? now,
    ended_at: null,
    status: 'running',
    error: null,
    attempts: [...(prior?.attempts ?? []), attempt],
  };
  const manifestPath = join(dir, FILES.manifest);
  const saveManifest = (): void => writeManifest(manifestPath, manifest);
  saveManifest();
  // A failed attempt's result would otherwise outlive the attempt that replaces it.
  if (existsSync(join(dir, FILES.result))) unlinkSync(join(dir, FILES.result));

  const writers = {
    metrics: new JsonlWriter('metrics', join(dir, FILES.metrics), kept.metrics),
    eval: new JsonlWriter('eval', join(dir, FILES.eval), kept.eval),
    samples: new JsonlWriter('samples', join(dir, FILES.samples), kept.samples),
  };
  /** Records of earlier steps computed late (an engine's post-hoc evaluations), merged in step order; the file's last step. */
  function insertLate<K extends 'eval' | 'samples'>(kind: K, records: Array<JsonlRecordOf[K]>): number | undefined {
    writers[kind].close();
    const path = join(dir, FILES[kind]);
    const merged = mergeByStep(readJsonl(kind, path).records, records);
    rewriteJsonl(kind, path, merged);
    (writers[kind] as JsonlWriter<K>) = new JsonlWriter(kind, path, merged.length);
    return merged.at(-1)?.step;
  }
  const trainSteps = (cell as { train?: { steps?: unknown } }).train?.steps;
  let total: number | null = typeof trainSteps === 'number' ? trainSteps : null;
  const keep = def.keepCheckpoints ?? 2;
  const progressKeys = def.progressMetrics;

  const ctx: CellContext = {
    id: cell.id,
    cell,
    dir,
    checkpointDir: ckptDir,
    backend: o.backend,
    seed: cell.seed,
    resume,
    signal: o.signal,
    throwIfStopped: () => {
      if (o.signal.aborted) throw new StopRequested();
    },
    setBackend(info) {
      manifest.backend = JSON.parse(JSON.stringify(info)) as Record<string, unknown>;
      if (typeof info.package === 'string' && typeof info.version === 'string') manifest.dependencies[info.package] = info.version;
      if (typeof info.gpu === 'string') manifest.platform.gpu = info.gpu;
      saveManifest();
    },
    setEngine(info) {
      manifest.engine = JSON.parse(JSON.stringify(info)) as Manifest['engine'];
      saveManifest();
    },
    recordDependency(name, version) {
      manifest.dependencies[name] = version;
      saveManifest();
    },
    recordSeed(name, value) {
      manifest.seeds.derived[name] = value;
      saveManifest();
    },
    setTotalSteps(n) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`setTotalSteps needs an integer >= 0, got ${n}`);
      total = n;
    },
    logStep(record: StepRecord) {
      if (lastStep !== null && !(record.step > lastStep)) {
        throw new Error(`logStep: step ${record.step} after step ${lastStep}; steps in ${FILES.metrics} must increase (a resumed cell continues after its checkpoint step, ${resume?.step ?? 'none'})`);
      }
      writers.metrics.append(record);
      lastStep = record.step;
      const shown: Record<string, number | null> = {};
      const keys = progressKeys ?? Object.keys(record).filter(k => k !== 'step' && (typeof record[k] === 'number' || record[k] === null)).slice(0, 2);
      for (const k of keys) {
        const v = record[k];
        if (typeof v === 'number' || v === null) shown[k] = v;
      }
      o.progress.emit({ event: 'step', id: cell.id, step: record.step, total, metrics: shown });
    },
    logEval(record: EvalRecord) {
      if (record.step < lastEvalStep) throw new Error(`logEval: step ${record.step} after step ${lastEvalStep}; eval steps must not decrease`);
      writers.eval.append(record);
      lastEvalStep = record.step;
    },
    insertEvals(records) {
      lastEvalStep = insertLate('eval', records) ?? lastEvalStep;
    },
    insertSamples(step, samples) {
      lastSampleStep = insertLate('samples', [{ step, samples }]) ?? lastSampleStep;
    },
    logSamples(step, samples) {
      if (step < lastSampleStep) throw new Error(`logSamples: step ${step} after step ${lastSampleStep}; sample steps must not decrease`);
      writers.samples.append({ step, samples });
      lastSampleStep = step;
    },
    checkpointPath: step => checkpointPath(ckptDir, step),
    checkpointSaved() {
      pruneCheckpoints(ckptDir, keep);
    },
    log(message) {
      o.stdout(`[${cell.id}] ${message}\n`);
    },
  };

  o.progress.emit({ event: 'start', id: cell.id, resumed_from_step: resume?.step ?? null, total });
  if (resume) o.stdout(`[${cell.id}] resuming from checkpoint step ${resume.step} (${resume.path})\n`);

  let status: 'finished' | 'failed' | 'interrupted';
  let error: { message: string; stack?: string } | null = null;
  let returned: CellResult | void = undefined;
  try {
    returned = await def.runCell(cell, ctx);
    status = 'finished';
  } catch (e) {
    // A stop request that ends the cell early is an interruption (resumable), not a failure.
    status = o.signal.aborted ? 'interrupted' : 'failed';
    error = errorOf(e);
  } finally {
    for (const w of Object.values(writers)) w.close();
  }

  const end = new Date();
  attempt.ended_at = end.toISOString();
  attempt.status = status;
  manifest.status = status;
  manifest.ended_at = attempt.ended_at;
  manifest.error = status === 'failed' ? error!.message : null;
  manifest.attempts[manifest.attempts.length - 1] = attempt;

  if (status !== 'interrupted') {
    const evalRecords = readJsonl('eval', join(dir, FILES.eval)).records;
    const wall = manifest.attempts.reduce((s, a) => s + (a.ended_at ? (Date.parse(a.ended_at) - Date.parse(a.started_at)) / 1000 : 0), 0);
    const result: ResultFile = {
      artifact_version: 1,
      cell_id: cell.id,
      config_hash: hash,
      status,
      error: status === 'failed' ? error : null,
      steps: (returned && returned.steps) ?? lastStep ?? 0,
      final_metrics: (returned && returned.metrics) ?? finalEvalMetrics(evalRecords),
      started_at: manifest.started_at,
      ended_at: attempt.ended_at,
      wall_seconds: Math.round(wall * 1000) / 1000,
      attempts: manifest.attempts.length,
      resumed_from_step: resume?.step ?? null,
    };
    try {
      writeResult(join(dir, FILES.result), result);
    } catch (e) {
      // E.g. runCell returned metrics the schema rejects: the cell failed, and says why.
      status = 'failed';
      error = errorOf(e);
      Object.assign(result, { status, error, final_metrics: {} });
      attempt.status = manifest.status = status;
      manifest.error = error.message;
      writeResult(join(dir, FILES.result), result);
    }
  }
  saveManifest();
  o.progress.emit({ event: 'end', id: cell.id, status, error: error?.message ?? null });
  return { status, error: error?.message ?? null, dir };
}

/** Existing records, then `late` ones, ordered by step (stable: at equal steps the existing come first). */
function mergeByStep<R extends { step: number }>(existing: R[], late: R[]): R[] {
  return [...existing, ...late].map((r, i) => ({ r, i })).sort((a, b) => a.r.step - b.r.step || a.i - b.i).map(x => x.r);
}

export class StopRequested extends Error {
  constructor() {
    super('stopped on request (SIGINT/SIGTERM); the cell resumes from its latest checkpoint on re-run');
    this.name = 'StopRequested';
  }
}
