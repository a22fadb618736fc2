// Symbol collection: which names each file and experiment declares, in nested scopes (experiment → file,
// whose imports are bound into it). Duplicates are reported here with a note pointing at the first.
import type { Declaration, ExperimentDecl, GridDecl, Setting } from '../language/ast.js';
import type { DeclarationKind } from '../language/tokens.js';
import { names as msg } from '../diagnostics/catalogue.js';
import type { Reporter } from './report.js';
import { joinSpans } from './report.js';
import type { DeclValue, Loc } from './values.js';

export interface Sym {
  kind: DeclarationKind;
  name: string;
  decl: Declaration;
  /** The scope the declaration was written in: its names resolve there, wherever it is used. */
  home: Scope;
  loc: Loc;
  state: 'todo' | 'busy' | 'done';
  value: DeclValue | undefined;
}

export class Scope {
  readonly symbols = new Map<string, Sym>();
  constructor(readonly file: string, readonly parent: Scope | undefined, readonly dir: string) {}

  lookup(name: string): Sym | undefined {
    return this.symbols.get(name) ?? this.parent?.lookup(name);
  }

  /** Every visible name, nearest scope first. */
  visible(): Sym[] {
    return [...this.symbols.values(), ...(this.parent?.visible() ?? [])];
  }

  /** Binds a symbol; a name already visible here is a duplicate (declaration order decides which is first). */
  bind(sym: Sym, at: Loc, reporter: Reporter): boolean {
    const first = this.lookup(sym.name);
    if (first && first !== sym) {
      reporter.report(msg.duplicateDeclaration(sym.name), at, [{ file: first.loc.file, span: first.loc.span, message: `'${sym.name}' is first declared here` }]);
      return false;
    }
    this.symbols.set(sym.name, sym);
    return true;
  }
}

export function declLoc(file: string, d: Declaration): Loc {
  return { file, span: d.name ? joinSpans(d.keywordSpan, d.name.span) : d.keywordSpan };
}

export function makeSym(d: Declaration, home: Scope): Sym | undefined {
  if (!d.name) return undefined;
  return { kind: d.declKind, name: d.name.text, decl: d, home, loc: { file: home.file, span: d.name.span }, state: 'todo', value: undefined };
}

/** An experiment's parts, sorted by what they are. */
export interface ExperimentParts {
  node: ExperimentDecl;
  name: string;
  scope: Scope;
  settings: Setting[];
  trains: Declaration[];
  evals: Declaration[];
  grids: GridDecl[];
  declarations: Declaration[];
}
