// `rlvrc check FILE... [--format json]`: silent on success; exit 0 valid, 1 diagnostics with errors.
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { readSource } from './read-source.js';
import { parse } from '../language/parse.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { jsonReport, renderReport } from '../diagnostics/render.js';

export async function checkCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { valued: ['format'] });
  const formatFlag = flags.get('format') ?? 'human';
  if (formatFlag !== 'human' && formatFlag !== 'json') throw new UsageError(`--format must be 'human' or 'json', not '${String(formatFlag)}'`);
  if (positional.length === 0) throw new UsageError('check needs at least one .rlvr file');

  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const file of positional) {
    const text = readSource(file, io.cwd);
    sources.set(file, text);
    diagnostics.push(...parse(text, file).diagnostics);
  }

  if (formatFlag === 'json') io.stdout(JSON.stringify(jsonReport(diagnostics), null, 2) + '\n');
  else io.stderr(renderReport(diagnostics, { sources, color: io.color }));
  return countBySeverity(diagnostics).errors > 0 ? 1 : 0;
}
