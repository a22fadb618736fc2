// What decides a run's float results, as a short key: which backend, and which matmul library and CPU kernel.
// Kept apart from backend.ts (which loads tfjs) so that the report and scripts can read it from manifests.

/**
 * What decides a backend's float results, for cache keys (pretrained stages, majority labels): the backend's
 * name, plus the matmul library when it is not the backend's own, with OpenBLAS's version and the CPU kernel
 * it chose ('wasm+openblas-0.3.21-Zen'): kernels block their sums differently, so two kernels' pretrainings
 * are different models, and a cache filled on one machine must not hand them to another. Unchanged ('wasm')
 * for wasm on XNNPACK, which computes the same bits everywhere, so caches built before the native matmuls
 * stay valid for it.
 */
export function numericsKey(info: { name: string; blas: { config: string | null } | null; fusedKernels?: string | null }): string {
  // The fused native kernels (native-kernels.ts) add their version: without them the key is what it always was.
  const fused = info.fusedKernels ? `+${info.fusedKernels}` : '';
  if (!info.blas) return info.name + fused;
  const build = info.blas.config ? openblasBuild(info.blas.config) : null;
  return (build ? `${info.name}+openblas-${build}` : `${info.name}+openblas`) + fused;
}

/**
 * numericsKey of a manifest's `backend` record (JSON, so checked field by field); 'unknown' without a
 * backend name. Used by `rlvrc report` and scripts/clip-share.ts.
 */
export function numericsOfManifest(backend: Record<string, unknown> | null): string {
  if (!backend || typeof backend.name !== 'string') return 'unknown';
  const fusedKernels = typeof backend.fusedKernels === 'string' ? backend.fusedKernels : null;
  const blas = backend.blas;
  if (!blas || typeof blas !== 'object') return numericsKey({ name: backend.name, blas: null, fusedKernels });
  const config = (blas as { config?: unknown }).config;
  return numericsKey({ name: backend.name, blas: { config: typeof config === 'string' ? config : null }, fusedKernels });
}

/**
 * '0.3.21-Zen' from openblas_get_config()'s 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen
 * MAX_THREADS=64' (the kernel is the word before MAX_THREADS); a config of another shape is kept whole,
 * spaces as '_', so that it still tells builds apart.
 */
export function openblasBuild(config: string): string {
  const m = /^OpenBLAS\s+(\S+)\s(?:.*\s)?(\S+)\s+MAX_THREADS=\d+/.exec(config.trim());
  return m ? `${m[1]}-${m[2]}` : config.trim().replace(/\s+/g, '_');
}
