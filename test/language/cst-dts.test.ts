import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cstDtsText } from '../../src/language/cst-dts.js';

test('the committed CST .d.ts matches the grammar (regenerate with node --import tsx scripts/gen-cst-dts.ts)', () => {
  const committed = readFileSync(new URL('../../src/language/cst.d.ts', import.meta.url), 'utf8');
  assert.equal(committed, cstDtsText());
});
