// Building blocks of the Hugging Face decoders, with hand-written gradients where autodiff would keep
// many intermediates or need kernels wasm lacks (gather's gradient needs UnsortedSegmentSum).
import * as tf from '@tensorflow/tfjs';

// tfjs types a custom-gradient function's inputs as Tensor | GradSaveFunc; ours name them precisely.
type GradFn = Parameters<typeof tf.customGrad>[0];

/** RMSNorm over the last axis of x [N, D] with gain g [D]: x · rsqrt(mean(x²) + eps) · g. */
export function rmsNorm(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = tf.customGrad(((xi: tf.Tensor, gi: tf.Tensor, save: tf.GradSaveFunc) => {
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xi), -1, true), eps));
    const xhat = tf.mul(xi, rstd);
    save([xhat, rstd, gi]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xh, rs, gg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dxhat = tf.mul(dy, gg);
      // dx = rstd · (dxhat − xhat · mean(dxhat · xhat))
      const dx = tf.mul(rs, tf.sub(dxhat, tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))));
      return [dx, tf.sum(tf.mul(dy, xh), 0)];
    };
    return { value: tf.mul(xhat, gi), gradFunc };
  }) as unknown as GradFn);
  return f(x, g) as tf.Tensor2D;
}

/** SwiGLU gate: silu(a) · b for a, b [N, F]; the backward pass recomputes the sigmoid from a. */
export function swiglu(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad(((ai: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ai, bi]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [as, bs] = saved as [tf.Tensor, tf.Tensor];
      const s = tf.sigmoid(as);
      const silu = tf.mul(as, s);
      // d silu/da = s · (1 + a · (1 − s))
      const dsilu = tf.mul(s, tf.add(1, tf.mul(as, tf.sub(1, s))));
      return [tf.mul(tf.mul(dy, bs), dsilu), tf.mul(dy, silu)];
    };
    return { value: tf.mul(tf.mul(ai, tf.sigmoid(ai)), bi), gradFunc };
  }) as unknown as GradFn);
  return f(a, b) as tf.Tensor2D;
}

/**
 * Rows `ids` of an embedding table [V, D] → [N, D], or of one stored transposed, tableT [D, V] (tied
 * checkpoints keep one [D, V] matrix so the LM head is a plain matmul: wasm runs transposed matmuls
 * 10-20x slower). The gradient scatter-adds rows of a [V, D] buffer (transposed once for tableT); the ids
 * are kept as a JS array because the backward pass runs after the forward pass's tensors are disposed.
 */
export function embeddingRows(table: tf.Tensor2D, ids: Int32Array, transposed: boolean): tf.Tensor2D {
  const f = tf.customGrad(((t: tf.Tensor) => {
    const idx = tf.tensor1d(ids, 'int32');
    const value = transposed ? tf.transpose(tf.gather(t as tf.Tensor2D, idx, 1)) : tf.gather(t as tf.Tensor2D, idx);
    const gradFunc = (dy: tf.Tensor) => {
      const V = transposed ? t.shape[1]! : t.shape[0]!;
      const D = transposed ? t.shape[0]! : t.shape[1]!;
      const g = tf.scatterND(tf.tensor2d(ids, [ids.length, 1], 'int32'), dy, [V, D]);
      return transposed ? tf.transpose(g) : g;
    };
    return { value, gradFunc };
  }) as unknown as GradFn);
  return f(table) as tf.Tensor2D;
}

/**
 * Rotary embedding in the "rotate half" layout of transformers: for each head, out = x·cos + rot(x)·sin
 * with rot(x) = [−x₂, x₁]. x [N, heads·hd]; cos, sinSigned [N, 1, hd] where sinSigned = [−sin, sin] so
 * that rot(x)·sin = swap(x)·sinSigned and swap is a split + concat (both have gradients everywhere).
 */
export function applyRope(x: tf.Tensor2D, heads: number, hd: number, cos: tf.Tensor3D, sinSigned: tf.Tensor3D): tf.Tensor2D {
  const N = x.shape[0];
  const x3 = tf.reshape(x, [N, heads, hd]);
  const [x1, x2] = tf.split(x3, 2, 2);
  const swapped = tf.concat([x2!, x1!], 2);
  return tf.reshape(tf.add(tf.mul(x3, cos), tf.mul(swapped, sinSigned)), [N, heads * hd]) as tf.Tensor2D;
}
