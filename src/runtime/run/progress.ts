// Progress: how a running cell reports, and how the pool shows it.
//
// Side channel: a cell run by the pool gets RLVRC_PROGRESS_FD=3 and a pipe on fd 3; it writes one JSON
// event per line there (start, step, end — ProgressEvent below). fd 3 keeps progress apart from the
// cell's own stdout/stderr, which go to its log.txt untouched. A cell run on its own (`--cell ID` from a
// shell or a Slurm job) has no side channel and prints plain progress lines on stdout instead:
//   [model=a,reward=random,seed=1] step 10/150 reward 0.42 loss 1.3
// (it prints them in the pool too, so log.txt shows progress). Plain lines come about ten times per cell
// (every ceil(total/10) steps, and the last), so logs stay short and deterministic.
import { writeSync } from 'node:fs';

export type ProgressEvent =
  | { event: 'start'; id: string; resumed_from_step: number | null; total: number | null }
  | { event: 'step'; id: string; step: number; total: number | null; metrics: Record<string, number | null> }
  | { event: 'end'; id: string; status: 'finished' | 'failed' | 'interrupted' | 'skipped'; error: string | null };

export const PROGRESS_FD_ENV = 'RLVRC_PROGRESS_FD';

export interface ProgramIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Whether stdout is a terminal (progress bars) or not (plain lines). */
  isTTY: boolean;
  columns: number;
}

export function processIO(): ProgramIO {
  return {
    stdout: s => void process.stdout.write(s),
    stderr: s => void process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns ?? 100,
  };
}

function num(x: number | null): string {
  if (x === null) return 'nan';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

export function formatMetrics(metrics: Record<string, number | null>): string {
  return Object.entries(metrics).map(([k, v]) => `${k} ${num(v)}`).join(' ');
}

export function stepLine(id: string, step: number, total: number | null, metrics: Record<string, number | null>): string {
  const m = formatMetrics(metrics);
  return `[${id}] step ${step}${total !== null ? `/${total}` : ''}${m ? ` ${m}` : ''}`;
}

/** Whether a step earns a plain progress line: about ten per cell. */
export function isReportedStep(step: number, total: number | null): boolean {
  const every = total !== null && total > 0 ? Math.max(1, Math.ceil(total / 10)) : 10;
  return step % every === 0 || step === total;
}

/** The cell side: events to the side channel (when there is one) and plain lines to stdout. */
export class ProgressSink {
  private fd: number | null;

  constructor(private readonly io: ProgramIO, env: NodeJS.ProcessEnv = process.env) {
    const fd = Number(env[PROGRESS_FD_ENV]);
    this.fd = Number.isInteger(fd) && fd > 2 ? fd : null;
  }

  emit(e: ProgressEvent): void {
    if (this.fd !== null) {
      try {
        writeSync(this.fd, JSON.stringify(e) + '\n');
      } catch {
        this.fd = null; // the pool went away (EPIPE): the cell still runs and keeps its artifacts
      }
    }
    if (e.event === 'step' && isReportedStep(e.step, e.total)) this.io.stdout(stepLine(e.id, e.step, e.total, e.metrics) + '\n');
  }
}

/** Parses one side-channel line; null for anything that is not an event (never throws). */
export function parseEvent(line: string): ProgressEvent | null {
  try {
    const e = JSON.parse(line) as ProgressEvent;
    return e && typeof e === 'object' && typeof e.event === 'string' && typeof e.id === 'string' ? e : null;
  } catch {
    return null;
  }
}

interface Running { id: string; step: number; total: number | null; metrics: Record<string, number | null>; since: number }

/**
 * The pool side. On a terminal: one bar per running cell, redrawn in place at most 10 times a second,
 * with finished/failed lines scrolling above. Otherwise: plain lines, the same ones a cell prints.
 */
export class ProgressView {
  private running = new Map<string, Running>();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly io: ProgramIO) {}

  start(id: string, resumedFrom: number | null, total: number | null): void {
    this.running.set(id, { id, step: resumedFrom ?? 0, total, metrics: {}, since: Date.now() });
    this.line(`[${id}] started${resumedFrom !== null ? ` (resuming from step ${resumedFrom})` : ''}`);
  }

  step(id: string, step: number, total: number | null, metrics: Record<string, number | null>): void {
    const r = this.running.get(id);
    if (!r) return;
    Object.assign(r, { step, total, metrics });
    if (this.io.isTTY) this.schedule();
    else if (isReportedStep(step, total)) this.io.stdout(stepLine(id, step, total, metrics) + '\n');
  }

  end(id: string, message: string): void {
    this.running.delete(id);
    this.line(message);
  }

  /** A line that stays (above the bars on a terminal). */
  line(text: string): void {
    if (this.io.isTTY) {
      this.clear();
      this.io.stdout(text + '\n');
      this.draw();
    } else {
      this.io.stdout(text + '\n');
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.io.isTTY) this.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.clear();
      this.draw();
    }, 100);
  }

  private clear(): void {
    if (this.drawn > 0) this.io.stdout(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const width = Math.max(40, this.io.columns || 80);
    const barWidth = width >= 100 ? 20 : 10;
    // The id first, so a narrow terminal cuts the metrics, never which cell a bar belongs to.
    const lines = [...this.running.values()].map(r => {
      const frac = r.total ? Math.min(1, r.step / r.total) : 0;
      const bar = r.total ? `${'█'.repeat(Math.round(frac * barWidth)).padEnd(barWidth, '░')} ${r.step}/${r.total}` : `step ${r.step}`;
      const secs = Math.round((Date.now() - r.since) / 1000);
      const text = `${r.id} ${bar} ${secs}s ${formatMetrics(r.metrics)}`.trimEnd();
      return text.length > width - 1 ? text.slice(0, width - 2) + '…' : text;
    });
    if (lines.length) this.io.stdout(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}
