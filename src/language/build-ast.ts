// CST → AST. Each function reads one CST rule (typed by the generated cst.d.ts) and returns typed nodes
// with spans. A CST node that error recovery left incomplete becomes a `Hole`.
import type { CstNode, IToken } from 'chevrotain';
import type * as C from './cst.js';
import type * as A from './ast.js';
import { UnterminatedString, UnterminatedTriple, type DeclarationKind } from './tokens.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { at } from '../diagnostics/diagnostic.js';
import { syntax } from '../diagnostics/catalogue.js';
import { decodeString } from './strings.js';

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly eofPosition: A.Position;

  constructor(private readonly text: string, private readonly file: string) {
    const lines = text.split(/\r\n|\n|\r/);
    this.eofPosition = { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1, offset: text.length };
  }

  // ---- spans --------------------------------------------------------------------------------------

  tokenSpan(t: IToken): A.Span {
    if (t.isInsertedInRecovery || Number.isNaN(t.startOffset)) return { start: this.eofPosition, end: this.eofPosition };
    return {
      start: { line: t.startLine!, column: t.startColumn!, offset: t.startOffset },
      end: { line: t.endLine!, column: t.endColumn! + 1, offset: t.endOffset! + 1 },
    };
  }

  nodeSpan(n: CstNode): A.Span {
    const l = n.location;
    if (!l || Number.isNaN(l.startOffset) || l.startLine === undefined || Number.isNaN(l.startLine)) {
      return { start: this.eofPosition, end: this.eofPosition };
    }
    const endOk = l.endOffset !== undefined && !Number.isNaN(l.endOffset) && l.endLine !== undefined && !Number.isNaN(l.endLine);
    const start = { line: l.startLine, column: l.startColumn!, offset: l.startOffset };
    const end = endOk ? { line: l.endLine!, column: l.endColumn! + 1, offset: l.endOffset! + 1 } : start;
    return { start, end };
  }

  private hole(n: CstNode | IToken | undefined): A.Hole {
    if (!n) return { kind: 'Hole', span: { start: this.eofPosition, end: this.eofPosition } };
    return { kind: 'Hole', span: 'children' in n ? this.nodeSpan(n) : this.tokenSpan(n) };
  }

  private broken(n: CstNode | undefined): boolean {
    return !n || n.recoveredNode === true;
  }

  private name(t: IToken | undefined): A.Name | null {
    if (!t || t.isInsertedInRecovery || t.image === '') return null;
    return { kind: 'Name', text: t.image, span: this.tokenSpan(t) };
  }

  // ---- declarations -------------------------------------------------------------------------------

  sourceFile(n: C.FileCstNode): A.SourceFile {
    const imports: A.ImportDecl[] = [];
    const items: A.SourceFile['items'] = [];
    for (const top of n.children.topItem ?? []) {
      if (this.broken(top)) { items.push(this.hole(top)); continue; }
      const c = top.children;
      if (c.importDecl) {
        const imp = this.importDecl(c.importDecl[0]!);
        if (!imp) continue;
        if (items.length > 0) this.diagnostics.push(at(syntax.importAfterDeclaration(), this.file, imp.span));
        imports.push(imp);
      } else if (c.experimentDecl) items.push(this.experiment(c.experimentDecl[0]!));
      else if (c.declaration) items.push(this.declaration(c.declaration[0]!));
      else if (c.gridDecl) items.push(this.grid(c.gridDecl[0]!));
    }
    return { kind: 'SourceFile', imports, items, span: { start: { line: 1, column: 1, offset: 0 }, end: this.eofPosition } };
  }

  private importDecl(n: C.ImportDeclCstNode): A.ImportDecl | null {
    const c = n.children;
    const pathTok = c.StringLit?.[0];
    if (this.broken(n) || !pathTok || pathTok.isInsertedInRecovery) return null;
    const names = c.From ? (c.Identifier ?? []).map(t => this.name(t)).filter((x): x is A.Name => x !== null) : null;
    return { kind: 'Import', names, path: this.stringLiteral(pathTok), span: this.nodeSpan(n) };
  }

  private experiment(n: C.ExperimentDeclCstNode): A.ExperimentDecl | A.Hole {
    const c = n.children;
    const items: A.ExperimentDecl['items'] = [];
    for (const it of c.experimentItem ?? []) {
      if (this.broken(it)) { items.push(this.hole(it)); continue; }
      const ic = it.children;
      if (ic.declaration) items.push(this.declaration(ic.declaration[0]!));
      else if (ic.gridDecl) items.push(this.grid(ic.gridDecl[0]!));
      else if (ic.setting) items.push(this.setting(ic.setting[0]!));
    }
    return { kind: 'Experiment', name: this.name(c.Identifier?.[0]) ?? this.hole(c.Identifier?.[0]), items, span: this.nodeSpan(n) };
  }

  private setting(n: C.SettingCstNode): A.Setting | A.Hole {
    const key = this.name(n.children.Identifier?.[0]);
    if (!key || this.broken(n)) return this.hole(n);
    return { kind: 'Setting', key, value: this.expression(n.children.expression?.[0]), span: this.nodeSpan(n) };
  }

  private declaration(n: C.DeclarationCstNode): A.Declaration | A.Hole {
    const c = n.children;
    const kindNode = c.declKind?.[0];
    const kindTok = kindNode ? (Object.values(kindNode.children)[0] as IToken[] | undefined)?.[0] : undefined;
    if (!kindTok || kindTok.isInsertedInRecovery) return this.hole(n);
    const value = c.Equals ? this.expression(c.expression?.[0]) : null;
    const body = c.block ? this.block(c.block[0]!) : null;
    if (!value && !body) return this.hole(n);
    return {
      kind: 'Declaration',
      declKind: kindTok.image as DeclarationKind,
      keywordSpan: this.tokenSpan(kindTok),
      name: this.name(c.Identifier?.[0]),
      value,
      body,
      span: this.nodeSpan(n),
    };
  }

  private grid(n: C.GridDeclCstNode): A.GridDecl {
    const entries: A.GridDecl['entries'] = [];
    for (const e of n.children.gridEntry ?? []) {
      if (this.broken(e)) { entries.push(this.hole(e)); continue; }
      const c = e.children;
      if (c.In) {
        const path = this.path(c.path?.[0]);
        entries.push(path ? { kind: 'GridAxis', path, values: this.expression(c.expression?.[0]), span: this.nodeSpan(e) } : this.hole(e));
      } else {
        const rule = c.Exclude ? 'exclude' : 'only';
        entries.push({ kind: 'GridRule', rule, body: this.block(c.block![0]!), span: this.nodeSpan(e) });
      }
    }
    return { kind: 'Grid', name: this.name(n.children.Identifier?.[0]), entries, span: this.nodeSpan(n) };
  }

  // ---- blocks -------------------------------------------------------------------------------------

  block(n: C.BlockCstNode): A.Block {
    const entries: A.Block['entries'] = [];
    for (const e of n.children.entry ?? []) entries.push(this.entry(e));
    return { kind: 'Block', entries, span: this.nodeSpan(n) };
  }

  private entry(n: C.EntryCstNode): A.Entry | A.Hole {
    if (this.broken(n)) return this.hole(n);
    const c = n.children;
    if (c.assignment) {
      const a = c.assignment[0]!;
      const path = this.path(a.children.path?.[0]);
      if (!path || this.broken(a)) return this.hole(a);
      return { kind: 'Assignment', path, value: this.expression(a.children.expression?.[0]), span: this.nodeSpan(a) };
    }
    if (c.subBlock) {
      const s = c.subBlock[0]!;
      const head = this.name(s.children.KeyName?.[0]);
      const body = s.children.block?.[0];
      if (!head || !body || this.broken(s)) return this.hole(s);
      const on = s.children.On ? this.path(s.children.path?.[0]) : null;
      return { kind: 'SubBlock', head, name: this.name(s.children.Identifier?.[0]), on, body: this.block(body), span: this.nodeSpan(s) };
    }
    const f = c.flag?.[0];
    const name = this.name(f?.children.KeyName?.[0]);
    if (!f || !name) return this.hole(n);
    return { kind: 'Flag', name, span: this.nodeSpan(f) };
  }

  private path(n: C.PathCstNode | undefined): A.Path | null {
    if (!n || this.broken(n)) return null;
    const parts = (n.children.KeyName ?? []).map(t => this.name(t));
    if (parts.length === 0 || parts.some(p => p === null)) return null;
    return { kind: 'Path', parts: parts as A.Name[], span: this.nodeSpan(n) };
  }

  // ---- expressions --------------------------------------------------------------------------------

  expression(n: C.ExpressionCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    const [value, cond] = n.children.withExpr ?? [];
    const v = this.withExpr(value);
    if (!n.children.Where) return v;
    return { kind: 'Where', value: v, condition: this.withExpr(cond), span: this.nodeSpan(n) };
  }

  private withExpr(n: C.WithExprCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    let e = this.orExpr(n.children.orExpr?.[0]);
    for (const b of n.children.block ?? []) {
      const overrides = this.block(b);
      e = { kind: 'With', base: e, overrides, span: { start: e.span.start, end: overrides.span.end } };
    }
    return e;
  }

  /** Left-associative chains: `a or b or c`, `a + b - c`. Operators come in source order. */
  private chain<N extends CstNode>(operands: N[] | undefined, operators: IToken[], operand: (n: N | undefined) => A.Expr): A.Expr {
    const list = operands ?? [];
    let e = operand(list[0]);
    for (let i = 1; i < list.length; i++) {
      const right = operand(list[i]);
      const op = operators[i - 1]?.image as A.BinaryOp;
      e = { kind: 'Binary', op, left: e, right, span: { start: e.span.start, end: right.span.end } };
    }
    return e;
  }

  private orExpr(n: C.OrExprCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    return this.chain(n.children.andExpr, n.children.Or ?? [], x => this.andExpr(x));
  }

  private andExpr(n: C.AndExprCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    return this.chain(n.children.notExpr, n.children.And ?? [], x => this.notExpr(x));
  }

  private notExpr(n: C.NotExprCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    if (n.children.Not) return { kind: 'Unary', op: 'not', operand: this.notExpr(n.children.notExpr?.[0]), span: this.nodeSpan(n) };
    return this.comparison(n.children.comparison?.[0]);
  }

  private comparison(n: C.ComparisonCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    const c = n.children;
    const op = (c.EqEq ?? c.NotEq ?? c.LessEq ?? c.GreaterEq ?? c.Less ?? c.Greater)?.[0];
    return this.chain(c.rangeExpr, op ? [op] : [], x => this.rangeExpr(x));
  }

  private rangeExpr(n: C.RangeExprCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    const [from, to] = n.children.additive ?? [];
    const f = this.additive(from);
    if (!n.children.DotDot) return f;
    return { kind: 'Range', from: f, to: this.additive(to), span: this.nodeSpan(n) };
  }

  private sortedOperators(...groups: Array<IToken[] | undefined>): IToken[] {
    return groups.flatMap(g => g ?? []).sort((a, b) => a.startOffset - b.startOffset);
  }

  private additive(n: C.AdditiveCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    return this.chain(n.children.multiplicative, this.sortedOperators(n.children.Plus, n.children.Minus), x => this.multiplicative(x));
  }

  private multiplicative(n: C.MultiplicativeCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    return this.chain(n.children.unary, this.sortedOperators(n.children.Star, n.children.Slash), x => this.unary(x));
  }

  private unary(n: C.UnaryCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    if (n.children.Minus) return { kind: 'Unary', op: '-', operand: this.unary(n.children.unary?.[0]), span: this.nodeSpan(n) };
    return this.postfix(n.children.postfix?.[0]);
  }

  private postfix(n: C.PostfixCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    let e = this.primary(n.children.primary?.[0]);
    // Postfix parts are stored per kind by Chevrotain; source order is restored by offset.
    const parts: CstNode[] = [...(n.children.member ?? []), ...(n.children.callArgs ?? []), ...(n.children.block ?? [])]
      .sort((a, b) => (a.location?.startOffset ?? 0) - (b.location?.startOffset ?? 0));
    for (const p of parts) {
      if (this.broken(p)) return this.hole(n);
      const span = { start: e.span.start, end: this.nodeSpan(p).end };
      if (p.name === 'member') {
        const name = this.name((p as C.MemberCstNode).children.KeyName?.[0]);
        if (!name) return this.hole(n);
        e = { kind: 'Member', object: e, name, span };
      } else if (p.name === 'callArgs') {
        e = { kind: 'Call', callee: e, args: ((p as C.CallArgsCstNode).children.argument ?? []).map(a => this.argument(a)), span };
      } else {
        e = { kind: 'Construct', callee: e, body: this.block(p as C.BlockCstNode), span };
      }
    }
    return e;
  }

  private argument(n: C.ArgumentCstNode): A.Argument {
    return { kind: 'Argument', name: this.name(n.children.Identifier?.[0]), value: this.expression(n.children.expression?.[0]), span: this.nodeSpan(n) };
  }

  private primary(n: C.PrimaryCstNode | undefined): A.Expr {
    if (!n || this.broken(n)) return this.hole(n);
    const c = n.children;
    const span = this.nodeSpan(n);
    const tok = (c.Int ?? c.Float ?? c.StringLit ?? c.TripleString ?? c.True ?? c.False ?? c.None ?? c.Identifier)?.[0];
    if (tok) {
      if (tok.isInsertedInRecovery) return this.hole(tok);
      if (c.Int || c.Float) return this.number(tok, !!c.Int);
      if (c.StringLit || c.TripleString) return this.stringLiteral(tok);
      if (c.True || c.False) return { kind: 'Bool', value: !!c.True, span };
      if (c.None) return { kind: 'None', span };
      return { kind: 'Reference', name: tok.image, span };
    }
    if (c.list) {
      const l = c.list[0]!;
      return { kind: 'List', items: (l.children.expression ?? []).map(x => this.expression(x)), span };
    }
    if (c.parenthesized) {
      const p = c.parenthesized[0]!;
      const items = (p.children.expression ?? []).map(x => this.expression(x));
      if (items.length === 1 && !p.children.Comma) return { kind: 'Paren', inner: items[0]!, span };
      return { kind: 'Tuple', items, span };
    }
    if (c.block) return { kind: 'Record', body: this.block(c.block[0]!), span };
    if (c.ifExpr) {
      const i = c.ifExpr[0]!;
      const [cond, then, otherwise] = i.children.expression ?? [];
      return { kind: 'If', condition: this.expression(cond), then: this.expression(then), else: this.expression(otherwise), span };
    }
    return this.hole(n);
  }

  private number(tok: IToken, isInt: boolean): A.NumberLiteral | A.Hole {
    const value = Number(tok.image);
    const span = this.tokenSpan(tok);
    if (!Number.isFinite(value) || (isInt && !Number.isSafeInteger(value))) {
      this.diagnostics.push(at(syntax.numberOutOfRange(tok.image), this.file, span));
      return { kind: 'Hole', span };
    }
    return { kind: 'Number', value, raw: tok.image, isInt, span };
  }

  private stringLiteral(tok: IToken): A.StringLiteral {
    const span = this.tokenSpan(tok);
    const triple = tok.image.startsWith('"""');
    // An unterminated literal (already reported) is decoded as if it were closed at its end.
    const closed = tok.tokenType === UnterminatedString ? tok.image + '"' : tok.tokenType === UnterminatedTriple ? tok.image + '"""' : tok.image;
    const decoded = decodeString(closed, triple);
    for (const bad of decoded.invalidEscapes) {
      // Escapes never span lines in a plain string, so the column arithmetic is exact.
      const start = { line: span.start.line, column: span.start.column + bad.index, offset: span.start.offset + bad.index };
      const end = { line: start.line, column: start.column + bad.text.length, offset: start.offset + bad.text.length };
      this.diagnostics.push(at(syntax.invalidEscape(bad.text), this.file, { start, end }));
    }
    return { kind: 'String', value: decoded.value, raw: tok.image, triple, span };
  }
}
