// rlvrc report: the results of a runs directory as a Markdown report, CSV tables and SVG eval curves.
//
//   report.md   per metric, mean ± std (n) laid out by the grid's axes (the last axis across), then eval
//               curves and every cell with its status and final metrics
//   report.csv  one row per group of cells that differ only by seed: axes, cell counts, and per metric
//               mean, std, n
//   cells.csv   one row per cell
//   <metric>.svg  eval metric vs step, one line per group (mean over seeds)
// Output is deterministic: no paths, clocks or host names, so a report can be compared and committed.
import { closest } from '../util/suggest.js';
import { numericsOfManifest } from '../runtime/numerics.js';
import { buildCurves, evalMetricNames, type Curve } from './curves.js';
import type { LoadedCell } from './load.js';
import { renderCurve } from './svg.js';
import { GAIN_SUFFIX, withGains } from './gains.js';
import { compareValues, GRID_AXIS, groupCells, metricNames, MISSING, SEED_AXIS, varyingAxes, type Axis, type Group, type Stat } from './table.js';

export { loadRuns } from './load.js';

export class ReportError extends Error {
  override name = 'ReportError';
}

/** A report option that cannot be honoured (e.g. --metric naming no metric): a usage error. */
export class ReportUsageError extends ReportError {
  override name = 'ReportUsageError';
}

export interface ReportOptions {
  /** Final metrics to show (default: all, in first-appearance order); also limits the plots. */
  metrics?: string[];
  /** Add `<eval>.<metric>.gain` (last evaluation minus step 0) for every final eval metric; implied by a --metric naming one. */
  gains?: boolean;
}

export interface Report {
  /** File name → content. */
  files: Map<string, string>;
  cells: number;
  groups: number;
  plots: number;
}

/** 3 decimals for everyday magnitudes (so columns line up), 3 significant digits otherwise. */
export function fmt(x: number | null): string {
  if (x === null) return MISSING;
  const a = Math.abs(x);
  return a !== 0 && (a < 0.001 || a >= 1e5) ? x.toPrecision(3) : x.toFixed(3);
}

function fmtStat(s: Stat | undefined): string {
  if (!s || s.n === 0 || s.mean === null) return MISSING;
  return s.std === null ? `${fmt(s.mean)} (n=${s.n})` : `${fmt(s.mean)} ± ${fmt(s.std)} (n=${s.n})`;
}

/** CSV numbers keep 6 significant digits: enough to compare, stable across float noise. */
const csvNum = (x: number | null): string => (x === null ? '' : String(Number(x.toPrecision(6))));

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvRow = (fields: string[]): string => fields.map(csvField).join(',') + '\n';
const mdCell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const mdRow = (fields: string[]): string => `| ${fields.map(mdCell).join(' | ')} |\n`;

/** One metric laid out by two or more axes (positions `idx` in the group keys): the last across, the others down. */
function pivot(metric: string, groups: Group[], idx: number[], names: string[]): string {
  const acrossAt = idx[idx.length - 1]!;
  const downAt = idx.slice(0, -1);
  const rows = new Map<string, Map<string, Group>>();
  const columns: string[] = [];
  for (const g of groups) {
    const rk = downAt.map(i => g.key[i]!).join(' · ');
    const col = g.key[acrossAt]!;
    if (!rows.has(rk)) rows.set(rk, new Map());
    rows.get(rk)!.set(col, g);
    if (!columns.includes(col)) columns.push(col);
  }
  columns.sort(compareValues);
  let t = mdRow([`${names.slice(0, -1).join(' · ')} \\ ${names[names.length - 1]}`, ...columns]);
  t += mdRow(['---', ...columns.map(() => '---:')]);
  for (const [rk, byCol] of rows) t += mdRow([rk, ...columns.map(c => fmtStat(byCol.get(c)?.stats.get(metric)))]);
  return t;
}

/** Every metric in one table, a row per value of the (at most one) axis. */
function flatTable(metrics: string[], groups: Group[], idx: number[], names: string[]): string {
  let t = mdRow([names[0] ?? '', ...metrics]) + mdRow(['---', ...metrics.map(() => '---:')]);
  for (const g of groups) t += mdRow([idx.length ? g.key[idx[0]!]! : 'all cells', ...metrics.map(m => fmtStat(g.stats.get(m)))]);
  return t;
}

/** The group-key positions of the axes that vary within these groups (values other than missing). */
function axesWithin(groups: Group[], candidates: number[]): number[] {
  return candidates.filter(i => new Set(groups.map(g => g.key[i]).filter(v => v !== MISSING)).size > 1);
}

/** Results for some groups: one table when they vary along at most one axis, else a pivot per metric. */
function results(metrics: string[], groups: Group[], idx: number[], axes: Axis[], level: string): string {
  const names = idx.map(i => axes[i]!.name);
  if (idx.length <= 1) return `\n${flatTable(metrics, groups, idx, names)}`;
  return metrics.map(m => `\n${level} ${m}\n\n${pivot(m, groups, idx, names)}`).join('');
}

/** Laid out by the grid's axes; with several grids, a section per grid (each has its own axes). */
function resultSections(metrics: string[], groups: Group[], groupAxes: Axis[]): string {
  if (metrics.length === 0) return '\n## Results\n\nNo final metrics to show (none recorded yet, or none chosen with --metric).\n';
  const gridAt = groupAxes.findIndex(a => a.name === GRID_AXIS);
  const all = groupAxes.map((_, i) => i);
  if (gridAt < 0) {
    const body = results(metrics, groups, all, groupAxes, '##');
    return all.length <= 1 ? `\n## Results\n${body}` : body;
  }
  let md = '';
  for (const grid of groupAxes[gridAt]!.values) {
    const sub = groups.filter(g => g.key[gridAt] === grid);
    if (sub.length === 0) continue;
    md += `\n## grid ${grid}\n${results(metrics, sub, axesWithin(sub, all.filter(i => i !== gridAt)), groupAxes, '###')}`;
  }
  return md;
}

/**
 * Which numerics computed the cells (backend, matmul library and OpenBLAS kernel; see runtime/numerics.ts),
 * with counts: cells computed on different ones agree to float rounding, not bit for bit.
 */
function computedOn(cells: LoadedCell[]): string {
  const counts = new Map<string, number>();
  for (const c of cells) {
    const k = numericsOfManifest(c.manifest.backend);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const list = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `\`${k}\` (${n} cell${n === 1 ? '' : 's'})`);
  return list.join(', ') + (counts.size > 1 ? ': not comparable bit for bit across these' : '');
}

function firstLine(s: string | null | undefined): string {
  return (s ?? '').split('\n')[0]!.trim();
}

export function plotFileName(metric: string): string {
  return `${metric.replace(/[^A-Za-z0-9._-]/g, '_')}.svg`;
}

export function buildReport(loaded: LoadedCell[], options: ReportOptions = {}): Report {
  if (loaded.length === 0) throw new ReportError('no cell directories (directories holding manifest.json) found');
  const gains = options.gains === true || (options.metrics ?? []).some(m => m.endsWith(GAIN_SUFFIX));
  const cells = gains ? withGains(loaded) : loaded;
  const axes = varyingAxes(cells);
  const groupAxes = axes.filter(a => a.name !== SEED_AXIS);
  const available = metricNames(cells);
  const evalNames = evalMetricNames(groupCells(cells, axes, []));
  for (const m of options.metrics ?? []) {
    if (!available.includes(m) && !evalNames.includes(m)) {
      const near = closest(m, [...available, ...evalNames]);
      throw new ReportUsageError(`no cell has a metric '${m}'${near.length ? ` (did you mean '${near[0]}'?)` : ''}; final metrics: ${available.join(', ') || 'none'}${evalNames.length ? `; eval metrics: ${evalNames.join(', ')}` : ''}`);
    }
  }
  const metrics = options.metrics ? options.metrics.filter(m => available.includes(m)) : available;
  const groups = groupCells(cells, axes, metrics);
  const groupTitle = (g: Group): string => (groupAxes.length ? groupAxes.map((a, i) => `${a.name}=${g.key[i]}`).join(', ') : 'all cells');
  const groupLabel = (g: Group): string => (groupAxes.length ? g.key.join(' · ') : 'all cells');
  const legendTitle = groupAxes.length ? groupAxes.map(a => a.name).join(' · ') : 'cells';
  const plotted = options.metrics ? evalNames.filter(m => options.metrics!.includes(m)) : evalNames;
  // A flat line everywhere (e.g. the number of problems evaluated) is not worth a plot unless asked for;
  // neither is a "curve" of single points (cells evaluated once, before any training).
  const curves: Curve[] = buildCurves(groups, plotted, groupLabel, groupTitle)
    .filter(c => c.series.some(s => s.points.length > 1))
    .filter(c => options.metrics !== undefined || new Set(c.series.flatMap(s => s.points.map(p => p[1]))).size > 1);

  const files = new Map<string, string>();
  const count = (s: string): number => cells.filter(c => c.status === s).length;
  const experiments = [...new Set(cells.map(c => c.manifest.experiment))];
  const sources = [...new Set(cells.map(c => `\`${c.manifest.source.file}\` (sha256 ${c.manifest.source.sha256.slice(0, 12)}), rlvrc ${c.manifest.compiler_version}`))];
  const seedAxis = axes.find(a => a.name === SEED_AXIS);

  let md = `# Report: ${experiments.join(', ')}\n\n`;
  md += `${cells.length} cells in ${groups.length} group${groups.length === 1 ? '' : 's'}: ` +
    ['finished', 'failed', 'running', 'interrupted'].map(s => `${count(s)} ${s}`).join(', ') + '.\n';
  md += `Compiled from ${sources.join('; ')}.\n`;
  md += `Computed on ${computedOn(cells)}.\n`;
  md += `Axes: ${groupAxes.length ? groupAxes.map(a => `${a.name} (${a.values.filter(v => v !== MISSING).join(', ')})`).join('; ') : 'none'}` +
    `${seedAxis ? `; seeds: ${seedAxis.values.join(', ')}` : ''}.\n`;
  md += `Each entry is the mean ± sample standard deviation over a group's finished cells (seeds), n the number of cells averaged.\n`;
  if (gains) md += `A metric ending in \`${GAIN_SUFFIX}\` is the change from step 0 (before training) to the last evaluation.\n`;
  md += resultSections(metrics, groups, groupAxes);
  if (curves.length) {
    md += `\n## Eval curves\n\nMean over each group's cells at every evaluated step (failed cells left out).\n`;
    for (const c of curves) md += `\n![${c.metric} vs step](${plotFileName(c.metric)})\n`;
  }
  const cellAxes = axes.length ? axes : [];
  md += `\n## Cells\n\n`;
  md += mdRow([...(cellAxes.length ? cellAxes.map(a => a.name) : ['cell']), 'status', 'steps', ...metrics]);
  md += mdRow([...(cellAxes.length ? cellAxes.map(() => '---') : ['---']), '---', '---:', ...metrics.map(() => '---:')]);
  for (const c of cells) {
    const where = cellAxes.length ? cellAxes.map(a => c.coords.get(a.name) ?? MISSING) : [`\`${c.id}\``];
    const fm = c.status === 'finished' ? c.result!.final_metrics : {};
    md += mdRow([...where, c.status, c.result ? String(c.result.steps) : MISSING, ...metrics.map(m => fmt(fm[m] ?? null))]);
  }
  const problems = cells.filter(c => c.status !== 'finished');
  if (problems.length) {
    md += `\n### Not finished\n\n`;
    for (const c of problems) {
      const why = c.status === 'failed' ? `failed: ${firstLine(c.result?.error?.message ?? c.manifest.error)}` : c.status;
      md += `- \`${c.id}\`: ${why} (see ${c.dir}/log.txt)\n`;
    }
  }
  files.set('report.md', md);

  let csv = csvRow([...groupAxes.map(a => a.name), 'cells', 'finished', ...metrics.flatMap(m => [`${m}_mean`, `${m}_std`, `${m}_n`])]);
  for (const g of groups) {
    csv += csvRow([...g.key.map(v => (v === MISSING ? '' : v)), String(g.cells.length), String(g.finished.length), ...metrics.flatMap(m => {
      const s = g.stats.get(m)!;
      return [csvNum(s.mean), csvNum(s.std), String(s.n)];
    })]);
  }
  files.set('report.csv', csv);

  let cellsCsv = csvRow(['id', ...axes.map(a => a.name), 'status', 'steps', ...metrics]);
  for (const c of cells) {
    const fm = c.result?.final_metrics ?? {};
    cellsCsv += csvRow([c.id, ...axes.map(a => c.coords.get(a.name) ?? ''), c.status, c.result ? String(c.result.steps) : '', ...metrics.map(m => (c.status === 'finished' ? csvNum(fm[m] ?? null) : ''))]);
  }
  files.set('cells.csv', cellsCsv);

  for (const c of curves) files.set(plotFileName(c.metric), renderCurve(c, `${c.metric} vs step`, legendTitle));
  return { files, cells: cells.length, groups: groups.length, plots: curves.length };
}
