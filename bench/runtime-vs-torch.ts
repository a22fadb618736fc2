// Our training step and sampler against the same GPT in PyTorch, same machine, same thread count.
// Usage: node --import tsx bench/runtime-vs-torch.ts [--json] [--threads N] [--reps N] [--backend wasm|cpu|auto] [--no-torch]
// Prints one JSON object (medians in seconds; ratios are ours / PyTorch's, lower is better).
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CharTokenizer, Rng, SftTrainer, createGpt, sample, selectBackend, type BackendChoice } from '../src/runtime/index.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const threads = Number(opt('threads', '2'));
const reps = Number(opt('reps', '5'));
const backend = opt('backend', 'wasm') as BackendChoice;
const cfg = { vocab: 32, ctx: 64, d: 128, layers: 4, heads: 4, batch: 32, samples: 32, prompt: 16, newTokens: 48 };

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
function time(fn: () => void, warmup: number, n: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

const info = await selectBackend(backend, { threads });
// 29 characters + PAD/BOS/EOS = the benchmark's vocabulary of 32.
const tok = new CharTokenizer('abcdefghijklmnopqrstuvwxyz0123'.slice(0, cfg.vocab - 3));
const gpt = createGpt({ vocabSize: cfg.vocab, contextLength: cfg.ctx, dModel: cfg.d, nLayers: cfg.layers, nHeads: cfg.heads }, tok, 0);
const rng = new Rng(0, 'bench');
const randomText = (n: number) => Array.from({ length: n }, () => tok.alphabet[rng.int(tok.alphabet.length)]).join('');
// Documents longer than the context, so every example is a full window of 64 inputs + 64 targets.
const corpus = Array.from({ length: 256 }, () => randomText(cfg.ctx + 8));
const trainer = new SftTrainer(gpt, corpus, { batchSize: cfg.batch, optimizer: { schedule: { kind: 'constant', lr: 1e-3 } }, seed: 0 });
const trainStep = time(() => void trainer.trainStep(), 2, reps);
const prompts = Array.from({ length: cfg.samples }, () => randomText(cfg.prompt - 1)); // + BOS = 16 tokens
let generated = 0;
const sampleTime = time(() => {
  generated = sample(gpt, prompts, { maxNewTokens: cfg.newTokens, rng }).reduce((n, s) => n + s.tokens.length, 0);
}, 1, reps);
const tensorsLeft = tf.memory().numTensors;

let torch: Record<string, unknown> | null = null;
if (!args.includes('--no-torch')) {
  const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--reps', String(reps), '--batch', String(cfg.batch), '--samples', String(cfg.samples), '--prompt', String(cfg.prompt), '--new', String(cfg.newTokens)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_reference.py failed: ${r.stderr || r.error}`);
  torch = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}
const ratio = (ours: number, key: string) => (torch ? ours / Number(torch[key]) : null);
const result = {
  config: { ...cfg, params: gpt.numParameters, threads, reps },
  backend: info,
  ours: { train_step_s: trainStep, sample_s: sampleTime, sampled_tokens: generated, tensors_after: tensorsLeft },
  torch,
  train_step_ratio: ratio(trainStep, 'train_step_s'),
  sample_ratio: ratio(sampleTime, 'sample_naive_s'),
  sample_ratio_vs_torch_kv: ratio(sampleTime, 'sample_kv_s'),
  load_average_1m: loadavg()[0],
};
console.log(args.includes('--json') ? JSON.stringify(result) : JSON.stringify(result, null, 2));
