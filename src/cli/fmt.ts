// `rlvrc fmt FILE... [--check] [--diff]`: rewrites files in the canonical layout (atomically).
// --check lists files that would change (exit 1); --diff prints what would change (exit 1 if any).
// A file with syntax errors is never touched: its diagnostics are printed and the exit code is 1.
import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { readSource } from './read-source.js';
import { parse } from '../language/parse.js';
import { format } from '../language/format.js';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { renderReport } from '../diagnostics/render.js';
import { unifiedDiff } from '../util/diff.js';
import { writeFileAtomic } from '../util/fs-atomic.js';

export async function fmtCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { boolean: ['check', 'diff'] });
  if (positional.length === 0) throw new UsageError('fmt needs at least one .rlvr file');
  const checkOnly = flags.has('check');
  const diffOnly = flags.has('diff');
  let status = 0;
  for (const file of positional) {
    const text = readSource(file, io.cwd);
    const parsed = parse(text, file);
    if (countBySeverity(parsed.diagnostics).errors > 0) {
      io.stderr(renderReport(parsed.diagnostics, { sources: new Map([[file, text]]), color: io.color }));
      status = 1;
      continue;
    }
    const formatted = format(parsed);
    if (formatted === text) continue;
    if (diffOnly) {
      const label = file.replace(/^\/+/, '');
      io.stdout(unifiedDiff(text, formatted, `a/${label}`, `b/${label}`));
      status = 1;
    } else if (checkOnly) {
      io.stderr(`${file}: not formatted\n`);
      status = 1;
    } else {
      writeFileAtomic(resolve(io.cwd ?? process.cwd(), file), formatted);
    }
  }
  return status;
}
