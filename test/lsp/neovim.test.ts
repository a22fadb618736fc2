// A real editor as the client: headless Neovim, configured with the README's init.lua (only the server
// command changed, to run this checkout), opens an experiment file and attaches `rlvrc lsp` with its
// built-in LSP client; the test reads back, through Neovim, the diagnostics it stored (compared with
// `rlvrc check --format json`) and the hover it got.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import { requires } from '../helpers/requires.js';
import { positionOf, ROOT } from './client.js';

test('headless Neovim shows the server\'s diagnostics and hover for experiments/paper.rlvr', async t => {
  if (requires(t, 'neovim')) return;
  const file = 'experiments/paper.rlvr';
  const text = readFileSync(join(ROOT, file), 'utf8');
  const hoverAt = positionOf(text, 'grid main', 0, 6);
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-nvim-'));
  try {
    const out = join(dir, 'out.json');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const init = /\*\*Neovim\*\*[^\n]*\n\n```lua\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(init, 'the README has a Neovim init.lua');
    const command = `{ ${[process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'lsp', '--stdio'].map(a => JSON.stringify(a)).join(', ')} }`;
    assert.ok(init.includes("{ 'npx', 'rlvrc', 'lsp', '--stdio' }"));
    writeFileSync(join(dir, 'init.lua'), init.replace("{ 'npx', 'rlvrc', 'lsp', '--stdio' }", command));
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', join(dir, 'init.lua'), '-n', '-i', 'NONE', file, '-c', `luafile ${join(ROOT, 'test/lsp/nvim-client.lua')}`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, RLVRC_ROOT: ROOT, OUT: out, NODE: process.execPath, HOVER_LINE: String(hoverAt.line), HOVER_COL: String(hoverAt.character), XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
    assert.equal(r.status, 0, `nvim: ${r.stderr}${r.stdout}`);
    const got = JSON.parse(readFileSync(out, 'utf8')) as { diagnostics: any[]; hover: string | null; error: string | null; filetype: string; clients: number };
    assert.equal(got.error, null);
    assert.equal(got.filetype, 'rlvr');
    assert.equal(got.clients, 1);

    let json = '';
    await runCli(['check', '--format', 'json', file], { stdout: s => { json += s; }, stderr: () => {}, cwd: ROOT });
    const expected = (JSON.parse(json).diagnostics as any[]).map(d => ({
      lnum: d.range.start.line - 1, col: d.range.start.column - 1, end_lnum: d.range.end.line - 1, end_col: d.range.end.column - 1,
      severity: d.severity === 'error' ? 1 : 2, summary: d.summary, code: d.code,
    }));
    assert.ok(expected.length > 0, 'paper.rlvr has warnings (checkpoints not on disk)');
    const shown = got.diagnostics.map(d => ({ lnum: d.lnum, col: d.col, end_lnum: d.end_lnum, end_col: d.end_col, severity: d.severity, summary: String(d.message).split('\n')[0], code: d.code }))
      .sort((a, b) => a.lnum - b.lnum || a.col - b.col);
    assert.deepEqual(shown, expected);
    assert.equal(got.hover, '**grid main**: 10 cells = model (2) × reward (5)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
