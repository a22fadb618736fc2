// `rlvrc explain FILE [--cell ID]`: without --cell, the experiment's cell count and ids; with --cell, that
// cell's resolved configuration and the exact objective it optimises. Exit 1 when the file has errors or
// the cell does not exist (the message lists the closest ids).
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { readSource } from './read-source.js';
import { check } from '../checker/check.js';
import { explainCell } from '../checker/explain.js';
import { nearest } from '../util/suggest.js';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { renderReport } from '../diagnostics/render.js';

export async function explainCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { valued: ['cell'] });
  if (positional.length !== 1) throw new UsageError('explain needs exactly one .rlvr file');
  const file = positional[0]!;
  const result = check([{ file, text: readSource(file, io.cwd) }], { cwd: io.cwd });
  const report = renderReport(result.diagnostics, { sources: result.sources, color: io.color });
  if (countBySeverity(result.diagnostics).errors > 0) {
    io.stderr(report);
    return 1;
  }
  const experiments = result.experiments;
  if (experiments.length === 0) {
    io.stderr(`rlvrc explain: ${file} declares no experiment (only importable declarations)\n`);
    return 1;
  }
  const wanted = flags.get('cell');
  if (wanted === undefined) {
    for (const e of experiments) {
      io.stdout(`${e.name} (${e.file}): ${e.cells.length} cell${e.cells.length === 1 ? '' : 's'}\n`);
      for (const c of e.cells) io.stdout(`  ${c.id}\n`);
      for (const d of e.duplicates) io.stdout(`  ${d.id}  (same run as ${d.sameAs})\n`);
    }
    return 0;
  }
  const id = String(wanted);
  for (const e of experiments) {
    const alias = e.duplicates.find(d => d.id === id)?.sameAs;
    const cell = e.cells.find(c => c.id === (alias ?? id));
    if (cell) {
      io.stdout((alias ? `${id} is the same run as ${alias}.\n\n` : '') + explainCell(cell, e.file));
      return 0;
    }
  }
  const ids = experiments.flatMap(e => e.cells.map(c => c.id));
  io.stderr(`rlvrc explain: no cell '${id}' in ${file}\nclosest cells:\n${nearest(id, ids).map(c => `  ${c}\n`).join('')}`);
  return 1;
}
