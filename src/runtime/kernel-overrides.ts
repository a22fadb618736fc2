// Replacing kernels registered for the wasm backend with our own, remembering what each replaced so that cases
// we do not cover can fall back to it and tests and benchmarks can put it back. Shared by wasm-copy-kernels.ts
// and wasm-blas-kernels.ts; also what our kernels need of the wasm backend's internals (its heap).
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm our kernels use: its heap and where each tensor lies in it. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmBackendLike, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** An Int32Array view of a 4-byte tensor's memory (bit copies: float NaN payloads survive). */
export function heapWords(backend: WasmBackendLike, t: tf.TensorInfo, size: number): Int32Array {
  // A view is taken after every allocation: growing the heap detaches older views.
  return new Int32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, t), size);
}

export class KernelOverrides {
  private readonly replaced = new Map<string, tf.KernelConfig>();

  /** `owner` names the installer in errors. */
  constructor(private readonly owner: string) {}

  get active(): boolean {
    return this.replaced.size > 0;
  }

  /** Registers `make(previous)` for `name` on wasm in place of `previous`, the kernel registered now. */
  replace(name: string, make: (previous: tf.KernelConfig) => tf.KernelFunc): void {
    const previous = tf.getKernel(name, 'wasm');
    if (!previous) throw new Error(`${this.owner}: wasm has no ${name} kernel to fall back on`);
    tf.unregisterKernel(name, 'wasm');
    this.replaced.set(name, previous);
    tf.registerKernel({ kernelName: name, backendName: 'wasm', setupFunc: previous.setupFunc, kernelFunc: make(previous) });
  }

  /** Puts back every kernel replaced. */
  restore(): void {
    for (const [name, previous] of this.replaced) {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(previous);
    }
    this.replaced.clear();
  }
}
