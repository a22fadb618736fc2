// Language server latency on experiments/paper.rlvr, through stdio as an editor sees it: from a didChange
// to the publishDiagnostics of that version, and from a completion request to its answer (right after an
// edit, when the document must be checked again first, and on an unchanged document). Median and worst of
// N edits after 3 warm-up edits. Diagnostics are measured with the debounce at 0 (the server's own work)
// and at the default 200 ms (what a user waits for after the last keystroke). Prints JSON.
//   node --import tsx bench/lsp.ts [--edits 40]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspClient, positionOf, ROOT, uriOf } from '../test/lsp/client.js';

const editsArg = process.argv.indexOf('--edits');
const EDITS = editsArg >= 0 ? Number(process.argv[editsArg + 1]) : 40;
const WARMUP = 3;
const FILE = 'experiments/paper.rlvr';

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median_ms: Number(median.toFixed(1)), worst_ms: Number(s[s.length - 1]!.toFixed(1)), n: s.length };
};

async function run(debounceMs: number) {
  const c = new LspClient();
  try {
    await c.initialize({ debounceMs });
    const uri = uriOf(FILE);
    const text = readFileSync(join(ROOT, FILE), 'utf8');
    const opened = c.diagnostics(uri, 1);
    c.open(uri, text, 1);
    await opened;
    // Each edit flips the experiment's seed between 42 and 43: a real re-check of the whole file.
    const seedAt = positionOf(text, 'seed = 42', 0, 'seed = 4'.length);
    const completeAt = positionOf(text, '  algorithm grpo {', 0, 0);
    const completeIn = { line: completeAt.line + 1, character: 4 };
    const diagnostics: number[] = [];
    const completionAfterEdit: number[] = [];
    const completionCached: number[] = [];
    for (let i = 0, version = 2; i < EDITS + WARMUP; i++) {
      const digit = i % 2 ? '2' : '3';
      const published = c.diagnostics(uri, version);
      const t0 = performance.now();
      c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: seedAt, end: { ...seedAt, character: seedAt.character + 1 } }, text: digit }] });
      await published;
      const dt = performance.now() - t0;
      version++;
      // A second edit, then a completion at once: the server checks the new text before answering.
      const second = c.diagnostics(uri, version);
      const t1 = performance.now();
      c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: seedAt, end: { ...seedAt, character: seedAt.character + 1 } }, text: digit === '2' ? '3' : '2' }] });
      const items = await c.call('textDocument/completion', { textDocument: { uri }, position: completeIn });
      const ct = performance.now() - t1;
      const t2 = performance.now();
      await c.call('textDocument/completion', { textDocument: { uri }, position: completeIn });
      const cc = performance.now() - t2;
      if (!Array.isArray(items) || items.length === 0) throw new Error('completion returned nothing');
      await second;
      version++;
      if (i < WARMUP) continue;
      diagnostics.push(dt);
      completionAfterEdit.push(ct);
      completionCached.push(cc);
    }
    await c.shutdown();
    return { diagnostics_after_edit: stats(diagnostics), completion_after_edit: stats(completionAfterEdit), completion_unchanged: stats(completionCached) };
  } finally {
    c.kill();
  }
}

const lines = readFileSync(join(ROOT, FILE), 'utf8').split('\n').length;
const immediate = await run(0);
const debounced = await run(200);
console.log(JSON.stringify({ file: FILE, lines, edits: EDITS, debounce_0ms: immediate, debounce_200ms: { diagnostics_after_edit: debounced.diagnostics_after_edit } }, null, 2));
