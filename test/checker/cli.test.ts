// `rlvrc check` with the checker: silent on success, --cells lists ids and the count, the JSON document
// carries the cell ids, and errors in imported files count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, REPO } from '../helpers/golden.js';
import { checkCommand } from '../../src/cli/check.js';

async function run(args: string[], cwd = REPO): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await checkCommand(args, { stdout: s => (out += s), stderr: s => (err += s), cwd });
  return { code, out, err };
}

test('check is silent on a valid file', async () => {
  assert.deepEqual(await run(['experiments/quickstart.rlvr']), { code: 0, out: '', err: '' });
});

test('check --cells lists every cell id and the count', async () => {
  const r = await run(['experiments/quickstart.rlvr', 'experiments/paper-mini.rlvr', '--cells']);
  assert.equal(r.code, 0);
  const lines = r.out.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 2), ['quickstart (experiments/quickstart.rlvr): 1 cell', '  default']);
  assert.equal(lines[2], 'paper_mini (experiments/paper-mini.rlvr): 85 cells');
  assert.equal(lines.length, 2 + 1 + 85);
  assert.match(r.err, /^warning\[RLVR5009\]/, 'the intended warnings still go to stderr');
});

test('check --format json carries the cell ids, per experiment and in one list', async () => {
  const r = await run(['experiments/paper-mini.rlvr', '--format', 'json']);
  const doc = JSON.parse(r.out) as { valid: boolean; cells: string[]; experiments: Array<{ name: string; cells: string[]; source_sha256: string }> };
  assert.equal(r.code, 0);
  assert.equal(doc.valid, true);
  assert.equal(doc.cells.length, 85);
  assert.deepEqual(doc.experiments[0]!.cells, doc.cells);
  assert.match(doc.experiments[0]!.source_sha256, /^[0-9a-f]{64}$/);
});

test('check fails on an error in an imported file, and reports it in that file', async () => {
  const r = await run(['input.rlvr', '--format', 'json'], join(FIXTURES, 'checker/cases/import-cycle'));
  const doc = JSON.parse(r.out) as { valid: boolean; cells: string[]; diagnostics: Array<{ file: string; code: string }> };
  assert.equal(r.code, 1);
  assert.equal(doc.valid, false);
  assert.deepEqual(doc.cells, []);
  assert.deepEqual(doc.diagnostics.map(d => `${d.file} ${d.code}`), ['b.rlvr RLVR6002']);
});
