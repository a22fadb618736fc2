// Golden tests of checker diagnostics: for every case under test/fixtures/checker/cases, the rendered
// report and the JSON document. Each case is named for what it shows; its first line says it in words.
// UPDATE_GOLDEN=1 rewrites the expected files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenCases, expectGolden } from '../helpers/golden.js';
import { check } from '../../src/checker/index.js';
import { renderReport, jsonReport } from '../../src/diagnostics/render.js';

for (const c of goldenCases('checker/cases')) {
  test(`checker diagnostics: ${c.name}`, () => {
    const { diagnostics, sources } = check(['input.rlvr'], { cwd: c.dir });
    assert.ok(diagnostics.length > 0, 'a checker case must produce diagnostics');
    expectGolden(join(c.dir, 'diagnostics.txt'), renderReport(diagnostics, { sources }));
    expectGolden(join(c.dir, 'diagnostics.json'), JSON.stringify(jsonReport(diagnostics), null, 2) + '\n');
  });
}

test('every checker case states what it shows on its first line', () => {
  for (const c of goldenCases('checker/cases')) {
    assert.match(readFileSync(join(c.dir, 'input.rlvr'), 'utf8'), /^\/\/ \S/, c.name);
  }
});
