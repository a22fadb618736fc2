// No field of a cell config is silently dropped by the verl engine: every leaf path of every checked cell of
// the repository's experiments (paper.rlvr's 156 cells, and the organism experiments, whose transformer
// models and arithmetic worlds verl refuses) is either consumed by the lowering (CONSUMED_PATHS) or judged
// by a capability rule (its `paths`). And no entry of either names a path that no cell has (a typo would
// cover nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { check } from '../../../src/checker/check.js';
import type { CellConfig } from '../../../src/ir/cell.js';
import { CONSUMED_PATHS, VERL_RULES, pathCovers } from '../../../src/engines/verl/index.js';
import { ROOT } from './paper-cells.js';

/** Leaf paths of a JSON value, array indices as '*'; a list of non-objects (betas, stop, metrics) is one leaf. */
function leafPaths(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    if (v.some(x => x !== null && typeof x === 'object')) v.forEach(x => leafPaths(x, `${prefix}.*`, out));
    else out.add(prefix);
  } else if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) out.add(prefix);
    for (const [k, x] of entries) leafPaths(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.add(prefix);
  }
}

function allCells(): CellConfig[] {
  const files = readdirSync(`${ROOT}/experiments`).filter(f => f.endsWith('.rlvr')).map(f => `experiments/${f}`);
  const cells: CellConfig[] = [];
  for (const f of files) {
    const r = check([f], { cwd: ROOT });
    if (r.diagnostics.some(d => d.severity === 'error')) continue;
    for (const e of r.experiments) cells.push(...e.cells);
  }
  return cells;
}

test('every leaf of every cell config is lowered for verl or judged by a capability rule', () => {
  const cells = allCells();
  assert.ok(cells.length >= 156 + 1, `${cells.length} cells`);
  assert.ok(cells.some(c => c.model.source === 'transformer'), 'an organism cell is among them');
  const leaves = new Set<string>();
  for (const c of cells) leafPaths(c, '', leaves);
  const patterns = [...CONSUMED_PATHS.map(p => p.path), ...VERL_RULES.flatMap(r => r.paths)];
  const uncovered = [...leaves].filter(l => !patterns.some(p => pathCovers(p, l))).sort();
  assert.deepEqual(uncovered, [], 'fields neither lowered nor refused');
  // Each pattern names something real: a leaf, or a field above leaves.
  const dead = patterns.filter(p => ![...leaves].some(l => pathCovers(p, l))).sort();
  assert.deepEqual([...new Set(dead)], [], 'entries that cover no field of any cell');
});

test('pathCovers: prefixes by whole segments, * for one segment', () => {
  assert.ok(pathCovers('evals.*.data', 'evals.*.data.path'));
  assert.ok(pathCovers('evals.*.data', 'evals.3.data.path'));
  assert.ok(pathCovers('reward', 'reward.expr.op'));
  assert.ok(!pathCovers('data.take', 'data.takeover'));
  assert.ok(!pathCovers('evals.*.data.path', 'evals.*.data'));
});
