// The optional native GEMM (native/rlvrc_blas.cc, built by scripts/build-native.mjs): OpenBLAS's sgemm on
// the wasm heap. Loading never throws: a missing build or library is a reason, which `selectBackend` records.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NativeBlas {
  /** The OpenBLAS library file that was loaded. */
  library: string;
  /** OpenBLAS's build and the kernel it chose for this CPU (openblas_get_config), or null if it cannot say. */
  config: string | null;
  /** Sets OpenBLAS's thread count; returns what it reports. */
  setThreads(n: number): number;
  /** The thread count last set (1 before any setThreads). */
  threads(): number;
  /** C = op(A)·op(B) + beta·C, row-major float32 at byte offsets into `heap`'s buffer. */
  gemm(heap: Uint8Array, aByte: number, bByte: number, cByte: number, m: number, n: number, k: number, transA: boolean, transB: boolean, beta: number): void;
}

/** Debian's OpenBLAS (libopenblas0-pthread, the same one PyTorch's reference uses in bench/). */
const LIBRARIES = ['libopenblas.so.0', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0', '/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0', 'libopenblas.so'];

let cached: { blas: NativeBlas | null; reason: string } | null = null;

/** Where npm run build puts the addon; the same depth from src/runtime (tsx) and dist/runtime. */
export const ADDON_FILE = fileURLToPath(new URL('../../native/build/rlvrc_blas.node', import.meta.url));

/**
 * The addon with OpenBLAS loaded, or null and why not; loaded once per process. RLVRC_BLAS_LIBRARY names
 * another library with cblas_sgemm to load instead of Debian's OpenBLAS.
 */
export function loadNativeBlas(file = ADDON_FILE): { blas: NativeBlas | null; reason: string } {
  if (cached && file === ADDON_FILE) return cached;
  const result = load(file);
  if (file === ADDON_FILE) cached = result;
  return result;
}

function load(file: string): { blas: NativeBlas | null; reason: string } {
  if (!existsSync(file)) return { blas: null, reason: `${file} is not built (npm run build builds it where g++ and Node's headers are)` };
  const libraries = process.env.RLVRC_BLAS_LIBRARY ? [process.env.RLVRC_BLAS_LIBRARY] : LIBRARIES;
  try {
    const addon = createRequire(import.meta.url)(file) as { load(names: string[]): string; config(): string | null } & Pick<NativeBlas, 'setThreads' | 'gemm'>;
    const library = addon.load(libraries);
    let threads = 1;
    const setThreads = (n: number) => (threads = addon.setThreads(n));
    return { blas: { library, config: addon.config(), setThreads, threads: () => threads, gemm: addon.gemm }, reason: `OpenBLAS from ${library}` };
  } catch (e) {
    return { blas: null, reason: `OpenBLAS did not load (${(e as Error).message}); install libopenblas0-pthread` };
  }
}
