// URIs and the checker's places: LSP positions are 0-based (UTF-16 code units, as JavaScript strings
// count); the checker's spans are 1-based lines and columns over the same strings.
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Position, Range } from 'vscode-languageserver';
import type { Span } from '../language/ast.js';

/** The file path a URI stands for; an unsaved buffer (untitled:) gets a path in the working directory. */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // fall through: a malformed file URI is treated like any other non-file URI
    }
  }
  const name = basename(decodeURIComponent(uri.replace(/^[a-z]+:/i, ''))) || 'untitled';
  return resolve(process.cwd(), name.endsWith('.rlvr') ? name : `${name}.rlvr`);
}

export const pathToUri = (path: string): string => pathToFileURL(path).href;

export function toRange(span: Span): Range {
  return {
    start: { line: Math.max(0, span.start.line - 1), character: Math.max(0, span.start.column - 1) },
    end: { line: Math.max(0, span.end.line - 1), character: Math.max(0, span.end.column - 1) },
  };
}

export function contains(span: Span, offset: number): boolean {
  return span.start.offset <= offset && offset <= span.end.offset;
}

export function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}
