// rlvrc report DIR [--metric NAME]... [--gain] [--out DIR]: reads every cell's artifacts under DIR (validated
// against their schemas) and writes report.md, report.csv, cells.csv and one SVG per eval metric into
// DIR/report (or --out). Exit codes: 0 written, 1 nothing to report or a broken artifact, 2 usage
// (including a --metric that no cell has).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { ArtifactError } from '../runtime/run/index.js';
import { buildReport, loadRuns, ReportError, ReportUsageError } from '../report/index.js';

export interface ReportIO {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd?: string;
}

export const REPORT_USAGE = 'rlvrc report DIR [--metric NAME]... [--gain] [--out DIR]';

export async function reportCommand(args: string[], io: ReportIO): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`rlvrc report: ${message}\nusage: ${REPORT_USAGE}\n`);
    return 2;
  };
  const positional: string[] = [];
  const metrics: string[] = [];
  let out: string | null = null;
  let gains = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq >= 0 ? a.slice(2, eq) : a.slice(2)) : null;
    if (name === null) { positional.push(a); continue; }
    if (name === 'help') { io.stdout(`${REPORT_USAGE}\n\nWrites report.md, report.csv, cells.csv and eval-curve SVGs for the runs under DIR (default into DIR/report).\n--gain adds <eval>.<metric>.gain for every eval metric: its last value minus its value at step 0.\n`); return 0; }
    if (name === 'gain') { gains = true; continue; }
    if (name !== 'metric' && name !== 'out') return usage(`unknown option '${a}'`);
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return usage(`--${name} needs a value`);
    if (name === 'metric') metrics.push(value);
    else out = value;
  }
  if (positional.length !== 1) return usage(positional.length === 0 ? 'which runs directory? (e.g. runs/paper)' : `one runs directory, got ${positional.length}`);
  const cwd = io.cwd ?? process.cwd();
  const dir = resolve(cwd, positional[0]!);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return usage(`${positional[0]} is not a directory`);
  try {
    const cells = loadRuns(dir);
    if (cells.length === 0) {
      io.stderr(`rlvrc report: no cell directories (directories holding manifest.json) under ${positional[0]}\n`);
      return 1;
    }
    const report = buildReport(cells, { ...(metrics.length ? { metrics } : {}), ...(gains ? { gains } : {}) });
    const target = out !== null ? resolve(cwd, out) : join(dir, 'report');
    mkdirSync(target, { recursive: true });
    for (const [name, content] of report.files) writeFileAtomic(join(target, name), content);
    const rel = relative(cwd, target);
    const shown = rel === '' ? '.' : rel.startsWith('..') ? target : rel;
    io.stdout(`wrote ${join(shown, 'report.md')}, report.csv, cells.csv and ${report.plots} plot${report.plots === 1 ? '' : 's'} (${report.cells} cells, ${report.groups} groups)\n`);
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
