// `rlvrc grade`, run in-process on a small JSONL file with a malformed line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeCommand } from '../../src/cli/grade.js';

function run(args: string[], cwd?: string) {
  let out = '';
  let err = '';
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), ...(cwd ? { cwd } : {}) };
  return gradeCommand(args, io).then(code => ({ code, out, err }));
}

const dir = mkdtempSync(join(tmpdir(), 'rlvrc-grade-'));
const lines = [
  JSON.stringify({ id: 'a', answer: '\\frac{1}{2}', response: 'So we get $\\boxed{0.5}$.' }),
  JSON.stringify({ id: 'b', answer: '142.0', pred: '142' }),
  '{"id": "c", "answer": "3", "response": ', // line 3: truncated JSON
  '',
  JSON.stringify({ id: 'd', answer: '(3,4]', response: 'The answer is (3,4).' }),
  JSON.stringify({ id: 'e', answer: 7 }), // line 6: neither response nor pred
  JSON.stringify({ id: 'f', answer: '7', pred: null }),
  JSON.stringify({ id: 'g', answer: '2', response: '<answer>2</answer> then 9' }),
];
writeFileSync(join(dir, 'outputs.jsonl'), lines.join('\n') + '\n');

test('grades every well-formed line, reports malformed ones by line number, and exits 0', async () => {
  const { code, out, err } = await run(['outputs.jsonl', '--summary'], dir);
  assert.equal(code, 0);
  const records = out.trim().split('\n').map(l => JSON.parse(l));
  assert.deepEqual(
    records.map(r => [r.id, r.extracted, r.correct]),
    [
      ['a', '0.5', true],
      ['b', '142', true],
      ['d', '(3,4)', false],
      ['f', null, false],
      ['g', '9', false],
    ],
  );
  // The record's own fields are kept.
  assert.equal(records[0].response, 'So we get $\\boxed{0.5}$.');
  assert.match(err, /outputs\.jsonl:3: skipped: not valid JSON/);
  assert.match(err, /outputs\.jsonl:6: skipped: needs "response"/);
  assert.doesNotMatch(err, /:4:/); // blank lines are not records
  assert.match(err, /graded 5 records: 2 correct \(accuracy 40\.0%\), 3 incorrect, 1 without an answer; 2 malformed lines skipped/);
});

test('--r1-style reads the answer region', async () => {
  const { out } = await run(['outputs.jsonl', '--r1-style'], dir);
  const g = out.trim().split('\n').map(l => JSON.parse(l)).find(r => r.id === 'g');
  assert.deepEqual([g.extracted, g.correct], ['2', true]);
});

test('without --summary, stderr carries only the malformed-line reports', async () => {
  const { err } = await run(['outputs.jsonl'], dir);
  assert.equal(err.trim().split('\n').length, 2);
});

test('usage errors exit 2 with a clear message', async () => {
  mkdirSync(join(dir, 'a-directory'), { recursive: true });
  for (const [args, message] of [
    [[], /no input file/],
    [['missing.jsonl'], /cannot read 'missing\.jsonl': no such file/],
    [['a-directory'], /cannot read 'a-directory': it is a directory/],
    [['outputs.jsonl', '--sumary'], /unknown option '--sumary'/],
    [['outputs.jsonl', 'outputs.jsonl'], /one file at a time/],
    [['outputs.jsonl', '--grader'], /--grader needs a grader name \(paper or math_verify\)/],
    [['outputs.jsonl', '--grader='], /--grader needs a grader name/],
    [['outputs.jsonl', '--grader', 'math_verfy'], /unknown grader 'math_verfy' \(graders: paper, math_verify\); did you mean 'math_verify'\?/],
    [['outputs.jsonl', '--grader', 'sympy'], /unknown grader 'sympy' \(graders: paper, math_verify\)\n/],
    [['outputs.jsonl', '--compare', '--grader', 'paper'], /--compare grades with both graders: drop --grader/],
  ] as const) {
    const { code, out, err } = await run([...args], dir);
    assert.equal(code, 2, `args ${args.join(' ')}`);
    assert.equal(out, '');
    assert.match(err, message);
    assert.match(err, /usage: rlvrc grade FILE\.jsonl/);
  }
});

test('--help prints the usage and exits 0', async () => {
  const { code, out } = await run(['--help']);
  assert.equal(code, 0);
  assert.match(out, /--summary/);
  assert.match(out, /--grader G/);
  assert.match(out, /--compare/);
});

test('--grader math_verify grades with Math-Verify and records the grader in every output line', async () => {
  const { code, out, err } = await run(['outputs.jsonl', '--grader', 'math_verify', '--summary'], dir);
  assert.equal(code, 0);
  const records = out.trim().split('\n').map(l => JSON.parse(l));
  assert.deepEqual(
    records.map(r => [r.id, r.extracted, r.correct, r.grader]),
    [
      ['a', '0.5', true, 'math_verify'],
      ['b', '142', true, 'math_verify'],
      ['d', null, false, 'math_verify'], // "(3,4)" outside LaTeX is neither a number nor number arithmetic
      ['f', null, false, 'math_verify'],
      ['g', '9', false, 'math_verify'], // without --r1-style the last number
    ],
  );
  assert.match(err, /graded 5 records: 2 correct/);
  // Naming the default grader changes nothing in the output.
  const plain = await run(['outputs.jsonl'], dir);
  const paper = await run(['outputs.jsonl', '--grader=paper'], dir);
  assert.equal(paper.out, plain.out);
});

test('--compare prints a table of the records where the graders disagree, with counts', async () => {
  const file = join(dir, 'compare.jsonl');
  writeFileSync(file, [
    JSON.stringify({ answer: '\\frac{1}{3}', response: 'so $\\boxed{0.333333}$' }), // math_verify rounds to 6 places
    JSON.stringify({ answer: '25', response: 'so $\\boxed{25\\%}$' }), // the paper drops %, math_verify divides by 100
    JSON.stringify({ answer: '7', response: 'so $\\boxed{7}$' }),
    JSON.stringify({ answer: '7', response: 'so $\\boxed{8}$' }),
    '{',
  ].join('\n') + '\n');
  const { code, out, err } = await run(['compare.jsonl', '--compare'], dir);
  assert.equal(code, 0);
  assert.equal(out, [
    '| line | gold | paper answer | paper | math_verify answer | math_verify |',
    '| --- | --- | --- | --- | --- | --- |',
    '| 1 | \\frac{1}{3} | 0.333333 | incorrect | 0.333333 | correct |',
    '| 2 | 25 | 25\\% | correct | 25\\% | incorrect |',
    '',
    '4 records: the graders agree on 2 (1 correct for both, 1 incorrect for both) and disagree on 2 (1 correct only for paper, 1 correct only for math_verify)',
    '',
  ].join('\n'));
  assert.match(err, /compare\.jsonl:5: skipped: not valid JSON/);
  assert.match(err, /1 malformed line skipped/);
  const agree = join(dir, 'agree.jsonl');
  writeFileSync(agree, JSON.stringify({ answer: '7', pred: '7' }) + '\n');
  assert.match((await run(['agree.jsonl', '--compare'], dir)).out, /^no disagreements\n\n1 record: the graders agree on 1/);
});
