// One whole GRPO step, ours (GrpoTrainer) against PyTorch's (torch_grpo.py), same model, same config, same
// thread count, interleaved: sampling with a KV cache at temperature 1, old log-probs, group advantages, and
// the clipped loss over shuffled minibatches with grad clipping and Adam.
// Usage: node --import tsx bench/grpo-vs-torch.ts [--json] [--config paper-mini|large] [--threads N] [--reps N]
//        [--settle-ms N] [--kernels both|stock|fused] [--no-torch]
// --kernels both (default): each round runs our step with wasm's kernels (stock), PyTorch's, and ours with the
// fused native kernels (native-kernels.ts), so the before/after ratios come from the same rounds.
// Configs: paper-mini's (3 layers, d_model 128, 4 heads, context 64; 16 prompts × 8, minibatch 32 = 4 updates,
// 50 new tokens) and a larger one (context 128; 32 prompts × 8 = 256 rollouts of 100 tokens, 8 updates).
// Prompts are random tokens of a fixed length (the bench measures speed, not learning); weights are freshly
// initialised, so almost every row runs to max_new tokens on both sides. Peak RSS is each process's maximum
// resident set (getrusage) after its steps: model, runtime and the step's activations (ours: after both
// variants' steps; run --kernels stock or fused alone for one variant's peak).
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CharTokenizer, createGpt, selectBackend } from '../src/runtime/index.js';
import { GrpoTrainer } from '../src/runtime/grpo/trainer.js';
import { ALPHABET } from '../src/runtime/world/index.js';
import { Rng } from '../src/runtime/rng.js';
import { disableFusedKernels, enableFusedKernels, loadNativeKernels } from '../src/runtime/native-kernels.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const CONFIGS = {
  'paper-mini': { ctx: 64, layers: 3, d: 128, heads: 4, prompts: 16, group: 8, minibatch: 32, promptLen: 12, maxNew: 50 },
  large: { ctx: 128, layers: 3, d: 128, heads: 4, prompts: 32, group: 8, minibatch: 32, promptLen: 16, maxNew: 100 },
} as const;
const configName = opt('config', 'paper-mini') as keyof typeof CONFIGS;
const cfg = CONFIGS[configName];
if (!cfg) throw new Error(`--config must be one of ${Object.keys(CONFIGS).join(', ')}`);
const threads = Number(opt('threads', '2'));
const reps = Number(opt('reps', configName === 'large' ? '3' : '5'));
const settleMs = Number(opt('settle-ms', '300'));
const kernels = opt('kernels', 'both');
if (!['both', 'stock', 'fused'].includes(kernels)) throw new Error('--kernels must be both, stock or fused');
const withTorch = !args.includes('--no-torch');
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const settle = () => new Promise(resolve => setTimeout(resolve, settleMs));

const info = await selectBackend('wasm', { threads, nativeKernels: kernels !== 'stock' });
const fused = loadNativeKernels().kernels;
const variants = kernels === 'both' ? (['stock', 'fused'] as const) : ([kernels] as Array<'stock' | 'fused'>);
const use = (v: 'stock' | 'fused') => (v === 'fused' ? enableFusedKernels(fused!) : disableFusedKernels());
const tok = new CharTokenizer(ALPHABET);
const rssBefore = process.resourceUsage().maxRSS;
const policy = createGpt({ vocabSize: tok.vocabSize, contextLength: cfg.ctx, dModel: cfg.d, nLayers: cfg.layers, nHeads: cfg.heads }, tok, 1);
const trainer = new GrpoTrainer(policy, {
  groupSize: cfg.group,
  minibatchSize: cfg.minibatch,
  sampling: { maxNewTokens: cfg.maxNew, temperature: 1, topP: 1, topK: 0, stop: [] },
  clip: { low: 0.2, high: 0.2 },
  klCoef: 0,
  klEstimator: 'k3',
  entropyCoef: 0,
  advantage: 'group_norm',
  whitenBatch: false,
  aggregation: 'seq_mean_token_mean',
  optimizer: { schedule: { kind: 'constant', lr: 3e-5 }, beta1: 0.9, beta2: 0.95, eps: 1e-8, maxGradNorm: 1 },
  seed: 1,
});
const rng = new Rng(0, 'bench-grpo');
const promptText = () => Array.from({ length: cfg.promptLen - 1 }, () => tok.alphabet[rng.int(tok.alphabet.length)]).join('');
const reward = (s: { tokens: number[] }) => s.tokens.reduce((a, b) => a + b, 0) % 2;
let width = 0;
const ourStep = () => {
  const items = Array.from({ length: cfg.prompts }, () => ({ prompt: promptText() }));
  const t = performance.now();
  const s = trainer.trainStep(items, reward);
  width = Math.max(width, s.responseLengthMean);
  return { total: (performance.now() - t) / 1000, sample: s.sampleSeconds, update: s.updateSeconds };
};

async function startTorch() {
  const script = fileURLToPath(new URL('./torch_grpo.py', import.meta.url));
  const a = { vocab: tok.vocabSize, ctx: cfg.ctx, d: cfg.d, layers: cfg.layers, heads: cfg.heads, prompts: cfg.prompts, group: cfg.group, minibatch: cfg.minibatch, 'prompt-len': cfg.promptLen, 'max-new': cfg.maxNew, eos: tok.eos, threads };
  const child = spawn('/usr/bin/python3', [script, ...Object.entries(a).flatMap(([k, v]) => [`--${k}`, String(v)])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (cmd: string) => {
    child.stdin.write(cmd + '\n');
    const r = await lines.next();
    if (r.done) throw new Error('torch_grpo.py exited early');
    return JSON.parse(r.value) as unknown;
  };
  const first = await lines.next();
  if (first.done) throw new Error('torch_grpo.py exited early');
  return { meta: JSON.parse(first.value) as Record<string, unknown>, ask, stop: () => child.stdin.end('quit\n') };
}

const torch = withTorch ? await startTorch() : null;
// Warm-up (JIT, operator caches, the wasm heap's growth), fused first: its peak RSS is read before the stock
// kernels' step raises the process's high-water mark (the concat cache holds more at once).
const peakRss: Record<string, number> = {};
for (const v of variants.slice().reverse()) {
  use(v);
  ourStep();
  peakRss[v] = +(process.resourceUsage().maxRSS / 1024).toFixed(1);
}
await torch?.ask('step');
const ours: Record<string, Array<ReturnType<typeof ourStep>>> = { stock: [], fused: [] };
const theirs: number[] = [];
const theirWidths: number[] = [];
const theirSampling: number[] = [];
const loads: number[] = [];
for (let r = 0; r < reps; r++) {
  loads.push(loadavg()[0]!);
  for (const v of variants.slice(0, 1)) {
    use(v);
    await settle();
    ours[v]!.push(ourStep());
  }
  if (torch) {
    await settle();
    const t = (await torch.ask('step')) as { seconds: number; sample_seconds: number; width: number };
    theirs.push(t.seconds);
    theirSampling.push(t.sample_seconds);
    theirWidths.push(t.width);
  }
  for (const v of variants.slice(1)) {
    use(v);
    await settle();
    ours[v]!.push(ourStep());
  }
}
const torchRss = torch ? ((await torch.ask('rss')) as number) : null;
torch?.stop();
trainer.dispose();
const ratio = (v: string) => (theirs.length && ours[v]!.length ? median(ours[v]!.map((o, i) => o.total / theirs[i]!)) : null);
const summary = (v: string) => {
  const o = ours[v]!;
  return o.length ? { grpo_step_s: median(o.map(x => x.total)), sample_s: median(o.map(x => x.sample)), update_s: median(o.map(x => x.update)) } : null;
};
const result = {
  config: { name: configName, ...cfg, rollouts: cfg.prompts * cfg.group, updates: (cfg.prompts * cfg.group) / cfg.minibatch, params: policy.numParameters, threads, reps, settle_ms: settleMs, kernels },
  backend: info,
  ours: { stock_kernels: summary('stock'), fused_kernels: summary('fused'), response_length_mean: width, peak_rss_mib_after_first_step: peakRss, peak_rss_mib: +(process.resourceUsage().maxRSS / 1024).toFixed(1), rss_before_model_mib: +(rssBefore / 1024).toFixed(1), tensors_after: tf.memory().numTensors },
  torch: torch ? { ...torch.meta, grpo_step_s: median(theirs), sample_s: median(theirSampling), update_s: median(theirs.map((x, i) => x - theirSampling[i]!)), response_width: Math.max(...theirWidths), peak_rss_mib: +(torchRss! / 1024).toFixed(1) } : null,
  // The headline is the fastest configuration measured (fused kernels when they ran); both are given.
  grpo_step_ratio: ratio(variants[variants.length - 1]!),
  grpo_step_ratio_stock_kernels: ratio('stock'),
  grpo_step_ratio_fused_kernels: ratio('fused'),
  load_average_1m: { min: Math.min(...loads), max: Math.max(...loads) },
};
console.log(args.includes('--json') ? JSON.stringify(result) : JSON.stringify(result, null, 2));
