// rlvrc compile makes its output directory one node can run the programs from (src/cli/out-dir.ts):
// ES modules wherever the project's package.json says otherwise, never by overwriting the user's
// package.json, and a runtime import that resolves even where rlvrc is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { rlvrc } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { userProject } from '../helpers/user-project.js';

const TINY = join(REPO, 'test/fixtures/e2e/tiny.rlvr');
const WROTE_PJ = 'wrote generated/package.json ({"type": "module"}: the programs are ES modules)\n';

test('a project whose package.json is CommonJS gets generated/package.json {"type": "module"}, written once', () => {
  const dir = userProject([TINY]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', version: '1.0.0', type: 'commonjs' }));
  const c = rlvrc(['compile', 'tiny.rlvr'], { cwd: dir });
  assert.equal(c.status, 0, c.stderr);
  assert.equal(c.stderr, WROTE_PJ + 'wrote generated/tiny.ts and generated/tiny.js\n');
  const pj = JSON.parse(readFileSync(join(dir, 'generated/package.json'), 'utf8')) as { type: string; description: string };
  assert.equal(pj.type, 'module');
  assert.match(pj.description, /^Written by rlvrc/);
  const again = rlvrc(['compile', 'tiny.rlvr'], { cwd: dir });
  assert.equal(again.stderr, 'wrote generated/tiny.ts and generated/tiny.js\n');
  // It imports the runtime by name: rlvrc is installed in this project.
  assert.match(readFileSync(join(dir, 'generated/tiny.js'), 'utf8'), /^import \* as rt from 'rlvrc\/runtime';$/m);
});

test('a project that is already "type": "module" gets no package.json of rlvrc\'s', () => {
  const dir = userProject([TINY]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', type: 'module' }));
  const c = rlvrc(['compile', 'tiny.rlvr'], { cwd: dir });
  assert.equal(c.status, 0, c.stderr);
  assert.equal(c.stderr, 'wrote generated/tiny.ts and generated/tiny.js\n');
  assert.equal(existsSync(join(dir, 'generated/package.json')), false);
});

test("the user's own package.json in the output directory is never overwritten: compile says what to do", () => {
  const dir = userProject([TINY]);
  const mine = JSON.stringify({ name: 'mine', type: 'commonjs' });
  writeFileSync(join(dir, 'package.json'), mine);
  const c = rlvrc(['compile', 'tiny.rlvr', '--out', '.'], { cwd: dir });
  assert.equal(c.status, 2, c.stderr);
  assert.match(c.stderr, /package\.json does not say "type": "module", so node would load the generated programs there as CommonJS and fail on their first import; add "type": "module" to it, or compile with --out to another directory/);
  assert.equal(readFileSync(join(dir, 'package.json'), 'utf8'), mine);
  assert.equal(existsSync(join(dir, 'tiny.js')), false);
});

test('where rlvrc is not installed, the program imports the compiling rlvrc by file URL, and compile says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-bare-'));
  writeFileSync(join(dir, 'tiny.rlvr'), readFileSync(TINY, 'utf8'));
  mkdirSync(join(dir, 'sub'));
  const c = rlvrc(['compile', join(dir, 'tiny.rlvr'), '--out', 'out'], { cwd: join(dir, 'sub') });
  assert.equal(c.status, 0, c.stderr);
  const runtime = join(REPO, 'dist/runtime/index.js');
  assert.match(c.stderr, /note: rlvrc is not installed in this project \(a program in out cannot import 'rlvrc\/runtime'\), so the program imports the runtime of the rlvrc that compiled it, .*dist\/runtime\/index\.js, and runs only while that installation stays there\. For a program that runs wherever the project goes: npm i rlvrc in the project, then compile again\./);
  const js = readFileSync(join(dir, 'sub/out/tiny.js'), 'utf8');
  assert.ok(js.includes(`import * as rt from '${pathToFileURL(runtime).href}';`), js.slice(0, 600));
  assert.equal(js.match(/^import /gm)?.length, 1, 'the runtime is the only import: it finds its own schemas');
  assert.ok(!js.includes('createRequire'));
});
