// The numbers behind the figures, computed here rather than by Vega-Lite transforms so that they can be
// checked by hand and read in the specs' golden files:
//   curves  per (panel, colour, step): the mean over the group's seeds, the min-max band, and each seed's value
//   gains   per (panel, colour): each finished cell's change from step 0 to its last evaluation, and their
//           mean, sample std and n; the table beside the figure prints the same numbers
// Failed cells are left out of both (their last evaluations are often what made them fail).
import { flattenEval } from './curves.js';
import { chooseLayout, fieldValue, sectionAxes, sortedValues, type Layout, type LayoutRequest } from './layout.js';
import type { LoadedCell } from './load.js';
import { compareValues, SEED_AXIS, stat } from './table.js';

export interface SeedPoint { column: string; row: string; color: string; seed: string; step: number; value: number }
export interface MeanPoint { column: string; row: string; color: string; step: number; mean: number; lo: number; hi: number; n: number }
export interface CellGain { column: string; row: string; color: string; seed: string; gain: number }
export interface GainBar { column: string; row: string; color: string; mean: number; std: number | null; n: number }

interface FigureBase {
  /** File name without extension. */
  name: string;
  grid: string | null;
  metric: string;
  layout: Layout;
  /** Colour value → legend label with its number of seeds ("random (n=3)", "random (n=2-3)" when panels differ). */
  legend: Map<string, string>;
  columns: string[];
  rows: string[];
  colors: string[];
}
export interface CurveFigure extends FigureBase { kind: 'curve'; seeds: SeedPoint[]; means: MeanPoint[] }
export interface GainFigure extends FigureBase { kind: 'gain'; cells: CellGain[]; bars: GainBar[] }
export type Figure = CurveFigure | GainFigure;

export interface Section { grid: string | null; cells: LoadedCell[] }

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

function seedOf(c: LoadedCell): string {
  return c.coords.get(SEED_AXIS) ?? c.id;
}

/** The cell's values of an eval metric by step (ascending), numbers only. */
function series(c: LoadedCell, metric: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of c.evals) {
    const v = flattenEval(r).get(metric);
    if (typeof v === 'number') out.push([r.step, v]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Last minus step 0, or null for a cell not evaluated at step 0 and later. */
export function cellGain(c: LoadedCell, metric: string): number | null {
  const s = series(c, metric);
  return s.length >= 2 && s[0]![0] === 0 ? s[s.length - 1]![1] - s[0]![1] : null;
}

function legendOf(counts: Array<{ color: string; n: number }>, colors: string[]): Map<string, string> {
  const legend = new Map<string, string>();
  for (const color of colors) {
    const ns = counts.filter(c => c.color === color).map(c => c.n);
    const [lo, hi] = [Math.min(...ns), Math.max(...ns)];
    const n = lo === hi ? `n=${lo}` : `n=${lo}-${hi}`;
    legend.set(color, color === '' ? n : `${color} (${n})`);
  }
  return legend;
}

function base(section: Section, metric: string, layout: Layout, cells: LoadedCell[], kind: Figure['kind']): Omit<FigureBase, 'legend'> {
  const name = [section.grid, metric, kind === 'gain' ? 'gain' : null].filter((p): p is string => p !== null).map(fileSafe).join('.');
  return {
    name, grid: section.grid, metric, layout,
    columns: sortedValues(cells.map(c => fieldValue(c, layout.column))),
    rows: sortedValues(cells.map(c => fieldValue(c, layout.row))),
    colors: sortedValues(cells.map(c => fieldValue(c, layout.color))),
  };
}

const key = (...parts: string[]): string => JSON.stringify(parts);

/** Lexicographic order of equal-length number lists. */
function cmp(x: number[], y: number[]): number {
  const i = x.findIndex((v, j) => v !== y[j]);
  return i < 0 ? 0 : x[i]! - y[i]!;
}

export function curveFigure(section: Section, metric: string, request: LayoutRequest): CurveFigure | null {
  const layout = chooseLayout(sectionAxes(section.cells), request);
  const cells = section.cells.filter(c => c.status !== 'failed' && series(c, metric).length > 0);
  if (cells.length === 0) return null;
  const seeds: SeedPoint[] = [];
  const byPoint = new Map<string, { at: Omit<MeanPoint, 'mean' | 'lo' | 'hi' | 'n'>; values: number[] }>();
  const lineCells = new Map<string, Set<string>>();
  for (const c of cells) {
    const [column, row, color] = [fieldValue(c, layout.column), fieldValue(c, layout.row), fieldValue(c, layout.color)];
    const line = key(column, row, color);
    if (!lineCells.has(line)) lineCells.set(line, new Set());
    lineCells.get(line)!.add(c.id);
    for (const [step, value] of series(c, metric)) {
      seeds.push({ column, row, color, seed: seedOf(c), step, value });
      const k = key(column, row, color, String(step));
      if (!byPoint.has(k)) byPoint.set(k, { at: { column, row, color, step }, values: [] });
      byPoint.get(k)!.values.push(value);
    }
  }
  const means = [...byPoint.values()].map(({ at, values }) => ({
    ...at, mean: values.reduce((s, v) => s + v, 0) / values.length, lo: Math.min(...values), hi: Math.max(...values), n: values.length,
  }));
  const b = base(section, metric, layout, cells, 'curve');
  const order = (p: { column: string; row: string; color: string; step: number }) => [b.columns.indexOf(p.column), b.rows.indexOf(p.row), b.colors.indexOf(p.color), p.step];
  means.sort((p, q) => cmp(order(p), order(q)));
  seeds.sort((p, q) => cmp(order(p), order(q)) || compareValues(p.seed, q.seed));
  const counts = [...lineCells].map(([line, ids]) => ({ color: (JSON.parse(line) as string[])[2]!, n: ids.size }));
  return { kind: 'curve', ...b, legend: legendOf(counts, b.colors), seeds, means };
}

export function gainFigure(section: Section, metric: string, request: LayoutRequest): GainFigure | null {
  const layout = chooseLayout(sectionAxes(section.cells), request);
  const gains: CellGain[] = [];
  const cellsUsed: LoadedCell[] = [];
  for (const c of section.cells) {
    if (c.status !== 'finished') continue;
    const gain = cellGain(c, metric);
    if (gain === null) continue;
    cellsUsed.push(c);
    gains.push({ column: fieldValue(c, layout.column), row: fieldValue(c, layout.row), color: fieldValue(c, layout.color), seed: seedOf(c), gain });
  }
  if (gains.length === 0) return null;
  const b = base(section, metric, layout, cellsUsed, 'gain');
  const bars: GainBar[] = [];
  for (const row of b.rows) for (const column of b.columns) for (const color of b.colors) {
    const s = stat(gains.filter(g => g.column === column && g.row === row && g.color === color).map(g => g.gain));
    if (s.n > 0) bars.push({ column, row, color, mean: s.mean!, std: s.std, n: s.n });
  }
  const pos = (g: { column: string; row: string; color: string }) => [b.rows.indexOf(g.row), b.columns.indexOf(g.column), b.colors.indexOf(g.color)];
  gains.sort((p, q) => cmp(pos(p), pos(q)) || compareValues(p.seed, q.seed));
  return { kind: 'gain', ...b, legend: legendOf(bars, b.colors), cells: gains, bars };
}
