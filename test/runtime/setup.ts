// Shared fixtures for runtime tests: a tiny GPT and helpers for comparing numbers.
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, createGpt, selectBackend, SftTrainer, type BackendChoice, type Gpt } from '../../src/runtime/index.js';

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

/**
 * `steps` SFT steps of a seeded GPT on a fixed corpus, big enough for wasm-copy-kernels' JS transpose
 * (activations of 16 × 32 rows × 64 features = 32768 elements): each step's [loss, grad norm] and the weights.
 */
export function trainSmallGpt(steps: number): { stats: number[][]; weights: ReturnType<Gpt['getWeights']> } {
  const tok = new CharTokenizer('abcdefghij');
  const corpus = Array.from({ length: 40 }, (_, i) => 'abcdefghij'.repeat(5).slice(i % 10, (i % 10) + 40));
  const gpt = createGpt({ vocabSize: tok.vocabSize, contextLength: 32, dModel: 64, nLayers: 2, nHeads: 2 }, tok, 3);
  const trainer = new SftTrainer(gpt, corpus, { batchSize: 16, optimizer: { schedule: { kind: 'constant', lr: 1e-3 }, maxGradNorm: 1 }, seed: 5 });
  const stats = Array.from({ length: steps }, () => trainer.trainStep()).map(s => [s.loss, s.gradNorm]);
  const weights = gpt.getWeights();
  trainer.dispose();
  gpt.dispose();
  return { stats, weights };
}
