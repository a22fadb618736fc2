// Generic walks over the AST: every node has a `kind` and a `span`, so children are found by shape
// instead of a switch per node kind that would go stale when the language grows.
import type { AnyNode, SourceFile } from '../language/ast.js';
import { contains } from './paths.js';

type Node = AnyNode | SourceFile | { kind: string; span: AnyNode['span'] };

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { span?: unknown }).span === 'object';
}

export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'span' || key === 'keywordSpan') continue;
    if (Array.isArray(value)) for (const v of value) { if (isNode(v)) out.push(v); }
    else if (isNode(value)) out.push(value);
  }
  return out;
}

/** Visits every node, parents before children, with its chain of ancestors (outermost first). */
export function walk(root: Node, visit: (node: AnyNode, ancestors: readonly AnyNode[]) => void): void {
  const stack: AnyNode[] = [];
  const go = (n: Node) => {
    visit(n as AnyNode, stack);
    stack.push(n as AnyNode);
    for (const c of children(n)) go(c);
    stack.pop();
  };
  go(root);
}

/** The chain of nodes whose span contains the offset, outermost first (the file itself first). */
export function pathAt(root: SourceFile, offset: number): AnyNode[] {
  const path: AnyNode[] = [];
  let node: Node | undefined = root;
  while (node) {
    path.push(node as AnyNode);
    // The innermost child wins; among touching children (offset at the end of one, start of the next) the later one.
    const inside: Node[] = children(node).filter(c => contains(c.span, offset));
    node = inside[inside.length - 1];
  }
  return path;
}
