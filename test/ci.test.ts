// CI (.ci/run) cannot pass with something missing: the native OpenBLAS matmuls, which computed every
// committed result, must build (RLVRC_REQUIRE_NATIVE=1) and load, and every test must run
// (RLVRC_REQUIRE_ALL_TESTS=1, see test/requires.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers/golden.js';

/** scripts/build-native.mjs with a C++ compiler that always fails (`false` writes nothing, so the built addon stays). */
function buildWithBrokenCompiler(env: Record<string, string>) {
  const base = { ...process.env };
  delete base.RLVRC_REQUIRE_NATIVE;
  delete base.RLVRC_BUILD_NATIVE;
  const r = spawnSync(process.execPath, [join(REPO, 'scripts/build-native.mjs')], { cwd: REPO, encoding: 'utf8', env: { ...base, CXX: 'false', ...env } });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('build-native says why and exits 0 when the addon cannot be built, and exits 1 under RLVRC_REQUIRE_NATIVE=1', () => {
  const lax = buildWithBrokenCompiler({});
  assert.equal(lax.status, 0, lax.out);
  assert.match(lax.out, /native OpenBLAS matmuls not built \(false failed/);
  const strict = buildWithBrokenCompiler({ RLVRC_REQUIRE_NATIVE: '1' });
  assert.equal(strict.status, 1, strict.out);
  assert.match(strict.out, /error: native OpenBLAS matmuls not built \(false failed.*RLVRC_REQUIRE_NATIVE=1 requires them; .*sudo bash scripts\/install-system-deps\.sh/);
  assert.equal(buildWithBrokenCompiler({ RLVRC_REQUIRE_NATIVE: '1', RLVRC_BUILD_NATIVE: '0' }).status, 1);
});

test('.ci/run requires the native matmuls, checks that they load, and lets no test skip', () => {
  const ci = readFileSync(join(REPO, '.ci/run'), 'utf8');
  const order = (re: RegExp) => { const m = re.exec(ci); assert.ok(m, `.ci/run has no ${re}`); return m.index; };
  const exported = order(/^export RLVRC_REQUIRE_NATIVE=1 RLVRC_REQUIRE_ALL_TESTS=1$/m);
  const install = order(/^bash scripts\/install-system-deps\.sh$/m);
  const npmCi = order(/^npm ci$/m);
  const smoke = order(/^RLVRC_BLAS=openblas node .*\n[\s\S]*?if \(!info\.blas\) throw/m);
  const npmTest = order(/^npm test$/m);
  assert.ok(exported < install && install < npmCi && npmCi < smoke && smoke < npmTest, 'order: export, install, npm ci, smoke, npm test');
});
