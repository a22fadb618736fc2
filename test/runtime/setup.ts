// Shared fixtures for runtime tests: a tiny GPT and helpers for comparing numbers.
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, createGpt, selectBackend, type BackendChoice, type Gpt } from '../../src/runtime/index.js';

/** 'wasm' computes matmuls on OpenBLAS where the native addon is built; 'wasm-xnnpack' always on XNNPACK. */
export async function useBackend(choice: BackendChoice | 'wasm-xnnpack' = 'wasm'): Promise<void> {
  if (choice === 'wasm-xnnpack') await selectBackend('wasm', { blas: 'none' });
  else await selectBackend(choice);
  tf.env().set('PROD', true); // no debug checks, quieter
}

export const tinyTokenizer = new CharTokenizer('abcx:;=');

export function tinyGpt(seed = 1, over: Partial<Parameters<typeof createGpt>[0]> = {}): Gpt {
  return createGpt({ vocabSize: tinyTokenizer.vocabSize, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 2, ...over }, tinyTokenizer, seed);
}

export function near(actual: number, expected: number, tol = 1e-6): boolean {
  return Math.abs(actual - expected) <= tol;
}
