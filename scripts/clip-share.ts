// How often PPO's clipping acted, beside what the cells gained: the paper explains spurious-reward gains by
// the clipping bias, so a map of where those rewards help needs both. For every group of finished cells
// (the same grid coordinates, seeds pooled): n, held-out greedy accuracy and code-rate gains (mean ± sample
// std, in points), the clipped share of tokens (clip_frac_low + clip_frac_high, averaged over every GRPO
// step of the group's cells, in %), the median approx-KL between π_old and π after the updates, and the
// backend's numerics key (which matmul library computed the GRPO steps; the log says where the model came from).
// Usage: node --import tsx scripts/clip-share.ts runs/spurious_search
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withGains } from '../src/report/gains.js';
import { loadRuns } from '../src/report/load.js';
import { stat } from '../src/report/table.js';
import { numericsOfManifest } from '../src/runtime/numerics.js';
import { FILES, readJsonl } from '../src/runtime/run/index.js';

const root = process.argv[2];
if (!root || !existsSync(root)) {
  console.error('usage: node --import tsx scripts/clip-share.ts RUNS_DIR');
  process.exit(2);
}

interface Group { gains: number[]; codeGains: number[]; clipped: number[]; kl: number[]; backends: Set<string> }
const groups = new Map<string, Group>();
for (const cell of withGains(loadRuns(root))) {
  if (cell.status !== 'finished' || !cell.result) continue;
  const key = [...cell.coords].filter(([axis]) => axis !== 'seed').map(([axis, v]) => (axis === 'grid' ? `${v}:` : `${axis}=${v}`)).join(' ');
  const g = groups.get(key) ?? { gains: [], codeGains: [], clipped: [], kl: [], backends: new Set<string>() };
  groups.set(key, g);
  const m = cell.result.final_metrics;
  if (typeof m['held_out.accuracy.gain'] === 'number') g.gains.push(m['held_out.accuracy.gain']);
  if (typeof m['held_out.code_rate.gain'] === 'number') g.codeGains.push(m['held_out.code_rate.gain']);
  for (const r of readJsonl('metrics', join(root, cell.dir, FILES.metrics)).records) {
    g.clipped.push(Number(r.clip_frac_low ?? 0) + Number(r.clip_frac_high ?? 0));
    if (typeof r.approx_kl === 'number') g.kl.push(r.approx_kl);
  }
  g.backends.add(numericsOfManifest(cell.manifest.backend));
}

const points = (xs: number[]): string => {
  if (xs.length === 0) return '—';
  const s = stat(xs.map(x => x * 100));
  const signed = (x: number): string => (x >= 0.05 ? '+' : x <= -0.05 ? '−' : '') + Math.abs(x).toFixed(1);
  return s.std !== null ? `${signed(s.mean!)} ± ${s.std.toFixed(1)}` : signed(s.mean!);
};
const median = (xs: number[]): string => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toExponential(1) : '—');
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

console.log('| group | n | accuracy gain | code-rate gain | clipped tokens (%) | median approx-KL | GRPO matmuls |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
  console.log(`| ${key} | ${g.gains.length} | ${points(g.gains)} | ${points(g.codeGains)} | ${(100 * mean(g.clipped)).toFixed(4)} | ${median(g.kl)} | ${[...g.backends].join(', ')} |`);
}
