// The committed results are regenerable from the committed cell artifacts: a later change to the artifact
// schemas, the report or an analysis script that would no longer reproduce a published table fails here,
// instead of being found by the next researcher who tries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/golden.js';
import { rlvrc } from '../helpers/cli.js';

const read = (p: string): string => readFileSync(join(REPO, p), 'utf8');

test('organism-v2: the analysis of the committed 119 cells is the committed analysis.md', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/organism-v2/analyse.ts', 'results/organism-v2/runs'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // The header names the runs directory it was given; the grid ran in runs/organism_v2.
  const out = r.stdout.replace('analyse.ts results/organism-v2/runs`', 'analyse.ts runs/organism_v2`');
  assert.equal(out, read('results/organism-v2/analysis.md'));
});

// Each committed report, drawn again (SVG only) from its committed cells with the command its README gives.
const REPORTS = [
  { name: 'spurious-search map B', runs: 'results/spurious-search/map-b/runs', report: 'results/spurious-search/map-b/report',
    metrics: ['held_out.accuracy', 'held_out.code_rate', 'held_out.accuracy.gain', 'held_out.code_rate.gain'],
    summary: /28 figures \(SVG\): 129 cells \(129 finished\) in 43 groups, 7 grids\n$/ },
  { name: 'paper-mini run B', runs: 'results/paper-mini/openblas/runs', report: 'results/paper-mini/openblas/report',
    metrics: ['held_out.accuracy', 'held_out.code_rate', 'held_out.accuracy_code', 'held_out.accuracy_language', 'sampled.pass_at_k', 'held_out.accuracy.gain', 'held_out.code_rate.gain'],
    summary: /30 figures \(SVG\): 85 cells \(85 finished\) in 33 groups, 4 grids\n$/ },
];

for (const c of REPORTS) {
  test(`${c.name}: the report of the committed cells is the committed report, figures included`, () => {
    const out = mkdtempSync(join(tmpdir(), 'rlvrc-committed-'));
    try {
      const r = rlvrc(['report', c.runs, '--gain', ...c.metrics.flatMap(m => ['--metric', m]), '--no-png', '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, c.summary);
      const files = readdirSync(out).sort();
      assert.deepEqual(files, readdirSync(join(REPO, c.report)).filter(f => !f.endsWith('.png')).sort());
      for (const f of files) assert.equal(readFileSync(join(out, f), 'utf8'), read(join(c.report, f)), f);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
