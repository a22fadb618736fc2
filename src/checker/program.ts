// Loading a program: the files given, and every file they import (paths relative to the importing file),
// parsed once each. Import cycles are reported at the import that closes them, with the whole chain.
// Then scopes: each file's top-level declarations plus what it imports; each experiment's declarations
// in a scope nested in its file's.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Declaration, ImportDecl } from '../language/ast.js';
import { parse, type ParseResult } from '../language/parse.js';
import { files as fileMsg, grid as gridMsg, names, rules, types } from '../diagnostics/catalogue.js';
import type { Reporter } from './report.js';
import { declLoc, makeSym, Scope, type ExperimentParts } from './symbols.js';
import { suggest } from '../util/suggest.js';

export interface SourceHost {
  /** The file's text, or undefined when it cannot be read. */
  readFile(absPath: string): string | undefined;
}

export const nodeHost: SourceHost = {
  readFile(p) {
    try {
      return new TextDecoder('utf-8', { fatal: false }).decode(readFileSync(p));
    } catch {
      return undefined;
    }
  },
};

export interface LoadedFile {
  abs: string;
  /** The name diagnostics use: relative to the working directory, with forward slashes. */
  display: string;
  text: string;
  parsed: ParseResult;
  scope: Scope;
  experiments: ExperimentParts[];
  /** Files this one imports (absolute paths), for the experiment's list of sources. */
  imports: string[];
}

export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return (rel === '' || isAbsolute(rel) ? abs : rel).split(sep).join('/');
}

export class Program {
  readonly files = new Map<string, LoadedFile>();
  private readonly stack: string[] = [];

  constructor(readonly cwd: string, readonly host: SourceHost, readonly rep: Reporter) {}

  /** Loads a root file (given as a path relative to cwd, or with its text). */
  loadRoot(file: string, text?: string): LoadedFile | undefined {
    const abs = resolve(this.cwd, file);
    return this.visit(abs, text);
  }

  private visit(abs: string, text?: string): LoadedFile | undefined {
    const known = this.files.get(abs);
    if (known) return known;
    const source = text ?? this.host.readFile(abs);
    if (source === undefined) return undefined;
    const display = displayPath(abs, this.cwd);
    const parsed = parse(source, display);
    const scope = new Scope(display, undefined, dirname(abs));
    const f: LoadedFile = { abs, display, text: source, parsed, scope, experiments: [], imports: [] };
    this.files.set(abs, f);
    this.stack.push(abs);
    for (const imp of parsed.ast.imports) this.loadImport(f, imp);
    this.stack.pop();
    return f;
  }

  private loadImport(from: LoadedFile, imp: ImportDecl): void {
    const at = { file: from.display, span: imp.path.span };
    const path = imp.path.value;
    if (!path.endsWith('.rlvr')) {
      this.rep.report(fileMsg.importNotRlvr(path), at);
      return;
    }
    const abs = resolve(dirname(from.abs), path);
    from.imports.push(abs);
    const i = this.stack.indexOf(abs);
    if (i >= 0) {
      const chain = [...this.stack.slice(i), abs].map(p => displayPath(p, this.cwd)).join(' → ');
      this.rep.report(fileMsg.importCycle(chain), at);
      return;
    }
    if (!this.visit(abs)) this.rep.report(fileMsg.importNotFound(path), at);
  }

  /** Every file's syntax diagnostics. */
  syntaxDiagnostics() {
    return [...this.files.values()].flatMap(f => f.parsed.diagnostics);
  }

  /** Binds declarations to scopes: first every file's own, then imports (which only see top-level names). */
  bindAll(): void {
    // Imports before experiments, so that an experiment's declaration cannot silently shadow an import.
    for (const f of this.files.values()) this.bindTopLevel(f);
    for (const f of this.files.values()) this.bindImports(f);
    for (const f of this.files.values()) this.bindExperiments(f);
  }

  private bindTopLevel(f: LoadedFile): void {
    for (const item of f.parsed.ast.items) {
      if (item.kind === 'Declaration') {
        if (item.declKind === 'train' || item.declKind === 'eval') {
          this.rep.report(types.notHere(`a ${item.declKind} block`, 'the top level of a file', 'move it into an experiment'), declLoc(f.display, item));
          continue;
        }
        this.bindDecl(item, f.scope);
      } else if (item.kind === 'Grid') {
        this.rep.report(gridMsg.gridOutsideExperiment(), { file: f.display, span: item.name?.span ?? item.span });
      }
    }
  }

  private bindExperiments(f: LoadedFile): void {
    for (const item of f.parsed.ast.items) {
      if (item.kind !== 'Experiment' || item.name.kind === 'Hole') continue;
      const scope = new Scope(f.display, f.scope, f.scope.dir);
      const parts: ExperimentParts = { node: item, name: item.name.text, scope, settings: [], trains: [], evals: [], grids: [], declarations: [] };
      for (const x of item.items) {
        if (x.kind === 'Setting') parts.settings.push(x);
        else if (x.kind === 'Grid') parts.grids.push(x);
        else if (x.kind === 'Declaration') {
          if (x.declKind === 'train') {
            if (parts.trains.length > 0) this.rep.report(rules.multipleTrain(), declLoc(f.display, x), [{ file: f.display, span: parts.trains[0]!.keywordSpan, message: 'the first train block' }]);
            parts.trains.push(x);
            continue;
          }
          if (x.declKind === 'eval') parts.evals.push(x);
          if (this.bindDecl(x, scope)) parts.declarations.push(x);
        }
      }
      f.experiments.push(parts);
    }
  }

  private bindDecl(d: Declaration, scope: Scope): boolean {
    const sym = makeSym(d, scope);
    return sym ? scope.bind(sym, sym.loc, this.rep) : false;
  }

  private bindImports(f: LoadedFile): void {
    for (const imp of f.parsed.ast.imports) {
      const target = this.files.get(resolve(dirname(f.abs), imp.path.value));
      if (!target || target === f) continue;
      const exported = target.scope.symbols;
      if (imp.names === null) {
        for (const sym of exported.values()) f.scope.bind(sym, { file: f.display, span: imp.path.span }, this.rep);
        continue;
      }
      for (const n of imp.names) {
        const sym = exported.get(n.text);
        if (!sym) {
          // A name lost to a syntax error in that file is not the importer's mistake.
          if (target.parsed.diagnostics.length > 0) continue;
          this.rep.report(names.notExported(n.text, imp.path.value, suggest(n.text, exported.keys())), { file: f.display, span: n.span });
          continue;
        }
        f.scope.bind(sym, { file: f.display, span: n.span }, this.rep);
      }
    }
  }
}
