// parse(text) never throws: it returns the AST (with holes where recovery happened), the comments
// (for the formatter) and every lexing and parsing diagnostic, at most one syntax error per line.
import { EOF, type IRecognitionException, type IToken, type ILexingError } from 'chevrotain';
import type { SourceFile, Span } from './ast.js';
import type { FileCstNode } from './cst.js';
import { lexer, UnterminatedComment, UnterminatedString, UnterminatedTriple } from './tokens.js';
import { parser } from './parser.js';
import { AstBuilder } from './build-ast.js';
import type { Diagnostic, Message } from '../diagnostics/diagnostic.js';
import { at, compareDiagnostics } from '../diagnostics/diagnostic.js';
import { syntax } from '../diagnostics/catalogue.js';

export interface ParseResult {
  file: string;
  text: string;
  ast: SourceFile;
  comments: IToken[];
  diagnostics: Diagnostic[];
}

function recognitionMessage(e: IRecognitionException): Message {
  switch (e.name) {
    case 'MismatchedTokenException': return syntax.mismatchedToken(e.message);
    case 'NoViableAltException': return syntax.noViableAlternative(e.message);
    case 'NotAllInputParsedException': return syntax.trailingInput(e.message);
    default: return syntax.missingRepetition(e.message);
  }
}

export function parse(text: string, file = '<input>'): ParseResult {
  const builder = new AstBuilder(text, file);
  const lexed = lexer.tokenize(text);
  const diags: Diagnostic[] = [];

  for (const e of lexed.errors as ILexingError[]) {
    const ch = String.fromCodePoint(text.codePointAt(e.offset) ?? 0xfffd);
    const span = pointSpan(e.line ?? 1, e.column ?? 1, e.offset, e.length);
    diags.push(at(ch === '\ufffd' ? syntax.invalidUtf8() : syntax.unexpectedCharacter(ch), file, span));
  }
  // Runaway literals: reported once at their opening; whatever they swallowed produces no more errors.
  let swallowedFrom = Infinity;
  const openStringLines = new Set<number>();
  const runaway = [...lexed.tokens, ...(lexed.groups.comments ?? [])].filter(t =>
    t.tokenType === UnterminatedString || t.tokenType === UnterminatedTriple || t.tokenType === UnterminatedComment);
  for (const t of runaway) {
    const span = builder.tokenSpan(t);
    if (t.tokenType === UnterminatedString) {
      diags.push(at(syntax.unterminatedString(), file, span));
      // The statement it was part of ends early: the error that causes, there or on the next line, is noise.
      openStringLines.add(span.start.line).add(span.start.line + 1);
      continue;
    }
    const message = t.tokenType === UnterminatedTriple ? syntax.unterminatedTripleString() : syntax.unterminatedBlockComment();
    diags.push(at(message, file, pointSpan(span.start.line, span.start.column, span.start.offset, t.tokenType === UnterminatedTriple ? 3 : 2)));
    swallowedFrom = Math.min(swallowedFrom, t.startOffset);
  }

  parser.input = lexed.tokens;
  const cst = parser.file() as FileCstNode;
  let sawSyntaxError = diags.length > 0;
  for (const e of parser.errors) {
    const atEnd = e.token.tokenType === EOF;
    // A missing '}' at the end of the file after an earlier error is the recovery's echo, not a new mistake.
    if (atEnd && (sawSyntaxError || swallowedFrom < Infinity)) continue;
    if (!atEnd && e.token.startOffset >= swallowedFrom) continue;
    if (!atEnd && openStringLines.has(e.token.startLine!)) continue;
    diags.push(at(recognitionMessage(e), file, builder.tokenSpan(e.token)));
    sawSyntaxError = true;
  }

  const ast = builder.sourceFile(cst);
  diags.push(...builder.diagnostics);
  return { file, text, ast, comments: lexed.groups.comments ?? [], diagnostics: onePerLine(diags.sort(compareDiagnostics)) };
}

function pointSpan(line: number, column: number, offset: number, length: number): Span {
  return { start: { line, column, offset }, end: { line, column: column + Math.max(1, length), offset: offset + Math.max(1, length) } };
}

/** Syntax errors after the first on a line are almost always follow-on noise from recovery. */
function onePerLine(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number>();
  return diags.filter(d => {
    if (!d.code.startsWith('RLVR1')) return true;
    if (seen.has(d.span.start.line)) return false;
    seen.add(d.span.start.line);
    return true;
  });
}
