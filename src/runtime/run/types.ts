// The run layer's public types: what a generated program hands to runProgram, what each cell's code
// receives, and the shapes of the artifacts (their JSON Schemas are schema/<kind>.schema.json).
import type { GraderBudget } from '../../grader/budget.js';

/** What the run layer needs of every cell: its id and its root seed. */
export interface CellIdentity {
  id: string;
  seed: number;
}

/** A grid cell as the run layer sees it: any JSON object with at least an id and a root seed. */
export interface CellConfig extends CellIdentity {
  [field: string]: unknown;
}

/** C is the program's own cell type (e.g. the runtime's CellConfig interface, which has no index signature). */
export interface ProgramDefinition<C extends CellIdentity = CellConfig> {
  /** The experiment's name; the default --out is runs/<experiment>. */
  experiment: string;
  /** The spec file the program was compiled from, and its sha256 (hex). */
  source: { file: string; sha256: string };
  compilerVersion: string;
  cells: C[];
  /** Runs one cell. Throwing fails the cell (its message lands in manifest.json and result.json). */
  runCell: (cell: C, ctx: CellContext) => Promise<CellResult | void>;
  /** JSON Schema of one cell config: every selected cell, after --set overrides, must validate. */
  cellSchema?: object;
  /** Checks and re-derives a cell after --set (see overrides.ts ReviseCell); without it any existing field may be set. */
  reviseCell?: (overridden: C, paths: string[], original: C) => C;
  /** Backend names --backend accepts (default: auto, tfjs-node-gpu, tfjs-node, wasm, cpu). */
  backends?: string[];
  /** Complete checkpoints kept per cell after ctx.checkpointSaved (default 2). */
  keepCheckpoints?: number;
  /** Numeric fields of logStep records shown in progress lines (default: the first two besides step). */
  progressMetrics?: string[];
  /** The file the pool re-executes with --cell ID (default process.argv[1]). */
  entry?: string;
  /** Arguments every child process of --jobs gets besides the run layer's own (an engine's --profile). */
  childArgs?: string[];
  /** Lines added to --help (an engine's own options). */
  extraHelp?: string;
  /** Names an engine writes into a cell directory before its manifest exists (a dry run's files): still a cell directory. */
  engineFiles?: string[];
  /**
   * --dry-run: write everything a cell's run needs into its directory and print how it would start, run
   * nothing (no manifest: the directory stays a new cell). Without it --dry-run is refused.
   */
  dryRun?: (cell: C, dir: string, io: { stdout(s: string): void }) => Promise<void>;
}

/** Where a cell resumes from: the latest complete checkpoint (directory `step-<n>`). */
export interface ResumePoint {
  step: number;
  path: string;
}

/**
 * What a cell's code gets. Contract for resuming: a checkpoint `step-<n>` holds the state *after* step n.
 * When ctx.resume is set, metrics/eval/samples records with step <= n have been kept and later ones
 * dropped, so the cell continues with step n + 1 and its files read as if it had never stopped.
 */
export interface CellContext {
  readonly id: string;
  /** The cell config as run (after --set overrides). */
  readonly cell: CellConfig;
  /** The cell's directory, <out>/<cellDirName(id)>. */
  readonly dir: string;
  /** Where checkpoints go: <dir>/checkpoints/step-<n>/ (see checkpointPath). */
  readonly checkpointDir: string;
  /** The --backend value ('auto' unless given). */
  readonly backend: string;
  /** The cell's root seed (cell.seed). */
  readonly seed: number;
  /** The latest complete checkpoint of an earlier attempt, or null to start from scratch. */
  readonly resume: ResumePoint | null;
  /** Aborted on SIGINT/SIGTERM: save what is needed and throw (ctx.throwIfStopped()) to end resumable. */
  readonly signal: AbortSignal;
  /** Throws if a stop was requested; call between steps. */
  throwIfStopped(): void;
  /** Records what the runtime chose (e.g. runtime BackendInfo); `package`/`version` also go to dependencies. */
  setBackend(info: Record<string, unknown>): void;
  /** Records the external engine that runs the cell (manifest.engine); not called by the tfjs runtime. */
  setEngine(info: EngineRecord): void;
  /** Records a loaded package's version (e.g. '@tensorflow/tfjs-core'). */
  recordDependency(name: string, version: string): void;
  /** Records a seed derived from the root seed (e.g. 'sampler'). */
  recordSeed(name: string, value: number | string): void;
  /** The number of training steps, for progress (default: cell.train.steps when it is a number). */
  setTotalSteps(total: number): void;
  /** Appends one training step to metrics.jsonl; steps must strictly increase. */
  logStep(record: StepRecord): void;
  /** Appends one evaluation to eval.jsonl; steps must not decrease. */
  logEval(record: EvalRecord): void;
  /**
   * Adds evaluations of earlier steps computed after later ones (an external engine evaluating saved
   * checkpoints after training): eval.jsonl is rewritten with them in step order.
   */
  insertEvals(records: EvalRecord[]): void;
  /** As insertEvals, for sampled generations of an earlier step. */
  insertSamples(step: number, samples: Array<Record<string, unknown>>): void;
  /** Appends sampled generations of a step to samples.jsonl. */
  logSamples(step: number, samples: Array<Record<string, unknown>>): void;
  /** <checkpointDir>/step-<step>: where the runtime's checkpoint writer should put step `step`. */
  checkpointPath(step: number): string;
  /** Tells the run layer a checkpoint is complete: older ones beyond keepCheckpoints are pruned. */
  checkpointSaved(step: number): void;
  /** A human line on the cell's output, prefixed with the cell id. */
  log(message: string): void;
}

export interface CellResult {
  /** Final metrics for result.json and the report. Default: the numeric fields of the last eval record(s). */
  metrics?: Record<string, number | null>;
  /** The last step reached. Default: the last step logged with logStep. */
  steps?: number;
}

export type MetricValue = number | null | boolean | string | Array<number | null> | Record<string, number | null | boolean | string>;
export interface StepRecord { step: number; [metric: string]: MetricValue }
export interface EvalRecord { step: number; name?: string; [metric: string]: number | null | string | Record<string, number | null> | undefined }
export interface SamplesRecord { step: number; samples: Array<Record<string, unknown>> }

export type CellStatus = 'running' | 'finished' | 'failed' | 'interrupted';

export interface Attempt {
  started_at: string;
  ended_at: string | null;
  status: CellStatus;
  resumed_from_step: number | null;
  pid: number;
}

/** manifest.json (schema/manifest.schema.json). */
export interface Manifest {
  artifact_version: 1;
  experiment: string;
  cell_id: string;
  source: { file: string; sha256: string };
  compiler_version: string;
  runtime_version: string;
  node_version: string;
  platform: { os: string; arch: string; cpu_model: string; cpu_cores: number; memory_bytes: number; gpu: string | null };
  backend: Record<string, unknown> | null;
  /** The grader's version and work budget (absent in manifests written before issue 16). */
  grader?: { version: number; budget: GraderBudget };
  /** The external engine that ran the cell; absent for the tfjs runtime. */
  engine?: EngineRecord;
  dependencies: Record<string, string>;
  options: { backend: string };
  cell_config: CellConfig;
  config_hash: string;
  overrides: Override[];
  seeds: { root: number; derived: Record<string, number | string> };
  started_at: string;
  ended_at: string | null;
  status: CellStatus;
  error: string | null;
  attempts: Attempt[];
}

/** result.json (schema/result.schema.json). */
export interface ResultFile {
  artifact_version: 1;
  cell_id: string;
  config_hash: string;
  status: 'finished' | 'failed';
  error: { message: string; stack?: string } | null;
  steps: number;
  final_metrics: Record<string, number | null>;
  started_at: string;
  ended_at: string;
  wall_seconds: number;
  attempts: number;
  resumed_from_step: number | null;
}

/** manifest.engine: an external engine, its pinned version, the resolved profile and its config file's hash. */
export interface EngineRecord {
  name: string;
  commit: string;
  profile: Record<string, unknown>;
  config_sha256: string;
}

export interface Override {
  path: string;
  value: unknown;
}
