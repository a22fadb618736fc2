// `rlvrc explain FILE [--cell ID] [--engine verl]`: without --cell, the experiment's cell count and ids; with
// --cell, that cell's resolved configuration and the exact objective it optimises; with --engine verl, also
// what verl cannot express of it and the verl.yaml keys that set its objective. Exit 1 when the file has errors or
// the cell does not exist (the message lists the closest ids).
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { readSource } from './read-source.js';
import { check } from '../checker/check.js';
import { explainCell } from '../checker/explain.js';
import { nearest } from '../util/suggest.js';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { renderReport } from '../diagnostics/render.js';
import { engineFlag } from './engine-flag.js';
import type { CliEngine } from '../engines/index.js';
import type { CellConfig } from '../ir/index.js';

export async function explainCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { valued: ['cell', 'engine'] });
  if (positional.length !== 1) throw new UsageError('explain needs exactly one .rlvr file');
  const { engine } = await engineFlag(flags);
  const file = positional[0]!;
  // The spec is checked for tfjs first: explain describes a cell even where the engine refuses it.
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
      if (engine) io.stdout(engineSection(engine, cell));
      return 0;
    }
  }
  const ids = experiments.flatMap(e => e.cells.map(c => c.id));
  io.stderr(`rlvrc explain: no cell '${id}' in ${file}\nclosest cells:\n${nearest(id, ids).map(c => `  ${c}\n`).join('')}`);
  return 1;
}

/** What the engine refuses or approximates of the cell, and the engine's config file that would set its run. */
function engineSection(engine: CliEngine, cell: CellConfig): string {
  const issues = engine.capabilities(cell);
  const lines = ['', `engine ${engine.name}`];
  if (issues.length === 0) lines.push('  runs this cell as specified');
  for (const i of issues) lines.push(`  ${i.severity}[${i.code}] ${i.path}: ${i.message}${i.fix ? ` (fix: ${i.fix})` : ''}`);
  const runnable = !issues.some(i => i.severity === 'error');
  lines.push('', `  ${engine.configFile.name} (the keys the spec decides; ${runnable ? `merged over ${engine.name}'s defaults` : 'not runnable until the errors above are fixed'}):`);
  lines.push(...engine.configFile.text(cell).trimEnd().split('\n').map(l => `    ${l}`));
  return lines.join('\n') + '\n';
}
