// rlvrc report on the largest grid: spurious-search's 168 cells (made-up eval values on the real grid, as
// the report's tests use), timed by phase as the median of N runs after a warm-up. Prints JSON.
//   node --import tsx bench/report-time.ts [--runs 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, loadRuns } from '../src/report/index.js';
import { renderSvg, svgToPng } from '../src/report/render.js';
import { writeSyntheticRuns } from '../test/report/synthetic-runs.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'rlvrc-bench-report-'));
const cells = writeSyntheticRuns(join(dir, 'runs'), 'experiments/spurious-search.rlvr');
const times = { load_ms: [] as number[], build_ms: [] as number[], svg_ms: [] as number[], png_ms: [] as number[] };
let figures = 0;
let svgBytes = 0;
let pngBytes = 0;
for (let i = 0; i <= RUNS; i++) {
  const t0 = performance.now();
  const loaded = loadRuns(join(dir, 'runs'));
  const t1 = performance.now();
  const report = buildReport(loaded);
  const t2 = performance.now();
  const svgs: string[] = [];
  for (const f of report.figures) svgs.push(await renderSvg(f.spec));
  const t3 = performance.now();
  const pngs = svgs.map(s => svgToPng(s));
  const t4 = performance.now();
  figures = svgs.length;
  svgBytes = svgs.reduce((s, x) => s + Buffer.byteLength(x), 0);
  pngBytes = pngs.reduce((s, x) => s + x.length, 0);
  if (i === 0) continue; // warm-up
  times.load_ms.push(t1 - t0);
  times.build_ms.push(t2 - t1);
  times.svg_ms.push(t3 - t2);
  times.png_ms.push(t4 - t3);
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({
  cells, figures, runs: RUNS,
  ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))])),
  svg_kib: Math.round(svgBytes / 1024), png_kib: Math.round(pngBytes / 1024),
}));
