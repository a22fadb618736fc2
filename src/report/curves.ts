// Eval metrics by name: each eval record's numbers flattened to `<eval>.<metric>` names, the names the
// report's figures and --metric use.
import type { EvalRecord } from '../runtime/run/index.js';
import type { Group } from './table.js';

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
