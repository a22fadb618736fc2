// Formatting is `rlvrc fmt`'s formatter: one edit that replaces the document with its canonical layout.
// Like `rlvrc fmt`, a document with syntax errors is left alone (no edits), never half-formatted.
import type { TextEdit } from 'vscode-languageserver';
import { countBySeverity } from '../diagnostics/diagnostic.js';
import { format } from '../language/format.js';
import { parse } from '../language/parse.js';

export function formatDocument(text: string): TextEdit[] {
  const parsed = parse(text);
  if (countBySeverity(parsed.diagnostics).errors > 0) return [];
  const formatted = format(parsed);
  if (formatted === text) return [];
  const lines = text.split('\n');
  return [{ range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1]!.length } }, newText: formatted }];
}
