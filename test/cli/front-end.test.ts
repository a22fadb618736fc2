// The CLI contract of the front-end commands: exit codes, silence on success, JSON shape, fmt modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rlvrc } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rlvrc-cli-'));

test('--version prints the package version; help lists the commands', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const v = rlvrc(['--version']);
  assert.equal(v.status, 0);
  assert.equal(v.stdout, `rlvrc ${pkg.version}\n`);
  const h = rlvrc(['help']);
  assert.equal(h.status, 0);
  for (const c of ['check', 'fmt', 'grade', 'explain']) assert.match(h.stdout, new RegExp(`\\n  ${c} `));
  assert.equal(rlvrc(['help', 'fmt']).stdout.split('\n')[0], 'rlvrc fmt FILE... [--check] [--diff]');
});

test('usage errors exit 2 with a message: unknown command, unknown flag, missing file, no file', () => {
  const unknown = rlvrc(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const flag = rlvrc(['check', '--frob', 'experiments/quickstart.rlvr']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /unknown option '--frob'/);
  const missing = rlvrc(['check', 'no/such/file.rlvr']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read 'no\/such\/file.rlvr': no such file/);
  assert.equal(rlvrc(['check']).status, 2);
  assert.equal(rlvrc(['check', '--format', 'xml', 'experiments/quickstart.rlvr']).status, 2);
});

test('check is silent on a syntactically valid file and exits 1 with code frames on errors', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'bad.rlvr'), 'experiment e {\n  algorithm g { clip = , group = 16 }\n}\n');
  const bad = rlvrc(['check', 'bad.rlvr'], { cwd: dir });
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^error\[RLVR1011\]: expected a value/);
  assert.match(bad.stderr, / --> bad.rlvr:2:24\n/);
  assert.match(bad.stderr, /\n2 \|   algorithm g \{ clip = , group = 16 \}\n  \| {24}\^\n/);
  assert.match(bad.stderr, /error: 1 error in 1 file\n$/);
});

test('check --format json prints the versioned document', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'bad.rlvr'), 'experiment e {\n  seed = 4 # 2\n}\n');
  const r = rlvrc(['check', '--format', 'json', 'bad.rlvr'], { cwd: dir });
  assert.equal(r.status, 1);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(doc.format_version, 1);
  assert.equal(doc.valid, false);
  assert.equal(doc.error_count, 1);
  assert.equal(doc.warning_count, 0);
  assert.deepEqual((doc.diagnostics as unknown[])[0], {
    code: 'RLVR1001', severity: 'error', summary: "unexpected character '#'",
    detail: 'Outside strings and comments, .rlvr files use names, numbers, strings and the punctuation { } ( ) [ ] , ; . = and operators.',
    fix: 'delete it, or put text inside a "string"', file: 'bad.rlvr',
    range: { start: { line: 2, column: 12 }, end: { line: 2, column: 13 } },
  });
});

test('fmt rewrites in place; --check and --diff report without writing; broken files are left alone', () => {
  const dir = tmp();
  const messy = 'experiment   e{seed=1}\n';
  writeFileSync(join(dir, 'a.rlvr'), messy);
  const check = rlvrc(['fmt', '--check', 'a.rlvr'], { cwd: dir });
  assert.equal(check.status, 1);
  assert.equal(check.stderr, 'a.rlvr: not formatted\n');
  const diff = rlvrc(['fmt', '--diff', 'a.rlvr'], { cwd: dir });
  assert.equal(diff.status, 1);
  assert.equal(diff.stdout, '--- a/a.rlvr\n+++ b/a.rlvr\n@@ -1,2 +1,4 @@\n-experiment   e{seed=1}\n+experiment e {\n+  seed = 1\n+}\n \n');
  assert.equal(readFileSync(join(dir, 'a.rlvr'), 'utf8'), messy, '--check and --diff never write');
  assert.equal(rlvrc(['fmt', 'a.rlvr'], { cwd: dir }).status, 0);
  assert.equal(readFileSync(join(dir, 'a.rlvr'), 'utf8'), 'experiment e {\n  seed = 1\n}\n');
  assert.equal(rlvrc(['fmt', '--check', 'a.rlvr'], { cwd: dir }).status, 0);

  writeFileSync(join(dir, 'b.rlvr'), 'experiment e {\n');
  const broken = rlvrc(['fmt', 'b.rlvr'], { cwd: dir });
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /error\[RLVR1010\]/);
  assert.equal(readFileSync(join(dir, 'b.rlvr'), 'utf8'), 'experiment e {\n');
});
