// The checker's diagnostics as LSP diagnostics: the same code, summary (the message's first line) and
// range as `rlvrc check`, with the fix as a second line and related locations as related information.
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Analysis } from './analysis.js';
import { absOf, MAX_CHECKED_CHARS } from './analysis.js';
import { pathToUri, toRange } from './paths.js';

export function toLsp(a: Analysis, d: Diagnostic): LspDiagnostic {
  const related = (d.related ?? []).flatMap(r => {
    const abs = absOf(a, r.file);
    return abs ? [{ location: { uri: pathToUri(abs), range: toRange(r.span) }, message: r.message }] : [];
  });
  return {
    range: toRange(d.span),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'rlvrc',
    message: d.fix ? `${d.summary}\n${d.fix}` : d.summary,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
  };
}

/** An analysis's diagnostics by the absolute path of the file they are in (the document and its imports). */
export function diagnosticsByFile(a: Analysis): Map<string, LspDiagnostic[]> {
  const out = new Map<string, LspDiagnostic[]>([[a.abs, []]]);
  if (a.tooLarge) {
    out.get(a.abs)!.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Warning,
      source: 'rlvrc lsp',
      message: `this file has ${a.text.length} characters, more than the ${MAX_CHECKED_CHARS} the language server checks as you type; run rlvrc check on it`,
    });
  }
  for (const d of a.diagnostics) {
    const abs = a.result ? absOf(a, d.file) : a.abs;
    if (!abs) continue;
    const list = out.get(abs) ?? [];
    list.push(toLsp(a, d));
    out.set(abs, list);
  }
  return out;
}
