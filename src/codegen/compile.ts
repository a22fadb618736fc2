// Writes an experiment's program: generated/<name>.ts (the readable artifact) and generated/<name>.js
// (what node runs). The TypeScript is parsed by ts-morph, which also transpiles it; the same IR always
// gives the same bytes.
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Project, ts } from 'ts-morph';
import type { ExperimentIR } from '../ir/index.js';
import { programText, type ProgramInput } from './program.js';
import { writeFileAtomic } from '../util/fs-atomic.js';

export interface CompiledProgram { name: string; tsPath: string; jsPath: string; ts: string; js: string }

const posix = (p: string) => p.split(sep).join('/');

/** `paper-mini.rlvr` → `paper-mini`; a file with several experiments gets `<file>.<experiment>`. */
export function programName(ir: ExperimentIR, experimentsInFile: number): string {
  const base = basename(ir.file).replace(/\.rlvr$/, '');
  return experimentsInFile > 1 ? `${base}.${ir.name}` : base;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  strict: true,
};

/** Renders the program for `outDir` and writes it there, unless `write` is false (tests compare without writing). */
export function compileExperiment(ir: ExperimentIR, opts: { outDir: string; cwd: string; compilerVersion: string; name: string; write?: boolean } & Pick<ProgramInput, 'runtimeSpecifier' | 'schemaSpecifier'>): CompiledProgram {
  const outDir = resolve(opts.cwd, opts.outDir);
  const specDir = dirname(resolve(opts.cwd, ir.file));
  let specDirFromOut = posix(relative(outDir, specDir));
  specDirFromOut = specDirFromOut === '' ? './' : specDirFromOut.endsWith('/') ? specDirFromOut : specDirFromOut + '/';
  const text = programText({ ir, sourceLabel: posix(relative(opts.cwd, resolve(opts.cwd, ir.file))), specDirFromOut, compilerVersion: opts.compilerVersion, runtimeSpecifier: opts.runtimeSpecifier, schemaSpecifier: opts.schemaSpecifier });
  // ts-morph parses what we wrote: a syntax error in the emitted program is a compiler bug, caught here.
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: COMPILER_OPTIONS });
  const file = project.createSourceFile(`${opts.name}.ts`, text);
  const syntax = file.getPreEmitDiagnostics().filter(d => d.getCategory() === ts.DiagnosticCategory.Error && d.getCode() < 2000);
  if (syntax.length > 0) throw new Error(`internal error: the generated program does not parse: ${syntax[0]!.getMessageText().toString()}`);
  const js = ts.transpileModule(file.getFullText(), { compilerOptions: COMPILER_OPTIONS, fileName: `${opts.name}.ts` }).outputText;
  const tsPath = join(outDir, `${opts.name}.ts`);
  const jsPath = join(outDir, `${opts.name}.js`);
  if (opts.write !== false) {
    mkdirSync(outDir, { recursive: true });
    writeFileAtomic(tsPath, text);
    writeFileAtomic(jsPath, js);
  }
  return { name: opts.name, tsPath, jsPath, ts: text, js };
}
