// Following a running verl job from its files (issue 17), so a verl cell's artifacts grow as the tfjs
// engine's do and survive a stop:
//   <cell>/verl/metrics.jsonl            verl's file logger: each new complete line → a metrics.jsonl record
//   <cell>/verl/validation/<step>.jsonl  validation generations: regraded into eval.jsonl and samples.jsonl
//                                        once the file logger has logged that step's validation metrics
//                                        (the dump is written before them, so the file is complete)
//   <cell>/verl/checkpoints/latest_checkpointed_iteration.txt
//                                        verl's latest checkpoint N → the run layer's marker
//                                        checkpoints/step-N/meta.json, once step N's metrics are logged
// A resumed run (verl's resume_mode auto) logs again from its checkpoint step: lines at or before the step the
// run layer resumed from (ctx.resume) were kept from the earlier attempt and are skipped here.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellConfig } from '../../ir/cell.js';
import type { CellContext } from '../../runtime/run/types.js';
import { regradeValidation, verlMetricsToRecords } from './convert.js';

const isValidationKey = (k: string) => k.startsWith('val-core/') || k.startsWith('val-aux/');

export interface VerlPaths { checkpoints: string; validation: string; metrics: string }

export class VerlRunWatcher {
  private offset = 0;
  private partial = '';
  private lineNo = 0;
  private lastStep: number;
  private lastEval: number;
  private marked: number;
  /** Steps whose validation metrics were logged, in order, not yet regraded. */
  private pendingValidation: number[] = [];

  constructor(private readonly paths: VerlPaths, private readonly cell: CellConfig, private readonly ctx: CellContext) {
    const cut = ctx.resume?.step ?? -1;
    this.lastStep = cut;
    this.lastEval = cut;
    this.marked = cut;
  }

  /** The last training step logged (the resume point when none yet). */
  get step(): number {
    return this.lastStep;
  }

  /** Reads what verl has written since the last poll. Throws (an ArtifactError naming the file) on malformed output. */
  poll(): void {
    this.readMetrics();
    this.regradeDue();
    this.markCheckpoint();
  }

  private readMetrics(): void {
    if (!existsSync(this.paths.metrics)) return;
    const buf = readFileSync(this.paths.metrics);
    if (buf.length < this.offset) throw new Error(`${this.paths.metrics} shrank while verl was running (another run writing to this cell?)`);
    const text = this.partial + buf.subarray(this.offset).toString('utf8');
    this.offset = buf.length;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.partial = text;
      return;
    }
    this.partial = text.slice(end + 1);
    for (const line of text.slice(0, end).split('\n')) {
      this.lineNo++;
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as { step?: unknown; data?: Record<string, unknown> };
      const step = typeof parsed.step === 'number' ? parsed.step : NaN;
      const hasValidation = parsed.data !== undefined && parsed.data !== null && typeof parsed.data === 'object' && Object.keys(parsed.data).some(isValidationKey);
      const [record] = verlMetricsToRecords([line], `${this.paths.metrics} line ${this.lineNo}`);
      if (record && record.step > this.lastStep) {
        this.ctx.logStep(record);
        this.lastStep = record.step;
      }
      if (hasValidation && step > this.lastEval) this.pendingValidation.push(step);
    }
  }

  private regradeDue(): void {
    while (this.pendingValidation.length > 0) {
      const step = this.pendingValidation.shift()!;
      const file = join(this.paths.validation, `${step}.jsonl`);
      if (!existsSync(file)) throw new Error(`verl logged validation metrics for step ${step} but wrote no generations to ${file} (trainer.validation_data_dir)`);
      const { evals, samples } = regradeValidation(readFileSync(file, 'utf8'), this.cell, file);
      for (const e of evals) this.ctx.logEval(e);
      for (const s of samples) this.ctx.logSamples(s.step, s.samples);
      this.lastEval = step;
    }
  }

  private markCheckpoint(): void {
    const latest = join(this.paths.checkpoints, 'latest_checkpointed_iteration.txt');
    if (!existsSync(latest)) return;
    const n = Number(readFileSync(latest, 'utf8').trim());
    // Only a checkpoint whose step's metrics are already logged: resuming keeps records up to the marker.
    if (!Number.isInteger(n) || n <= this.marked || n > this.lastStep) return;
    const dir = this.ctx.checkpointPath(n);
    const tmp = join(this.ctx.checkpointDir, `.step-${n}.tmp`);
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify({ step: n, engine: 'verl', verl_checkpoint: join(this.paths.checkpoints, `global_step_${n}`) }, null, 2) + '\n');
    renameSync(tmp, dir);
    this.marked = n;
    this.ctx.checkpointSaved(n);
  }
}
