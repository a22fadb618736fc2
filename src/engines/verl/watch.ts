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
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellConfig } from '../../ir/cell.js';
import type { CellContext } from '../../runtime/run/types.js';
import { regradeValidation, verlMetricsToRecords } from './convert.js';

const isValidationKey = (k: string) => k.startsWith('val-core/') || k.startsWith('val-aux/');

export interface VerlPaths { checkpoints: string; validation: string; metrics: string }

export class VerlRunWatcher {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
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
    // Only the bytes added since the last poll; an incomplete last line (or character) waits for the next.
    const fd = openSync(this.paths.metrics, 'r');
    let added: Buffer;
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) throw new Error(`${this.paths.metrics} shrank while verl was running (another run writing to this cell?)`);
      added = Buffer.alloc(size - this.offset);
      readSync(fd, added, 0, added.length, this.offset);
      this.offset = size;
    } finally {
      closeSync(fd);
    }
    const bytes = Buffer.concat([this.partial, added]);
    const end = bytes.lastIndexOf(0x0a);
    this.partial = bytes.subarray(end + 1);
    if (end < 0) return;
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      this.lineNo++;
      if (line.trim() === '') continue;
      // Validates the line (an ArtifactError naming the file and line), then asks whether it holds validation metrics.
      const [record] = verlMetricsToRecords([line], `${this.paths.metrics} line ${this.lineNo}`);
      const { step, data } = JSON.parse(line) as { step: number; data: Record<string, unknown> };
      if (record && record.step > this.lastStep) {
        this.ctx.logStep(record);
        this.lastStep = record.step;
      }
      if (Object.keys(data).some(isValidationKey) && step > this.lastEval) this.pendingValidation.push(step);
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
