// `rlvrc check FILE... [--format json] [--cells] [--engine verl]`: parse and check the files and everything
// they import; with --engine, also what that engine cannot express of each cell. Silent on success; exit 0
// valid, 1 diagnostics with errors. --cells lists every experiment's cell ids
// and their count; the JSON document always carries them ("cells", and per experiment).
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { readSource } from './read-source.js';
import { check } from '../checker/check.js';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { jsonReport, renderReport } from '../diagnostics/render.js';
import { engineFlag } from './engine-flag.js';

export async function checkCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { valued: ['format', 'engine'], boolean: ['cells'] });
  const { engine } = await engineFlag(flags);
  const formatFlag = flags.get('format') ?? 'human';
  if (formatFlag !== 'human' && formatFlag !== 'json') throw new UsageError(`--format must be 'human' or 'json', not '${String(formatFlag)}'`);
  if (positional.length === 0) throw new UsageError('check needs at least one .rlvr file');

  // Root files are read here so that an unreadable argument is a usage error, not a diagnostic.
  const inputs = positional.map(file => ({ file, text: readSource(file, io.cwd) }));
  const result = check(inputs, engine ? { cwd: io.cwd, engine } : { cwd: io.cwd });
  const { diagnostics, experiments } = result;

  if (formatFlag === 'json') {
    io.stdout(JSON.stringify(jsonReport(diagnostics, {
      cells: experiments.flatMap(e => e.cells.map(c => c.id)),
      experiments: experiments.map(e => ({ name: e.name, file: e.file, source_sha256: e.sourceSha256, cells: e.cells.map(c => c.id) })),
    }), null, 2) + '\n');
  } else {
    io.stderr(renderReport(diagnostics, { sources: result.sources, color: io.color }));
    if (flags.has('cells') && countBySeverity(diagnostics).errors === 0) {
      for (const e of experiments) {
        io.stdout(`${e.name} (${e.file}): ${e.cells.length} cell${e.cells.length === 1 ? '' : 's'}\n`);
        for (const c of e.cells) io.stdout(`  ${c.id}\n`);
      }
    }
  }
  return countBySeverity(diagnostics).errors > 0 ? 1 : 0;
}
