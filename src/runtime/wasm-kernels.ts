// A faster batched matmul for the wasm backend. In tfjs-backend-wasm's C code a BatchMatMul with batch > 1
// (attention scores and their gradients) runs a scalar triple loop, ~1.5 GFLOP/s; only batch 1 reaches
// XNNPACK (~20 GFLOP/s). This kernel hands each batch item to that same C entry point as a batch-1 matmul
// on views into the operands: extra tensor ids registered at offsets into the same memory, so nothing is
// copied. Transpose flags, broadcasting and other dtypes go to the original kernel. (A JS Transpose kernel
// was tried too and measured no faster than wasm's own; it was dropped.) Also: UnsortedSegmentSum, which
// wasm lacks, so the stock gather gradient works.
import * as tf from '@tensorflow/tfjs';
import { installWasmCopyKernels } from './wasm-copy-kernels.js';

interface WasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
  HEAPU8: Uint8Array;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}
interface WasmBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let installed = false;
/** Multiply-adds per batch item below which the per-item XNNPACK set-up costs more than it saves. */
const MIN_XNN_WORK = 32768;

/**
 * Registers the faster batched matmul, the missing UnsortedSegmentSum and the faster data-movement kernels
 * (wasm-copy-kernels.ts) for the 'wasm' backend (idempotent; the backend must be initialised).
 */
export function installWasmKernels(): void {
  if (installed) return;
  installWasmCopyKernels();
  const origMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!origMatMul) throw new Error('installWasmKernels: the wasm backend kernels are not registered');
  let cMatMul: ((...a: unknown[]) => unknown) | null = null;

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: origMatMul.setupFunc,
    kernelFunc: args => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
      const backend = args.backend as unknown as WasmBackend;
      const ra = a.shape.length;
      const rb = b.shape.length;
      const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
      const sameBatch = ra === rb && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
      // Each XNNPACK call costs ~40 µs of set-up (operator creation, packing b); the C loop does ~1.5 GFLOP/s,
      // so small items (single-query decoding: M = 1) stay on the C loop.
      const work = a.shape[ra - 2]! * a.shape[ra - 1]! * b.shape[rb - 1]!;
      if (attrs.transposeA || attrs.transposeB || ra < 3 || !sameBatch || batch === 1 || work < MIN_XNN_WORK || a.dtype !== 'float32' || b.dtype !== 'float32') {
        return origMatMul.kernelFunc(args);
      }
      cMatMul ??= backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
      const M = a.shape[ra - 2]!;
      const K = a.shape[ra - 1]!;
      const N = b.shape[rb - 1]!;
      const out = backend.makeOutput([...a.shape.slice(0, -2), M, N], 'float32');
      const aOff = backend.dataIdMap.get(a.dataId).memoryOffset;
      const bOff = backend.dataIdMap.get(b.dataId).memoryOffset;
      const oOff = backend.dataIdMap.get(out.dataId).memoryOffset;
      const aShape = new Uint8Array(new Int32Array([1, M, K]).buffer);
      const bShape = new Uint8Array(new Int32Array([1, K, N]).buffer);
      const { tfjs } = backend.wasm;
      for (let i = 0; i < batch; i++) {
        const ids = [backend.dataIdNextNumber++, backend.dataIdNextNumber++, backend.dataIdNextNumber++] as const;
        tfjs.registerTensor(ids[0], M * K, aOff + 4 * i * M * K);
        tfjs.registerTensor(ids[1], K * N, bOff + 4 * i * K * N);
        tfjs.registerTensor(ids[2], M * N, oOff + 4 * i * M * N);
        cMatMul(ids[0], aShape, 3, ids[1], bShape, 3, 0, 0, ids[2]);
        // Drops the views (and the XNNPACK operator cached on b's id); the memory belongs to a, b and out.
        for (const id of ids) tfjs.disposeData(id);
      }
      return out;
    },
  });

  // UnsortedSegmentSum, missing from tfjs-backend-wasm, so that tfjs's own gather gradient (and anything
  // built on it, e.g. tf.layers.embedding) trains on wasm: a scatter-add loop over the heap.
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: args => {
        const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
        const { numSegments } = args.attrs as { numSegments: number };
        const backend = args.backend as unknown as WasmBackend;
        if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm supports float32 data and int32 ids, got ${x.dtype} and ${segmentIds.dtype}`);
        const n = segmentIds.shape.reduce((p, q) => p * q, 1);
        const inner = x.shape.reduce((p, q) => p * q, 1) / Math.max(n, 1);
        const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
        // Views after makeOutput: an allocation may grow (and detach) the wasm heap.
        const heap = backend.wasm.HEAPU8.buffer;
        const xs = new Float32Array(heap, backend.dataIdMap.get(x.dataId).memoryOffset, n * inner);
        const ids = new Int32Array(heap, backend.dataIdMap.get(segmentIds.dataId).memoryOffset, n);
        const o = new Float32Array(heap, backend.dataIdMap.get(out.dataId).memoryOffset, numSegments * inner).fill(0);
        for (let i = 0; i < n; i++) {
          const seg = ids[i]!;
          if (seg < 0 || seg >= numSegments) continue; // TensorFlow drops out-of-range ids
          const src = i * inner;
          const dst = seg * inner;
          for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j]!;
        }
        return out;
      },
    });
  }
  installed = true;
}
