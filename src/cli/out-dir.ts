// Makes `node <outDir>/<name>.js` run in any project, whatever its package.json says.
//
// 1. The program is an ES module with a .js name (the card's command is `node generated/paper.js`), so
//    Node must see its directory as "type": "module". When the nearest package.json says otherwise (npm
//    init writes "type": "commonjs"; an old one has no "type"), rlvrc writes <outDir>/package.json with
//    {"type": "module"}. A package.json already in <outDir> that says otherwise is the user's: it is never
//    overwritten, and compile stops with what to do.
// 2. The program imports the runtime by package name ('rlvrc/runtime'), which resolves where rlvrc is
//    installed in the project (node_modules) or is the project. When it does not resolve from <outDir>
//    (a global rlvrc, npx without an install), the program imports this installation's own runtime by
//    absolute file URL instead, and rlvrc says that the program is tied to this installation.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from './io.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { DEFAULT_RUNTIME_SPECIFIER } from '../codegen/program.js';

/** This installation's package root: the same depth from src/cli (tsx) and dist/cli. */
const OWN_ROOT = fileURLToPath(new URL('../../', import.meta.url));


export interface OutDirSetup {
  /** What the program imports the runtime from (the runtime finds its own schemas). */
  runtimeSpecifier: string;
  /** Lines for the user (each ends with '\n'): a package.json written, a program tied to this installation. */
  notes: string[];
}

/** The nearest package.json at or above `dir` (Node's package scope: the search stops at node_modules). */
function packageScope(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) return p;
    if (basename(d) === 'node_modules' || dirname(d) === d) return null;
  }
}

function packageType(file: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${file}, which decides how node loads the program: ${(e as Error).message}`);
  }
  const type = (json as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Ensures node loads `<outDir>/*.js` as ES modules; returns the path of a package.json it wrote, or null. */
function ensureModuleScope(outDir: string, shown: string): string | null {
  const scope = packageScope(outDir);
  if (scope && packageType(scope) === 'module') return null;
  const own = join(resolve(outDir), 'package.json');
  if (scope === own) {
    throw new UsageError(`${join(shown, 'package.json')} does not say "type": "module", so node would load the generated programs there as CommonJS and fail on their first import; add "type": "module" to it, or compile with --out to another directory`);
  }
  mkdirSync(outDir, { recursive: true });
  const text = JSON.stringify({ description: 'Written by rlvrc: the programs in this directory are ES modules with .js names.', private: true, type: 'module' }, null, 2) + '\n';
  writeFileAtomic(own, text);
  return own;
}

/** True when a program in `outDir` can import 'rlvrc/runtime' by name. */
function rlvrcResolvesFrom(outDir: string): boolean {
  try {
    createRequire(join(resolve(outDir), 'program.js')).resolve('rlvrc/package.json');
    return true;
  } catch {
    return false;
  }
}

/**
 * Prepares `outDir` (absolute, or relative to the process's cwd) for programs; `shown` is how to name
 * it to the user. Throws a UsageError when the programs could not run there.
 */
export function setUpOutDir(outDir: string, shown: string): OutDirSetup {
  const notes: string[] = [];
  const written = ensureModuleScope(outDir, shown);
  if (written) notes.push(`wrote ${join(shown, 'package.json')} ({"type": "module"}: the programs are ES modules)\n`);
  if (rlvrcResolvesFrom(outDir)) return { runtimeSpecifier: DEFAULT_RUNTIME_SPECIFIER, notes };
  const runtime = join(OWN_ROOT, 'dist/runtime/index.js');
  if (!existsSync(runtime)) throw new UsageError(`'rlvrc' is not installed where ${shown} can import it, and this rlvrc (${OWN_ROOT}) has no built runtime at ${runtime} (npm run build there); or npm i rlvrc in the project`);
  notes.push(
    `note: rlvrc is not installed in this project (a program in ${shown} cannot import 'rlvrc/runtime'), so the program imports the runtime of the rlvrc that compiled it, ${runtime}, ` +
      'and runs only while that installation stays there. For a program that runs wherever the project goes: npm i rlvrc in the project, then compile again.\n',
  );
  return { runtimeSpecifier: pathToFileURL(runtime).href, notes };
}
