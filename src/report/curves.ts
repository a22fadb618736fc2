// Eval curves: for each eval metric, one series per group (cells that differ only by seed), the mean over
// the group's cells at each step where any of them has a value. Failed cells are left out (their last
// evaluations are often what made them fail); running and interrupted cells count with what they have.
import type { EvalRecord } from '../runtime/run/index.js';
import type { Group } from './table.js';

export interface Series {
  /** The group's axis values, for the legend. */
  label: string;
  /** axis=value pairs, for the tooltip. */
  title: string;
  points: Array<[number, number]>;
  cells: number;
}
export interface Curve { metric: string; series: Series[] }

/** An eval record's numeric values by name: `<eval>.<metric>` (`<eval>.<metric>.<part>` for records). */
export function flattenEval(r: EvalRecord): Map<string, number | null> {
  const prefix = typeof r.name === 'string' ? `${r.name}.` : '';
  const out = new Map<string, number | null>();
  for (const [k, v] of Object.entries(r)) {
    if (k === 'step' || k === 'name') continue;
    if (typeof v === 'number' || v === null) out.set(prefix + k, v);
    else if (v && typeof v === 'object') for (const [s, sv] of Object.entries(v)) out.set(`${prefix}${k}.${s}`, sv);
  }
  return out;
}

export function evalMetricNames(groups: Group[]): string[] {
  const names: string[] = [];
  for (const g of groups) for (const c of g.cells) for (const r of c.evals) for (const k of flattenEval(r).keys()) if (!names.includes(k)) names.push(k);
  return names;
}

export function buildCurves(groups: Group[], metrics: string[], label: (g: Group) => string, title: (g: Group) => string): Curve[] {
  return metrics.map(metric => {
    const series: Series[] = [];
    for (const g of groups) {
      const cells = g.cells.filter(c => c.status !== 'failed');
      const byStep = new Map<number, number[]>();
      let used = 0;
      for (const c of cells) {
        let any = false;
        for (const r of c.evals) {
          const v = flattenEval(r).get(metric);
          if (typeof v !== 'number') continue;
          if (!byStep.has(r.step)) byStep.set(r.step, []);
          byStep.get(r.step)!.push(v);
          any = true;
        }
        if (any) used++;
      }
      if (byStep.size === 0) continue;
      const points = [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([s, vs]) => [s, vs.reduce((x, y) => x + y, 0) / vs.length] as [number, number]);
      series.push({ label: label(g), title: title(g), points, cells: used });
    }
    return { metric, series };
  }).filter(c => c.series.length > 0);
}
