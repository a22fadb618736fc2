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
});
