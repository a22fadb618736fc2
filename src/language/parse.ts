// parse(text) never throws: it returns the AST (with holes where recovery happened), the comments
// (for the formatter) and every lexing and parsing diagnostic, at most one syntax error per line.
import type { IRecognitionException, IToken, ILexingError } from 'chevrotain';
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
    diags.push(at(syntax.unexpectedCharacter(ch), file, span));
  }
  for (const t of lexed.groups.errors ?? []) {
    const message = t.tokenType === UnterminatedString ? syntax.unterminatedString()
      : t.tokenType === UnterminatedTriple ? syntax.unterminatedTripleString()
      : t.tokenType === UnterminatedComment ? syntax.unterminatedBlockComment()
      : syntax.unexpectedCharacter(t.image[0] ?? '?');
    const span = builder.tokenSpan(t);
    // Underline only the opening of a runaway string or comment, not the rest of the file.
    diags.push(at(message, file, t.tokenType === UnterminatedString ? span : pointSpan(span.start.line, span.start.column, span.start.offset, 3)));
  }

  parser.input = lexed.tokens;
  const cst = parser.file() as FileCstNode;
  for (const e of parser.errors) diags.push(at(recognitionMessage(e), file, builder.tokenSpan(e.token)));

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
