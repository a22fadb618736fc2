// Issue 20's acceptance test: MATH-500's 500 answers, each graded against itself, against equivalent
// re-spellings a model might write and against near-misses (respell.ts). The Math-Verify grader accepts
// every equivalent and rejects every near-miss; the paper's grader is graded on the same cases, and where
// the two disagree is a golden table (test/fixtures/math-verify/disagreements.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expectGolden, FIXTURES } from '../../helpers/golden.js';
import { gradeResponse } from '../../../src/grader/index.js';
import { disagreementTable, responseFor, variants } from './respell.js';

const vs = variants();

test('Math-Verify accepts every equivalent re-spelling of a MATH-500 answer and rejects every near-miss', () => {
  const wrong = vs.filter(v => gradeResponse('math_verify', responseFor(v.answer), v.gold).correct !== v.equivalent);
  assert.deepEqual(wrong.map(v => `${v.kind}: ${v.answer} for ${v.gold}`), []);
  const count = (kind: string) => vs.filter(v => v.kind === kind).length;
  // The counts the closing note reports (every answer is graded against itself).
  assert.deepEqual(
    Object.fromEntries(['itself', '\\dfrac for \\frac', 'decimal for fraction', 'set reordered', 'thousands separators', '\\left( \\right)', 'text unit', 'changed digit', 'flipped sign', 'open vs closed interval'].map(k => [k, count(k)])),
    { itself: 500, '\\dfrac for \\frac': 68, 'decimal for fraction': 50, 'set reordered': 4, 'thousands separators': 21, '\\left( \\right)': 16, 'text unit': 366, 'changed digit': 481, 'flipped sign': 448, 'open vs closed interval': 4 },
  );
  assert.equal(vs.filter(v => v.equivalent).length, 1025);
  assert.equal(vs.filter(v => !v.equivalent).length, 933);
});

test('where the paper grader and Math-Verify disagree on the generated cases (golden table)', () => {
  const table = disagreementTable(vs, (g, response, gold) => gradeResponse(g, response, gold).correct);
  expectGolden(join(FIXTURES, 'math-verify/disagreements.md'), table.markdown);
  // Math-Verify's row counts are exact by construction; the paper's grader accepts its own answers.
  for (const r of table.byKind) assert.equal(r.mathVerify, r.equivalent ? r.cases : 0, r.kind);
  assert.equal(table.byKind.find(r => r.kind === 'itself')!.paper, 500);
});
