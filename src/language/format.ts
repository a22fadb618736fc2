// The formatter: one canonical layout, no options. It prints the AST and re-attaches every comment
// (as a leading comment on its own line, or trailing on the same line) so nothing the author wrote is lost.
// A block, list, tuple or call prints on one line when it fits in MAX_WIDTH and holds no comment and no
// sub-block; otherwise one element per line. Blank lines between items are kept (several collapse to one).
import type { IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { ParseResult } from './parse.js';

const MAX_WIDTH = 100;
const INDENT = '  ';

export function format(parsed: ParseResult): string {
  return new Printer(parsed.text, parsed.comments).file(parsed.ast);
}

class Printer {
  private next = 0; // index of the first comment not yet printed

  constructor(private readonly text: string, private readonly comments: IToken[]) {}

  // ---- comments -------------------------------------------------------------------------------------

  /**
   * A line comment right after an opening `{`/`[`/`(` (same line, before the first item) stays on that line.
   * Called before the items are printed, since printing them consumes comments.
   */
  private opener(firstOffset: number, closeOffset: number): string {
    const c = this.commentAt(this.next);
    if (!c || c.tokenType.name !== 'LineComment' || c.startOffset >= Math.min(firstOffset, closeOffset)) return '';
    const i = Math.max(this.text.lastIndexOf('{', c.startOffset), this.text.lastIndexOf('[', c.startOffset), this.text.lastIndexOf('(', c.startOffset));
    if (i < 0 || /[\r\n]/.test(this.text.slice(i, c.startOffset))) return '';
    this.next++;
    return ' ' + c.image.trimEnd();
  }

  private commentAt(i: number): IToken | undefined {
    return this.comments[i];
  }

  /** Comments that start before `offset`, printed each on its own line. */
  private leading(offset: number, indent: string): string[] {
    const out: string[] = [];
    for (let c = this.commentAt(this.next); c && c.startOffset < offset; c = this.commentAt(++this.next)) {
      if (out.length > 0 && this.blankLineBetween(this.commentAt(this.next - 1)!.endOffset! + 1, c.startOffset)) out.push('');
      out.push(...this.commentLines(c, indent));
    }
    return out;
  }

  /** A comment that starts on the line where an item ends, after it. */
  private trailing(endOffset: number, endLine: number): string {
    const c = this.commentAt(this.next);
    if (c && c.startOffset >= endOffset && c.startLine === endLine && c.tokenType.name === 'LineComment') {
      this.next++;
      return ' ' + c.image.trimEnd();
    }
    return '';
  }

  private commentLines(c: IToken, indent: string): string[] {
    if (c.tokenType.name === 'LineComment') return [indent + c.image.trimEnd()];
    // Block comments keep their inner layout; only their first line is re-indented.
    const lines = c.image.split(/\r\n|\n|\r/);
    return [indent + lines[0]!.trimEnd(), ...lines.slice(1).map(l => l.trimEnd())];
  }

  private hasCommentIn(span: A.Span): boolean {
    for (let i = this.next; i < this.comments.length; i++) {
      const c = this.comments[i]!;
      if (c.startOffset >= span.end.offset) return false;
      if (c.startOffset >= span.start.offset) return true;
    }
    return false;
  }

  private blankLineBetween(from: number, to: number): boolean {
    const gap = this.text.slice(from, to);
    return (gap.match(/\r\n|\n|\r/g)?.length ?? 0) >= 2;
  }

  /** Prints a sequence of line items with their comments and the blank lines the author left between them. */
  private items<N extends { span: A.Span }>(nodes: N[], indent: string, print: (n: N, indent: string) => string, closeOffset: number, suffix = ''): string[] {
    const out: string[] = [];
    let prevEnd = -1;
    for (const n of nodes) {
      const firstOffset = Math.min(n.span.start.offset, this.comments[this.next]?.startOffset ?? Infinity);
      if (prevEnd >= 0 && this.blankLineBetween(prevEnd, firstOffset)) out.push('');
      out.push(...this.leading(n.span.start.offset, indent));
      const printed = print(n, indent);
      out.push(indent + printed + suffix + this.trailing(n.span.end.offset, n.span.end.line));
      prevEnd = n.span.end.offset;
    }
    const dangling = this.leading(closeOffset, indent);
    if (dangling.length > 0 && prevEnd >= 0 && this.blankLineBetween(prevEnd, this.comments[this.next - dangling.length]?.startOffset ?? closeOffset)) out.push('');
    out.push(...dangling);
    return out;
  }

  // ---- declarations ---------------------------------------------------------------------------------

  file(f: A.SourceFile): string {
    const out: string[] = [];
    const imports = this.items(f.imports, '', n => this.importDecl(n), f.imports.length > 0 ? f.imports[f.imports.length - 1]!.span.end.offset : 0);
    out.push(...imports);
    const items = f.items.filter((i): i is Exclude<typeof i, A.Hole> => i.kind !== 'Hole');
    items.forEach((item, i) => {
      if (out.length > 0) out.push('');
      out.push(...this.leading(item.span.start.offset, ''));
      out.push(this.topItem(item, '') + this.trailing(item.span.end.offset, item.span.end.line));
      void i;
    });
    const rest = this.leading(Infinity, '');
    if (rest.length > 0 && out.length > 0) out.push('');
    out.push(...rest);
    return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
  }

  private importDecl(n: A.ImportDecl): string {
    const names = n.names ? `{ ${n.names.map(x => x.text).join(', ')} } from ` : '';
    return `import ${names}${n.path.raw}`;
  }

  private topItem(n: A.ExperimentDecl | A.Declaration | A.GridDecl, indent: string): string {
    if (n.kind === 'Experiment') return this.experiment(n, indent);
    if (n.kind === 'Grid') return this.grid(n, indent);
    return this.declaration(n, indent);
  }

  private experiment(n: A.ExperimentDecl, indent: string): string {
    const name = n.name.kind === 'Name' ? n.name.text : '';
    const inner = indent + INDENT;
    const items = n.items.filter((i): i is Exclude<typeof i, A.Hole> => i.kind !== 'Hole');
    const opener = this.opener(items[0]?.span.start.offset ?? Infinity, n.span.end.offset - 1);
    const lines = this.items(items, inner, (item, ind) => {
      if (item.kind === 'Setting') return `${item.key.text} = ${this.expr(item.value, ind, item.key.text.length + 3)}`;
      if (item.kind === 'Grid') return this.grid(item, ind);
      return this.declaration(item, ind);
    }, n.span.end.offset - 1);
    if (lines.length === 0 && !opener) return `experiment ${name} {}`;
    return `experiment ${name} {${opener}\n${lines.join('\n')}\n${indent}}`;
  }

  private declaration(n: A.Declaration, indent: string): string {
    const head = `${n.declKind}${n.name ? ' ' + n.name.text : ''}`;
    if (n.value) return `${head} = ${this.expr(n.value, indent, head.length + 3)}`;
    return `${head} ${this.block(n.body!, indent, head.length + 1)}`;
  }

  private grid(n: A.GridDecl, indent: string): string {
    const head = `grid${n.name ? ' ' + n.name.text : ''}`;
    const entries = n.entries.filter((e): e is A.GridAxis | A.GridRule => e.kind !== 'Hole');
    const opener = this.opener(entries[0]?.span.start.offset ?? Infinity, n.span.end.offset - 1);
    const lines = this.items(entries, indent + INDENT, (e, ind) => {
      if (e.kind === 'GridAxis') {
        const p = this.path(e.path);
        return `${p} in ${this.expr(e.values, ind, p.length + 4)}`;
      }
      return `${e.rule} ${this.block(e.body, ind, e.rule.length + 1)}`;
    }, n.span.end.offset - 1);
    if (lines.length === 0 && !opener) return `${head} {}`;
    return `${head} {${opener}\n${lines.join('\n')}\n${indent}}`;
  }

  private path(p: A.Path): string {
    return p.parts.map(x => x.text).join('.');
  }

  // ---- blocks ---------------------------------------------------------------------------------------

  /** `column` is how many characters precede the block on its line (after the indent). */
  private block(b: A.Block, indent: string, column: number): string {
    const entries = b.entries.filter((e): e is A.Entry => e.kind !== 'Hole');
    if (entries.length === 0 && !this.hasCommentIn(b.span)) return '{}';
    const flat = this.flatBlock(b);
    if (flat !== null && indent.length + column + flat.length <= MAX_WIDTH) return flat;
    const opener = this.opener(entries[0]?.span.start.offset ?? Infinity, b.span.end.offset - 1);
    const lines = this.items(entries, indent + INDENT, (e, ind) => this.entry(e, ind), b.span.end.offset - 1);
    return `{${opener}\n${lines.join('\n')}\n${indent}}`;
  }

  private flatBlock(b: A.Block): string | null {
    if (this.hasCommentIn(b.span)) return null;
    const parts: string[] = [];
    for (const e of b.entries) {
      if (e.kind === 'Hole' || e.kind === 'SubBlock') return null;
      if (e.kind === 'Flag') { parts.push(e.name.text); continue; }
      const v = this.flat(e.value);
      if (v === null) return null;
      parts.push(`${this.path(e.path)} = ${v}`);
    }
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }

  private entry(e: A.Entry, indent: string): string {
    if (e.kind === 'Flag') return e.name.text;
    if (e.kind === 'Assignment') {
      const p = this.path(e.path);
      return `${p} = ${this.expr(e.value, indent, p.length + 3)}`;
    }
    const head = [e.head.text, e.name?.text, e.on ? `on ${this.path(e.on)}` : undefined].filter(Boolean).join(' ');
    return `${head} ${this.block(e.body, indent, head.length + 1)}`;
  }

  // ---- expressions ----------------------------------------------------------------------------------

  /** The one-line form of an expression, or null when it must span lines. */
  private flat(e: A.Expr): string | null {
    if (this.hasCommentIn(e.span)) return null;
    switch (e.kind) {
      case 'Number': return e.raw;
      case 'String': return e.triple && /[\r\n]/.test(e.raw) ? null : e.raw;
      case 'Bool': return String(e.value);
      case 'None': return 'none';
      case 'Reference': return e.name;
      case 'Hole': return null;
      case 'Member': { const o = this.flat(e.object); return o === null ? null : `${o}.${e.name.text}`; }
      case 'Call': {
        const callee = this.flat(e.callee);
        const args = e.args.map(a => this.flatArg(a));
        return callee === null || args.includes(null) ? null : `${callee}(${args.join(', ')})`;
      }
      case 'Construct': {
        const callee = this.flat(e.callee);
        const body = this.flatBlock(e.body);
        return callee === null || body === null ? null : `${callee} ${body}`;
      }
      case 'List': { const items = e.items.map(i => this.flat(i)); return items.includes(null) ? null : `[${items.join(', ')}]`; }
      case 'Tuple': {
        const items = e.items.map(i => this.flat(i));
        if (items.includes(null)) return null;
        return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
      }
      case 'Record': return this.flatBlock(e.body);
      case 'Paren': { const i = this.flat(e.inner); return i === null ? null : `(${i})`; }
      case 'Unary': { const o = this.flat(e.operand); return o === null ? null : e.op === 'not' ? `not ${o}` : `-${o}`; }
      case 'Range': { const f = this.flat(e.from); const t = this.flat(e.to); return f === null || t === null ? null : `${f}..${t}`; }
      case 'Binary': { const l = this.flat(e.left); const r = this.flat(e.right); return l === null || r === null ? null : `${l} ${e.op} ${r}`; }
      case 'With': { const b = this.flat(e.base); const o = this.flatBlock(e.overrides); return b === null || o === null ? null : `${b} with ${o}`; }
      case 'Where': { const v = this.flat(e.value); const c = this.flat(e.condition); return v === null || c === null ? null : `${v} where ${c}`; }
      case 'If': {
        const c = this.flat(e.condition); const t = this.flat(e.then); const f = this.flat(e.else);
        return c === null || t === null || f === null ? null : `if ${c} then ${t} else ${f}`;
      }
    }
  }

  private flatArg(a: A.Argument): string | null {
    const v = this.flat(a.value);
    return v === null ? null : a.name ? `${a.name.text} = ${v}` : v;
  }

  /** An expression printed at `indent`, with `column` characters before it on its first line. */
  private expr(e: A.Expr, indent: string, column: number): string {
    const flat = this.flat(e);
    if (flat !== null && indent.length + column + flat.length <= MAX_WIDTH) return flat;
    switch (e.kind) {
      case 'String': return e.raw;
      case 'List': return this.broken('[', ']', e.items, indent, (x, ind) => this.expr(x, ind, 0));
      case 'Tuple': return this.broken('(', ')', e.items, indent, (x, ind) => this.expr(x, ind, 0));
      case 'Call': {
        const callee = this.expr(e.callee, indent, column);
        return callee + this.broken('(', ')', e.args, indent, (a, ind) => (a.name ? `${a.name.text} = ` : '') + this.expr(a.value, ind, a.name ? a.name.text.length + 3 : 0));
      }
      case 'Construct': {
        const callee = this.expr(e.callee, indent, column);
        return `${callee} ${this.block(e.body, indent, column + callee.length + 1)}`;
      }
      case 'Record': return this.block(e.body, indent, column);
      case 'With': {
        const base = this.expr(e.base, indent, column);
        return `${base} with ${this.block(e.overrides, indent, column + base.length + 6)}`;
      }
      case 'Member': return `${this.expr(e.object, indent, column)}.${e.name.text}`;
      case 'Paren': return `(${this.expr(e.inner, indent, column + 1)})`;
      case 'Unary': return e.op === 'not' ? `not ${this.expr(e.operand, indent, column + 4)}` : `-${this.expr(e.operand, indent, column + 1)}`;
      case 'Range': return `${this.expr(e.from, indent, column)}..${this.expr(e.to, indent, column)}`;
      case 'Binary': {
        // A long chain of one operator (`a and b and c`) breaks before each operator, one operand per line.
        const operands: A.Expr[] = [];
        let left: A.Expr = e;
        while (left.kind === 'Binary' && left.op === e.op) { operands.unshift(left.right); left = left.left; }
        const first = this.expr(left, indent, column);
        return first + operands.map(o => `\n${indent}${INDENT}${e.op} ${this.expr(o, indent + INDENT, e.op.length + 1)}`).join('');
      }
      case 'Where': return `${this.expr(e.value, indent, column)}\n${indent}${INDENT}where ${this.expr(e.condition, indent + INDENT, 6)}`;
      case 'If': return `if ${this.expr(e.condition, indent, column + 3)}\n${indent}${INDENT}then ${this.expr(e.then, indent + INDENT, 5)}\n${indent}${INDENT}else ${this.expr(e.else, indent + INDENT, 5)}`;
      default: return flat ?? '';
    }
  }

  private broken<N extends { span: A.Span }>(open: string, close: string, nodes: N[], indent: string, print: (n: N, indent: string) => string): string {
    if (nodes.length === 0) return open + close;
    const end = nodes[nodes.length - 1]!.span.end.offset;
    // Comments up to the closing bracket belong inside; find it as the first bracket after the last element.
    const closeAt = this.text.indexOf(close, end);
    const opener = this.opener(nodes[0]!.span.start.offset, closeAt < 0 ? end : closeAt);
    const lines = this.items(nodes, indent + INDENT, print, closeAt < 0 ? end : closeAt, ',');
    return `${open}${opener}\n${lines.join('\n')}\n${indent}${close}`;
  }
}
