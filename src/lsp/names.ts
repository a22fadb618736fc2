// Every name written in a file, classified with the checker's own scopes: declarations, references to
// them (resolved to the checker's symbol), field keys, functions and enum-like words. Navigation
// (definition, references, rename), hover and semantic tokens all read this one list.
import type { LoadedFile } from '../checker/program.js';
import type { Scope, Sym } from '../checker/symbols.js';
import type { AnyNode, Span } from '../language/ast.js';
import type { Analysis } from './analysis.js';
import { loadedFiles } from './analysis.js';
import { walk } from './ast-walk.js';
import { contains } from './paths.js';

export type OccurrenceKind =
  | 'declaration' // the name in `model tiny = ...`
  | 'reference' // a use of a declared name
  | 'experiment' // an experiment's name
  | 'grid' // a grid's name
  | 'field' // a field key, setting key, flag or sub-block head
  | 'function' // the callee of a call or construct (`correct(...)`, `transformer { }`)
  | 'argument' // a named argument (`samples = 64`)
  | 'word'; // any other bare word in value position: an enum value (`group_norm`), a split (`arith.train`)

export interface Occurrence { kind: OccurrenceKind; name: string; span: Span; sym?: Sym }

/** The experiment scope of each experiment node of a file, or the file's scope. */
function scopeFor(file: LoadedFile, ancestors: readonly AnyNode[]): Scope {
  for (const a of ancestors) {
    if (a.kind === 'Experiment') return file.experiments.find(p => p.node === a)?.scope ?? file.scope;
  }
  return file.scope;
}

export function occurrencesOf(file: LoadedFile): Occurrence[] {
  const out: Occurrence[] = [];
  walk(file.parsed.ast, (node, ancestors) => {
    const parent = ancestors[ancestors.length - 1];
    switch (node.kind) {
      case 'Experiment':
        if (node.name.kind === 'Name') out.push({ kind: 'experiment', name: node.name.text, span: node.name.span });
        break;
      case 'Declaration':
        if (node.name) {
          const scope = scopeFor(file, [...ancestors, node]);
          const sym = scope.symbols.get(node.name.text);
          out.push({ kind: 'declaration', name: node.name.text, span: node.name.span, ...(sym && sym.decl === node ? { sym } : {}) });
        }
        break;
      case 'Grid':
        if (node.name) out.push({ kind: 'grid', name: node.name.text, span: node.name.span });
        break;
      case 'Import':
        for (const n of node.names ?? []) {
          const sym = file.scope.symbols.get(n.text);
          out.push({ kind: 'reference', name: n.text, span: n.span, ...(sym ? { sym } : {}) });
        }
        break;
      case 'Setting':
        out.push({ kind: 'field', name: node.key.text, span: node.key.span });
        break;
      case 'Assignment':
        for (const p of node.path.parts) out.push({ kind: 'field', name: p.text, span: p.span });
        break;
      case 'GridAxis':
        for (const p of node.path.parts) out.push({ kind: 'field', name: p.text, span: p.span });
        break;
      case 'Flag':
        out.push({ kind: 'field', name: node.name.text, span: node.name.span });
        break;
      case 'SubBlock':
        out.push({ kind: 'field', name: node.head.text, span: node.head.span });
        if (node.name) out.push({ kind: 'word', name: node.name.text, span: node.name.span });
        // `pretrain on arith.train`: the first part names a dataset, the rest select from it.
        if (node.on) {
          const [first, ...rest] = node.on.parts;
          const sym = first ? scopeFor(file, ancestors).lookup(first.text) : undefined;
          if (first) out.push(sym ? { kind: 'reference', name: first.text, span: first.span, sym } : { kind: 'word', name: first.text, span: first.span });
          for (const p of rest) out.push({ kind: 'word', name: p.text, span: p.span });
        }
        break;
      case 'Argument':
        if (node.name) out.push({ kind: 'argument', name: node.name.text, span: node.name.span });
        break;
      case 'Member':
        out.push({ kind: 'word', name: node.name.text, span: node.name.span });
        break;
      case 'Reference': {
        const isCallee = parent !== undefined && (parent.kind === 'Call' || parent.kind === 'Construct') && parent.callee === node;
        const sym = scopeFor(file, ancestors).lookup(node.name);
        if (sym && !isCallee) out.push({ kind: 'reference', name: node.name, span: node.span, sym });
        else out.push({ kind: isCallee ? 'function' : 'word', name: node.name, span: node.span });
        break;
      }
    }
  });
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

const cache = new WeakMap<LoadedFile, Occurrence[]>();
export function occurrences(file: LoadedFile): Occurrence[] {
  let o = cache.get(file);
  if (!o) cache.set(file, (o = occurrencesOf(file)));
  return o;
}

/** The innermost name at an offset of the analysed document. */
export function occurrenceAt(a: Analysis, offset: number): Occurrence | undefined {
  if (!a.file) return undefined;
  const hits = occurrences(a.file).filter(o => contains(o.span, offset));
  return hits[hits.length - 1];
}

/** A symbol's identity across analyses: the file it is declared in and where. */
export function symKey(a: Analysis, sym: Sym): string | undefined {
  const abs = loadedFiles(a).find(f => f.display === sym.loc.file)?.abs;
  return abs === undefined ? undefined : `${abs}:${sym.loc.span.start.offset}`;
}

/** The symbol's declaration: its file (absolute) and the span of its name. */
export function declarationOf(a: Analysis, sym: Sym): { abs: string; span: Span } | undefined {
  const abs = loadedFiles(a).find(f => f.display === sym.loc.file)?.abs;
  return abs === undefined ? undefined : { abs, span: sym.loc.span };
}

/** Every declaration and use of a symbol in the files of an analysis. */
export function usesOf(a: Analysis, key: string): Array<{ abs: string; span: Span; declaration: boolean }> {
  const out: Array<{ abs: string; span: Span; declaration: boolean }> = [];
  for (const f of loadedFiles(a)) {
    for (const o of occurrences(f)) {
      if (o.sym && symKey(a, o.sym) === key) out.push({ abs: f.abs, span: o.span, declaration: o.kind === 'declaration' });
    }
  }
  return out;
}
