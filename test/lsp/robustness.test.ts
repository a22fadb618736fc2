// The server under hostile conditions: half-typed and unparsable files, a 2,000-line spec, files deleted
// while open, requests out of order, and thousands of random edits. The server must answer every request
// (an answer, possibly empty; never a crash or a silent stall) and its diagnostics must stay those of the
// checker on the document's current text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check } from '../../src/checker/check.js';
import { MAX_CHECKED_CHARS } from '../../src/lsp/analysis.js';
import { LspClient, positionOf, ROOT, uriOf } from './client.js';

let c: LspClient;
before(async () => {
  c = new LspClient();
  await c.initialize();
});
after(() => c.kill());

const QUICKSTART = readFileSync(join(ROOT, 'experiments/quickstart.rlvr'), 'utf8');

/** Every position-taking request the server answers, at one position: each must get a non-error answer. */
async function everyRequest(uri: string, position: { line: number; character: number }): Promise<void> {
  const doc = { textDocument: { uri } };
  const asks: Array<[string, object]> = [
    ['textDocument/hover', { ...doc, position }],
    ['textDocument/completion', { ...doc, position }],
    ['textDocument/definition', { ...doc, position }],
    ['textDocument/references', { ...doc, position, context: { includeDeclaration: true } }],
    ['textDocument/prepareRename', { ...doc, position }],
    ['textDocument/documentSymbol', doc],
    ['textDocument/foldingRange', doc],
    ['textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } }],
    ['textDocument/codeAction', { ...doc, range: { start: position, end: position }, context: { diagnostics: [] } }],
    ['textDocument/semanticTokens/full', doc],
  ];
  for (const [method, params] of asks) {
    const r = await c.request(method, params);
    assert.equal(r.error, undefined, `${method} at ${JSON.stringify(position)}: ${r.error?.message}`);
  }
}

test('a half-typed file: every prefix of a line-by-line typing session gets diagnostics and answers', async () => {
  const uri = 'untitled:HalfTyped.rlvr';
  const lines = QUICKSTART.split('\n');
  c.open(uri, '', 1);
  let version = 1;
  // Cut the file after every 5th line, and in the middle of that line: unclosed blocks, dangling '='.
  for (let n = 5; n < lines.length; n += 5) {
    const text = lines.slice(0, n).join('\n') + '\n' + lines[n]!.slice(0, Math.ceil(lines[n]!.length / 2));
    version++;
    const published = c.diagnostics(uri, version);
    c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    const end = { line: n, character: Math.ceil(lines[n]!.length / 2) };
    await everyRequest(uri, end);
    const got = (await published).diagnostics;
    const expected = check([{ file: '/HalfTyped.rlvr', text }], { cwd: '/' }).diagnostics;
    assert.deepEqual(got.map((d: any) => d.code), expected.map(d => d.code), `cut at line ${n + 1}`);
  }
});

test('a file that does not parse gets its syntax errors and empty answers', async () => {
  const uri = 'untitled:Garbage.rlvr';
  const text = 'experiment {{{ ]] == """ \n  model = = with with\n}}} @@@ \u0000 import from';
  const d = c.diagnostics(uri);
  c.open(uri, text);
  const diags = (await d).diagnostics;
  assert.ok(diags.length > 0 && diags.every((x: any) => /^RLVR1/.test(x.code)), JSON.stringify(diags.map((x: any) => x.code)));
  for (let offset = 0; offset <= text.length; offset += 7) {
    const line = text.slice(0, offset).split('\n').length - 1;
    await everyRequest(uri, { line, character: offset - (text.lastIndexOf('\n', offset - 1) + 1) });
  }
  // Positions past the end of the document, too.
  await everyRequest(uri, { line: 99, character: 99 });
});

/** A valid spec of about 2,000 lines: many datasets, rewards and evals around one train block. */
function bigSpec(): string {
  const out = ['experiment big {', '  language = 1', ''];
  for (let i = 0; out.length < 1960; i++) {
    out.push(`  dataset d${i} = arithmetic {`, '    operands = 2..2', '    digits = 1..1', '    train = 50', '    test = 20', `    seed = ${i}`, '  }');
    out.push(`  reward r${i} = correct(label) or contains("${i}")`, '');
  }
  out.push('  model m = transformer { layers = 1, d_model = 16, heads = 2, context = 48 }', '  algorithm grpo { max_tokens = 40 }', '  optimizer adam { lr = 1e-3 }');
  out.push('  train {', '    model = m', '    data = d0.train', '    reward = r0', '    algorithm = grpo', '    optimizer = adam', '    steps = 0', '  }', '}');
  return out.join('\n') + '\n';
}

test('a generated 2,000-line spec: diagnostics equal the checker, every request answers', async () => {
  const text = bigSpec();
  assert.ok(text.split('\n').length >= 1970);
  const uri = 'untitled:Big.rlvr';
  const d = c.diagnostics(uri);
  c.open(uri, text);
  const expected = check([{ file: '/Big.rlvr', text }], { cwd: '/' }).diagnostics;
  assert.deepEqual((await d).diagnostics.map((x: any) => x.code), expected.map(x => x.code));
  await everyRequest(uri, positionOf(text, 'reward = r0', 0, 10));
  const refs = await c.call('textDocument/references', { textDocument: { uri }, position: positionOf(text, 'r0 ='), context: { includeDeclaration: true } });
  assert.equal(refs.length, 2);
  const symbols = await c.call('textDocument/documentSymbol', { textDocument: { uri } });
  assert.ok(symbols[0].children.length > 400);
});

test('a file over the size the server checks gets one warning and empty answers, until it shrinks', async () => {
  const uri = 'untitled:Huge.rlvr';
  const huge = `${QUICKSTART}\n${'// padding\n'.repeat(Math.ceil(MAX_CHECKED_CHARS / 11))}`;
  const d = c.diagnostics(uri);
  c.open(uri, huge);
  const [warning, ...rest] = (await d).diagnostics;
  assert.deepEqual(rest, []);
  assert.equal(warning.message, `this file has ${huge.length} characters, more than the ${MAX_CHECKED_CHARS} the language server checks as you type; run rlvrc check on it`);
  await everyRequest(uri, positionOf(huge, 'model = tiny', 0, 9));
  assert.equal(await c.call('textDocument/hover', { textDocument: { uri }, position: positionOf(huge, 'model = tiny', 0, 9) }), null);
  const small = c.diagnostics(uri, 2);
  c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: QUICKSTART }] });
  assert.deepEqual((await small).diagnostics, []);
});

test('a file deleted while open: the open text still answers; a deleted import is reported once the client says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-lsp-'));
  try {
    writeFileSync(join(dir, 'lib.rlvr'), readFileSync(join(ROOT, 'test/fixtures/lsp/imports/lib.rlvr'), 'utf8').replace('clipp', 'clip'));
    const mainText = readFileSync(join(ROOT, 'test/fixtures/lsp/imports/main.rlvr'), 'utf8');
    writeFileSync(join(dir, 'main.rlvr'), mainText);
    const main = pathToFileURL(join(dir, 'main.rlvr')).href;
    const clean = c.diagnostics(main);
    c.open(main, mainText);
    assert.deepEqual((await clean).diagnostics, []);

    rmSync(join(dir, 'lib.rlvr'));
    const gone = c.diagnostics(main);
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, 'lib.rlvr')).href, type: 3 }] });
    const diags = (await gone).diagnostics;
    assert.equal(diags[0].code, 'RLVR6001');
    assert.match(diags[0].message, /lib\.rlvr/);

    rmSync(join(dir, 'main.rlvr'));
    await everyRequest(main, positionOf(mainText, 'model = tiny', 0, 9));
    const h = await c.call('textDocument/hover', { textDocument: { uri: main }, position: positionOf(mainText, 'model = tiny', 0, 9) });
    assert.match(h.contents.value, /model tiny/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('requests out of order: unopened URIs, stale versions, changes to closed files, unknown methods', async () => {
  // Hover on a file that was never opened: read from disk; on one that does not exist: null.
  const q = 'experiments/quickstart.rlvr';
  const h = await c.call('textDocument/hover', { textDocument: { uri: uriOf(q) }, position: positionOf(QUICKSTART, 'model = tiny', 0, 9) });
  assert.match(h.contents.value, /model tiny/);
  assert.equal(await c.call('textDocument/hover', { textDocument: { uri: uriOf('experiments/none.rlvr') }, position: { line: 0, character: 0 } }), null);
  assert.deepEqual(await c.call('textDocument/formatting', { textDocument: { uri: uriOf('experiments/none.rlvr') }, options: { tabSize: 2, insertSpaces: true } }), []);
  // A change to a document that is not open is ignored.
  c.notify('textDocument/didChange', { textDocument: { uri: 'untitled:Never.rlvr', version: 2 }, contentChanges: [{ text: 'x' }] });

  // A stale change (version not newer) is dropped: the diagnostics stay those of the current text.
  const uri = 'untitled:Versions.rlvr';
  const v5 = c.diagnostics(uri, 5);
  c.open(uri, QUICKSTART, 5);
  assert.deepEqual((await v5).diagnostics, []);
  c.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: 'experiment broken {' }] });
  c.notify('textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text: 'experiment broken {' }] });
  const symbols = await c.call('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(symbols[0].name, 'quickstart', 'the stale versions were not applied');
  const logged = c.notifications.filter(m => m.method === 'window/logMessage').map(m => m.params.message).join('\n');
  assert.match(logged, /ignored a change to untitled:Versions.rlvr \(version 3\): not newer than 5/);

  // Requests after close answer from disk or not at all, and the server goes on.
  c.notify('textDocument/didClose', { textDocument: { uri } });
  assert.equal(await c.call('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), null);
  const unknown = await c.request('textDocument/frobnicate', {});
  assert.equal(unknown.error?.code, -32601);
  assert.ok(await c.call('textDocument/hover', { textDocument: { uri: uriOf(q) }, position: positionOf(QUICKSTART, 'model = tiny', 0, 9) }));
});

test('a client that dies (closes stdin without shutdown) ends the server with status 1', { timeout: 60_000 }, async () => {
  const orphan = new LspClient();
  try {
    await orphan.initialize();
    orphan.open('untitled:Orphan.rlvr', QUICKSTART);
    orphan.proc.stdin.end();
    assert.equal(await orphan.exited, 1);
  } finally {
    orphan.kill();
  }
});

/** A seeded generator (mulberry32), so that a failing fuzz run can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: 3,000 random incremental edits never crash the server nor leave it silent', async () => {
  const random = rng(19);
  const pieces = ['{', '}', '=', ' ', '\n', '"', '"""', '//', '/*', '..', 'with', 'where', 'grid', 'model', 'tiny', 'arith.train', '(', ')', ',', '[', ']', '0.5', 'é', '😀', 'experiment x {', 'reward r = correct(label)'];
  const uri = 'untitled:Fuzz.rlvr';
  let text = readFileSync(join(ROOT, 'experiments/paper-mini.rlvr'), 'utf8');
  let version = 1;
  c.open(uri, text, version);
  const posOf = (offset: number) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
  };
  for (let i = 0; i < 3000; i++) {
    // Offsets are kept off the middle of a surrogate pair, as an editor never splits one.
    const clamp = (o: number) => (o > 0 && o < text.length && /[\udc00-\udfff]/.test(text[o]!) ? o - 1 : o);
    const start = clamp(Math.floor(random() * (text.length + 1)));
    const end = clamp(Math.min(text.length, start + Math.floor(random() * random() * 40)));
    const insert = random() < 0.6 ? pieces[Math.floor(random() * pieces.length)]! : '';
    const range = { start: posOf(start), end: posOf(Math.max(start, end)) };
    text = text.slice(0, start) + insert + text.slice(Math.max(start, end));
    version++;
    c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
    // Every 50 edits, a request that needs an analysis of the current text.
    if (i % 50 === 49) {
      const r = await c.request('textDocument/hover', { textDocument: { uri }, position: posOf(Math.floor(random() * text.length)) });
      assert.equal(r.error, undefined);
      const tokens = await c.call('textDocument/semanticTokens/full', { textDocument: { uri } });
      assert.equal(tokens.data.length % 5, 0);
    }
  }
  // The server's text is the client's: its diagnostics are the checker's on the final text.
  const final = await c.diagnostics(uri, version);
  const expected = check([{ file: '/Fuzz.rlvr', text }], { cwd: '/' }).diagnostics;
  assert.deepEqual(final.diagnostics.map((d: any) => [d.code, d.range.start.line]), expected.map(d => [d.code, d.span.start.line - 1]));
  assert.equal(c.proc.exitCode, null, 'the server is still running');
  const logged = c.notifications.filter(m => m.method === 'window/logMessage').map(m => m.params.message).join('\n');
  assert.doesNotMatch(logged, /failed:|the checker failed/, 'no handler threw');
});
