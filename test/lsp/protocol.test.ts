// The language server driven over stdio with real LSP messages, as an editor drives it, on the project's
// own experiment files: every answer is checked against the checker (`rlvrc check --format json`), the
// formatter, hand-worked expectations or a golden file (test/fixtures/lsp/, UPDATE_GOLDEN=1 rewrites).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import { format } from '../../src/language/format.js';
import { parse } from '../../src/language/parse.js';
import { expectGolden, FIXTURES } from '../helpers/golden.js';
import { LEGEND } from '../../src/lsp/semantic-tokens.js';
import { LspClient, positionOf, ROOT, uriOf } from './client.js';

let c: LspClient;
before(async () => {
  c = new LspClient();
  await c.initialize();
});
after(() => c.kill());

const EXPERIMENTS = readdirSync(join(ROOT, 'experiments')).filter(f => f.endsWith('.rlvr')).sort().map(f => `experiments/${f}`);
const IMPORTS = 'test/fixtures/lsp/imports';

async function checkJson(file: string): Promise<Array<{ code: string; severity: string; summary: string; file: string; range: any }>> {
  let out = '';
  await runCli(['check', '--format', 'json', file], { stdout: s => { out += s; }, stderr: () => {}, cwd: ROOT });
  return JSON.parse(out).diagnostics;
}

/** A diagnostic of `rlvrc check --format json` as the server publishes it. */
const asLsp = (d: { code: string; severity: string; summary: string; range: any }) => ({
  code: d.code,
  severity: d.severity === 'error' ? 1 : 2,
  summary: d.summary,
  range: { start: { line: d.range.start.line - 1, character: d.range.start.column - 1 }, end: { line: d.range.end.line - 1, character: d.range.end.column - 1 } },
});
const published = (list: any[]) => list.map(d => ({ code: d.code, severity: d.severity, summary: String(d.message).split('\n')[0], range: d.range }));

test('initialize announces every feature the server has', async () => {
  const probe = new LspClient();
  try {
    const init = await probe.initialize();
    assert.equal(init.serverInfo.name, 'rlvrc');
    assert.deepEqual(Object.keys(init.capabilities).sort(), [
      'codeActionProvider', 'completionProvider', 'definitionProvider', 'documentFormattingProvider', 'documentSymbolProvider',
      'foldingRangeProvider', 'hoverProvider', 'referencesProvider', 'renameProvider', 'semanticTokensProvider', 'textDocumentSync',
    ]);
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.equal(await probe.shutdown(), 0, 'exit after shutdown ends the process with status 0');
  } finally {
    probe.kill();
  }
});

test('diagnostics of every experiment file equal rlvrc check: codes, severities, messages and ranges', async () => {
  for (const file of EXPERIMENTS) {
    const uri = uriOf(file);
    const got = c.diagnostics(uri);
    c.open(uri, readFileSync(join(ROOT, file), 'utf8'));
    const expected = (await checkJson(file)).filter(d => d.file === file).map(asLsp);
    assert.deepEqual(published((await got).diagnostics), expected, file);
  }
  // paper.rlvr warns about checkpoints not on disk: a non-empty comparison, not only empty lists.
  assert.ok((await checkJson('experiments/paper.rlvr')).length > 0);
});

test('diagnostics of an imported file are published to that file, as rlvrc check reports them', async () => {
  const lib = uriOf(`${IMPORTS}/lib.rlvr`);
  const libDiags = c.diagnostics(lib);
  const mainDiags = c.diagnostics(uriOf(`${IMPORTS}/main.rlvr`));
  c.openFile(`${IMPORTS}/main.rlvr`);
  const expected = await checkJson(`${IMPORTS}/main.rlvr`);
  assert.equal(expected.length, 1);
  assert.deepEqual(published((await libDiags).diagnostics), expected.map(asLsp));
  assert.equal((await libDiags).diagnostics[0].message, "unknown field 'clipp' in algorithm grpo\ndid you mean 'clip'?");
  assert.deepEqual((await mainDiags).diagnostics, []);
});

test('didChange is debounced: five quick edits give one analysis, of the last version', async () => {
  const file = 'experiments/quickstart.rlvr';
  const uri = uriOf(`${file}`);
  const text = readFileSync(join(ROOT, file), 'utf8');
  const start = c.notifications.length;
  const at = positionOf(text, 'lr = 5e-4');
  // Versions 2..6 each insert one more 'r': lr → lrrrrrr.
  for (let v = 2; v <= 6; v++) {
    c.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { ...at, character: at.character + 1 }, end: { ...at, character: at.character + 1 } }, text: 'r' }] });
  }
  const last = await c.diagnostics(uri, 6);
  const between = c.notifications.slice(start).filter(m => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  assert.deepEqual(between.map(m => m.params.version), [6], 'one publication, for version 6');
  const edited = text.replace('lr = 5e-4', 'lrrrrrr = 5e-4');
  let out = '';
  await runCli(['check', '--format', 'json', file], { stdout: s => { out += s; }, stderr: () => {}, cwd: ROOT });
  const { check } = await import('../../src/checker/check.js');
  const expected = check([{ file, text: edited }], { cwd: ROOT }).diagnostics.map(d => ({ code: d.code, summary: d.summary, line: d.span.start.line - 1 }));
  assert.deepEqual(last.diagnostics.map(d => ({ code: d.code, summary: d.message.split('\n')[0], line: d.range.start.line })), expected);
  assert.ok(last.diagnostics.some(d => d.code === 'RLVR2004' && /unknown field 'lrrrrrr'/.test(d.message)));

  // Undo: back to the file as on disk, and no diagnostics.
  const back = c.diagnostics(uri, 7);
  c.notify('textDocument/didChange', { textDocument: { uri, version: 7 }, contentChanges: [{ text }] });
  assert.deepEqual((await back).diagnostics, []);
});

test('code actions: "did you mean" replaces the name, "raise context" rewrites the number; applying them clears the error', async () => {
  const uri = 'untitled:Fixes.rlvr';
  const original = readFileSync(join(ROOT, 'experiments/quickstart.rlvr'), 'utf8');
  const broken = original.replace('minibatch = 32', 'minibach = 32').replace('context = 48', 'context = 20');
  const d = c.diagnostics(uri);
  c.open(uri, broken);
  const diags = (await d).diagnostics;
  // context 20 is too short for pretraining (a fix at context) and for a rollout (reported at max_tokens: no
  // single-number fix there), and leaves too little room for the prompt (RLVR5016).
  assert.deepEqual(diags.map(x => x.code).sort(), ['RLVR2004', 'RLVR5006', 'RLVR5006', 'RLVR5016']);
  let text = broken;
  let fixed = 0;
  for (const diag of diags) {
    const actions = await c.call('textDocument/codeAction', { textDocument: { uri }, range: diag.range, context: { diagnostics: [diag] } });
    const fixable = diag.code === 'RLVR2004' || (diag.code === 'RLVR5006' && text.split('\n')[diag.range.start.line].includes('context'));
    assert.equal(actions.length, fixable ? 1 : 0, diag.message);
    if (!fixable) continue;
    fixed++;
    const [edit] = actions[0].edit.changes[uri];
    const lines = text.split('\n');
    const line = lines[edit.range.start.line];
    lines[edit.range.start.line] = line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character);
    text = lines.join('\n');
  }
  assert.equal(fixed, 2);
  // The pretraining rule asks for 36 (question + response + BOS and EOS); the rollout rule (46) has no edit.
  assert.equal(text, original.replace('context = 48', 'context = 36'));
  const after = c.diagnostics(uri, 2);
  c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
  assert.deepEqual((await after).diagnostics.map((d: any) => d.message.split('\n')[0]), ['context 36 is too short: a rollout (question 4 + max_tokens 40 + BOS and EOS) needs 46 tokens']);
});

// Hover at named places of the experiment files, one golden document: fields (type, default, doc line),
// declared names (resolved value after `with`), reward functions, grids (cell count).
const HOVERS: Array<[file: string, needle: string, nth: number, shift: number]> = [
  ['experiments/quickstart.rlvr', 'model = tiny', 0, 9],
  ['experiments/quickstart.rlvr', 'minibatch', 0, 0],
  ['experiments/quickstart.rlvr', 'advantage = group_norm', 0, 0],
  ['experiments/quickstart.rlvr', 'advantage = group_norm', 0, 'advantage = '.length],
  ['experiments/quickstart.rlvr', 'code_rate', 0, 0],
  ['experiments/quickstart.rlvr', 'correct(label)', 0, 0],
  ['experiments/quickstart.rlvr', 'reward = ground_truth', 0, 10],
  ['experiments/quickstart.rlvr', 'strategy code', 0, 0],
  ['experiments/quickstart.rlvr', 'language = 1', 0, 0],
  ['experiments/paper.rlvr', 'prompt code_forcing', 0, 8],
  ['experiments/paper.rlvr', 'grid main', 0, 6],
  ['experiments/paper.rlvr', '    reward in [ground_truth', 0, 4],
  ['experiments/spurious-search.rlvr', 'algorithm.clip in', 0, 'algorithm.'.length],
  ['experiments/paper.rlvr', 'reward incorrect', 0, 8],
  ['experiments/paper.rlvr', 'majority_label(samples', 0, 0],
];

test('hover: field catalogue, resolved declarations, reward functions and grid sizes (golden)', async () => {
  const parts: string[] = [];
  for (const file of [...new Set(HOVERS.map(h => h[0]))]) if (file !== 'experiments/quickstart.rlvr') c.openFile(file);
  for (const [file, needle, nth, shift] of HOVERS) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const position = positionOf(text, needle, nth, shift);
    const h = await c.call('textDocument/hover', { textDocument: { uri: uriOf(file) }, position });
    assert.ok(h, `a hover at ${needle}`);
    parts.push(`## ${file} ${position.line + 1}:${position.character + 1} (${needle})\n\n${h.contents.value}\n`);
  }
  expectGolden(join(FIXTURES, 'lsp/hover.golden.md'), parts.join('\n'));
  const grid = parts.find(p => p.includes('(grid main)'))!;
  assert.match(grid, /\*\*grid main\*\*: 10 cells = model \(2\) × reward \(5\)/);
});

test('completion: fields of the block, names of the expected kind, enum values, reward functions and parameters', async () => {
  const file = 'experiments/quickstart.rlvr';
  const uri = uriOf(file);
  const text = readFileSync(join(ROOT, file), 'utf8');
  const labels = async (needle: string, shift: number) => (await c.call('textDocument/completion', { textDocument: { uri }, position: positionOf(text, needle, 0, shift) })).map((i: any) => i.label);
  const inAlgorithm = await labels('    kl = 0', 4);
  assert.ok(inAlgorithm.includes('kl_estimator') && inAlgorithm.includes('top_p') && !inAlgorithm.includes('lr'), inAlgorithm.join(' '));
  assert.deepEqual(await labels('advantage = group_norm', 'advantage = '.length), ['group_norm', 'group_center']);
  assert.deepEqual(await labels('model = tiny', 'model = '.length), ['tiny']);
  assert.deepEqual(await labels('data = arith.train', 'data = '.length), ['arith']);
  const inStage = await labels('      batch = 32', 6);
  assert.ok(inStage.includes('steps') && inStage.includes('strategy') && !inStage.includes('heads'), inStage.join(' '));
  const rewards = await labels('reward ground_truth = correct', 'reward ground_truth = '.length);
  assert.ok(['ground_truth', 'correct', 'random', 'contains', 'no_repetition'].every(r => rewards.includes(r)), rewards.join(' '));
  const items = await c.call('textDocument/completion', { textDocument: { uri }, position: positionOf(text, '    kl = 0', 0, 4) });
  const clip = items.find((i: any) => i.label === 'clip');
  assert.match(clip.documentation.value, /PPO ratio clip/);

  const paper = readFileSync(join(ROOT, 'experiments/paper.rlvr'), 'utf8');
  const params = await c.call('textDocument/completion', { textDocument: { uri: uriOf('experiments/paper.rlvr') }, position: positionOf(paper, 'majority_label(samples', 0, 'majority_label('.length) });
  assert.deepEqual(params.map((i: any) => i.label), ['samples', 'temperature', 'online']);
  assert.deepEqual(await labels('correct(label)', 'correct('.length), ['label', 'majority_label']);
  // In a grid: axis names at the start of an entry, and names of the axis's kind in its list.
  const axes = await c.call('textDocument/completion', { textDocument: { uri: uriOf('experiments/paper.rlvr') }, position: positionOf(paper, '    reward in [ground_truth', 0, 4) });
  assert.deepEqual(axes.map((i: any) => i.label), ['seed', 'model', 'data', 'reward', 'algorithm', 'optimizer', 'prompt', 'steps', 'checkpoint_every']);
  const axisValues = await c.call('textDocument/completion', { textDocument: { uri: uriOf('experiments/paper.rlvr') }, position: positionOf(paper, 'reward in [ground_truth, majority', 0, 'reward in [ground_truth, '.length) });
  const rewardNames = axisValues.filter((i: any) => i.kind === 6).map((i: any) => i.label);
  assert.ok(rewardNames.includes('majority') && rewardNames.includes('incorrect') && !rewardNames.includes('qwen_7b'), rewardNames.join(' '));
});

test('definition, references and rename, within a file and across an import', async () => {
  const file = 'experiments/quickstart.rlvr';
  const uri = uriOf(file);
  const text = readFileSync(join(ROOT, file), 'utf8');
  const def = await c.call('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'data = arith', 0, 8) });
  assert.deepEqual(def, { uri, range: { start: positionOf(text, 'arith = '), end: positionOf(text, 'arith = ', 0, 5) } });
  const refs = await c.call('textDocument/references', { textDocument: { uri }, position: positionOf(text, 'arith = '), context: { includeDeclaration: true } });
  assert.deepEqual(refs.map((r: any) => r.range.start), [positionOf(text, 'arith = '), positionOf(text, 'on arith', 0, 3), positionOf(text, 'data = arith', 0, 7), positionOf(text, 'data = arith', 1, 7)]);
  const noDecl = await c.call('textDocument/references', { textDocument: { uri }, position: positionOf(text, 'arith = '), context: { includeDeclaration: false } });
  assert.equal(noDecl.length, 3);

  const rename = await c.call('textDocument/rename', { textDocument: { uri }, position: positionOf(text, 'data = arith', 0, 8), newName: 'world' });
  assert.equal(rename.changes[uri].length, 4);
  assert.ok(rename.changes[uri].every((e: any) => e.newText === 'world'));
  const bad = await c.request('textDocument/rename', { textDocument: { uri }, position: positionOf(text, 'data = arith', 0, 8), newName: 'model' });
  assert.match(bad.error!.message, /'model' is not a valid name/);
  const notAName = await c.call('textDocument/prepareRename', { textDocument: { uri }, position: positionOf(text, 'steps = 30') });
  assert.equal(notAName, null);

  // Across the import: main.rlvr's `grpo` is declared in lib.rlvr.
  const main = `${IMPORTS}/main.rlvr`;
  const mainText = readFileSync(join(ROOT, main), 'utf8');
  const libText = readFileSync(join(ROOT, `${IMPORTS}/lib.rlvr`), 'utf8');
  const crossDef = await c.call('textDocument/definition', { textDocument: { uri: uriOf(main) }, position: positionOf(mainText, 'algorithm = grpo', 0, 13) });
  assert.deepEqual(crossDef, { uri: uriOf(`${IMPORTS}/lib.rlvr`), range: { start: positionOf(libText, 'grpo {'), end: positionOf(libText, 'grpo {', 0, 4) } });
  const crossRename = await c.call('textDocument/rename', { textDocument: { uri: uriOf(main) }, position: positionOf(mainText, 'algorithm = grpo', 0, 13), newName: 'rl' });
  assert.deepEqual(Object.keys(crossRename.changes).sort(), [uriOf(`${IMPORTS}/lib.rlvr`), uriOf(main)].sort());
  assert.equal(crossRename.changes[uriOf(main)].length, 2, 'the import and the use');
  assert.equal(crossRename.changes[uriOf(`${IMPORTS}/lib.rlvr`)].length, 1, 'the declaration');
});

test('formatting is rlvrc fmt: a messy document gets the formatter\'s text; a broken one gets no edit', async () => {
  const uri = 'untitled:Messy.rlvr';
  const tidy = readFileSync(join(ROOT, 'experiments/quickstart.rlvr'), 'utf8');
  const messy = tidy.replace(/^ {2}/gm, '\t').replace('layers = 2', 'layers=2');
  c.open(uri, messy);
  const edits = await c.call('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(edits.length, 1);
  assert.equal(edits[0].newText, format(parse(messy)));
  assert.equal(edits[0].newText, tidy);
  c.open('untitled:Broken.rlvr', 'experiment e {\n  language = \n');
  assert.deepEqual(await c.call('textDocument/formatting', { textDocument: { uri: 'untitled:Broken.rlvr' }, options: { tabSize: 2, insertSpaces: true } }), []);
});

test('semantic tokens classify names by meaning (golden of the decoded tokens of quickstart.rlvr)', async () => {
  const file = 'experiments/quickstart.rlvr';
  const text = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const { data } = await c.call('textDocument/semanticTokens/full', { textDocument: { uri: uriOf(file) } });
  assert.equal(data.length % 5, 0);
  const rows: string[] = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
    const mods = LEGEND.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b));
    rows.push(`${line + 1}:${char + 1} ${text[line]!.slice(char, char + data[i + 2])} ${LEGEND.tokenTypes[data[i + 3]]}${mods.length ? ` ${mods.join(',')}` : ''}`);
  }
  expectGolden(join(FIXTURES, 'lsp/quickstart.tokens.txt'), rows.join('\n') + '\n');
  assert.ok(rows.includes('10:9 tiny variable declaration'), 'the model is a declared variable');
  assert.ok(rows.some(r => / correct function defaultLibrary$/.test(r)), 'correct is a built-in reward function');
  assert.ok(rows.some(r => / group_norm enumMember$/.test(r)), 'group_norm is an enum value');
});

test('document symbols and folding ranges give the outline and the blocks of an experiment', async () => {
  const uri = uriOf('experiments/quickstart.rlvr');
  const symbols = await c.call('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(symbols.length, 1);
  assert.equal(symbols[0].name, 'quickstart');
  assert.deepEqual(symbols[0].children.map((s: any) => `${s.detail} ${s.name}`), [
    'setting language', 'setting seed', 'dataset arith', 'model tiny', 'reward ground_truth', 'algorithm grpo', 'optimizer adam', 'train train', 'eval held_out',
  ]);
  const folds = await c.call('textDocument/foldingRange', { textDocument: { uri } });
  const text = readFileSync(join(ROOT, 'experiments/quickstart.rlvr'), 'utf8').split('\n');
  // Every block that spans lines folds from its opening line to the line before its closing brace.
  for (const f of folds.filter((x: any) => !x.kind)) {
    assert.match(text[f.startLine]!, /\{\s*(\/\/.*)?$/, `fold starts at an opening brace: ${text[f.startLine]}`);
    assert.match(text[f.endLine + 1]!, /^\s*\}/, `fold ends before a closing brace: ${text[f.endLine + 1]}`);
  }
  assert.deepEqual(folds.map((f: any) => f.startLine + 1), [1, 4, 10, 15, 26, 40, 49]);
});

test('rlvrc help lists lsp; rlvrc lsp rejects file arguments with a usage error', async () => {
  let help = '';
  assert.equal(await runCli(['help'], { stdout: s => { help += s; }, stderr: () => {} }), 0);
  assert.match(help, /\n {2}lsp +the language server for editors \(LSP over stdin\/stdout\)\n/);
  let usage = '';
  await runCli(['help', 'lsp'], { stdout: s => { usage += s; }, stderr: () => {} });
  assert.equal(usage.split('\n')[0], 'rlvrc lsp [--stdio]');
  let err = '';
  const code = await runCli(['lsp', 'experiments/quickstart.rlvr'], { stdout: () => {}, stderr: s => { err += s; } });
  assert.equal(code, 2);
  assert.match(err, /lsp takes no files \(the editor opens them\): 'experiments\/quickstart.rlvr'/);
});
