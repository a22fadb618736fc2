// test/helpers/requires.ts and scripts/run-tests.mjs: a test whose system package is missing skips with
// a reason naming the install command (a fresh machine's `npm test` passes), and under
// RLVRC_REQUIRE_ALL_TESTS=1 (CI) it fails instead, as does any test the runner reports skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { TestContext } from 'node:test';
import { REPO } from './helpers/golden.js';
import { INSTALL_COMMAND, missing, REQUIREMENTS, requires } from './helpers/requires.js';

/** scripts/run-tests.mjs on some files, with the requirement switches set exactly as given. */
function runTests(files: string[], env: Record<string, string | undefined>) {
  const base = { ...process.env };
  delete base.RLVRC_REQUIRE_ALL_TESTS;
  delete base.RLVRC_TEST_PRETEND_MISSING;
  delete base.NODE_TEST_CONTEXT; // set by the outer runner; a nested --test would otherwise refuse to run files
  const r = spawnSync(process.execPath, [join(REPO, 'scripts/run-tests.mjs'), ...files], { cwd: REPO, encoding: 'utf8', env: { ...base, ...env }, timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('a missing requirement skips its test with the install command, and the run passes', () => {
  const r = runTests(['test/cluster/slurm.test.ts'], { RLVRC_TEST_PRETEND_MISSING: 'slurm' });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /a two-cell array runs both cells on a real Slurm .*# slurm counts as missing .*sudo bash scripts\/install-system-deps\.sh/);
  assert.match(r.out, /ℹ skipped 1\n/);
  assert.match(r.out, /ℹ pass 2\n/);
  assert.match(r.out, /run-tests: 1 test\(s\) skipped/);
});

test('RLVRC_REQUIRE_ALL_TESTS=1 turns the missing requirement into a failure that says why', () => {
  const r = runTests(['test/cluster/slurm.test.ts'], { RLVRC_TEST_PRETEND_MISSING: 'slurm', RLVRC_REQUIRE_ALL_TESTS: '1' });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /RLVRC_REQUIRE_ALL_TESTS=1 and this test cannot run: slurm counts as missing/);
  assert.match(r.out, /ℹ fail 1\n/);
});

test('Slurm off PATH (no sbatch, squeue, sinfo) is a skip, and a failure under RLVRC_REQUIRE_ALL_TESTS=1', () => {
  // A PATH that has bash (the file's other tests use it) and nothing of Slurm's.
  const bin = mkdtempSync(join(tmpdir(), 'rlvrc-path-'));
  symlinkSync('/bin/bash', join(bin, 'bash'));
  const skipped = runTests(['test/cluster/slurm.test.ts'], { PATH: bin });
  assert.equal(skipped.status, 0, skipped.out);
  assert.match(skipped.out, /# Slurm is not installed \(no sbatch, squeue, sinfo[^)]*\): sudo bash scripts\/install-system-deps\.sh/);
  const failed = runTests(['test/cluster/slurm.test.ts'], { PATH: bin, RLVRC_REQUIRE_ALL_TESTS: '1' });
  assert.equal(failed.status, 1, failed.out);
  assert.match(failed.out, /cannot run: Slurm is not installed/);
});

test('torch and the native matmuls are gated the same way', () => {
  const r = runTests(['test/hf/reference.test.ts', 'test/runtime/wasm-threads.test.ts'], { RLVRC_TEST_PRETEND_MISSING: 'torch,native-blas' });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /reference\.py reproduces the committed reference outputs .*# torch counts as missing/);
  assert.match(r.out, /OpenBLAS matmuls on the threaded build .*# native-blas counts as missing/);
  const strict = runTests(['test/hf/reference.test.ts'], { RLVRC_TEST_PRETEND_MISSING: 'torch', RLVRC_REQUIRE_ALL_TESTS: '1' });
  assert.equal(strict.status, 1, strict.out);
});

test('under RLVRC_REQUIRE_ALL_TESTS=1 run-tests fails on any skipped test, even one that skips by itself, or a todo', () => {
  const file = 'test/fixtures/requires/plain-skip.test.ts';
  const lax = runTests([file], {});
  assert.equal(lax.status, 0, lax.out);
  const strict = runTests([file], { RLVRC_REQUIRE_ALL_TESTS: '1' });
  assert.equal(strict.status, 1, strict.out);
  assert.match(strict.out, /RLVRC_REQUIRE_ALL_TESTS=1 and 2 test\(s\) skipped; every test must run here:\n {2}test\/fixtures\/requires\/plain-skip\.test\.ts: skips without requires\(\) \(a reason of its own\)\n {2}test\/fixtures\/requires\/plain-skip\.test\.ts: a todo \(todo: later\)\n/);
});

test('requires() in process: null when met, a skip with the reason when not, unknown names refused', () => {
  const saved = { pretend: process.env.RLVRC_TEST_PRETEND_MISSING, all: process.env.RLVRC_REQUIRE_ALL_TESTS };
  try {
    delete process.env.RLVRC_REQUIRE_ALL_TESTS;
    process.env.RLVRC_TEST_PRETEND_MISSING = 'torch';
    let skippedWith: string | undefined;
    const t = { skip: (m?: string) => { skippedWith = m; } } as unknown as TestContext;
    const reason = requires(t, 'torch');
    assert.equal(reason, skippedWith);
    assert.ok(reason!.includes(INSTALL_COMMAND));
    process.env.RLVRC_REQUIRE_ALL_TESTS = '1';
    assert.throws(() => requires(t, 'torch'), /RLVRC_REQUIRE_ALL_TESTS=1 and this test cannot run: torch counts as missing/);
    assert.throws(() => missing('cuda' as never), /unknown test requirement 'cuda'/);
    // Whatever this machine has, a requirement is met (null) or says how to meet it.
    delete process.env.RLVRC_TEST_PRETEND_MISSING;
    for (const req of REQUIREMENTS) {
      const why = missing(req);
      if (why !== null) assert.match(why, /install-system-deps\.sh|slurm-up\.sh/, req);
    }
  } finally {
    for (const [k, v] of [['RLVRC_TEST_PRETEND_MISSING', saved.pretend], ['RLVRC_REQUIRE_ALL_TESTS', saved.all]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
