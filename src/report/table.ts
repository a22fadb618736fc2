// From cells to the grid's layout: which axes vary, the groups of cells that differ only by seed, and
// mean ± sample standard deviation of each metric over a group's finished cells.
import type { LoadedCell } from './load.js';

export const SEED_AXIS = 'seed';
export const GRID_AXIS = 'grid';
export const MISSING = '—';

export interface Axis { name: string; values: string[] }

export interface Stat { n: number; mean: number | null; std: number | null }

export interface Group {
  /** One value per non-seed axis, in axis order. */
  key: string[];
  cells: LoadedCell[];
  finished: LoadedCell[];
  stats: Map<string, Stat>;
}

/** Numbers in numeric order, then everything else in code-point order: seeds 2 < 10, clip 0.2 < none. */
export function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  const xn = a.trim() !== '' && Number.isFinite(x);
  const yn = b.trim() !== '' && Number.isFinite(y);
  if (xn && yn) return x - y;
  if (xn !== yn) return xn ? -1 : 1;
  if (a === MISSING || b === MISSING) return a === MISSING ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The axes whose values differ across cells, in the order they first appear. */
export function varyingAxes(cells: LoadedCell[]): Axis[] {
  const names: string[] = [];
  for (const c of cells) for (const k of c.coords.keys()) if (!names.includes(k)) names.push(k);
  const axes: Axis[] = [];
  for (const name of names) {
    const values = [...new Set(cells.map(c => c.coords.get(name) ?? MISSING))].sort(compareValues);
    if (values.length > 1) axes.push({ name, values });
  }
  // A grid name reads best as the outermost axis, the seed as the innermost.
  const rank = (a: Axis): number => (a.name === GRID_AXIS ? 0 : a.name === SEED_AXIS ? 2 : 1);
  return axes.sort((a, b) => rank(a) - rank(b));
}

export function stat(values: number[]): Stat {
  const n = values.length;
  if (n === 0) return { n, mean: null, std: null };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { n, mean, std };
}

/** Metric names in first-appearance order over the cells' final metrics. */
export function metricNames(cells: LoadedCell[]): string[] {
  const names: string[] = [];
  for (const c of cells) for (const k of Object.keys(c.result?.final_metrics ?? {})) if (!names.includes(k)) names.push(k);
  return names;
}

export function groupCells(cells: LoadedCell[], axes: Axis[], metrics: string[]): Group[] {
  const groupAxes = axes.filter(a => a.name !== SEED_AXIS);
  const byKey = new Map<string, Group>();
  for (const c of cells) {
    const key = groupAxes.map(a => c.coords.get(a.name) ?? MISSING);
    const k = JSON.stringify(key);
    if (!byKey.has(k)) byKey.set(k, { key, cells: [], finished: [], stats: new Map() });
    const g = byKey.get(k)!;
    g.cells.push(c);
    if (c.status === 'finished') g.finished.push(c);
  }
  const groups = [...byKey.values()];
  for (const g of groups) {
    for (const m of metrics) {
      const values = g.finished.map(c => c.result!.final_metrics[m]).filter((v): v is number => typeof v === 'number');
      g.stats.set(m, stat(values));
    }
  }
  return groups.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = compareValues(a.key[i]!, b.key[i]!);
      if (d !== 0) return d;
    }
    return 0;
  });
}
