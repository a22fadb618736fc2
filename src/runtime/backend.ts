// Backend selection. `auto` prefers native TensorFlow (GPU, then CPU: optional packages that download
// libtensorflow at install time and are often absent), then WebAssembly (always installed), then the
// pure-JS CPU backend (~150x slower than PyTorch for training; last resort). The result is recorded in
// run manifests, so it says exactly what ran.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { installGradientFixes } from './kernels.js';
import { installWasmKernels } from './wasm-kernels.js';
import { loadNativeBlas } from './native-blas.js';
import { installWasmBlasKernels, uninstallWasmBlasKernels } from './wasm-blas-kernels.js';
import { FUSED_KERNELS, disableFusedKernels, enableFusedKernels, loadNativeKernels, type NativeKernels } from './native-kernels.js';

export type BackendChoice = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** What was asked for. */
  choice: BackendChoice;
  /** The tfjs backend name now active ('tensorflow', 'wasm', 'cpu'). */
  name: string;
  /** The npm package providing it, and its version. */
  package: string;
  version: string;
  /** Threads the backend computes with (1 for wasm without threads, null when the backend decides). */
  threads: number | null;
  /** Whether the wasm backend runs its SIMD build (null for other backends). */
  simd: boolean | null;
  /**
   * Who computes the wasm backend's matmuls when not XNNPACK: the native OpenBLAS library and its threads
   * (wasm-blas-kernels.ts), with OpenBLAS's build and kernel. null: the backend's own. Results differ between
   * the two, and between OpenBLAS kernels, in the last bits.
   */
  blas: { library: string; threads: number; config: string | null } | null;
  /**
   * The fused native kernels (LayerNorm, GELU, decoding attention; native-kernels.ts) and their version when
   * on (FUSED_KERNELS), else null. They round differently from wasm's kernels: part of the numerics key.
   */
  fusedKernels: string | null;
  /** Why earlier candidates of `auto` were skipped (and, for wasm, why native matmuls were not used). */
  skipped: string[];
}

export class BackendUnavailableError extends Error {
  constructor(choice: BackendChoice, reason: string) {
    super(`backend '${choice}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

const require = createRequire(import.meta.url);

function packageVersion(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function tryNative(choice: 'tfjs-node-gpu' | 'tfjs-node'): Promise<BackendInfo> {
  const pkg = `@tensorflow/${choice}`;
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types.
    const spec: string = pkg;
    await import(spec);
  } catch (e) {
    throw new BackendUnavailableError(choice, `the optional package ${pkg} does not load (${(e as Error).message.split('\n')[0]}); install it with \`npm install ${pkg}\` where libtensorflow can be downloaded, or choose --backend wasm`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new BackendUnavailableError(choice, `${pkg} loaded but the 'tensorflow' backend did not initialise`);
  await tf.ready();
  return { choice, name: 'tensorflow', package: pkg, version: packageVersion(pkg), threads: null, simd: null, blas: null, fusedKernels: null, skipped: [] };
}

export interface WasmOptions {
  /**
   * Compute threads for the wasm backend (see wasm-threads.ts); default 1, the stock single-threaded build.
   * More threads help only on otherwise idle cores: with more runnable threads than cores, the spinning
   * thread pool was measured several times slower (bench/README.md). Choose it once, at start-up.
   */
  threads?: number;
  /** Replace wasm's batched matmul and transpose with faster ones (wasm-kernels.ts). Default true. */
  fastKernels?: boolean;
  /**
   * Matmuls on the wasm backend: 'openblas' hands them to the native OpenBLAS addon (an error if it is not
   * built or the library is missing), 'none' keeps XNNPACK, 'auto' uses OpenBLAS when it loads. Default: the
   * environment variable RLVRC_BLAS, else 'auto'.
   */
  blas?: BlasChoice;
  /**
   * The wasm backend's own threads. Default: 1 when OpenBLAS computes the matmuls (it gets `threads`; two
   * spinning thread pools on the same cores measured slower than one), else `threads`.
   */
  wasmThreads?: number;
  /**
   * The fused native kernels (native-kernels.ts: LayerNorm, GELU, attention, the sampler's decoding layer,
   * Adam): true requires them, false keeps the tfjs kernels, 'auto' uses them whenever OpenBLAS computes the
   * matmuls and the addon has them. They round differently from the tfjs kernels, so a run records which ran
   * (BackendInfo.fusedKernels, the numerics key). Default: the environment variable RLVRC_NATIVE_KERNELS
   * (1, 0 or auto), else 'auto'.
   */
  nativeKernels?: boolean | 'auto';
}

function nativeKernelsChoice(opts: WasmOptions): boolean | 'auto' {
  if (opts.nativeKernels !== undefined) return opts.nativeKernels;
  const e = process.env.RLVRC_NATIVE_KERNELS ?? 'auto';
  if (e !== '0' && e !== '1' && e !== 'auto') throw new Error(`RLVRC_NATIVE_KERNELS must be auto, 0 or 1, not '${e}'`);
  return e === 'auto' ? 'auto' : e === '1';
}

export type BlasChoice = 'auto' | 'openblas' | 'none';

function blasChoice(opts: WasmOptions): BlasChoice {
  const c = opts.blas ?? process.env.RLVRC_BLAS ?? 'auto';
  if (c !== 'auto' && c !== 'openblas' && c !== 'none') throw new Error(`RLVRC_BLAS must be auto, openblas or none, not '${c}'`);
  return c;
}

async function tryWasm(choice: BackendChoice, opts: WasmOptions, skipped: string[] = []): Promise<BackendInfo> {
  const pkg = '@tensorflow/tfjs-backend-wasm';
  let threads = 1;
  try {
    await import(pkg);
  } catch (e) {
    throw new BackendUnavailableError(choice, `${pkg} does not load (${(e as Error).message})`);
  }
  const want = blasChoice(opts);
  const wantFused = nativeKernelsChoice(opts);
  const native = want === 'none' ? null : loadNativeBlas();
  if (want === 'openblas' && !native?.blas) throw new BackendUnavailableError(choice, `native OpenBLAS matmuls were asked for (RLVRC_BLAS=openblas) but ${native!.reason}`);
  const wasmThreads = opts.wasmThreads ?? (native?.blas ? 1 : opts.threads ?? 1);
  if (wasmThreads > 1) {
    try {
      const { registerThreadedWasm } = await import('./wasm-threads.js');
      threads = await registerThreadedWasm(wasmThreads);
    } catch (e) {
      // An explicit request fails loudly; `auto` keeps the single-threaded build when it is still registered.
      if (choice !== 'auto' || !tf.findBackendFactory('wasm')) throw new BackendUnavailableError(choice, `the threaded wasm build did not start (${(e as Error).message})`);
      skipped.push(`wasm with ${wasmThreads} threads: ${(e as Error).message}; using 1 thread`);
    }
  }
  if (!(await tf.setBackend('wasm'))) throw new BackendUnavailableError(choice, `${pkg} loaded but the 'wasm' backend did not initialise`);
  await tf.ready();
  if (opts.fastKernels ?? true) installWasmKernels();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  let blas: BackendInfo['blas'] = null;
  if (native?.blas) {
    installWasmBlasKernels(native.blas);
    blas = { library: native.blas.library, threads: native.blas.setThreads(opts.threads ?? 1), config: native.blas.config };
  } else if (native) {
    skipped.push(`native OpenBLAS matmuls: ${native.reason}`);
  } else {
    uninstallWasmBlasKernels(); // 'none' after an earlier selectBackend in this process installed them
  }
  let fused: string | null = null;
  disableFusedKernels();
  if (wantFused === true) {
    enableFusedKernels(requireFusedKernels(choice, loadNativeKernels()));
    fused = FUSED_KERNELS;
  } else if (wantFused === 'auto' && blas) {
    // The native path as a whole: with XNNPACK's matmuls (RLVRC_BLAS=none) the tfjs kernels stay, as before.
    const loaded = loadNativeKernels();
    if (loaded.kernels) {
      enableFusedKernels(loaded.kernels);
      fused = FUSED_KERNELS;
    } else skipped.push(`fused native kernels: ${loaded.reason}`);
  }
  return { choice, name: 'wasm', package: pkg, version: packageVersion(pkg), threads, simd, blas, fusedKernels: fused, skipped };
}

/** The fused kernels that were asked for, or BackendUnavailableError saying why they are not there. */
export function requireFusedKernels(choice: BackendChoice, loaded: ReturnType<typeof loadNativeKernels>): NativeKernels {
  if (!loaded.kernels) throw new BackendUnavailableError(choice, `the fused native kernels were asked for (RLVRC_NATIVE_KERNELS=1) but ${loaded.reason}`);
  return loaded.kernels;
}

async function tryCpu(choice: BackendChoice): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new BackendUnavailableError(choice, "tfjs's cpu backend did not initialise");
  await tf.ready();
  return { choice, name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', version: packageVersion('@tensorflow/tfjs-backend-cpu'), threads: 1, simd: null, blas: null, fusedKernels: null, skipped: [] };
}

/**
 * Activates a backend and reports it. An explicit choice that cannot load throws BackendUnavailableError
 * naming what is missing; `auto` falls through the candidates and records why each was skipped.
 */
export async function selectBackend(choice: BackendChoice = 'auto', opts: WasmOptions = {}): Promise<BackendInfo> {
  installGradientFixes();
  switch (choice) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      return tryNative(choice);
    case 'wasm':
      return tryWasm(choice, opts);
    case 'cpu':
      return tryCpu(choice);
    case 'auto': {
      const skipped: string[] = [];
      const attempts: Array<() => Promise<BackendInfo>> = [() => tryNative('tfjs-node-gpu'), () => tryNative('tfjs-node'), () => tryWasm('auto', opts, skipped)];
      for (const attempt of attempts) {
        try {
          const info = await attempt();
          return { ...info, choice, skipped };
        } catch (e) {
          skipped.push((e as Error).message);
        }
      }
      return { ...(await tryCpu('auto')), skipped };
    }
    default:
      throw new BackendUnavailableError(choice, `unknown backend (expected auto, tfjs-node-gpu, tfjs-node, wasm or cpu)`);
  }
}
