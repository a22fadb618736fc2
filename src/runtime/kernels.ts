// Gradient fixes that make training correct and fast on the WebAssembly backend (measured traps:
// /work/shared/design/tfjs-in-node.md). They are registered globally, once, and are exact: the same
// mathematics as tfjs's stock gradients, only written with plain matmuls and explicit transposes.
import * as tf from '@tensorflow/tfjs';
import { transposeFlagsAreFast } from './wasm-blas-kernels.js';

let installed = false;

/** Swaps the last two axes. */
export function transposeLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return tf.transpose(x, perm);
}

/** Sums a gradient over the leading axes that broadcasting added, back to `shape`. */
function unbroadcast(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const extra = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    const want = i < extra ? 1 : shape[i - extra]!;
    if (i < extra || (want === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return tf.reshape(tf.sum(g, axes), shape);
}

/**
 * The BatchMatMul gradient with explicit transposes + plain matmuls. tfjs's own gradient calls matMul with
 * transposeA/transposeB, which wasm runs 10-20x slower; it also fails when batch dims broadcast.
 */
function batchMatMulGrad(dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap): { a: () => tf.Tensor; b: () => tf.Tensor } {
  const [a, b] = saved as [tf.Tensor, tf.Tensor];
  const tA = Boolean(attrs.transposeA);
  const tB = Boolean(attrs.transposeB);
  if (transposeFlagsAreFast() && a.rank === b.rank && a.shape.slice(0, -2).every((d, i) => d === b.shape[i])) {
    // tfjs's own formulas, with flags: OpenBLAS reads transposed operands in place.
    return {
      a: () => (!tA && !tB ? tf.matMul(dy, b, false, true) : !tA && tB ? tf.matMul(dy, b) : tA && !tB ? tf.matMul(b, dy, false, true) : tf.matMul(b, dy, true, true)),
      b: () => (!tA && !tB ? tf.matMul(a, dy, true, false) : !tA && tB ? tf.matMul(dy, a, true, false) : tA && !tB ? tf.matMul(a, dy) : tf.matMul(dy, a, true, true)),
    };
  }
  const T = transposeLast;
  return {
    a: () => {
      let da: tf.Tensor;
      if (!tA && !tB) da = tf.matMul(dy, T(b));
      else if (!tA && tB) da = tf.matMul(dy, b);
      else if (tA && !tB) da = tf.matMul(b, T(dy));
      else da = tf.matMul(T(b), T(dy));
      return unbroadcast(da, a.shape);
    },
    b: () => {
      // [.., M, K] @ [K, N]: fold the batch into rows so the weight gradient is one 2-D matmul.
      if (!tA && !tB && b.rank === 2 && a.rank > 2) {
        const k = a.shape[a.rank - 1]!;
        const n = dy.shape[dy.rank - 1]!;
        return tf.matMul(T(tf.reshape(a, [-1, k])), tf.reshape(dy, [-1, n]));
      }
      let db: tf.Tensor;
      if (!tA && !tB) db = tf.matMul(T(a), dy);
      else if (!tA && tB) db = tf.matMul(T(dy), a);
      else if (tA && !tB) db = tf.matMul(a, dy);
      else db = tf.matMul(T(dy), T(a));
      return unbroadcast(db, b.shape);
    },
  };
}

/** Registers the fixed gradients (idempotent). */
export function installGradientFixes(): void {
  if (installed) return;
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: batchMatMulGrad as unknown as tf.GradConfig['gradFunc'],
  });
  installed = true;
}
