// Building blocks with hand-written gradients: fewer intermediate tensors than autodiff through
// elementwise chains, and no kernels that wasm lacks (gather's stock gradient needs UnsortedSegmentSum).
import * as tf from '@tensorflow/tfjs';

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
      return [dx, tf.sum(tf.mul(dy, xh), 0), tf.sum(dy, 0)];
    };
    return { value, gradFunc };
  }, x, g, b);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (PyTorch's approximate='tanh'); the backward pass recomputes from x. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return withGrad<tf.Tensor>(([xi], save) => {
    save([xi!]);
    const inner = tf.mul(tf.add(xi!, tf.mul(tf.pow(xi!, 3), 0.044715)), GELU_C);
    const th = tf.tanh(inner);
    const value = tf.mul(tf.mul(xi!, 0.5), tf.add(th, 1));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved as [tf.Tensor];
      const x2 = tf.square(xs);
      const t = tf.tanh(tf.mul(tf.mul(xs, tf.add(tf.mul(x2, 0.044715), 1)), GELU_C));
      // d/dx = ½(1+t) + ½x(1−t²)·c·(1 + 3·0.044715·x²)
      const sech2 = tf.sub(1, tf.square(t));
      const d = tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(tf.mul(xs, 0.5 * GELU_C), sech2), tf.add(tf.mul(x2, 3 * 0.044715), 1)));
      return [tf.mul(dy, d)];
    };
    return { value, gradFunc };
  }, x);
}

/** x [N, K] @ w [K, M] + b [M] as one 2-D matmul (wasm's fast path). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, w) as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}
