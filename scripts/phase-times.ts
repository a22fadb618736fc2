// Wall time of every phase of a runs directory, from each finished cell's artifacts (read and validated by
// the report's loader): result.json (the cell's wall time), metrics.jsonl (sampling and update seconds of
// every GRPO step) and the timing lines of log.txt (pretraining stages, majority labels, evaluations).
// Prints a Markdown table per grid and the totals.
// Usage: node --import tsx scripts/phase-times.ts runs/paper_mini
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuns } from '../src/report/load.js';
import { FILES, readJsonl } from '../src/runtime/run/index.js';

const root = process.argv[2];
if (!root || !existsSync(root)) {
  console.error('usage: node --import tsx scripts/phase-times.ts RUNS_DIR');
  process.exit(2);
}

const LOG_PHASES = {
  pretrain: /(?:pretrain|midtrain)[^:]*: step (\d+)\/\1 loss \S+ \(([\d.]+) s\)$/,
  labels: /majority labels: .* in ([\d.]+) s$/,
  eval: /eval \S+ at step \d+: .* in ([\d.]+) s$/,
};
const COLUMNS = ['pretrain', 'labels', 'sample', 'update', 'eval', 'other', 'wall'] as const;
type Times = Record<(typeof COLUMNS)[number] | 'steps', number>;

const grids = new Map<string, Times[]>();
for (const cell of loadRuns(root)) {
  if (cell.status !== 'finished' || !cell.result) continue;
  const dir = join(root, cell.dir);
  const t: Times = { pretrain: 0, labels: 0, sample: 0, update: 0, eval: 0, other: 0, wall: cell.result.wall_seconds, steps: 0 };
  // The last attempt only: result.json's wall time is that attempt's (earlier ones were interrupted).
  const log = existsSync(join(dir, FILES.log)) ? readFileSync(join(dir, FILES.log), 'utf8').split('==> rlvrc:').at(-1)!.split('\n') : [];
  for (const line of log) {
    const p = LOG_PHASES.pretrain.exec(line);
    if (p) t.pretrain += Number(p[2]);
    t.labels += Number(LOG_PHASES.labels.exec(line)?.[1] ?? 0);
    t.eval += Number(LOG_PHASES.eval.exec(line)?.[1] ?? 0);
  }
  const steps = readJsonl('metrics', join(dir, FILES.metrics)).records;
  for (const r of steps) {
    t.sample += Number(r.sample_seconds ?? 0);
    t.update += Number(r.update_seconds ?? 0);
  }
  t.steps = steps.length;
  t.other = t.wall - t.pretrain - t.labels - t.eval - t.sample - t.update;
  const grid = cell.coords.get('grid') ?? '(no grid)';
  grids.set(grid, [...(grids.get(grid) ?? []), t]);
}

const sum = (rows: Times[], k: keyof Times): number => rows.reduce((s, r) => s + r[k], 0);
const row = (name: string, rows: Times[]): string =>
  `| ${name} | ${rows.length} | ${sum(rows, 'steps')} | ${COLUMNS.map(c => sum(rows, c).toFixed(0)).join(' | ')} |`;
console.log(`| grid | cells | GRPO steps | ${COLUMNS.map(c => `${c} (s)`).join(' | ')} |`);
console.log(`| --- | ---: | ---: | ${COLUMNS.map(() => '---:').join(' | ')} |`);
for (const [grid, rows] of [...grids].sort(([a], [b]) => (a < b ? -1 : 1))) console.log(row(grid, rows));
console.log(row('all', [...grids.values()].flat()));
console.log(`\nSeconds summed over cells (cells ran two at a time, so the elapsed time is about half the sum). pretrain: the stages a cell built (cached ones cost nothing); labels: majority-vote labels; sample / update: the GRPO steps' rollout sampling and policy updates; eval: the evaluations; other: start-up, model loading, checkpoints.`);
