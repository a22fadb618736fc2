// The extension manifest (grammar/package.json), the language configuration, and the grammar file's structure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { grammarPath, loadGrammar, repoRoot, SCOPE } from './tokenize.js';

const require = createRequire(import.meta.url);
const grammarDir = join(repoRoot, 'grammar');
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;
const manifest = readJson(join(grammarDir, 'package.json'));
const config = readJson(join(grammarDir, 'language-configuration.json'));

test('the manifest declares the rlvr language and its grammar', () => {
  assert.equal(manifest.name, 'rlvr-language');
  assert.equal(manifest.publisher, 'rlvrc');
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.match(manifest.engines?.vscode ?? '', /^\^\d+\.\d+\.\d+$/);
  const langs = manifest.contributes.languages as any[];
  assert.equal(langs.length, 1);
  assert.equal(langs[0].id, 'rlvr');
  assert.deepEqual(langs[0].extensions, ['.rlvr']);
  assert.ok(langs[0].aliases.includes('RLVR'));
  assert.ok(existsSync(join(grammarDir, langs[0].configuration)), 'configuration file exists');
  const grammars = manifest.contributes.grammars as any[];
  assert.equal(grammars.length, 1);
  assert.equal(grammars[0].language, 'rlvr');
  assert.equal(grammars[0].scopeName, SCOPE);
  const path = join(grammarDir, grammars[0].path);
  assert.equal(path, grammarPath);
  assert.equal(readJson(path).scopeName, SCOPE);
  assert.ok(existsSync(join(grammarDir, 'README.md')));
});

test('the grammar: every include resolves, every repository rule is used, every regex compiles', async () => {
  const g = readJson(grammarPath);
  assert.equal(g.scopeName, SCOPE);
  assert.equal(g.name, 'rlvr', 'the name doubles as the Shiki language id');
  const repo = g.repository as Record<string, any>;
  const used = new Set<string>();
  const regexes: string[] = [];
  const visit = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    if (typeof node.include === 'string') {
      if (node.include.startsWith('#')) {
        const key = node.include.slice(1);
        assert.ok(key in repo, `include ${node.include} resolves`);
        used.add(key);
      } else assert.ok(['$self', '$base'].includes(node.include), `unexpected include ${node.include}`);
    }
    for (const k of ['match', 'begin', 'end']) if (typeof node[k] === 'string') regexes.push(node[k]);
    for (const v of Object.values(node)) if (v && typeof v === 'object') visit(v);
  };
  visit(g.patterns);
  visit(repo);
  assert.deepEqual(Object.keys(repo).filter(k => !used.has(k)), [], 'unused repository rules');
  assert.ok(regexes.length > 30);
  // vscode-oniguruma does not report a broken pattern: it silently turns it into one that matches the empty
  // string everywhere. So: no pattern may match empty at the start of a line of control characters (a broken
  // one does, as checked below), and every pattern must also be a valid JavaScript RegExp (which also keeps
  // the grammar usable with Shiki's JavaScript regex engine).
  await loadGrammar(); // loads the oniguruma wasm
  const onig = require('vscode-oniguruma') as { OnigScanner: new (p: string[]) => { findNextMatchSync(s: string, start: number): { captureIndices: { start: number; end: number }[] } | null; dispose(): void } };
  const matchesEmptyAtStart = (re: string) => {
    const scanner = new onig.OnigScanner([re]);
    try {
      const m = scanner.findNextMatchSync('\u0001\u0001', 0);
      return m !== null && m.captureIndices[0]!.start === 0 && m.captureIndices[0]!.end === 0;
    } finally {
      scanner.dispose();
    }
  };
  assert.ok(matchesEmptyAtStart('(unclosed') && matchesEmptyAtStart('[abc'), 'a broken pattern is detected');
  for (const re of regexes) {
    assert.ok(!matchesEmptyAtStart(re), `oniguruma compiles ${re}`);
    assert.doesNotThrow(() => new RegExp(re), `JavaScript compiles ${re}`);
  }
});

test('the language configuration: comments, brackets, pairs, folding', () => {
  assert.deepEqual(config.comments, { lineComment: '//', blockComment: ['/*', '*/'] });
  assert.deepEqual(config.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const closing = Object.fromEntries((config.autoClosingPairs as { open: string; close: string }[]).map(p => [p.open, p.close]));
  assert.deepEqual(closing, { '{': '}', '[': ']', '(': ')', '"""': '"""', '"': '"', '/*': ' */' });
  assert.deepEqual(config.surroundingPairs, [['{', '}'], ['[', ']'], ['(', ')'], ['"', '"']]);
  const start = new RegExp(config.folding.markers.start), end = new RegExp(config.folding.markers.end);
  assert.ok(start.test('  // region grids') && start.test('//#region') && !start.test('x = 1 // region'));
  assert.ok(end.test('  // endregion') && !end.test('  // region'));
});

test('the language configuration: indentation rules and word pattern', () => {
  const inc = new RegExp(config.indentationRules.increaseIndentPattern);
  const dec = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const line of ['experiment e {', '  model m = transformer {  // comment', '  metrics = [', '  betas = (', '  prompt p { user = """']) assert.ok(inc.test(line), `indent after ${line}`);
  for (const line of ['seed = 42', '  eval e { data = d }', '// a comment {', '  """ }']) assert.ok(!inc.test(line), `no indent after ${line}`);
  for (const line of ['}', '  }', '  ]', ')', '    """ }']) assert.ok(dec.test(line), `outdent ${line}`);
  for (const line of ['  seed = 1', '  model m {']) assert.ok(!dec.test(line), `no outdent ${line}`);
  const word = new RegExp(`^(?:${config.wordPattern})$`);
  for (const w of ['qwen_math_like', '_x1', 'model', '42', '5e-7', '1.0e-3', '0.65']) assert.ok(word.test(w), `word ${w}`);
  for (const w of ['a.b', 'a-b', 'a b', '"x"', '{q}']) assert.ok(!word.test(w), `not one word: ${w}`);
});

test('the extension folder is shipped with the package', () => {
  const root = readJson(join(repoRoot, 'package.json'));
  assert.ok((root.files as string[]).includes('grammar'), 'root package.json "files" lists grammar');
  assert.equal(dirname(grammarPath), join(grammarDir, 'syntaxes'));
});
