// rlvrc report: the results of a runs directory as a Markdown report, CSV tables and figures.
//
//   report.md    per metric, mean ± std (n) laid out by the grid's axes (the last axis across), then eval
//                curves, gains (table + figure) and every cell with its status and final metrics
//   report.html  report.md as one self-contained page with the figures inline (html.ts)
//   report.csv   one row per group of cells that differ only by seed: axes, cell counts, and per metric
//                mean, std, n
//   cells.csv    one row per cell
//   [<grid>.]<metric>.svg/.png       eval curves as small multiples (figures.ts, specs.ts)
//   [<grid>.]<metric>.gain.svg/.png  change from step 0 to the end, grouped bars
// Output is deterministic: no paths, clocks or host names, so a report can be compared and committed.
import { closest } from '../util/suggest.js';
import { numericsOfManifest } from '../runtime/numerics.js';
import { evalMetricNames, flattenEval } from './curves.js';
import { curveFigure, gainFigure, type Figure, type GainFigure, type Section } from './figures.js';
import type { LoadedCell } from './load.js';
import { GAIN_SUFFIX, withGains } from './gains.js';
import { reportHtml } from './html.js';
import { renderSvg, svgToPng } from './render.js';
import { CURVE_CAPTION, figureSpec, GAIN_CAPTION, type Spec } from './specs.js';
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
  /** Axes across the figures' panels (the first across, any others down); default from the grid's declared axes. */
  facet?: string[];
  /** Axes the figures' lines and bars are coloured by. */
  color?: string[];
}

export interface FigureFile { name: string; figure: Figure; spec: Spec }

export interface Report {
  /** File name → content: report.md and the CSV tables (figures and report.html come from renderReport). */
  files: Map<string, string>;
  figures: FigureFile[];
  cells: number;
  groups: number;
  grids: number;
}

/** 3 decimals for everyday magnitudes (so columns line up), 3 significant digits otherwise. */
export function fmt(x: number | null): string {
  if (x === null) return MISSING;
  const a = Math.abs(x);
  return a !== 0 && (a < 0.001 || a >= 1e5) ? x.toPrecision(3) : x.toFixed(3);
}

function fmtStat(s: Stat | undefined): string {
  if (!s || s.n === 0 || s.mean === null) return MISSING;
  // Seeds that agree give a std of float noise (3.9e-17): shown as the 0 it is.
  const std = s.std !== null && s.std < 1e-12 * Math.max(1, Math.abs(s.mean)) ? 0 : s.std;
  return std === null ? `${fmt(s.mean)} (n=${s.n})` : `${fmt(s.mean)} ± ${fmt(std)} (n=${s.n})`;
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
    // A cell an external engine ran (manifest.engine) is named by the engine and its pinned version.
    const e = c.manifest.engine;
    const k = e ? `engine ${e.name} ${e.commit.slice(0, 12)}` : numericsOfManifest(c.manifest.backend);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const list = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `\`${k}\` (${n} cell${n === 1 ? '' : 's'})`);
  return list.join(', ') + (counts.size > 1 ? ': not comparable bit for bit across these' : '');
}

function firstLine(s: string | null | undefined): string {
  return (s ?? '').split('\n')[0]!.trim();
}

/** The figure sections: one per grid (each has its own axes), or the whole directory when there is no grid. */
function sections(cells: LoadedCell[], axes: Axis[]): Section[] {
  const grid = axes.find(a => a.name === GRID_AXIS);
  if (!grid) return [{ grid: null, cells }];
  return grid.values.map(g => ({ grid: g, cells: cells.filter(c => (c.coords.get(GRID_AXIS) ?? MISSING) === g) })).filter(s => s.cells.length > 0);
}

/** One experiment per report: cells of different experiments do not share axes or metrics. */
function checkOneExperiment(cells: LoadedCell[]): void {
  const byExperiment = new Map<string, LoadedCell[]>();
  for (const c of cells) byExperiment.set(c.manifest.experiment, [...(byExperiment.get(c.manifest.experiment) ?? []), c]);
  if (byExperiment.size <= 1) return;
  const list = [...byExperiment].map(([e, cs]) => `'${e}' (${cs.length} cell${cs.length === 1 ? '' : 's'}, e.g. ${cs[0]!.dir})`);
  throw new ReportError(`cells of different experiments: ${list.join(', ')}; report one experiment's runs directory at a time`);
}

/** A --facet/--color axis must be one of the grid's axes (not the seed, which figures summarise over). */
function checkLayoutAxes(options: ReportOptions, axes: Axis[]): void {
  const usable = axes.map(a => a.name).filter(n => n !== SEED_AXIS && n !== GRID_AXIS);
  const facet = options.facet ?? [];
  const color = options.color ?? [];
  for (const [flag, names] of [['--facet', facet], ['--color', color]] as const) {
    for (const n of names) {
      if (n === SEED_AXIS) throw new ReportUsageError(`${flag} ${n}: figures show the mean over seeds and each seed faint; choose another axis (${usable.join(', ') || 'none vary'})`);
      if (usable.includes(n)) continue;
      const near = closest(n, usable);
      throw new ReportUsageError(`${flag} ${n}: no axis '${n}' varies in these cells${near.length ? ` (did you mean '${near[0]}'?)` : ''}; axes: ${usable.join(', ') || 'none'}`);
    }
  }
  const both = facet.filter(n => color.includes(n));
  if (both.length) throw new ReportUsageError(`axis '${both[0]}' is given to both --facet and --color`);
}

/** Does some non-failed cell have this eval metric at two steps or more, with any change (unless asked for)? */
function worthPlotting(cells: LoadedCell[], metric: string, asked: boolean): boolean {
  const values = new Set<number>();
  let curve = false;
  for (const c of cells) {
    if (c.status === 'failed') continue;
    let points = 0;
    for (const r of c.evals) {
      const v = flattenEval(r).get(metric);
      if (typeof v !== 'number') continue;
      points++;
      values.add(v);
    }
    if (points > 1) curve = true;
  }
  return curve && (asked || values.size > 1);
}

/** The gains of one figure as a table: panel values down, colour values across, mean ± std (n) of the gain. */
function gainTable(f: GainFigure): string {
  const down = [...f.layout.column, ...f.layout.row];
  const label = (b: { column: string; row: string }): string => [b.column, b.row].filter(Boolean).join(' · ') || 'all cells';
  const rows: string[] = [];
  for (const row of f.rows) for (const column of f.columns) if (f.bars.some(b => b.column === column && b.row === row)) rows.push(label({ column, row }));
  const across = f.colors;
  const corner = [down.join(' · '), f.layout.color.join(' · ')].filter(Boolean).join(' \\ ');
  let t = mdRow([corner, ...across.map(c => c || 'gain')]);
  t += mdRow(['---', ...across.map(() => '---:')]);
  for (const r of rows) {
    t += mdRow([r, ...across.map(c => {
      const b = f.bars.find(x => label(x) === r && x.color === c);
      return b ? fmtStat({ n: b.n, mean: b.mean, std: b.std }) : MISSING;
    })]);
  }
  return t;
}

export function buildReport(loaded: LoadedCell[], options: ReportOptions = {}): Report {
  if (loaded.length === 0) throw new ReportError('no cell directories (directories holding manifest.json) found');
  checkOneExperiment(loaded);
  const gains = options.gains === true || (options.metrics ?? []).some(m => m.endsWith(GAIN_SUFFIX));
  const cells = gains ? withGains(loaded) : loaded;
  const axes = varyingAxes(cells);
  checkLayoutAxes(options, axes);
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
  // Figures: eval metrics asked for (a gain metric asks for its eval metric's figures too), or every one
  // that changes; a flat line everywhere (e.g. the number of problems evaluated) is not worth a figure,
  // neither is a "curve" of single points (cells evaluated once, before any training).
  const asked = options.metrics?.map(m => (m.endsWith(GAIN_SUFFIX) && evalNames.includes(m.slice(0, -GAIN_SUFFIX.length)) ? m.slice(0, -GAIN_SUFFIX.length) : m));
  const plotted = (asked ? evalNames.filter(m => asked.includes(m)) : evalNames).filter(m => worthPlotting(cells, m, asked !== undefined));
  const layout = { ...(options.facet ? { facet: options.facet } : {}), ...(options.color ? { color: options.color } : {}) };
  const secs = sections(loaded, axes);
  const curveFigures: Array<{ section: Section; figure: Figure }> = [];
  const gainFigures: Array<{ section: Section; figure: GainFigure }> = [];
  for (const section of secs) {
    for (const m of plotted) {
      if (!worthPlotting(section.cells, m, true)) continue;
      const curve = curveFigure(section, m, layout);
      if (curve) curveFigures.push({ section, figure: curve });
      const gain = gainFigure(section, m, layout);
      if (gain) gainFigures.push({ section, figure: gain });
    }
  }
  const figures: FigureFile[] = [...curveFigures, ...gainFigures].map(({ figure }) => ({ name: figure.name, figure, spec: figureSpec(figure) }));

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
  const gridHeading = (s: Section, prev: Section | undefined): string => (s.grid !== null && s !== prev ? `\n### grid ${s.grid}\n` : '');
  if (curveFigures.length) {
    md += `\n## Eval curves\n\n${CURVE_CAPTION} Failed cells are left out; scales are shared across a figure's panels.\n`;
    curveFigures.forEach(({ section, figure }, i) => {
      md += gridHeading(section, curveFigures[i - 1]?.section);
      md += `\n![${figure.metric} over training](${figure.name}.svg)\n`;
    });
  }
  if (gainFigures.length) {
    md += `\n## Gains\n\nThe change of each eval metric from step 0 (before training) to the last evaluation, per finished cell; `;
    md += `each entry is the mean ± sample standard deviation over seeds (n seeds). ${GAIN_CAPTION}\n`;
    gainFigures.forEach(({ section, figure }, i) => {
      md += gridHeading(section, gainFigures[i - 1]?.section);
      md += `\n#### ${figure.metric}: last evaluation − step 0\n\n${gainTable(figure)}\n![change in ${figure.metric}](${figure.name}.svg)\n`;
    });
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

  return { files, figures, cells: cells.length, groups: groups.length, grids: secs.filter(s => s.grid !== null).length };
}

/**
 * The figures as SVG and PNG (unless `png: false`), and report.html with the SVGs inline: file name →
 * content. `progress` is told after each figure (rendering takes most of a report's time on a large grid).
 */
export async function renderReport(report: Report, progress?: (done: number, total: number) => void, options: { png?: boolean } = {}): Promise<Map<string, string | Buffer>> {
  const out = new Map<string, string | Buffer>(report.files);
  const svgs = new Map<string, string>();
  for (const [i, f] of report.figures.entries()) {
    const svg = await renderSvg(f.spec);
    svgs.set(`${f.name}.svg`, svg);
    out.set(`${f.name}.svg`, svg);
    if (options.png !== false) out.set(`${f.name}.png`, svgToPng(svg));
    progress?.(i + 1, report.figures.length);
  }
  out.set('report.html', reportHtml(report.files.get('report.md')!, svgs));
  return out;
}
