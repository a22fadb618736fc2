// `rlvrc grade FILE.jsonl [--summary] [--r1-style]`: grades model outputs with the same extraction and
// checker as the ground-truth reward. Each input line is a JSON object with `answer` (the gold) and either
// `response` (a whole model response, extracted as the reward does; it wins when both are present) or
// `pred` (an answer already extracted). Each output line is the record plus `extracted` and `correct`.
// Malformed lines are reported on stderr with their line number and skipped. Exit codes: 0 graded
// (malformed lines included), 2 usage error (no file, unreadable file, unknown option).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compareAnswers, extractAnswer } from '../grader/index.js';

export interface GradeIO {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd?: string;
}

const USAGE = 'usage: rlvrc grade FILE.jsonl [--summary] [--r1-style]';
const HELP = `${USAGE}

Grades each JSON line {"answer": gold, "response": text} or {"answer": gold, "pred": answer} and prints
the record with "extracted" and "correct" added, one JSON line per record.

  --summary   print accuracy and counts to stderr
  --r1-style  read answers after the last <answer> tag (base models run with the R1 template)
`;

function usageError(io: GradeIO, message: string): number {
  io.stderr(`rlvrc grade: ${message}\n${USAGE}\n`);
  return 2;
}

type Parsed = { record: Record<string, unknown>; gold: string; response?: string; pred?: string | null } | { error: string };

function parseLine(line: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  const answer = record.answer;
  if (typeof answer !== 'string' && !(typeof answer === 'number' && Number.isFinite(answer)))
    return { error: `"answer" must be a string or a number, got ${answer === undefined ? 'nothing' : JSON.stringify(answer)}` };
  const gold = String(answer);
  if ('response' in record) {
    if (typeof record.response !== 'string') return { error: '"response" must be a string' };
    return { record, gold, response: record.response };
  }
  if ('pred' in record) {
    const pred = record.pred;
    if (pred === null) return { record, gold, pred: null };
    if (typeof pred === 'string' || (typeof pred === 'number' && Number.isFinite(pred))) return { record, gold, pred: String(pred) };
    return { error: '"pred" must be a string, a number or null' };
  }
  return { error: 'needs "response" (a model response) or "pred" (an extracted answer)' };
}

export async function gradeCommand(args: string[], io: GradeIO): Promise<number> {
  let summary = false;
  let r1Style = false;
  const files: string[] = [];
  for (const a of args) {
    if (a === '--summary') summary = true;
    else if (a === '--r1-style') r1Style = true;
    else if (a === '--help' || a === '-h') {
      io.stdout(HELP);
      return 0;
    } else if (a.startsWith('-') && a !== '-') return usageError(io, `unknown option '${a}'`);
    else files.push(a);
  }
  if (files.length === 0) return usageError(io, 'no input file');
  if (files.length > 1) return usageError(io, `one file at a time (got ${files.length})`);
  const file = files[0]!;

  let text: string;
  try {
    text = await readFile(resolve(io.cwd ?? process.cwd(), file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    return usageError(io, `cannot read '${file}': ${why}`);
  }

  let graded = 0;
  let correct = 0;
  let noAnswer = 0;
  let malformed = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if ('error' in parsed) {
      malformed++;
      io.stderr(`${file}:${i + 1}: skipped: ${parsed.error}\n`);
      return;
    }
    const extracted = parsed.response !== undefined ? extractAnswer(parsed.response, { r1Style }) : (parsed.pred ?? null);
    const ok = compareAnswers(extracted, parsed.gold).equal;
    graded++;
    if (ok) correct++;
    if (extracted === null) noAnswer++;
    io.stdout(JSON.stringify({ ...parsed.record, extracted, correct: ok }) + '\n');
  });

  if (summary) {
    const pct = graded === 0 ? 'n/a' : `${((100 * correct) / graded).toFixed(1)}%`;
    io.stderr(
      `graded ${graded} record${graded === 1 ? '' : 's'}: ${correct} correct (accuracy ${pct}), ${graded - correct} incorrect, ` +
        `${noAnswer} without an answer; ${malformed} malformed line${malformed === 1 ? '' : 's'} skipped\n`,
    );
  }
  return 0;
}
