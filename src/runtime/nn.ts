// Building blocks with hand-written gradients: fewer intermediate tensors than autodiff through
// elementwise chains, and no kernels that wasm lacks (gather's stock gradient needs UnsortedSegmentSum).
import * as tf from '@tensorflow/tfjs';
import { transposeFlagsAreFast } from './wasm-blas-kernels.js';
import { fusedGelu, fusedKernels, fusedLayerNorm } from './native-kernels.js';

type Forward<T extends tf.Tensor> = (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: T; gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/** tf.customGrad with positional inputs (tfjs passes `save` as the last argument). */
function withGrad<T extends tf.Tensor>(forward: Forward<T>, ...inputs: tf.Tensor[]): T {
  const f = tf.customGrad<T>((...args) => forward(args.slice(0, -1) as tf.Tensor[], args[args.length - 1] as tf.GradSaveFunc));
  return f(...inputs);
}

/** Rows of `table` [V, D] picked by `ids` [N] (int32) → [N, D]; the gradient scatters-adds into the table. */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  // `ids` is saved (not just captured): tfjs keeps saved tensors alive until the backward pass, while a
  // captured one would be disposed by any tidy() that ends between the forward and backward passes.
  return withGrad<tf.Tensor2D>(([t], save) => {
    save([ids]);
    return {
      value: tf.gather(t as tf.Tensor2D, ids),
      gradFunc: (dy, [i]) => tf.scatterND(tf.reshape(i!, [-1, 1]), dy, t!.shape),
    };
  }, table);
}

/** `x[i, ids[i]]` for x [N, V] → [N]; gradient scattered back into [N, V] (no one-hot of size N×V). */
export function pickColumns(x: tf.Tensor2D, ids: Int32Array): tf.Tensor1D {
  const n = x.shape[0];
  const idx = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    idx[2 * i] = i;
    idx[2 * i + 1] = ids[i]!;
  }
  const indices = tf.tensor2d(idx, [n, 2], 'int32');
  return withGrad<tf.Tensor1D>(([t], save) => {
    save([indices]);
    return {
      value: tf.gatherND(t!, indices) as tf.Tensor1D,
      gradFunc: (dy, [i]) => tf.scatterND(i!, dy, t!.shape),
    };
  }, x);
}

/** LayerNorm over the last axis of x [N, D] with gain g and bias b [D] (analytic backward pass). */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  if (fusedKernels()) return fusedLayerNorm(x, g, b, eps);
  return withGrad<tf.Tensor2D>(([xi, gi, bi], save) => {
    const mean = tf.mean(xi!, -1, true);
    const centered = tf.sub(xi!, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
    const xhat = tf.mul(centered, rstd);
    save([xhat, rstd, gi!]);
    const value = tf.add(tf.mul(xhat, gi!), bi!) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xh, rs, gg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dxhat = tf.mul(dy, gg);
      // dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
      const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))));
      return [dx, columnSum(tf.mul(dy, xh) as tf.Tensor2D), columnSum(dy)];
    };
    return { value, gradFunc };
  }, x, g, b);
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation (PyTorch's approximate='tanh'), written as x·σ(u) with u = 2c(x + a·x³):
 * ½(1 + tanh(z)) = σ(2z), and wasm's sigmoid is ~6x faster than its tanh (pow is avoided the same way).
 * The backward pass recomputes σ(u) from x: d/dx = σ + x·σ(1−σ)·2c(1 + 3a·x²).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedKernels()) return fusedGelu(x);
  return withGrad<tf.Tensor>(([xi], save) => {
    save([xi!]);
    const u = (v: tf.Tensor, v2: tf.Tensor) => tf.mul(v, tf.add(tf.mul(v2, 2 * GELU_C * GELU_A), 2 * GELU_C));
    const value = tf.mul(xi!, tf.sigmoid(u(xi!, tf.square(xi!))));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved as [tf.Tensor];
      const x2 = tf.square(xs);
      const s = tf.sigmoid(u(xs, x2));
      const du = tf.add(tf.mul(x2, 2 * GELU_C * 3 * GELU_A), 2 * GELU_C);
      const d = tf.add(s, tf.mul(tf.mul(xs, tf.mul(s, tf.sub(1, s))), du));
      return [tf.mul(dy, d)];
    };
    return { value, gradFunc };
  }, x);
}

/** Σ over rows of x [N, D] → [D], as ones[1, N] @ x: a 2-D matmul, where wasm's Sum over axis 0 transposes first. */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]);
}

/**
 * x [N, K] @ w [K, M] + b [M]: 2-D matmuls only, forward and backward (dx = dy·wᵀ, dw = xᵀ·dy, db = column
 * sums of dy). The transposes are explicit on wasm's own matmuls, which run transpose flags slowly, and flags
 * when OpenBLAS computes them (wasm-blas-kernels.ts).
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (!b) return tf.matMul(x, w);
  return withGrad<tf.Tensor2D>(([xi, wi, bi], save) => {
    save([xi!, wi!]);
    return {
      // One fused kernel (XNNPACK adds the bias): no separate [N, M] add.
      value: tf.fused.matMul({ a: xi as tf.Tensor2D, b: wi as tf.Tensor2D, bias: bi! }) as tf.Tensor2D,
      gradFunc: (dy, [xs, ws]) =>
        transposeFlagsAreFast()
          ? [tf.matMul(dy, ws!, false, true), tf.matMul(xs!, dy, true, false), columnSum(dy)]
          : [tf.matMul(dy, tf.transpose(ws!)), tf.matMul(tf.transpose(xs!), dy), columnSum(dy)],
    };
  }, x, w, b);
}
