// One analysis = one run of the checker (`rlvrc check`'s own function) on an open document, with the
// other open documents' unsaved text in place of what is on disk. Everything the server answers comes
// from the analysis of the document asked about: diagnostics, names, scopes, resolved values, cells.
import { dirname, isAbsolute, relative } from 'node:path';
import { check, type CheckResult } from '../checker/check.js';
import { nodeHost, type LoadedFile } from '../checker/program.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../language/ast.js';
import { parse } from '../language/parse.js';

/**
 * Documents longer than this are not checked as you type: the checker is linear (about 7 ms per KB on a
 * 2-core machine, bench/check-time.ts), so this bounds every analysis to seconds. Such a file gets one
 * warning that says so, and `rlvrc check` still checks it.
 */
export const MAX_CHECKED_CHARS = 1_000_000;

export interface Analysis {
  uri: string;
  version: number;
  abs: string;
  text: string;
  /** The checker's result; its program holds every loaded file, scope and evaluated symbol. */
  result: CheckResult | undefined;
  /** The document's own loaded file (its AST and scopes). */
  file: LoadedFile | undefined;
  /** Set when the document is over MAX_CHECKED_CHARS: nothing was parsed or checked. */
  tooLarge?: boolean;
  /** Set when the checker itself failed (a bug in rlvrc); the document then still gets syntax answers. */
  internalError?: string;
  /** The document's AST: the checker's, or a bare parse when the checker failed. */
  ast: SourceFile;
  diagnostics: Diagnostic[];
}

export interface AnalyzeInput {
  uri: string;
  abs: string;
  text: string;
  version: number;
  /** The workspace root: file names in messages are relative to it, as `rlvrc check` run there prints them. */
  root: string | undefined;
  /** Unsaved text of other open documents, by absolute path. */
  overlay: (abs: string) => string | undefined;
}

export function analyze(input: AnalyzeInput): Analysis {
  const { uri, abs, text, version } = input;
  if (text.length > MAX_CHECKED_CHARS) {
    const at = { line: 1, column: 1, offset: 0 };
    return { uri, version, abs, text, result: undefined, file: undefined, tooLarge: true, ast: { kind: 'SourceFile', imports: [], items: [], span: { start: at, end: at } }, diagnostics: [] };
  }
  const inRoot = input.root !== undefined && !relative(input.root, abs).startsWith('..') && !isAbsolute(relative(input.root, abs));
  const cwd = inRoot ? input.root! : undefined;
  try {
    const result = check([{ file: abs, text }], {
      ...(cwd ? { cwd } : { cwd: dirname(abs) }),
      host: { readFile: p => input.overlay(p) ?? nodeHost.readFile(p) },
    });
    const file = result.program.files.get(abs);
    return { uri, version, abs, text, result, file, ast: file!.parsed.ast, diagnostics: result.diagnostics };
  } catch (e) {
    const parsed = parse(text, abs);
    return { uri, version, abs, text, result: undefined, file: undefined, internalError: e instanceof Error ? e.stack ?? e.message : String(e), ast: parsed.ast, diagnostics: parsed.diagnostics };
  }
}

/** Every loaded file of an analysis (the document and what it imports). */
export function loadedFiles(a: Analysis): LoadedFile[] {
  return a.result ? [...a.result.program.files.values()] : [];
}

/** The absolute path of a file by the name diagnostics use. */
export function absOf(a: Analysis, display: string): string | undefined {
  for (const f of loadedFiles(a)) if (f.display === display) return f.abs;
  return undefined;
}
