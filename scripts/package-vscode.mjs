#!/usr/bin/env node
// Builds the VS Code extension (editors/vscode) as a .vsix, offline: the client is bundled with esbuild
// (vscode-languageclient inlined, `vscode` left to the editor), the grammar and language configuration are
// copied from grammar/ (their one home), and @vscode/vsce packages the staged folder without asking npm
// for dependencies. Usage: node scripts/package-vscode.mjs [--out FILE.vsix]
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const ext = join(root, 'editors/vscode');
const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(ext, `${manifest.name}-${manifest.version}.vsix`));

const stage = mkdtempSync(join(tmpdir(), 'rlvr-vsix-'));
try {
  for (const f of ['package.json', 'README.md', '.vscodeignore']) cpSync(join(ext, f), join(stage, f));
  cpSync(join(root, 'grammar/language-configuration.json'), join(stage, 'language-configuration.json'));
  mkdirSync(join(stage, 'syntaxes'));
  cpSync(join(root, 'grammar/syntaxes/rlvr.tmLanguage.json'), join(stage, 'syntaxes/rlvr.tmLanguage.json'));
  await build({
    entryPoints: [join(ext, 'src/extension.ts')],
    outfile: join(stage, 'dist/extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18', // VS Code 1.82's Electron runs Node 18
    external: ['vscode'],
    minify: true,
    logLevel: 'warning',
  });
  mkdirSync(dirname(out), { recursive: true });
  const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`package-vscode: vsce failed (exit ${r.status})`);
    process.exit(1);
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
