// Formatter golden pairs (input.rlvr → expected.rlvr), idempotence, clean re-parse, and no lost comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { goldenCases, expectGolden, REPO } from '../helpers/golden.js';
import { parse } from '../../src/language/parse.js';
import { format } from '../../src/language/format.js';

function formatText(text: string): string {
  const parsed = parse(text, 'input.rlvr');
  assert.deepEqual(parsed.diagnostics.map(d => d.summary), [], 'formatter input must parse clean');
  return format(parsed);
}

const commentTexts = (text: string) => parse(text).comments.map(c => c.image.trim()).sort();

/** The AST without spans and raw layout, to show formatting changed only layout. */
function shape(text: string): string {
  return JSON.stringify(parse(text).ast, (k, v) => (k === 'span' || k === 'keywordSpan' ? undefined : v));
}

function checkFormatting(text: string): string {
  const once = formatText(text);
  assert.equal(formatText(once), once, 'formatting twice changes nothing');
  assert.deepEqual(commentTexts(once), commentTexts(text), 'every comment is kept');
  assert.equal(shape(once), shape(text), 'only the layout changes, never the meaning');
  return once;
}

for (const c of goldenCases('format')) {
  test(`format: ${c.name}`, () => {
    const out = checkFormatting(readFileSync(join(c.dir, 'input.rlvr'), 'utf8'));
    expectGolden(join(c.dir, 'expected.rlvr'), out);
  });
}

test('the experiment files are formatted and parse clean', () => {
  const dir = join(REPO, 'experiments');
  const files = readdirSync(dir).filter(f => f.endsWith('.rlvr'));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.equal(checkFormatting(text), text, `${f} is not in canonical layout (run rlvrc fmt)`);
  }
});

test('a block that would exceed 100 columns breaks into one entry per line', () => {
  const long = `experiment e { algorithm g { ${Array.from({ length: 12 }, (_, i) => `field_${i} = ${i}`).join(', ')} } }\n`;
  const out = checkFormatting(long);
  assert.ok(out.split('\n').every(l => l.length <= 100), out);
  assert.match(out, /\n {4}field_0 = 0\n {4}field_1 = 1\n/);
});
