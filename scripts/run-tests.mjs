#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's own test runner (TypeScript through tsx).
// Node 20's --test does not expand globs, so the files are listed here.
// Usage: node scripts/run-tests.mjs [path-prefix ...]   (e.g. test/language; a path to one .test.ts file,
// even under fixtures/, runs that file)
//
// RLVRC_REQUIRE_ALL_TESTS=1 (CI: .ci/run): every test must run. Tests whose system packages are missing
// fail instead of skipping (test/helpers/requires.ts), and any test the runner still reports as skipped
// or todo makes this exit 1, naming it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const prefixes = process.argv.slice(2);
const explicit = prefixes.filter(p => p.endsWith('.test.ts') && existsSync(join(root, p)) && statSync(join(root, p)).isFile()).map(p => relative(root, join(root, p)));
const files = [...new Set([...walk(join(root, 'test')).filter(f => prefixes.length === 0 || prefixes.some(p => f.startsWith(p))), ...explicit])];
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const requireAll = process.env.RLVRC_REQUIRE_ALL_TESTS === '1';
const skipsDir = mkdtempSync(join(tmpdir(), 'rlvrc-test-skips-'));
const skipsFile = join(skipsDir, 'skips.jsonl');
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${join(root, 'scripts/test-skips-reporter.mjs')}`, `--test-reporter-destination=${skipsFile}`];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporters, ...files], { cwd: root, stdio: 'inherit' });
const skipped = existsSync(skipsFile) ? readFileSync(skipsFile, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l)) : [];
rmSync(skipsDir, { recursive: true, force: true });
let status = r.status ?? 1;
if (skipped.length > 0) {
  const list = skipped.map(s => `  ${s.file ? relative(root, s.file) + ': ' : ''}${s.name}${s.reason ? ` (${s.reason})` : ''}`).join('\n');
  if (requireAll) {
    console.error(`\nrun-tests: RLVRC_REQUIRE_ALL_TESTS=1 and ${skipped.length} test(s) skipped; every test must run here:\n${list}`);
    status = status === 0 ? 1 : status;
  } else {
    console.error(`\nrun-tests: ${skipped.length} test(s) skipped (install what they name; RLVRC_REQUIRE_ALL_TESTS=1 makes a skip a failure):\n${list}`);
  }
}
process.exit(status);
