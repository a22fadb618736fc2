// Document symbols (the outline: experiments, their settings, declarations and grids) and folding
// ranges (every block that spans lines, and runs of line comments).
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { AnyNode, Declaration, GridDecl, SourceFile } from '../language/ast.js';
import type { DeclarationKind } from '../language/tokens.js';
import { walk } from './ast-walk.js';
import { toRange } from './paths.js';

const KIND: Record<DeclarationKind, SymbolKind> = {
  dataset: SymbolKind.Array,
  model: SymbolKind.Class,
  prompt: SymbolKind.String,
  reward: SymbolKind.Function,
  algorithm: SymbolKind.Object,
  optimizer: SymbolKind.Object,
  train: SymbolKind.Event,
  eval: SymbolKind.Event,
};

function declSymbol(d: Declaration): DocumentSymbol {
  const name = d.name?.text ?? d.declKind;
  return { name, detail: d.declKind, kind: KIND[d.declKind], range: toRange(d.span), selectionRange: toRange(d.name?.span ?? d.keywordSpan) };
}

function gridSymbol(g: GridDecl): DocumentSymbol {
  const children = g.entries.flatMap(e => (e.kind === 'GridAxis' ? [{ name: e.path.parts.map(p => p.text).join('.'), kind: SymbolKind.Property, range: toRange(e.span), selectionRange: toRange(e.path.span) }] : []));
  return { name: g.name?.text ?? 'grid', detail: 'grid', kind: SymbolKind.Enum, range: toRange(g.span), selectionRange: toRange(g.name?.span ?? g.span), children };
}

export function documentSymbols(ast: SourceFile): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const item of ast.items) {
    if (item.kind === 'Declaration') out.push(declSymbol(item));
    else if (item.kind === 'Grid') out.push(gridSymbol(item));
    else if (item.kind === 'Experiment' && item.name.kind === 'Name') {
      const children: DocumentSymbol[] = [];
      for (const x of item.items) {
        if (x.kind === 'Declaration') children.push(declSymbol(x));
        else if (x.kind === 'Grid') children.push(gridSymbol(x));
        else if (x.kind === 'Setting') children.push({ name: x.key.text, detail: 'setting', kind: SymbolKind.Property, range: toRange(x.span), selectionRange: toRange(x.key.span) });
      }
      out.push({ name: item.name.text, detail: 'experiment', kind: SymbolKind.Namespace, range: toRange(item.span), selectionRange: toRange(item.name.span), children });
    }
  }
  return out;
}

const FOLDS = new Set<AnyNode['kind']>(['Experiment', 'Declaration', 'Grid', 'Block', 'SubBlock', 'List', 'Record', 'GridRule', 'Construct', 'With']);

export function foldingRanges(ast: SourceFile, text: string): FoldingRange[] {
  const byStart = new Map<number, FoldingRange>();
  walk(ast, node => {
    if (!FOLDS.has(node.kind)) return;
    const start = node.span.start.line - 1;
    // The closing line stays visible, as editors fold `{ ... }` blocks.
    const end = node.span.end.line - 2;
    if (end > start && !byStart.has(start)) byStart.set(start, { startLine: start, endLine: end });
  });
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\//.test(lines[i]!)) continue;
    let j = i;
    while (j + 1 < lines.length && /^\s*\/\//.test(lines[j + 1]!)) j++;
    if (j > i) byStart.set(i, { startLine: i, endLine: j, kind: FoldingRangeKind.Comment });
    i = j;
  }
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
}
