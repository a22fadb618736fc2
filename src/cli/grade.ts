// `rlvrc grade FILE.jsonl [--summary] [--r1-style] [--grader paper|math_verify] [--compare]`: grades model
// outputs with the same extraction and checker as the ground-truth reward (the paper's grader, or with
// --grader math_verify the Math-Verify grader; the output lines then carry "grader"). --compare grades
// every record with both graders and prints a table of the records where they disagree, with counts. Each input line is a JSON object with `answer` (the gold) and either
// `response` (a whole model response, extracted as the reward does; it wins when both are present) or
// `pred` (an answer already extracted). Each output line is the record plus `extracted` and `correct`.
// Malformed lines are reported on stderr with their line number and skipped. Exit codes: 0 graded
// (malformed lines included), 2 usage error (no file, unreadable file, unknown option).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compareWith, DEFAULT_GRADER, gradeResponse, GRADERS, isGraderName, type GraderName } from '../grader/index.js';
import { suggest } from '../util/suggest.js';

export interface GradeIO {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd?: string;
}

const USAGE = 'usage: rlvrc grade FILE.jsonl [--summary] [--r1-style] [--grader paper|math_verify] [--compare]';
const HELP = `${USAGE}

Grades each JSON line {"answer": gold, "response": text} or {"answer": gold, "pred": answer} and prints
the record with "extracted" and "correct" added, one JSON line per record.

  --summary   print accuracy and counts to stderr
  --r1-style  read answers after the last <answer> tag (base models run with the R1 template)
  --grader G  paper (default: the paper's, Qwen2.5-Math's grader) or math_verify (Math-Verify's
              semantics, as TRL, Open-R1 and verl's math_verify score); non-default graders are
              recorded in each output line's "grader"
  --compare   grade with both graders and print where they disagree, as a table with counts
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
  let compare = false;
  let grader: GraderName | null = null;
  const files: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--summary') summary = true;
    else if (a === '--r1-style') r1Style = true;
    else if (a === '--compare') compare = true;
    else if (a === '--grader' || a.startsWith('--grader=')) {
      const name = a === '--grader' ? args[++k] : a.slice('--grader='.length);
      if (name === undefined || name === '') return usageError(io, `--grader needs a grader name (${GRADERS.join(' or ')})`);
      if (!isGraderName(name)) {
        const near = suggest(name, GRADERS);
        return usageError(io, `unknown grader '${name}' (graders: ${GRADERS.join(', ')})${near ? `; did you mean '${near}'?` : ''}`);
      }
      grader = name;
    } else if (a === '--help' || a === '-h') {
      io.stdout(HELP);
      return 0;
    } else if (a.startsWith('-') && a !== '-') return usageError(io, `unknown option '${a}'`);
    else files.push(a);
  }
  if (files.length === 0) return usageError(io, 'no input file');
  if (files.length > 1) return usageError(io, `one file at a time (got ${files.length})`);
  if (compare && grader !== null) return usageError(io, '--compare grades with both graders: drop --grader');
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
  const chosen = grader ?? DEFAULT_GRADER;
  const disagreements: string[][] = [];
  const tally = { both: 0, neither: 0, paperOnly: 0, mvOnly: 0 };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if ('error' in parsed) {
      malformed++;
      io.stderr(`${file}:${i + 1}: skipped: ${parsed.error}\n`);
      return;
    }
    if (compare) {
      const [p, m] = (['paper', 'math_verify'] as const).map(g => gradeRecord(g, parsed, r1Style));
      graded++;
      if (p!.correct && m!.correct) tally.both++;
      else if (!p!.correct && !m!.correct) tally.neither++;
      else {
        if (p!.correct) tally.paperOnly++;
        else tally.mvOnly++;
        disagreements.push([String(i + 1), parsed.gold, p!.extracted ?? '(none)', p!.correct ? 'correct' : 'incorrect', m!.extracted ?? '(none)', m!.correct ? 'correct' : 'incorrect']);
      }
      return;
    }
    const { extracted, correct: ok } = gradeRecord(chosen, parsed, r1Style);
    graded++;
    if (ok) correct++;
    if (extracted === null) noAnswer++;
    io.stdout(JSON.stringify({ ...parsed.record, extracted, correct: ok, ...(grader !== null && grader !== DEFAULT_GRADER ? { grader } : {}) }) + '\n');
  });

  if (compare) {
    io.stdout(compareTable(disagreements, tally, graded));
    if (malformed > 0) io.stderr(`${malformed} malformed line${malformed === 1 ? '' : 's'} skipped\n`);
    return 0;
  }

  if (summary) {
    const pct = graded === 0 ? 'n/a' : `${((100 * correct) / graded).toFixed(1)}%`;
    io.stderr(
      `graded ${graded} record${graded === 1 ? '' : 's'}: ${correct} correct (accuracy ${pct}), ${graded - correct} incorrect, ` +
        `${noAnswer} without an answer; ${malformed} malformed line${malformed === 1 ? '' : 's'} skipped\n`,
    );
  }
  return 0;
}

function gradeRecord(grader: GraderName, parsed: Exclude<Parsed, { error: string }>, r1Style: boolean): { extracted: string | null; correct: boolean } {
  if (parsed.response !== undefined) {
    const r = gradeResponse(grader, parsed.response, parsed.gold, { r1Style });
    return { extracted: r.extracted, correct: r.correct };
  }
  const extracted = parsed.pred ?? null;
  return { extracted, correct: compareWith(grader, extracted, parsed.gold).equal };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 60);

/** The --compare report: a Markdown table of the disagreements, then the counts. */
function compareTable(rows: string[][], t: { both: number; neither: number; paperOnly: number; mvOnly: number }, graded: number): string {
  const head = ['line', 'gold', 'paper answer', 'paper', 'math_verify answer', 'math_verify'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(r => `| ${r.map(cell).join(' | ')} |`)];
  const counts = [
    `${graded} record${graded === 1 ? '' : 's'}: the graders agree on ${t.both + t.neither} (${t.both} correct for both, ${t.neither} incorrect for both)` +
      ` and disagree on ${t.paperOnly + t.mvOnly} (${t.paperOnly} correct only for paper, ${t.mvOnly} correct only for math_verify)`,
  ];
  return (rows.length > 0 ? lines.join('\n') + '\n\n' : 'no disagreements\n\n') + counts.join('\n') + '\n';
}
