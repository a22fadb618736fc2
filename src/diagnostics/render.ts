// Rendering diagnostics for people (Rust-style code frames) and for machines (a versioned JSON document).
import type { Diagnostic } from './diagnostic.js';
import { countBySeverity } from './diagnostic.js';

export interface RenderOptions {
  /** Source text per file name, for the code frame. Files missing here get a frame-less diagnostic. */
  sources: ReadonlyMap<string, string>;
  color?: boolean;
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Expands tabs so carets line up with what a terminal shows. */
function visibleColumn(line: string, column: number): number {
  let col = 0;
  for (let i = 0; i < column - 1 && i < line.length; i++) col += line[i] === '\t' ? 4 - (col % 4) : 1;
  return col;
}

export function renderDiagnostic(d: Diagnostic, opts: RenderOptions): string {
  const color = opts.color ?? false;
  const bold = paint(color, '1');
  const sev = paint(color, d.severity === 'error' ? '1;31' : '1;33');
  const blue = paint(color, '1;34');
  const out: string[] = [];
  out.push(`${sev(`${d.severity}[${d.code}]`)}${bold(`: ${d.summary}`)}`);
  const { line, column } = d.span.start;
  const source = opts.sources.get(d.file);
  const lines = source?.split(/\r\n|\n|\r/);
  const text = lines?.[line - 1];
  const gutterWidth = String(line).length;
  const pad = ' '.repeat(gutterWidth);
  out.push(`${pad}${blue('-->')} ${d.file}:${line}:${column}`);
  if (text !== undefined) {
    const shown = text.replace(/\t/g, '    ');
    const startCol = visibleColumn(text, column);
    // A span that runs past its first line is underlined to the end of that line.
    const endCol = d.span.end.line === line ? visibleColumn(text, d.span.end.column) : shown.length;
    const width = Math.max(1, endCol - startCol);
    out.push(`${pad} ${blue('|')}`);
    out.push(`${blue(String(line))} ${blue('|')} ${shown}`);
    const label = d.label ? ` ${d.label}` : '';
    out.push(`${pad} ${blue('|')} ${' '.repeat(startCol)}${sev('^'.repeat(width) + label)}`);
  }
  if (d.detail || d.fix || (d.related && d.related.length > 0)) out.push(`${pad} ${blue('|')}`);
  if (d.detail) out.push(`${pad} ${blue('=')} ${bold('note:')} ${d.detail}`);
  for (const r of d.related ?? []) out.push(`${pad} ${blue('=')} ${bold('note:')} ${r.message} (${r.file}:${r.span.start.line}:${r.span.start.column})`);
  if (d.fix) out.push(`${pad} ${blue('=')} ${bold('help:')} ${d.fix}`);
  return out.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The whole human report: each diagnostic, a blank line between, and a count at the end. Empty when there is nothing. */
export function renderReport(diags: readonly Diagnostic[], opts: RenderOptions): string {
  if (diags.length === 0) return '';
  const { errors, warnings } = countBySeverity(diags);
  const parts = diags.map(d => renderDiagnostic(d, opts));
  const counts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ');
  const files = new Set(diags.map(d => d.file)).size;
  parts.push(`${errors > 0 ? 'error' : 'warning'}: ${counts} in ${plural(files, 'file')}`);
  return parts.join('\n\n') + '\n';
}

export const JSON_FORMAT_VERSION = 1;

export interface JsonDiagnostic {
  code: string;
  severity: 'error' | 'warning';
  summary: string;
  detail: string | null;
  fix: string | null;
  file: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
}

export interface JsonReport {
  format_version: number;
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: JsonDiagnostic[];
  [extra: string]: unknown;
}

export function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  return {
    code: d.code,
    severity: d.severity,
    summary: d.summary,
    detail: d.detail ?? null,
    fix: d.fix ?? null,
    file: d.file,
    range: {
      start: { line: d.span.start.line, column: d.span.start.column },
      end: { line: d.span.end.line, column: d.span.end.column },
    },
  };
}

/** The machine-readable document (`--format json`); `extra` adds stage-specific fields such as `cells`. */
export function jsonReport(diags: readonly Diagnostic[], extra: Record<string, unknown> = {}): JsonReport {
  const { errors, warnings } = countBySeverity(diags);
  return {
    format_version: JSON_FORMAT_VERSION,
    valid: errors === 0,
    error_count: errors,
    warning_count: warnings,
    diagnostics: diags.map(toJsonDiagnostic),
    ...extra,
  };
}
