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

test('spurious-search map B: the report of the committed 129 cells is the committed report, figures included', () => {
  const out = mkdtempSync(join(tmpdir(), 'rlvrc-map-b-'));
  try {
    const metrics = ['held_out.accuracy', 'held_out.code_rate', 'held_out.accuracy.gain', 'held_out.code_rate.gain'].flatMap(m => ['--metric', m]);
    const r = rlvrc(['report', 'results/spurious-search/map-b/runs', '--gain', ...metrics, '--no-png', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /28 figures \(SVG\): 129 cells \(129 finished\) in 43 groups, 7 grids\n$/);
    const committed = 'results/spurious-search/map-b/report';
    const files = readdirSync(out).sort();
    assert.deepEqual(files, readdirSync(join(REPO, committed)).filter(f => !f.endsWith('.png')).sort());
    for (const f of files) assert.equal(readFileSync(join(out, f), 'utf8'), read(join(committed, f)), f);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
