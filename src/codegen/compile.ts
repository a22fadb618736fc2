// Writes an experiment's program: generated/<name>.ts (the readable artifact) and generated/<name>.js
// (what node runs). Before anything is written, the program is type-checked by ts-morph against the
// runtime's own declarations: any diagnostic (a duplicate name, a misused runtime call) is a compiler bug
// and fails the compile. The same IR always gives the same bytes.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
export function compileExperiment(ir: ExperimentIR, opts: { outDir: string; cwd: string; compilerVersion: string; name: string; write?: boolean } & Pick<ProgramInput, 'runtimeSpecifier' | 'engine'>): CompiledProgram {
  const outDir = resolve(opts.cwd, opts.outDir);
  const specDir = dirname(resolve(opts.cwd, ir.file));
  let specDirFromOut = posix(relative(outDir, specDir));
  specDirFromOut = specDirFromOut === '' ? './' : specDirFromOut.endsWith('/') ? specDirFromOut : specDirFromOut + '/';
  const text = programText({ ir, sourceLabel: posix(relative(opts.cwd, resolve(opts.cwd, ir.file))), specDirFromOut, compilerVersion: opts.compilerVersion, runtimeSpecifier: opts.runtimeSpecifier, engine: opts.engine });
  const problems = programDiagnostics(text, opts.name);
  if (problems.length > 0) throw new Error(`internal error: the generated program has ${problems.length} diagnostic(s); please report this with the spec:\n${problems.slice(0, 10).join('\n')}`);
  const js = ts.transpileModule(text, { compilerOptions: COMPILER_OPTIONS, fileName: `${opts.name}.ts` }).outputText;
  const tsPath = join(outDir, `${opts.name}.ts`);
  const jsPath = join(outDir, `${opts.name}.js`);
  if (opts.write !== false) {
    mkdirSync(outDir, { recursive: true });
    writeFileAtomic(tsPath, text);
    writeFileAtomic(jsPath, js);
  }
  return { name: opts.name, tsPath, jsPath, ts: text, js };
}

// The package root: src/codegen and dist/codegen are both two levels below it.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The runtime's declarations: dist's when built, else its sources (tests run from src). */
function runtimeTypes(): string {
  const built = join(PACKAGE_ROOT, 'dist/runtime/index.d.ts');
  return existsSync(built) ? built : join(PACKAGE_ROOT, 'src/runtime/index.ts');
}

let checker: Project | undefined;

/**
 * Every diagnostic of the program, syntactic and semantic, as `line: message`. `rlvrc/runtime` resolves to
 * the runtime of the compiler that emitted the program, whatever the import says, so that the check does
 * not depend on where the program will be written. One Project is kept: the runtime's declarations are
 * loaded once per process.
 */
export function programDiagnostics(text: string, name: string): string[] {
  checker ??= new Project({
    compilerOptions: {
      ...COMPILER_OPTIONS, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, skipLibCheck: true,
      // No @types/node (the program needs none; loading it doubles the check's time): import.meta.url is
      // declared below as Node declares it.
      types: [], paths: { 'rlvrc/runtime': [runtimeTypes()] },
    },
  });
  checker.createSourceFile(join(PACKAGE_ROOT, '.rlvrc-check', 'import-meta.d.ts'), 'interface ImportMeta { readonly url: string }\n', { overwrite: true });
  // .mts: an ES module, as the emitted .js is (top-level await, import.meta).
  const path = join(PACKAGE_ROOT, '.rlvrc-check', `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.mts`);
  const file = checker.createSourceFile(path, text.replace(/^import \* as rt from .*;$/m, "import * as rt from 'rlvrc/runtime';"), { overwrite: true });
  try {
    return file.getPreEmitDiagnostics().map(d => `${d.getLineNumber() ?? 0}: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, " ")}`);
  } finally {
    checker.removeSourceFile(file);
  }
}
