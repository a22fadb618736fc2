// Golden tests of syntax diagnostics: rendered text and JSON for every case under test/fixtures/syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { goldenCases, expectGolden } from '../helpers/golden.js';
import { parse } from '../../src/language/parse.js';
import { readSource } from '../../src/cli/read-source.js';
import { renderReport, jsonReport } from '../../src/diagnostics/render.js';

for (const c of goldenCases('syntax')) {
  test(`syntax diagnostics: ${c.name}`, () => {
    const text = readSource(join(c.dir, 'input.rlvr'));
    const { diagnostics } = parse(text, 'input.rlvr');
    assert.ok(diagnostics.length > 0, 'a syntax case must produce diagnostics');
    expectGolden(join(c.dir, 'diagnostics.txt'), renderReport(diagnostics, { sources: new Map([['input.rlvr', text]]) }));
    expectGolden(join(c.dir, 'diagnostics.json'), JSON.stringify(jsonReport(diagnostics), null, 2) + '\n');
  });
}

test('three independent syntax errors on three lines give exactly three diagnostics, one per line', () => {
  const c = goldenCases('syntax').find(x => x.name === 'three-independent-errors')!;
  const { diagnostics } = parse(readSource(join(c.dir, 'input.rlvr')), 'input.rlvr');
  assert.deepEqual(diagnostics.map(d => d.span.start.line), [3, 4, 6]);
});
