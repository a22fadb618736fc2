// The README is a promise: its language tour is a valid, formatted spec, and its commands exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/golden.js';
import { check } from '../src/checker/check.js';
import { parse } from '../src/language/parse.js';
import { format } from '../src/language/format.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

test('the README tour checks with no errors and is in canonical layout', () => {
  const blocks = [...readme.matchAll(/```rlvr\n([\s\S]*?)```/g)].map(m => m[1]!);
  assert.ok(blocks.length >= 1);
  for (const text of blocks) {
    const result = check([{ file: 'README.rlvr', text }], { cwd: REPO });
    assert.deepEqual(result.diagnostics.filter(d => d.severity === 'error').map(d => `${d.span.start.line}: ${d.summary}`), []);
    assert.ok(result.experiments[0]!.cells.length > 1);
    assert.equal(format(parse(text)), text);
  }
});

test('the README names the main command and the test command that CI runs', () => {
  assert.match(readme, /npm ci && npx rlvrc run experiments\/quickstart\.rlvr/);
  assert.match(readme, /\nnpm test\n/);
  assert.match(readFileSync(join(REPO, '.ci/run'), 'utf8'), /\nnpm test\n/);
});

test('the README says which tests skip without the Debian packages, how to install them, and what CI requires', async () => {
  const { INSTALL_COMMAND } = await import('./helpers/requires.js');
  assert.ok(readme.includes(INSTALL_COMMAND), `the README names ${INSTALL_COMMAND}`);
  for (const pkg of ['slurm-wlm', 'munge', 'python3-torch', 'g++', 'libopenblas0-pthread']) assert.ok(readme.includes(`\`${pkg}\``), pkg);
  assert.match(readme, /`RLVRC_REQUIRE_ALL_TESTS=1`: a test whose requirement is missing fails instead of skipping, and any\nskipped test fails the run/);
  assert.match(readme, /`RLVRC_REQUIRE_NATIVE=1`/);
});

test('docs/fields.md is current (regenerate with node --import tsx scripts/gen-docs.ts)', async () => {
  const { fieldReference } = await import('../src/checker/reference.js');
  assert.equal(readFileSync(join(REPO, 'docs/fields.md'), 'utf8'), fieldReference());
});
