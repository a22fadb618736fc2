// Where a GRPO step's time goes, by tfjs kernel: every kernel registered for the wasm backend is wrapped with a
// timer (wasm kernels run synchronously, so wall time around the call is the kernel's own), split by phase
// (sampling / updates). Time outside kernels (autodiff bookkeeping, tensor creation, the sampler's JS, the
// trainer's batching) is the rest of the step. This is the profile that chose the native kernels
// (bench/README.md).
// Usage: node --import tsx bench/kernel-profile.ts [--config paper-mini|large|sft] [--steps N] [--top N] [--kernels stock|fused] [--json]
// --config sft profiles runtime-vs-torch.ts's training step instead (4 layers, 32 × 64 tokens; phase 'update').
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, SftTrainer, createGpt, selectBackend } from '../src/runtime/index.js';
import { GrpoTrainer } from '../src/runtime/grpo/trainer.js';
import { ALPHABET } from '../src/runtime/world/index.js';
import { Rng } from '../src/runtime/rng.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const large = opt('config', 'paper-mini') === 'large';
const cfg = large ? { ctx: 128, prompts: 32, promptLen: 16, maxNew: 100 } : { ctx: 64, prompts: 16, promptLen: 12, maxNew: 50 };
const steps = Number(opt('steps', '2'));
const top = Number(opt('top', '25'));

await selectBackend('wasm', { threads: Number(opt('threads', '2')), nativeKernels: opt('kernels', 'stock') === 'fused' });
let phase: 'sample' | 'update' = 'update';
let on = false;
const stats = new Map<string, { ms: number; calls: number }>();
// Wrap every wasm kernel (ours included: they are registered under the stock names).
for (const k of tf.getKernelsForBackend('wasm')) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: a => {
      if (!on) return inner(a);
      const t = performance.now();
      const out = inner(a);
      // Batched matmuls (attention) apart from 2-D ones (projections, their gradients, column sums).
      const batched = k.kernelName === 'BatchMatMul' && (a.inputs as Record<string, tf.TensorInfo>).a!.shape.length > 2 ? ' (batched)' : '';
      const key = `${phase}\t${k.kernelName}${batched}`;
      const s = stats.get(key) ?? { ms: 0, calls: 0 };
      s.ms += performance.now() - t;
      s.calls++;
      stats.set(key, s);
      return out;
    },
  });
}

const sft = opt('config', 'paper-mini') === 'sft';
const tok = new CharTokenizer(ALPHABET);
const policy = createGpt({ vocabSize: tok.vocabSize, contextLength: cfg.ctx, dModel: 128, nLayers: 3, nHeads: 4 }, tok, 1);
const trainer = new GrpoTrainer(policy, {
  groupSize: 8, minibatchSize: 32, sampling: { maxNewTokens: cfg.maxNew, temperature: 1 }, clip: { low: 0.2, high: 0.2 }, klCoef: 0, klEstimator: 'k3',
  entropyCoef: 0, advantage: 'group_norm', whitenBatch: false, aggregation: 'seq_mean_token_mean',
  optimizer: { schedule: { kind: 'constant', lr: 3e-5 }, beta1: 0.9, beta2: 0.95, maxGradNorm: 1 }, seed: 1,
});
const rollout = trainer.rollout.bind(trainer);
trainer.rollout = items => {
  phase = 'sample';
  try {
    return rollout(items);
  } finally {
    phase = 'update';
  }
};
const rng = new Rng(0, 'bench-grpo');
// runtime-vs-torch.ts's SFT step: vocabulary 32, 4 layers, context 64, batch 32 of full windows.
const sftTok = new CharTokenizer('abcdefghijklmnopqrstuvwxyz0123'.slice(0, 29));
const sftTrainer = sft
  ? new SftTrainer(
      createGpt({ vocabSize: 32, contextLength: 64, dModel: 128, nLayers: 4, nHeads: 4 }, sftTok, 0),
      Array.from({ length: 256 }, () => Array.from({ length: 72 }, () => sftTok.alphabet[rng.int(29)]).join('')),
      { batchSize: 32, optimizer: { schedule: { kind: 'constant', lr: 1e-3 } }, seed: 0 },
    )
  : null;
const step = () => {
  if (sftTrainer) {
    const t = performance.now();
    sftTrainer.trainStep();
    return { sampleSeconds: 0, updateSeconds: (performance.now() - t) / 1000, rewardSeconds: 0 };
  }
  return trainer.trainStep(
    Array.from({ length: cfg.prompts }, () => ({ prompt: Array.from({ length: cfg.promptLen - 1 }, () => tok.alphabet[rng.int(tok.alphabet.length)]).join('') })),
    s => s.tokens.length % 2,
  );
};
step(); // warm-up
on = true;
let sampleS = 0;
let updateS = 0;
for (let i = 0; i < steps; i++) {
  const s = step();
  sampleS += s.sampleSeconds;
  updateS += s.updateSeconds + s.rewardSeconds;
}
const rows = [...stats].map(([key, s]) => ({ phase: key.split('\t')[0]!, kernel: key.split('\t')[1]!, ms_per_step: s.ms / steps, calls_per_step: s.calls / steps })).sort((a, b) => b.ms_per_step - a.ms_per_step);
const inKernels = (p: string) => rows.filter(r => r.phase === p).reduce((a, r) => a + r.ms_per_step, 0);
const summary = {
  sample_ms: (sampleS * 1000) / steps,
  sample_kernels_ms: inKernels('sample'),
  update_ms: (updateS * 1000) / steps,
  update_kernels_ms: inKernels('update'),
  kernel_calls_per_step: rows.reduce((a, r) => a + r.calls_per_step, 0),
};
if (args.includes('--json')) console.log(JSON.stringify({ summary, rows }));
else {
  console.log(JSON.stringify(summary));
  console.log('phase\tkernel\tms/step\tcalls/step');
  for (const r of rows.slice(0, top)) console.log(`${r.phase}\t${r.kernel}\t${r.ms_per_step.toFixed(1)}\t${r.calls_per_step}`);
}
trainer.dispose();
