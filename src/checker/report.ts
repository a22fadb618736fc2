// The diagnostic sink of one check: every checker message goes through here, deduplicated, because the
// same declaration is revisited by every grid cell that uses it.
import type { Span } from '../language/ast.js';
import type { Diagnostic, Message, RelatedLocation } from '../diagnostics/diagnostic.js';
import { at } from '../diagnostics/diagnostic.js';
import type { Loc } from './values.js';

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  report(message: Message, loc: Loc, related?: RelatedLocation[]): void {
    const key = `${message.code}|${loc.file}|${loc.span.start.offset}|${loc.span.end.offset}|${message.summary}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(at(message, loc.file, loc.span, related));
  }

  get errorCount(): number {
    return this.diagnostics.filter(d => d.severity === 'error').length;
  }
}

export function loc(file: string, span: Span): Loc {
  return { file, span };
}

/** From the start of one span to the end of another (a declaration head: `model tiny`). */
export function joinSpans(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}
