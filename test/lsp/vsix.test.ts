// `npm run package:vscode` builds the VS Code extension's .vsix offline; this test builds it into a
// temporary folder and reads the archive back: the manifest, the grammar and language configuration (the
// very files of grammar/), and the bundled client that starts `rlvrc lsp`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ROOT } from './client.js';

/** The files of a zip archive (stored or deflated entries), read through its central directory. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data, data + size);
    files.set(name, method === 8 ? inflateRawSync(raw) : raw);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

test('the .vsix builds offline and holds the manifest, the grammar, the language configuration and the client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-vsix-'));
  try {
    const out = join(dir, 'rlvr.vsix');
    // No registry: npm_config_offline makes any npm call fail instead of downloading.
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/package-vscode.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' }, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const files = unzip(readFileSync(out));
    assert.deepEqual([...files.keys()].filter(f => f.startsWith('extension/')).sort(), [
      'extension/dist/extension.js', 'extension/language-configuration.json', 'extension/package.json', 'extension/readme.md', 'extension/syntaxes/rlvr.tmLanguage.json',
    ]);
    assert.ok(files.has('extension.vsixmanifest'));
    assert.deepEqual(files.get('extension/syntaxes/rlvr.tmLanguage.json'), readFileSync(join(ROOT, 'grammar/syntaxes/rlvr.tmLanguage.json')));
    assert.deepEqual(files.get('extension/language-configuration.json'), readFileSync(join(ROOT, 'grammar/language-configuration.json')));

    const manifest = JSON.parse(files.get('extension/package.json')!.toString());
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.activationEvents, ['onLanguage:rlvr']);
    assert.equal(manifest.contributes.languages[0].id, 'rlvr');
    assert.equal(manifest.contributes.languages[0].configuration, './language-configuration.json');
    assert.equal(manifest.contributes.grammars[0].path, './syntaxes/rlvr.tmLanguage.json');
    // Language id and scope name agree with the grammar-only extension in grammar/.
    const grammarManifest = JSON.parse(readFileSync(join(ROOT, 'grammar/package.json'), 'utf8'));
    assert.equal(manifest.contributes.grammars[0].scopeName, grammarManifest.contributes.grammars[0].scopeName);

    // The client: bundled (vscode-languageclient inlined, only `vscode` left external), starting `rlvrc lsp`.
    const client = files.get('extension/dist/extension.js')!.toString();
    assert.match(client, /require\("vscode"\)/);
    assert.doesNotMatch(client, /require\("vscode-languageclient/);
    assert.match(client, /\["lsp"\]/);
    assert.match(client, /"rlvrc"/);
    assert.match(client, /Language Server Protocol|languageclient|LanguageClient/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
