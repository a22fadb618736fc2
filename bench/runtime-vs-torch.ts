// Our training step and sampler against the same GPT in PyTorch, same machine, same thread count.
// Usage: node --import tsx bench/runtime-vs-torch.ts [--json] [--threads N] [--wasm-threads N] [--reps N] [--settle-ms N] [--backend wasm|cpu|auto] [--no-torch]
// Prints one JSON object: medians in seconds, and ratios ours / PyTorch's (lower is better). PyTorch runs as
// a child process answering one measurement at a time, and the two sides alternate (ours, theirs, ours, …),
// so other load on the machine hits both alike; each ratio is the median of the per-round ratios.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CharTokenizer, Rng, SftTrainer, createGpt, sample, selectBackend, type BackendChoice } from '../src/runtime/index.js';
import { installWasmCopyKernels, uninstallWasmCopyKernels } from '../src/runtime/wasm-copy-kernels.js';
import { installWasmBlasKernels, uninstallWasmBlasKernels } from '../src/runtime/wasm-blas-kernels.js';
import { loadNativeBlas } from '../src/runtime/native-blas.js';
import { disableFusedKernels, enableFusedKernels, loadNativeKernels } from '../src/runtime/native-kernels.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const threads = Number(opt('threads', '2'));
const reps = Number(opt('reps', '5'));
const backend = opt('backend', 'wasm') as BackendChoice;
const withTorch = !args.includes('--no-torch');
const cfg = { vocab: 32, ctx: 64, d: 128, layers: 4, heads: 4, batch: 32, samples: 32, prompt: 16, newTokens: 48 };

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
// Spinning worker threads (wasm's pthreadpool, OpenBLAS's) keep a core busy for a while after their side's
// work ends, which slows the other side's next measurement; a pause before each one lets them go to sleep.
const settleMs = Number(opt('settle-ms', '300'));
const settle = () => new Promise(resolve => setTimeout(resolve, settleMs));
const seconds = (fn: () => void) => {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
};

/** The PyTorch side: one process, one timing per request line. */
async function startTorch() {
  const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
  const child = spawn('/usr/bin/python3', [script, '--serve', '--threads', String(threads), '--batch', String(cfg.batch), '--samples', String(cfg.samples), '--prompt', String(cfg.prompt), '--new', String(cfg.newTokens)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('torch_reference.py exited early');
    return JSON.parse(r.value) as unknown;
  };
  const meta = (await next()) as Record<string, unknown>;
  return {
    meta,
    time: async (job: 'train' | 'sample_naive' | 'sample_kv') => {
      child.stdin.write(job + '\n');
      return (await next()) as number;
    },
    stop: () => child.stdin.end('quit\n'),
  };
}

// --wasm-threads: the wasm backend's own threads (default: selectBackend's, 1 when OpenBLAS is used).
const wasmThreads = opt('wasm-threads', '');
// Started on the tfjs kernels; the fused kernels are switched on for their own measurements in each round.
const info = await selectBackend(backend, { threads, wasmThreads: wasmThreads ? Number(wasmThreads) : undefined, nativeKernels: false });
// 29 characters + PAD/BOS/EOS = the benchmark's vocabulary of 32.
const tok = new CharTokenizer('abcdefghijklmnopqrstuvwxyz0123'.slice(0, cfg.vocab - 3));
const gpt = createGpt({ vocabSize: cfg.vocab, contextLength: cfg.ctx, dModel: cfg.d, nLayers: cfg.layers, nHeads: cfg.heads }, tok, 0);
const rng = new Rng(0, 'bench');
const randomText = (n: number) => Array.from({ length: n }, () => tok.alphabet[rng.int(tok.alphabet.length)]).join('');
// Documents longer than the context, so every example is a full window of 64 inputs + 64 targets.
const corpus = Array.from({ length: 256 }, () => randomText(cfg.ctx + 8));
const trainer = new SftTrainer(gpt, corpus, { batchSize: cfg.batch, optimizer: { schedule: { kind: 'constant', lr: 1e-3 } }, seed: 0 });
const prompts = Array.from({ length: cfg.samples }, () => randomText(cfg.prompt - 1)); // + BOS = 16 tokens
let generated = 0;
const ourSample = () => {
  generated = sample(gpt, prompts, { maxNewTokens: cfg.newTokens, rng }).reduce((n, s) => n + s.tokens.length, 0);
};

const torch = withTorch ? await startTorch() : null;
// Warm-up on both sides (JIT, XNNPACK operator caches, allocator).
for (let i = 0; i < 2; i++) {
  trainer.trainStep();
  await torch?.time('train');
}
ourSample();
await torch?.time('sample_naive');
await torch?.time('sample_kv');

// The fused native kernels (native-kernels.ts), measured in the same rounds when built. A run uses them by
// default wherever OpenBLAS computes the matmuls (RLVRC_NATIVE_KERNELS=auto): then the headline ratios are theirs.
const fused = info.name === 'wasm' ? loadNativeKernels().kernels : null;
const defaultFused = fused !== null && info.blas !== null && (process.env.RLVRC_NATIVE_KERNELS ?? 'auto') !== '0';
if (fused) {
  enableFusedKernels(fused);
  trainer.trainStep();
  ourSample();
  disableFusedKernels();
}
const t = { ourTrainFused: [] as number[], ourSampleFused: [] as number[], ourTrainXnnpack: [] as number[], ourTrainStock: [] as number[], ourTrain: [] as number[], ourSample: [] as number[], train: [] as number[], naive: [] as number[], kv: [] as number[] };
const loads: number[] = [];
for (let r = 0; r < reps; r++) {
  loads.push(loadavg()[0]!);
  await settle();
  t.ourTrain.push(seconds(() => void trainer.trainStep()));
  if (info.name === 'wasm') {
    // The same step with wasm's own Transpose/Slice/SplitV/GatherV2/Identity (wasm-copy-kernels.ts).
    uninstallWasmCopyKernels();
    await settle();
    t.ourTrainStock.push(seconds(() => void trainer.trainStep()));
    installWasmCopyKernels();
  }
  if (info.blas) {
    // The same step with XNNPACK's matmuls instead of OpenBLAS's (wasm-blas-kernels.ts).
    uninstallWasmBlasKernels();
    await settle();
    t.ourTrainXnnpack.push(seconds(() => void trainer.trainStep()));
    installWasmBlasKernels(loadNativeBlas().blas!);
  }
  await settle();
  if (torch) t.train.push(await torch.time('train'));
  await settle();
  t.ourSample.push(seconds(ourSample));
  if (fused) {
    enableFusedKernels(fused);
    await settle();
    t.ourTrainFused.push(seconds(() => void trainer.trainStep()));
    await settle();
    t.ourSampleFused.push(seconds(ourSample));
    disableFusedKernels();
  }
  if (torch) {
    await settle();
    t.naive.push(await torch.time('sample_naive'));
    await settle();
    t.kv.push(await torch.time('sample_kv'));
  }
}
torch?.stop();
const ratio = (ours: number[], theirs: number[]) => (theirs.length ? median(ours.map((o, i) => o / theirs[i]!)) : null);
const result = {
  config: { ...cfg, params: gpt.numParameters, threads, reps, settle_ms: settleMs },
  backend: info,
  default_kernels: defaultFused ? 'fused' : 'stock',
  ours: { train_step_s: median(defaultFused ? t.ourTrainFused : t.ourTrain), train_step_stock_kernels_s: median(t.ourTrain), train_step_stock_copy_kernels_s: t.ourTrainStock.length ? median(t.ourTrainStock) : null, train_step_xnnpack_s: t.ourTrainXnnpack.length ? median(t.ourTrainXnnpack) : null, sample_s: median(defaultFused ? t.ourSampleFused : t.ourSample), sample_stock_kernels_s: median(t.ourSample), train_step_fused_kernels_s: fused ? median(t.ourTrainFused) : null, sample_fused_kernels_s: fused ? median(t.ourSampleFused) : null, sampled_tokens: generated, tensors_after: tf.memory().numTensors },
  torch: torch ? { ...torch.meta, train_step_s: median(t.train), sample_naive_s: median(t.naive), sample_kv_s: median(t.kv) } : null,
  train_step_ratio: ratio(defaultFused ? t.ourTrainFused : t.ourTrain, t.train),
  sample_ratio: ratio(defaultFused ? t.ourSampleFused : t.ourSample, t.naive),
  copy_kernels_speedup: t.ourTrainStock.length ? ratio(t.ourTrainStock, t.ourTrain) : null,
  openblas_speedup: t.ourTrainXnnpack.length ? ratio(t.ourTrainXnnpack, t.ourTrain) : null,
  sample_ratio_vs_torch_kv: ratio(defaultFused ? t.ourSampleFused : t.ourSample, t.kv),
  train_step_ratio_stock_kernels: ratio(t.ourTrain, t.train),
  sample_ratio_vs_torch_kv_stock_kernels: ratio(t.ourSample, t.kv),
  train_step_ratio_fused_kernels: fused ? ratio(t.ourTrainFused, t.train) : null,
  sample_ratio_vs_torch_kv_fused_kernels: fused ? ratio(t.ourSampleFused, t.kv) : null,
  load_average_1m: { min: Math.min(...loads), max: Math.max(...loads) },
};
console.log(args.includes('--json') ? JSON.stringify(result) : JSON.stringify(result, null, 2));
