// Builds native/rlvrc_blas.node (OpenBLAS GEMM for the wasm backend, see native/rlvrc_blas.cc) when a C++
// compiler and Node's headers are here. It is an optional accelerator: when it cannot be built, this says
// why and exits 0, and the runtime keeps wasm's own matmuls. With RLVRC_REQUIRE_NATIVE=1 (CI: .ci/run,
// because these matmuls computed every committed result) not building it is an error: exit 1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One addon from two files: the GEMM (rlvrc_blas.cc) and the fused kernels (rlvrc_kernels.cc).
const sources = ['native/rlvrc_blas.cc', 'native/rlvrc_kernels.cc'].map(f => join(root, f));
const out = join(root, 'native/build/rlvrc_blas.node');
const required = process.env.RLVRC_REQUIRE_NATIVE === '1';
const skip = why => {
  if (required) {
    console.error(`rlvrc: error: native OpenBLAS matmuls not built (${why}), and RLVRC_REQUIRE_NATIVE=1 requires them; install g++ and libopenblas0-pthread with: sudo bash scripts/install-system-deps.sh`);
    process.exit(1);
  }
  console.log(`rlvrc: native OpenBLAS matmuls not built (${why}); the wasm backend uses its own.`);
  process.exit(0);
};
if (process.env.RLVRC_BUILD_NATIVE === '0') skip('RLVRC_BUILD_NATIVE=0');
if (process.platform !== 'linux') skip(`${process.platform} is not supported yet`);
// Node's headers: npm's nodedir, beside the node binary (official tarballs), or Debian's libnode-dev.
const candidates = [process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include/node'), join(dirname(process.execPath), '../include/node'), '/usr/include/node', '/usr/local/include/node'].filter(Boolean);
const include = candidates.find(d => existsSync(join(d, 'node_api.h')));
if (!include) skip(`no node_api.h in ${candidates.join(', ')}`);
const cxx = process.env.CXX || 'g++';
mkdirSync(dirname(out), { recursive: true });
try {
  // Written beside the target and renamed: a half-written .node file is never loaded.
  // -O3 vectorizes the fused kernels' loops; -ffp-contract=off keeps a multiply and an add two roundings (no
  // FMA contraction), so the kernels round alike on every machine; no -march, no -ffast-math. Without errno and
  // trapping maths, sqrt and the clamps in rlvrc_kernels.cc vectorize; neither changes a result.
  execFileSync(cxx, ['-shared', '-fPIC', '-O3', '-ffp-contract=off', '-fno-math-errno', '-fno-trapping-math', '-std=c++17', '-pthread', `-I${include}`, ...sources, '-o', `${out}.tmp`, '-ldl'], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(`${out}.tmp`, out);
  console.log(`rlvrc: built ${out}`);
} catch (e) {
  skip(`${cxx} failed: ${String(e.stderr ?? e.message).trim().split('\n').slice(0, 3).join(' ')}`);
}
