import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/runtime/index.js';
import { loadNativeBlas } from '../src/runtime/native-blas.js';
await selectBackend('wasm', { threads: 2 });
const blas = loadNativeBlas().blas!;
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [M, K, N] of [[32, 128, 384], [128, 128, 384], [256, 128, 512], [2048, 128, 512], [256, 128, 128]]) {
  const a = tf.randomNormal([M, K]), b = tf.randomNormal([K, N]);
  const r: Record<number, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < 31; i++) for (const th of [1, 2]) {
    blas.setThreads(th);
    const t = performance.now(); tf.matMul(a, b).dispose(); r[th].push(performance.now() - t);
  }
  console.log(M, K, N, 'MACs', M*K*N, 'threads1', med(r[1]).toFixed(3), 'threads2', med(r[2]).toFixed(3));
}
