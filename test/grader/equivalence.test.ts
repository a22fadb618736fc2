// The hand-written equivalence table (fixtures/equivalence.tsv): each row is one verdict the grader must
// give, with the reason a reader needs. A failing row prints the grader's own reason beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUDGET_EXCEEDED, compareAnswers, isEquivalent, normalizeAnswer } from '../../src/grader/index.js';

interface Row {
  line: number;
  section: string;
  gold: string;
  pred: string;
  equal: boolean;
  why: string;
}

function loadTable(): Row[] {
  const text = readFileSync(new URL('./fixtures/equivalence.tsv', import.meta.url), 'utf8');
  const rows: Row[] = [];
  let section = '';
  text.split('\n').forEach((raw, i) => {
    if (raw.startsWith('## ')) section = raw.slice(3).trim();
    if (raw === '' || raw.startsWith('#')) return;
    const cols = raw.split('\t');
    if (cols.length !== 4 || (cols[2] !== 'equal' && cols[2] !== 'different'))
      throw new Error(`equivalence.tsv:${i + 1}: expected gold<TAB>pred<TAB>equal|different<TAB>why`);
    rows.push({ line: i + 1, section, gold: cols[0]!, pred: cols[1]!, equal: cols[2] === 'equal', why: cols[3]! });
  });
  return rows;
}

const rows = loadTable();

test('the table is large and covers every answer form both ways', () => {
  assert.ok(rows.length >= 150, `only ${rows.length} cases`);
  const sections = new Map<string, { equal: number; different: number }>();
  for (const r of rows) {
    const s = sections.get(r.section) ?? { equal: 0, different: 0 };
    if (r.equal) s.equal++;
    else s.different++;
    sections.set(r.section, s);
  }
  for (const form of [
    'integers', 'decimals', 'fractions', 'radicals', 'pi', 'scientific notation', 'tuples and ordered pairs',
    'intervals', 'sets and lists', 'equations', 'text', 'units and degrees', 'symbolic expressions',
  ]) {
    const s = sections.get(form);
    assert.ok(s, `no section for ${form}`);
    if (form !== 'empty and malformed predictions') assert.ok(s.equal > 0 && s.different > 0, `${form} needs cases both ways`);
  }
});

for (const section of new Set(rows.map(r => r.section))) {
  test(`equivalence table: ${section}`, () => {
    const failures: string[] = [];
    for (const r of rows.filter(x => x.section === section)) {
      const v = compareAnswers(r.pred === '' ? null : r.pred, r.gold);
      if (v.equal !== r.equal)
        failures.push(
          `line ${r.line}: gold ${JSON.stringify(r.gold)} vs ${JSON.stringify(r.pred)} should be ${r.equal ? 'equal' : 'different'} ` +
            `(${r.why}); grader said ${v.equal ? 'equal' : 'different'}: ${v.reason}`,
        );
    }
    assert.deepEqual(failures, []);
  });
}

test('normalisation is idempotent on every table entry', () => {
  for (const r of rows) {
    for (const s of [r.gold, r.pred]) {
      const once = normalizeAnswer(s);
      assert.equal(normalizeAnswer(once), once, `not idempotent on ${JSON.stringify(s)}`);
    }
  }
});

test('a comparison that runs out of budget answers "not equal (budget exceeded)" instead of hanging', () => {
  // With a budget of a few operations the verdict is immediate, and the same on every machine.
  const t = Date.now();
  const v = compareAnswers('(x+1)^{40}', '(1+x)^{40}+x-x+0', { budget: { operations: 3 } });
  assert.equal(v.equal, false);
  assert.equal(v.reason, BUDGET_EXCEEDED);
  assert.ok(Date.now() - t < 500);
  // With the default budget the same comparison succeeds.
  assert.equal(isEquivalent('(x+1)^{40}', '(1+x)^{40}+x-x+0'), true);
});

test('junk input never throws and returns quickly on the default budget', () => {
  // Random strings of LaTeX fragments, compared with each other (or themselves) and extracted from.
  const tokens = ['\\frac', '{', '}', '(', ')', '[', ']', '\\{', '\\}', 'x', '2', '-', '+', '=', ',', '\\pi', '\\sqrt', '^',
    '_', '\\infty', '\\cup', '\\pm', '\\text{', 'a', 'i', '.', '0', ' ', '\\left(', '\\right)', '\\begin{pmatrix}',
    '\\end{pmatrix}', '\\\\', '&', '\\boxed{', '$', '\\circ', '%', '\\sin', '|', '/', '10^{', 'e5', 'cm', 'and'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const junk = () => Array.from({ length: 1 + Math.floor(next() * 12) }, () => tokens[Math.floor(next() * tokens.length)]).join('');
  for (let n = 0; n < 400; n++) {
    const a = junk();
    const b = next() < 0.3 ? a : junk();
    const t = Date.now();
    const v = compareAnswers(a, b);
    assert.ok(Date.now() - t < 1200, `${JSON.stringify(a)} vs ${JSON.stringify(b)} took ${Date.now() - t} ms`);
    assert.doesNotMatch(v.reason, /checker error/, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    if (a === b) assert.equal(v.equal || normalizeAnswer(a) === '', true, `${JSON.stringify(a)} should equal itself`);
  }
});
