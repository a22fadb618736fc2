#!/usr/bin/env node
// Wall time of every phase of a runs directory, from each cell's artifacts: result.json (the cell's wall
// time), metrics.jsonl (sampling and update seconds of every GRPO step) and the timing lines of log.txt
// (pretraining stages, majority labels, evaluations). Prints a Markdown table per grid and the totals.
// Usage: node scripts/phase-times.mjs runs/paper_mini
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root || !existsSync(root)) {
  console.error('usage: node scripts/phase-times.mjs RUNS_DIR');
  process.exit(2);
}

const PATTERNS = {
  pretrain: /(?:pretrain|midtrain)[^:]*: step (\d+)\/\1 loss \S+ \(([\d.]+) s\)$/,
  labels: /majority labels: .* in ([\d.]+) s$/,
  eval: /eval \S+ at step \d+: .* in ([\d.]+) s$/,
};

const rows = [];
for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  if (name.startsWith('.') || !existsSync(join(dir, 'result.json'))) continue;
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  if (result.status !== 'finished') continue;
  const t = { id: result.cell_id, wall: result.wall_seconds, pretrain: 0, labels: 0, eval: 0, sample: 0, update: 0 };
  // The last attempt only: result.json's wall time is that attempt's (earlier ones were interrupted).
  const log = existsSync(join(dir, 'log.txt')) ? readFileSync(join(dir, 'log.txt'), 'utf8').split('==> rlvrc:').at(-1).split('\n') : [];
  for (const line of log) {
    let m;
    if ((m = PATTERNS.pretrain.exec(line))) t.pretrain += Number(m[2]);
    else if ((m = PATTERNS.labels.exec(line))) t.labels += Number(m[1]);
    else if ((m = PATTERNS.eval.exec(line))) t.eval += Number(m[1]);
  }
  const metrics = existsSync(join(dir, 'metrics.jsonl')) ? readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : [];
  for (const r of metrics) {
    t.sample += r.sample_seconds ?? 0;
    t.update += r.update_seconds ?? 0;
  }
  t.steps = metrics.length;
  t.other = t.wall - t.pretrain - t.labels - t.eval - t.sample - t.update;
  rows.push(t);
}

const f = x => x.toFixed(0);
const cols = ['pretrain', 'labels', 'sample', 'update', 'eval', 'other', 'wall'];
const grids = new Map();
for (const r of rows) {
  const g = r.id.includes('/') ? r.id.slice(0, r.id.indexOf('/')) : '(no grid)';
  if (!grids.has(g)) grids.set(g, []);
  grids.get(g).push(r);
}
console.log(`| grid | cells | GRPO steps | ${cols.map(c => `${c} (s)`).join(' | ')} |`);
console.log(`| --- | ---: | ---: | ${cols.map(() => '---:').join(' | ')} |`);
const total = Object.fromEntries(cols.map(c => [c, 0]));
let cells = 0;
let steps = 0;
for (const [g, rs] of grids) {
  const sum = c => rs.reduce((s, r) => s + r[c], 0);
  console.log(`| ${g} | ${rs.length} | ${rs.reduce((s, r) => s + r.steps, 0)} | ${cols.map(c => f(sum(c))).join(' | ')} |`);
  for (const c of cols) total[c] += sum(c);
  cells += rs.length;
  steps += rs.reduce((s, r) => s + r.steps, 0);
}
console.log(`| all | ${cells} | ${steps} | ${cols.map(c => f(total[c])).join(' | ')} |`);
console.log(`\nSeconds summed over cells (cells ran two at a time, so the elapsed time is about half the sum). pretrain: the stages a cell built (cached ones cost nothing); labels: majority-vote labels; sample / update: the GRPO steps' rollout sampling and policy updates; eval: the evaluations; other: start-up, model loading, checkpoints.`);
