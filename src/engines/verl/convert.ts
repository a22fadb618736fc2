// After a verl run (issue 17): verl's per-step metrics become rlvrc's metrics.jsonl records, and verl's
// validation generations are regraded by rlvrc's grader into eval.jsonl and samples.jsonl records. Formats
// read in verl's code at b178a3cd56f58b2d502255daba591e92833930a7 (README.md, "Converting a run"):
//   metrics: the `file` logger (verl/utils/tracking.py FileLogger), one `{"step": N, "data": {key: value}}`
//            JSON object per line, `data` being ray_trainer.py fit()'s metrics dict of that step;
//   validation: ray_trainer.py `_dump_generations` (trainer.validation_data_dir), `<step>.jsonl` with one
//            `{"input", "output", "gts", "score", "step", "reward", ...reward extra infos}` per sample, a
//            prompt's samples adjacent (the validation batch is repeated with interleave=True).
import type { CellConfig, EvalConfig } from '../../ir/cell.js';
import { gradeSample, type GradedSample } from '../../grader/index.js';
import { metricsOf } from '../../runtime/cell/evaluate.js';
import { responseText } from '../../runtime/cell/prompts.js';
import { ArtifactError, validateArtifact } from '../../runtime/run/schemas.js';
import type { EvalRecord, SamplesRecord, StepRecord } from '../../runtime/run/types.js';

/** A JSONL source: the file's text, or its lines (line numbers in errors are positions in this list, from 1). */
export type JsonlSource = string | readonly string[];

/** Parses JSONL into objects with their 1-based line numbers; blank lines are skipped. */
export function parseJsonlObjects(source: JsonlSource, file: string): Array<{ line: number; value: Record<string, unknown> }> {
  const lines = typeof source === 'string' ? source.split('\n') : source;
  const out: Array<{ line: number; value: Record<string, unknown> }> = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ArtifactError(file, i + 1, `not JSON (${(e as Error).message}): ${text.slice(0, 80)}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ArtifactError(file, i + 1, 'not a JSON object');
    out.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  return out;
}

/**
 * rlvrc field ← verl key, where the two measure the same quantity (see README.md for what is not mapped
 * and why: verl's pg_loss and kl_loss are sums over the step's updates in its legacy actor, its ppo_kl is
 * the k1 estimator, its pg_clipfrac counts both clip directions together).
 */
export const VERL_METRIC_MAP: ReadonlyArray<readonly [string, string]> = [
  ['reward_mean', 'critic/rewards/mean'],
  ['reward_min', 'critic/rewards/min'],
  ['reward_max', 'critic/rewards/max'],
  ['advantage_mean', 'critic/advantages/mean'],
  ['advantage_min', 'critic/advantages/min'],
  ['advantage_max', 'critic/advantages/max'],
  ['clip_frac', 'actor/pg_clipfrac'],
  ['dual_clip_frac', 'actor/pg_clipfrac_lower'],
  ['approx_kl_k1', 'actor/ppo_kl'],
  ['entropy', 'actor/entropy'],
  ['grad_norm', 'actor/grad_norm'],
  ['lr', 'actor/lr'],
  ['response_length', 'response_length/mean'],
  ['sample_seconds', 'timing_s/gen'],
  ['reward_seconds', 'timing_s/reward'],
  ['update_seconds', 'timing_s/update_actor'],
  ['step_seconds', 'timing_s/step'],
];

const isValidationKey = (k: string) => k.startsWith('val-core/') || k.startsWith('val-aux/');
const isScalar = (v: unknown): v is number | string | boolean | null =>
  v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/**
 * verl's file-logger JSONL → rlvrc metrics.jsonl records (one per training step, steps strictly increasing),
 * each validated with schema/metrics.schema.json. A line holding only validation metrics (verl logs the
 * validation before training at step 0 on a line of its own) is not a training step and gives no record.
 * Every scalar verl logged is kept, under verl's own key, in the record's `verl` object.
 */
export function verlMetricsToRecords(source: JsonlSource, file = 'verl metrics'): StepRecord[] {
  const records: StepRecord[] = [];
  let last = -1;
  for (const { line, value } of parseJsonlObjects(source, file)) {
    const step = value.step;
    const data = value.data;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new ArtifactError(file, line, `"step" must be an integer ≥ 0 (verl's file logger writes {"step": N, "data": {...}}), got ${JSON.stringify(step)}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ArtifactError(file, line, `"data" must be an object of metrics (verl's file logger writes {"step": N, "data": {...}})`);
    }
    const metrics = data as Record<string, unknown>;
    const keys = Object.keys(metrics);
    if (keys.length > 0 && keys.every(isValidationKey)) continue;
    if (step <= last) throw new ArtifactError(file, line, `step ${step} after step ${last}: training steps must strictly increase (a resumed verl run truncates its file logger's file)`);
    last = step;
    const record: StepRecord = { step };
    for (const [field, key] of VERL_METRIC_MAP) {
      if (!(key in metrics)) continue;
      const v = metrics[key];
      if (v !== null && typeof v !== 'number') throw new ArtifactError(file, line, `"${key}" must be a number or null (NaN), got ${JSON.stringify(v)}`);
      record[field] = v;
    }
    const raw: Record<string, number | string | boolean | null> = {};
    for (const k of keys.sort()) {
      const v = metrics[k];
      if (isScalar(v)) raw[k] = v;
    }
    record.verl = raw;
    validateArtifact('metrics', record, file, line);
    records.push(record);
  }
  return records;
}

/** One row of verl's validation dump as the converter needs it. */
interface DumpRow {
  line: number;
  step: number;
  evalName: string;
  input: string;
  output: string;
  gts: string;
  score: number | null;
  promptId: string | null;
}

function dumpRow(line: number, v: Record<string, unknown>, file: string): DumpRow {
  const str = (k: string, hint = '') => {
    const x = v[k];
    if (typeof x !== 'string') throw new ArtifactError(file, line, `"${k}" must be a string${hint}, got ${JSON.stringify(x)}`);
    return x;
  };
  const step = v.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw new ArtifactError(file, line, `"step" must be an integer ≥ 0, got ${JSON.stringify(step)}`);
  const gts = v.gts;
  if (gts !== null && typeof gts !== 'string') throw new ArtifactError(file, line, `"gts" must be a string or null, got ${JSON.stringify(gts)}`);
  const score = v.score;
  if (score !== undefined && score !== null && typeof score !== 'number') throw new ArtifactError(file, line, `"score" must be a number, got ${JSON.stringify(score)}`);
  const pid = v.prompt_id;
  if (pid !== undefined && pid !== null && typeof pid !== 'string') throw new ArtifactError(file, line, `"prompt_id" must be a string, got ${JSON.stringify(pid)}`);
  return {
    line,
    step,
    evalName: str('data_source', " (verl's dump has no data_source column at the pinned commit: the reward function must return it as a reward extra info)"),
    input: str('input'),
    output: str('output'),
    gts: gts ?? '',
    score: typeof score === 'number' ? score : null,
    promptId: typeof pid === 'string' ? pid : null,
  };
}

export interface RegradedValidation {
  /** eval.jsonl records: per step (increasing), one per eval in the cell's order, with the eval's metrics. */
  evals: EvalRecord[];
  /** samples.jsonl records: per step and eval, the first sample of the first 8 prompts (as the tfjs engine logs). */
  samples: SamplesRecord[];
}

/**
 * verl's validation generations (rows of `_dump_generations`' files, any number of steps) regraded by rlvrc's
 * grader: each response is graded against the row's ground truth exactly as the tfjs engine grades an eval
 * sample (`gradeSample(responseText(prompt, output), label, {r1Style})`), and the eval's metrics are
 * `metricsOf` of the runtime. A row names its eval in `data_source` (the Parquet writer sets it to the eval's
 * name). A prompt's samples are the `n` adjacent rows (n = 1 greedy, else `samples`), which must share
 * data_source, input and gts (and prompt_id when rows carry one). verl's own `score` is not used for any
 * metric; samples records keep it as `verl_score`. `mean_length` is null: the dump has no token counts.
 */
export function regradeValidation(source: JsonlSource | ReadonlyArray<Record<string, unknown>>, cell: CellConfig, file = 'verl validation dump'): RegradedValidation {
  const parsed = typeof source === 'string' || (source.length > 0 && typeof source[0] === 'string') || source.length === 0
    ? parseJsonlObjects(source as JsonlSource, file)
    : (source as ReadonlyArray<Record<string, unknown>>).map((value, i) => ({ line: i + 1, value }));
  const rows = parsed.map(p => dumpRow(p.line, p.value, file));
  const evalsByName = new Map(cell.evals.map(e => [e.name, e]));
  const n = (e: EvalConfig) => (e.greedy ? 1 : e.samples);

  // step → eval name → prompt groups
  const byStep = new Map<number, Map<string, DumpRow[][]>>();
  let i = 0;
  while (i < rows.length) {
    const first = rows[i]!;
    const ev = evalsByName.get(first.evalName);
    if (!ev) throw new ArtifactError(file, first.line, `data_source '${first.evalName}' is not an eval of cell ${cell.id} (evals: ${cell.evals.map(e => e.name).join(', ') || 'none'})`);
    const group = rows.slice(i, i + n(ev));
    if (group.length < n(ev)) throw new ArtifactError(file, first.line, `eval ${ev.name} has ${n(ev)} sample(s) per prompt but only ${group.length} row(s) remain from this line`);
    for (const r of group) {
      const same = r.step === first.step && r.evalName === first.evalName && r.input === first.input && r.gts === first.gts && r.promptId === first.promptId;
      if (!same) throw new ArtifactError(file, r.line, `row does not belong to the prompt whose ${n(ev)} samples start at line ${first.line} (step, data_source, input, gts and prompt_id must match: verl repeats each prompt's samples adjacently)`);
    }
    let perEval = byStep.get(first.step);
    if (!perEval) byStep.set(first.step, (perEval = new Map()));
    let groups = perEval.get(ev.name);
    if (!groups) perEval.set(ev.name, (groups = []));
    groups.push(group);
    i += group.length;
  }

  const evals: EvalRecord[] = [];
  const samples: SamplesRecord[] = [];
  for (const step of [...byStep.keys()].sort((a, b) => a - b)) {
    const perEval = byStep.get(step)!;
    for (const ev of cell.evals) {
      const groups = perEval.get(ev.name);
      if (!groups) continue;
      const graded: GradedSample[][] = groups.map(g => g.map(r => gradeSample(responseText(ev.prompt, r.output), r.gts, { r1Style: ev.prompt.r1_style === true, ...(ev.grader ? { grader: ev.grader } : {}) })));
      const metrics = metricsOf(ev, graded);
      if ('mean_length' in metrics) metrics.mean_length = null;
      const record: EvalRecord = { step, name: ev.name, ...metrics };
      validateArtifact('eval', record, file, groups[0]![0]!.line);
      evals.push(record);
      const shown = groups.slice(0, 8).map((g, j) => {
        const r = g[0]!;
        const s = graded[j]![0]!;
        return { eval: ev.name, id: r.promptId, prompt: r.input, label: r.gts, response: s.response, extracted: s.extracted, correct: s.correct, verl_score: r.score };
      });
      const srec: SamplesRecord = { step, samples: shown };
      validateArtifact('samples', srec, file, groups[0]![0]!.line);
      samples.push(srec);
    }
  }
  return { evals, samples };
}
