// `rlvrc compile FILE [--out DIR]`: check, then write generated/<name>.ts and .js for each experiment.
// `rlvrc run FILE [program flags]`: compile, then run the program as a child process (flags after FILE
// are the program's: --cell, --jobs, --set, ...), forwarding its output and exit code.
import { relative, resolve } from 'node:path';
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { readSource } from './read-source.js';
import { check } from '../checker/check.js';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { renderReport } from '../diagnostics/render.js';
import { compilerVersion } from './version.js';
import { engineName } from './engine-flag.js';
import { loadEngine, type EngineName } from '../engines/index.js';
import { matches, selectMany, SelectionError, splitPatterns } from '../runtime/run/select.js';
import { setUpOutDir } from './out-dir.js';
import type { CompiledProgram } from '../codegen/compile.js';
import type { ExperimentIR } from '../ir/index.js';

/**
 * Checks and compiles one spec file; null when it has errors (already reported). With an engine, the cells
 * are checked for it too (what it cannot express is an error before anything is written), and the program
 * runs them on it.
 */
export async function compileFile(file: string, outDir: string, io: CliIO, engine: EngineName = 'tfjs', only: string[] = []): Promise<Array<CompiledProgram & { ir: ExperimentIR }> | null> {
  const cwd = io.cwd ?? process.cwd();
  const checkEngine = await loadEngine(engine);
  // --only: the program holds these cells, and only they are checked for the engine (a grid of which the
  // engine runs some rows compiles for those rows).
  const patterns = only.flatMap(splitPatterns);
  const chosen = (id: string) => patterns.length === 0 || patterns.some(p => matches(p, id));
  const result = check([{ file, text: readSource(file, cwd) }], checkEngine ? { cwd, engine: checkEngine, engineCells: chosen } : { cwd });
  io.stderr(renderReport(result.diagnostics, { sources: result.sources, color: io.color }));
  if (countBySeverity(result.diagnostics).errors > 0) return null;
  if (result.experiments.length === 0) throw new UsageError(`'${file}' declares no experiment to compile`);
  if (patterns.length > 0) {
    for (const ir of result.experiments) {
      try {
        ir.cells = selectMany(ir.cells, only);
      } catch (e) {
        if (e instanceof SelectionError) throw new UsageError(e.message.replace(/see the ids with --list/, 'see the ids with rlvrc check FILE --cells'));
        throw e;
      }
    }
  }
  // The programs must run from outDir in any project: ES modules there, and a runtime they can import.
  const { runtimeSpecifier, notes } = setUpOutDir(resolve(cwd, outDir), outDir);
  for (const n of notes) io.stderr(n);
  // ts-morph is loaded only here: it costs a few hundred milliseconds that check never pays.
  const { compileExperiment, programName } = await import('../codegen/compile.js');
  return result.experiments.map(ir => ({ ir, ...compileExperiment(ir, { outDir, cwd, compilerVersion: compilerVersion(), name: programName(ir, result.experiments.length), runtimeSpecifier, ...(engine === 'tfjs' ? {} : { engine }) }) }));
}

export async function compileCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { valued: ['out', 'engine', 'only'] });
  if (positional.length !== 1) throw new UsageError('compile needs exactly one .rlvr file');
  const engine = engineName(flags);
  const only = flags.has('only') ? [String(flags.get('only'))] : [];
  const programs = await compileFile(positional[0]!, String(flags.get('out') ?? 'generated'), io, engine, only);
  if (!programs) return 1;
  const cwd = io.cwd ?? process.cwd();
  for (const p of programs) io.stderr(`wrote ${relative(cwd, p.tsPath)} and ${relative(cwd, p.jsPath)}\n`);
  return 0;
}

export async function runCommand(args: string[], io: CliIO): Promise<number> {
  const file = args[0];
  if (file === undefined || file.startsWith('--')) throw new UsageError('run needs a .rlvr file first, then the program\'s flags');
  const programs = await compileFile(file, 'generated', io);
  if (!programs) return 1;
  if (programs.length > 1) throw new UsageError(`'${file}' has ${programs.length} experiments; compile it and run the program you want`);
  const { execa } = await import('execa');
  const child = await execa(process.execPath, [programs[0]!.jsPath, ...args.slice(1)], { cwd: io.cwd ?? process.cwd(), stdio: 'inherit', reject: false });
  if (child.signal) io.stderr(`rlvrc run: the program was stopped by ${child.signal}\n`);
  return child.exitCode ?? 1;
}
