// Data-movement kernels for the wasm backend, written in JS over the wasm heap. They move bits and do no
// arithmetic, so their results are identical to the stock kernels'; only the speed differs. Measured on the
// training step's shapes (bench/README.md): wasm's 2-D Transpose walks the output with a power-of-two stride
// (every write a cache-set conflict, ~10 ms for 2048×512), its GatherV2 takes ~13 ms to pick 2048 rows of a
// [32, 128] table, its Slice first copies the whole input out of the heap (readSync) for every slice (so
// splitting q, k, v out of [2048, 384] copies it three times), and its Identity copies every tensor that a
// gradient saves for the backward pass.
import * as tf from '@tensorflow/tfjs';
import { KernelOverrides, heapWords, sizeOf, type WasmBackendLike } from './kernel-overrides.js';

/** Elements below which wasm's own 2-D transpose is as fast (its stride conflicts start past the caches). */
const MIN_JS_TRANSPOSE = 16384;

const isWord = (dtype: tf.DataType) => dtype === 'float32' || dtype === 'int32';

/**
 * A transpose reduced to its essentials: `batch` independent [rows, cols] matrices of `chunk`-element items,
 * out[b][c][r] = in[b][r][c]. Returns null when the permutation is not of that form.
 */
export function transposePlan(shape: readonly number[], perm: readonly number[]): { batch: number; rows: number; cols: number; chunk: number } | null {
  // Drop size-1 axes (they move no data), then merge input axes that stay adjacent and in order.
  const keep = shape.map((d, i) => (d === 1 ? -1 : i)).filter(i => i >= 0);
  const rank = new Map(keep.map((axis, i) => [axis, i]));
  const p = perm.filter(a => rank.has(a)).map(a => rank.get(a)!);
  const s = keep.map(a => shape[a]!);
  const groups: number[][] = []; // output order; each group is a run of consecutive input axes
  for (const a of p) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  // Input order of the merged axes and their sizes.
  const byInput = groups.slice().sort((x, y) => x[0]! - y[0]!);
  const size = byInput.map(g => g.reduce((n, a) => n * s[a]!, 1));
  const mergedPerm = groups.map(g => byInput.indexOf(g));
  let lo = 0;
  while (lo < mergedPerm.length && mergedPerm[lo] === lo) lo++;
  let hi = mergedPerm.length;
  const chunk = hi > lo && mergedPerm[hi - 1] === hi - 1 ? size[--hi]! : 1;
  if (hi - lo !== 2 || mergedPerm[lo] !== lo + 1) return null; // identity, or more than one swap
  return { batch: size.slice(0, lo).reduce((a, b) => a * b, 1), rows: size[lo]!, cols: size[lo + 1]!, chunk };
}

/** out[c][r] = x[r][c] for an R×C matrix of words, in 8×8 tiles so that reads and writes stay in cache. */
export function transpose2d(x: Int32Array, out: Int32Array, R: number, C: number): void {
  const B = 8;
  for (let r0 = 0; r0 < R; r0 += B) {
    const r1 = Math.min(r0 + B, R);
    for (let c0 = 0; c0 < C; c0 += B) {
      const c1 = Math.min(c0 + B, C);
      for (let r = r0; r < r1; r++) {
        let dst = c0 * R + r;
        const end = r * C + c1;
        for (let src = r * C + c0; src < end; src++, dst += R) out[dst] = x[src]!;
      }
    }
  }
}

/** x[begin : begin + size] of a 4-byte tensor, copied run by run along the last axis. */
function sliceWords(backend: WasmBackendLike, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const n = sizeOf(size);
  if (n === 0) return out;
  const xs = heapWords(backend, x, sizeOf(x.shape));
  const os = heapWords(backend, out, n);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  const run = size[rank - 1] ?? 1;
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0); // an odometer over the leading axes
  for (let dst = 0; dst < n; dst += run) {
    let src = rank ? begin[rank - 1]! : 0;
    for (let a = 0; a < rank - 1; a++) src += (begin[a]! + idx[a]!) * strides[a]!;
    os.set(xs.subarray(src, src + run), dst);
    for (let a = rank - 2; a >= 0 && ++idx[a]! === size[a]; a--) idx[a] = 0;
  }
  return out;
}

const overrides = new KernelOverrides('installWasmCopyKernels');

/**
 * Registers Transpose, GatherV2, Slice, SplitV and Identity for the wasm backend (idempotent; the backend must be
 * initialised). Cases they do not cover go to the stock kernels.
 */
export function installWasmCopyKernels(): void {
  if (overrides.active) return;
  try {
    overrides.replace('Transpose', stock => args => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { perm } = args.attrs as { perm: number[] };
      const plan = isWord(x.dtype) ? transposePlan(x.shape, perm) : null;
      // Only a plain 2-D transpose of a large matrix: wasm's own 3-D and 4-D loops are faster for the batched
      // and chunked cases (measured on the attention's head transposes).
      if (!plan || plan.batch !== 1 || plan.chunk !== 1 || plan.rows * plan.cols < MIN_JS_TRANSPOSE) return stock.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackendLike;
      const n = sizeOf(x.shape);
      const out = backend.makeOutput(perm.map(a => x.shape[a]!), x.dtype);
      transpose2d(heapWords(backend, x, n), heapWords(backend, out, n), plan.rows, plan.cols);
      return out;
    });

    overrides.replace('GatherV2', stock => args => {
      const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const { axis: axisAttr, batchDims } = args.attrs as { axis: number; batchDims: number };
      if (!isWord(x.dtype) || indices.dtype !== 'int32' || batchDims) return stock.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackendLike;
      const axis = axisAttr < 0 ? axisAttr + x.shape.length : axisAttr;
      const outer = sizeOf(x.shape.slice(0, axis));
      const dim = x.shape[axis]!;
      const inner = sizeOf(x.shape.slice(axis + 1));
      const n = sizeOf(indices.shape);
      const out = backend.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
      const xs = heapWords(backend, x, outer * dim * inner);
      const ids = heapWords(backend, indices, n);
      const os = heapWords(backend, out, outer * n * inner);
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id < 0 || id >= dim) throw new Error(`GatherV2: index ${id} is not in [0, ${dim - 1}]`);
      }
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < n; i++) {
          const src = (o * dim + ids[i]!) * inner;
          const dst = (o * n + i) * inner;
          if (inner >= 8) os.set(xs.subarray(src, src + inner), dst);
          else for (let j = 0; j < inner; j++) os[dst + j] = xs[src + j]!;
        }
      return out;
    });

    overrides.replace('Slice', stock => args => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (!isWord(x.dtype)) return stock.kernelFunc(args);
      const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
      const [b, sz] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      return sliceWords(args.backend as unknown as WasmBackendLike, x, b, sz);
    });

    // wasm's SplitV calls its own slice function directly, so it is replaced too.
    overrides.replace('SplitV', stock => args => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (!isWord(x.dtype)) return stock.kernelFunc(args);
      const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
      const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
      const begin = x.shape.map(() => 0);
      return tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax).map(s => {
        const size = x.shape.slice();
        size[ax] = s;
        const out = sliceWords(args.backend as unknown as WasmBackendLike, x, begin, size);
        begin[ax]! += s;
        return out;
      });
    });

    // Tensors are immutable (every kernel writes a fresh output), so a clone can share the memory, as
    // Reshape already does; wasm's own Identity copies it.
    overrides.replace('Identity', stock => args => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype === 'string') return stock.kernelFunc(args);
      (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    });
  } catch (e) {
    overrides.restore(); // all or nothing
    throw e;
  }
}

/** Puts the stock kernels back (for tests and benchmarks that compare the two). */
export function uninstallWasmCopyKernels(): void {
  overrides.restore();
}
