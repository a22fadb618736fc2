// Quick fixes for the checker's diagnostics whose fix is a single edit: "did you mean 'x'?" replaces the
// misspelt name; "raise context to at least N" / "raise max_tokens to N" rewrite the number.
import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver';
import type { Analysis } from './analysis.js';
import { before, toRange } from './paths.js';
import { toLsp } from './diagnostics.js';

function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function codeActions(a: Analysis, range: Range): CodeAction[] {
  const out: CodeAction[] = [];
  const uri = a.uri;
  for (const d of a.diagnostics) {
    if (!d.fix || d.span.start.offset < 0) continue;
    if (a.file && d.file !== a.file.display) continue;
    const r = toRange(d.span);
    if (!overlaps(r, range)) continue;
    const written = a.text.slice(d.span.start.offset, d.span.end.offset);
    let edit: { range: Range; newText: string } | undefined;
    const mean = /^did you mean '([A-Za-z_]\w*)'\?$/.exec(d.fix);
    if (mean && /^[A-Za-z_]\w*$/.test(written)) edit = { range: r, newText: mean[1]! };
    const raise = /^raise (context|max_tokens) to (?:at least )?(\d+)$/.exec(d.fix);
    // Only where the diagnostic points at that field's own number (the rollout rule points at max_tokens).
    const lineBefore = a.text.slice(a.text.lastIndexOf('\n', d.span.start.offset - 1) + 1, d.span.start.offset);
    const num = raise ? new RegExp(`^${raise[1]}\\s*=\\s*(\\d+)$`).exec(written) ?? (new RegExp(`\\b${raise[1]}\\s*=\\s*$`).test(lineBefore) ? /^(\d+)$/.exec(written) : null) : null;
    if (raise && num) {
      const start = d.span.start.offset + written.length - num[1]!.length;
      const lineStart = a.text.lastIndexOf('\n', start - 1) + 1;
      const line = d.span.start.line - 1;
      edit = { range: { start: { line, character: start - lineStart }, end: r.end }, newText: raise[2]! };
    }
    if (!edit) continue;
    out.push({
      title: mean ? `Change to '${mean[1]}'` : `Set ${raise![1]} to ${raise![2]}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [toLsp(a, d)],
      isPreferred: true,
      edit: { changes: { [uri]: [edit] } },
    });
  }
  return out;
}
