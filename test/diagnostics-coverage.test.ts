// Every diagnostic code in the catalogue has at least one golden case whose expected JSON contains it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allCodes } from '../src/diagnostics/catalogue.js';
import { FIXTURES } from './helpers/golden.js';

function goldenJsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? goldenJsonFiles(p) : n.endsWith('diagnostics.json') ? [p] : [];
  });
}

test('every diagnostic code has a golden test', () => {
  const covered = new Set<string>();
  for (const f of goldenJsonFiles(FIXTURES)) {
    for (const d of (JSON.parse(readFileSync(f, 'utf8')) as { diagnostics: Array<{ code: string }> }).diagnostics) covered.add(d.code);
  }
  const missing = allCodes().filter(c => !covered.has(c));
  assert.deepEqual(missing, [], `codes without a golden case: ${missing.join(', ')}`);
});
