// rlvrc report DIR [--metric NAME]... [--gain] [--facet AXIS[,AXIS]] [--color AXIS] [--no-png] [--out DIR]:
// reads every cell's artifacts under DIR (validated against their schemas) and writes report.md, report.html,
// report.csv, cells.csv and the figures (SVG + PNG) into DIR/report (or --out). On a large directory it
// reports progress on stderr. Exit codes: 0 written, 1 nothing to report, a broken artifact or cells of
// different experiments, 2 usage (including a --metric or axis that no cell has).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { ArtifactError } from '../runtime/run/index.js';
import { buildReport, loadRuns, renderReport, ReportError, ReportUsageError } from '../report/index.js';

export interface ReportIO {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd?: string;
}

export const REPORT_USAGE = 'rlvrc report DIR [--metric NAME]... [--gain] [--facet AXIS[,AXIS]] [--color AXIS] [--no-png] [--out DIR]';

/** From this many cells on, reading and rendering report progress on stderr. */
export const LARGE_RUNS = 100;

export async function reportCommand(args: string[], io: ReportIO): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`rlvrc report: ${message}\nusage: ${REPORT_USAGE}\n`);
    return 2;
  };
  const positional: string[] = [];
  const metrics: string[] = [];
  let out: string | null = null;
  let gains = false;
  let png = true;
  let facet: string[] | undefined;
  let color: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq >= 0 ? a.slice(2, eq) : a.slice(2)) : null;
    if (name === null) { positional.push(a); continue; }
    if (name === 'help') {
      io.stdout(`${REPORT_USAGE}\n\nWrites report.md, report.html, report.csv, cells.csv and figures (SVG + PNG) for the runs under DIR (default into DIR/report).\n` +
        '--gain adds <eval>.<metric>.gain for every eval metric: its last value minus its value at step 0.\n' +
        '--facet: the axes across the figures\' panels (the first across, others down); --color: the axis of the lines and bars.\n' +
        'By default the grid\'s declared axes decide: the first across the panels, the second as colour.\n' +
        '--no-png writes the figures as SVG only (report.html inlines the SVG either way).\n');
      return 0;
    }
    if (name === 'gain') { gains = true; continue; }
    if (name === 'no-png') { png = false; continue; }
    if (name !== 'metric' && name !== 'out' && name !== 'facet' && name !== 'color') return usage(`unknown option '${a}'`);
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return usage(`--${name} needs a value`);
    const list = (): string[] => value.split(',').map(v => v.trim()).filter(Boolean);
    if (name === 'metric') metrics.push(value);
    else if (name === 'facet') facet = [...(facet ?? []), ...list()];
    else if (name === 'color') color = [...(color ?? []), ...list()];
    else out = value;
  }
  if (positional.length !== 1) return usage(positional.length === 0 ? 'which runs directory? (e.g. runs/paper)' : `one runs directory, got ${positional.length}`);
  const cwd = io.cwd ?? process.cwd();
  const dir = resolve(cwd, positional[0]!);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return usage(`${positional[0]} is not a directory`);
  try {
    // Progress at about every tenth of the work, only where there is enough of it to wait for.
    const every = (total: number): number => Math.max(1, Math.ceil(total / 10));
    const cells = loadRuns(dir, (done, total) => {
      if (total >= LARGE_RUNS && (done % every(total) === 0 || done === total)) io.stderr(`rlvrc report: read ${done}/${total} cells\n`);
    });
    if (cells.length === 0) {
      io.stderr(`rlvrc report: no cell directories (directories holding manifest.json) under ${positional[0]}\n`);
      return 1;
    }
    const report = buildReport(cells, { ...(metrics.length ? { metrics } : {}), ...(gains ? { gains } : {}), ...(facet ? { facet } : {}), ...(color ? { color } : {}) });
    const files = await renderReport(report, (done, total) => {
      if (cells.length >= LARGE_RUNS && (done % every(total) === 0 || done === total)) io.stderr(`rlvrc report: rendered ${done}/${total} figures\n`);
    }, { png });
    const target = out !== null ? resolve(cwd, out) : join(dir, 'report');
    mkdirSync(target, { recursive: true });
    for (const [name, content] of files) writeFileAtomic(join(target, name), content);
    const rel = relative(cwd, target);
    const shown = rel === '' ? '.' : rel.startsWith('..') ? target : rel;
    const n = report.figures.length;
    const statuses = ['finished', 'failed', 'running', 'interrupted'].map(s => [s, cells.filter(c => c.status === s).length] as const).filter(([, k]) => k > 0);
    io.stdout(`wrote ${join(shown, 'report.md')}, report.html, report.csv, cells.csv and ${n} figure${n === 1 ? '' : 's'} (${png ? 'SVG + PNG' : 'SVG'}): ` +
      `${report.cells} cells (${statuses.map(([s, k]) => `${k} ${s}`).join(', ')}) in ${report.groups} groups${report.grids ? `, ${report.grids} grids` : ''}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ReportUsageError) return usage(e.message);
    if (e instanceof ArtifactError || e instanceof ReportError) {
      io.stderr(`rlvrc report: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
