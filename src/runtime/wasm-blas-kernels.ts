// Matmuls of the wasm backend handed to OpenBLAS (native-blas.ts), on the operands where they already lie in
// the wasm heap: no copies. XNNPACK on 128-bit wasm SIMD without FMA runs the training step's matmuls at
// 17-25 GFLOP/s and repacks each weight-gradient's large operand on every call; OpenBLAS with AVX2/FMA runs
// ~70 per core. Measured: the benchmark GPT's training step 2.5x faster (bench/README.md). Results differ from
// XNNPACK's in the last bits (another summation order), so a run records which one it used (BackendInfo.blas).
// Cases not covered (other dtypes, broadcast batches, fused activations, PReLU) go to the kernel it replaced.
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from './native-blas.js';
import { KernelOverrides, heapOffset, sizeOf, type WasmBackendLike } from './kernel-overrides.js';
import { fusedKernels } from './native-kernels.js';

const overrides = new KernelOverrides('installWasmBlasKernels');

/**
 * With the fused kernels on (native-kernels.ts), GEMMs (and batched matmuls' items) smaller than this (m·n·k)
 * run with OpenBLAS on one thread. OpenBLAS splits any GEMM above 2^18 multiply-adds across its threads, which
 * for small ones costs more in hand-offs than it saves, the more so the busier the machine. Measured on the
 * shared 2-core machine at load 7-9, 1 thread against 2: [128, 115, 32] @ [128, 32, 115] 1.7 ms against 59 ms;
 * the sampler's [128, 128] @ [128, 384] 0.19 against 1.87 ms, [32, 128] @ [128, 384] 0.11 against 0.61 ms;
 * [256, 128] @ [128, 512] 0.34 against 0.46 ms; at 2^23 the fused decoding layer at 256 rows switched between
 * one and two threads within each layer and took twice as long. The threaded split rounds some outputs
 * differently (another kernel path at block edges), so this is part of the fused kernels' numerics, not of
 * the default's (test/runtime/native-blas.test.ts).
 */
export const SINGLE_THREAD_ITEM = 1 << 25;

function gemmKernel(blas: NativeBlas, fallback: tf.KernelConfig): tf.KernelFunc {
  return args => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
    const ra = a!.shape.length;
    const rb = b!.shape.length;
    const batchShape = a!.shape.slice(0, -2);
    const covered =
      a!.dtype === 'float32' && b!.dtype === 'float32' && !preluActivationWeights && (!activation || activation === 'linear') &&
      ra === rb && batchShape.every((d, i) => d === b!.shape[i]) && sizeOf(a!.shape) > 0 && sizeOf(b!.shape) > 0;
    const M = a!.shape[transposeA ? ra - 1 : ra - 2]!;
    const K = a!.shape[transposeA ? ra - 2 : ra - 1]!;
    const N = b!.shape[transposeB ? rb - 2 : rb - 1]!;
    if (!covered || (bias && (bias.dtype !== 'float32' || sizeOf(bias.shape) !== N))) return fallback.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput([...batchShape, M, N], 'float32');
    const batch = sizeOf(batchShape);
    const off = (t: tf.TensorInfo) => heapOffset(backend, t);
    const heap = backend.wasm.HEAPU8; // after makeOutput, which may grow the heap
    if (bias) {
      // Every row starts as the bias and GEMM adds onto it (beta = 1): no separate pass.
      const o = new Float32Array(heap.buffer, off(out), batch * M * N);
      o.set(new Float32Array(heap.buffer, off(bias), N));
      for (let filled = N; filled < o.length; filled *= 2) o.copyWithin(filled, 0, Math.min(filled, o.length - filled));
    }
    const threads = blas.threads();
    const oneThread = threads > 1 && M * N * K < SINGLE_THREAD_ITEM && fusedKernels() !== null;
    if (oneThread) blas.setThreads(1);
    try {
      for (let i = 0; i < batch; i++) {
        blas.gemm(heap, off(a!) + 4 * i * M * K, off(b!) + 4 * i * K * N, off(out) + 4 * i * M * N, M, N, K, transposeA, transposeB, bias ? 1 : 0);
      }
    } finally {
      if (oneThread) blas.setThreads(threads);
    }
    return out;
  };
}

/**
 * Whether matMul with transpose flags is as fast as without on the active backend: true while OpenBLAS
 * computes the wasm backend's matmuls (it reads transposed operands in place). Gradient code then passes
 * flags instead of materialising transposes, which wasm's own kernels need (they run flags 10-20x slower).
 */
export function transposeFlagsAreFast(): boolean {
  return overrides.active && tf.getBackend() === 'wasm';
}

/** Routes the wasm backend's BatchMatMul and _FusedMatMul to `blas` (idempotent; after installWasmKernels). */
export function installWasmBlasKernels(blas: NativeBlas): void {
  if (overrides.active) return;
  for (const name of ['BatchMatMul', '_FusedMatMul']) overrides.replace(name, previous => gemmKernel(blas, previous));
}

/** Puts back the kernels installWasmBlasKernels replaced (for tests and benchmarks that compare the two). */
export function uninstallWasmBlasKernels(): void {
  overrides.restore();
}
