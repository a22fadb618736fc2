import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/runtime/index.js';
import { loadNativeBlas } from '../src/runtime/native-blas.js';
await selectBackend('wasm', { threads: 2 });
const blas = loadNativeBlas().blas!;
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const T of [62, 115]) {
  const a = tf.randomNormal([128, T, 32]), b = tf.randomNormal([128, 32, T]);
  const r: Record<number, number[]> = { 1: [], 2: [] };
  for (let i = 0; i < 15; i++) for (const th of [1, 2]) {
    blas.setThreads(th);
    const t = performance.now(); tf.matMul(a, b).dispose(); r[th].push(performance.now() - t);
  }
  console.log(T, 'threads1', med(r[1]).toFixed(2), 'threads2', med(r[2]).toFixed(2));
}
