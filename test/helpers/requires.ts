// Tests that need something `npm ci` does not give a fresh machine (a Debian package, or the native
// OpenBLAS addon that g++ builds) declare it here, first thing in the test body:
//
//   test('...', async t => {
//     if (requires(t, 'slurm')) return;
//     ...
//   });
//
// Where the requirement is met, requires() returns null and the test runs. Where it is not, the test is
// skipped with a reason that names what is missing and the install command, so `npm test` passes on a
// fresh machine set up as the README says. With RLVRC_REQUIRE_ALL_TESTS=1 (.ci/run sets it) a missing
// requirement fails the test instead: CI runs every test or fails.
//
// RLVRC_TEST_PRETEND_MISSING=slurm,torch makes requirements count as missing on a machine that has
// them; it exists for the test of this helper (test/requires.test.ts) and for trying a fresh machine's
// `npm test` without uninstalling anything.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadNativeBlas } from '../../src/runtime/native-blas.js';
import { loadNativeKernels } from '../../src/runtime/native-kernels.js';

export type Requirement = 'slurm' | 'torch' | 'native-blas' | 'native-kernels' | 'omegaconf' | 'chromium' | 'neovim';
export const REQUIREMENTS: readonly Requirement[] = ['slurm', 'torch', 'native-blas', 'native-kernels', 'omegaconf', 'chromium', 'neovim'];

/** Debian's headless-capable browser, for screenshots of report.html. */
export const CHROMIUM = 'chromium';

/** The command that installs every Debian package the tests use (scripts/install-system-deps.sh). */
export const INSTALL_COMMAND = 'sudo bash scripts/install-system-deps.sh';

/** The Python the PyTorch reference runs on: Debian's, where python3-torch installs torch. */
export const REFERENCE_PYTHON = '/usr/bin/python3';

function onPath(cmd: string, extra: string[] = []): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extra].filter(Boolean);
  return dirs.some(d => existsSync(join(d, cmd)));
}

/** Why Debian's python3 cannot import `module` (from the Debian package `pkg`), or null. */
function debianPythonModule(module: string, pkg: string): string | null {
  if (!existsSync(REFERENCE_PYTHON)) return `${REFERENCE_PYTHON} is not installed (Debian's ${pkg} brings it with ${module}): ${INSTALL_COMMAND}`;
  const r = spawnSync(REFERENCE_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60_000 });
  if (r.status !== 0) return `${REFERENCE_PYTHON} cannot import ${module} (Debian's ${pkg}): ${INSTALL_COMMAND}`;
  return null;
}

const checks: Record<Requirement, () => string | null> = {
  slurm() {
    // scripts/slurm-up.sh starts a one-machine cluster with these; the tests submit with sbatch.
    const absent = ['sbatch', 'squeue', 'sinfo', 'slurmctld', 'slurmd', 'munged'].filter(c => !onPath(c, ['/usr/sbin', '/sbin']));
    if (absent.length > 0) return `Slurm is not installed (no ${absent.join(', ')}; Debian's slurm-wlm and munge): ${INSTALL_COMMAND}`;
    const up = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
    const running = up.status === 0 && /idle|mixed|allocated/.test(up.stdout);
    if (!running && process.getuid?.() !== 0) return 'Slurm is installed but no node is up, and scripts/slurm-up.sh needs root to start one: run the tests as root, or start it with sudo bash scripts/slurm-up.sh';
    return null;
  },
  torch: () => debianPythonModule('torch', 'python3-torch'),
  // verl's configs are checked by merging them into verl's own with OmegaConf.
  omegaconf: () => debianPythonModule('omegaconf', 'python3-omegaconf'),
  chromium() {
    if (!onPath(CHROMIUM)) return `Chromium is not installed (no ${CHROMIUM} on PATH; Debian's chromium): ${INSTALL_COMMAND}`;
    return null;
  },
  // The language server's real-editor test: Neovim's built-in LSP client (vim.lsp, 0.7 and later).
  neovim() {
    if (!onPath('nvim')) return `Neovim is not installed (no nvim; Debian's neovim): ${INSTALL_COMMAND}`;
    const v = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 30_000 });
    const m = /NVIM v(\d+)\.(\d+)/.exec(v.stdout ?? '');
    if (!m) return `nvim --version did not say its version (${(v.stderr ?? '').trim() || `exit ${v.status}`}); Debian's neovim: ${INSTALL_COMMAND}`;
    if (Number(m[1]) === 0 && Number(m[2]) < 7) return `Neovim ${m[1]}.${m[2]} is too old for vim.lsp (0.7 or later): ${INSTALL_COMMAND}`;
    return null;
  },
  'native-blas'() {
    const native = loadNativeBlas();
    if (native.blas) return null;
    return `native OpenBLAS matmuls unavailable: ${native.reason}; to build them, install g++ and libopenblas0-pthread with ${INSTALL_COMMAND}, then npm run build`;
  },
  // The fused kernels live in the same addon but need only g++ (no OpenBLAS).
  'native-kernels'() {
    const k = loadNativeKernels();
    if (k.kernels) return null;
    return `fused native kernels unavailable: ${k.reason}; to build them, install g++ with ${INSTALL_COMMAND}, then npm run build`;
  },
};

const cache = new Map<Requirement, string | null>();

function pretended(): Set<string> {
  return new Set((process.env.RLVRC_TEST_PRETEND_MISSING ?? '').split(',').map(s => s.trim()).filter(Boolean));
}

/** Why a requirement is not met on this machine, or null when it is. Checked once per process. */
export function missing(req: Requirement): string | null {
  if (!REQUIREMENTS.includes(req)) throw new Error(`unknown test requirement '${req}' (known: ${REQUIREMENTS.join(', ')})`);
  if (pretended().has(req)) return `${req} counts as missing (RLVRC_TEST_PRETEND_MISSING=${process.env.RLVRC_TEST_PRETEND_MISSING}); it is installed by: ${INSTALL_COMMAND}`;
  if (!cache.has(req)) cache.set(req, checks[req]());
  return cache.get(req)!;
}

/** True when RLVRC_REQUIRE_ALL_TESTS=1: a missing requirement fails its test instead of skipping it. */
export const requireAll = (): boolean => process.env.RLVRC_REQUIRE_ALL_TESTS === '1';

/**
 * Declares what a test needs. Returns null when all of it is here (the test goes on). Otherwise skips the
 * test with the reason and returns it (the test returns at once), or, with RLVRC_REQUIRE_ALL_TESTS=1,
 * throws, failing the test.
 */
export function requires(t: TestContext, ...reqs: Requirement[]): string | null {
  const reasons = reqs.map(missing).filter((r): r is string => r !== null);
  if (reasons.length === 0) return null;
  const reason = reasons.join('; ');
  if (requireAll()) throw new Error(`RLVRC_REQUIRE_ALL_TESTS=1 and this test cannot run: ${reason}`);
  t.skip(reason);
  return reason;
}
