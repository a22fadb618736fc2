// Gains: the paper reports what training changed (MATH-500 accuracy after RL minus before), so a report
// can add, for every final eval metric `<eval>.<metric>`, `<eval>.<metric>.gain`: its value at the last
// evaluation minus its value at the first one (step 0, before any training), from the cell's eval.jsonl;
// none when the cell was evaluated only once.
import type { LoadedCell } from './load.js';

export const GAIN_SUFFIX = '.gain';

/** The cells with gain metrics added to each finished cell's final metrics (the artifacts are not touched). */
export function withGains(cells: LoadedCell[]): LoadedCell[] {
  return cells.map(c => {
    if (c.status !== 'finished' || !c.result) return c;
    const extra: Record<string, number | null> = {};
    for (const key of Object.keys(c.result.final_metrics)) {
      const dot = key.indexOf('.');
      if (dot < 0) continue;
      const [name, metric] = [key.slice(0, dot), key.slice(dot + 1)];
      const records = c.evals.filter(e => e.name === name).sort((a, b) => a.step - b.step);
      const first = records[0]?.[metric];
      const last = records[records.length - 1]?.[metric];
      // One evaluation (an evaluation-only cell) measures no change: no gain rather than a gain of 0.
      extra[key + GAIN_SUFFIX] = records.length >= 2 && records[0]!.step === 0 && typeof first === 'number' && typeof last === 'number' ? last - first : null;
    }
    return { ...c, result: { ...c.result, final_metrics: { ...c.result.final_metrics, ...extra } } };
  });
}
