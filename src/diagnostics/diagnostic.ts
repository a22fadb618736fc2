// The one diagnostic type every stage reports in: lexer, parser, checker, code generator.
import type { Span } from '../language/ast.js';

export type Severity = 'error' | 'warning';

export interface RelatedLocation { file: string; span: Span; message: string }

export interface Diagnostic {
  /** Stable code, `RLVR` + 4 digits: 1xxx syntax, 2xxx names, 3xxx types and values, 4xxx grid, 5xxx rules across fields, 6xxx files, 7xxx what an engine cannot express (src/engines/<engine>). */
  code: string;
  severity: Severity;
  /** One line: what is wrong. */
  summary: string;
  /** Why, in more words (optional). */
  detail?: string;
  /** How to fix it (optional). */
  fix?: string;
  /** Short text printed under the `^^^` (optional). */
  label?: string;
  file: string;
  span: Span;
  related?: RelatedLocation[];
}

/** What a catalogue entry provides; the reporter adds where. */
export type Message = Omit<Diagnostic, 'file' | 'span' | 'related'>;

export function at(message: Message, file: string, span: Span, related?: RelatedLocation[]): Diagnostic {
  return related && related.length > 0 ? { ...message, file, span, related } : { ...message, file, span };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.span.start.offset - b.span.start.offset || a.code.localeCompare(b.code);
}

export function countBySeverity(diags: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diags) d.severity === 'error' ? errors++ : warnings++;
  return { errors, warnings };
}
