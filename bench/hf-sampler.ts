// Sampler throughput and memory of a loaded Hugging Face checkpoint, printed as JSON.
//   node --import tsx bench/hf-sampler.ts [--dir MODEL_DIR] [--backend wasm|cpu|auto] [--batch 8] [--new 64] [--rounds 3]
// Without --dir it writes and loads the largest tiny test checkpoint (test/hf/helpers.ts BENCH_SPEC: a
// Qwen2 with 4 layers, d=256, GQA 8/2, BF16 on disk). Reports load time, prefill+decode tokens per second
// (median of rounds, batch 1 and batch N, prompts rendered with the chat template), one training forward
// + backward on the sampled batch, and memory: tfjs bytes and the process RSS growth per billion parameters.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend, type BackendChoice } from '../src/runtime/backend.js';
import { loadHfModel, renderPrompt } from '../src/runtime/hf/index.js';
import { sample } from '../src/runtime/sampler.js';
import { Rng } from '../src/runtime/rng.js';
import { tokenLogprobs } from '../src/runtime/logprobs.js';
import { padBatch } from '../src/runtime/policy.js';
import { BENCH_SPEC, writeTinyCheckpoint } from '../test/hf/helpers.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const backendChoice = arg('backend', 'wasm') as BackendChoice;
const batch = Number(arg('batch', '8'));
const maxNew = Number(arg('new', '64'));
const rounds = Number(arg('rounds', '3'));
let dir = arg('dir', '');
let tmp: string | null = null;
if (!dir) {
  tmp = mkdtempSync(join(tmpdir(), 'rlvrc-hf-bench-'));
  dir = join(tmp, BENCH_SPEC.name);
  writeTinyCheckpoint(dir, BENCH_SPEC);
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

const backend = await selectBackend(backendChoice);
global.gc?.();
const rss0 = process.memoryUsage().rss;
const tf0 = tf.memory().numBytes;
const t0 = performance.now();
const { policy, tokenizer, config, dtypes } = await loadHfModel(dir);
const loadSeconds = (performance.now() - t0) / 1000;
global.gc?.();
const rss1 = process.memoryUsage().rss;
const tfBytes = tf.memory().numBytes - tf0;
const params = policy.numParameters;

const questions = ['What is 12 + 30?', 'Solve for x: 2x + 3 = 11.', 'How many primes are below 20?', 'Simplify 6/8.', 'What is 7 * 8?', 'Compute 2^10.', 'Find the gcd of 12 and 18.', 'What is 15% of 80?'];
const prompt = (i: number) => renderPrompt(tokenizer, questions[i % questions.length]!, tokenizer.chatTemplate ? { kind: 'chat' } : { kind: 'raw', template: 'User: {question}\nAssistant: <think>' });

function run(B: number): { tokensPerSecond: number; seconds: number; tokens: number; promptTokens: number } {
  const prompts = Array.from({ length: B }, (_, i) => prompt(i));
  const times: number[] = [];
  let tokens = 0;
  let promptTokens = 0;
  for (let r = 0; r < rounds; r++) {
    const s0 = performance.now();
    // No EOS stop would make rows uneven: count what each row produced.
    const out = sample(policy, prompts, { maxNewTokens: maxNew, temperature: 1, rng: new Rng(r) });
    times.push((performance.now() - s0) / 1000);
    tokens = out.reduce((n, s) => n + s.tokens.length, 0);
    promptTokens = out.reduce((n, s) => n + s.promptTokens.length, 0);
  }
  const seconds = median(times);
  return { tokensPerSecond: Math.round((tokens / seconds) * 10) / 10, seconds: Math.round(seconds * 1000) / 1000, tokens, promptTokens };
}

run(1); // warm-up: kernels compiled, caches filled
const b1 = run(1);
const bN = run(batch);
const rssPeak = process.memoryUsage().rss;

// One training forward+backward over a batch of prompt+response rows (what a GRPO minibatch costs).
const rows = Array.from({ length: batch }, (_, i) => tokenizer.encode(prompt(i) + ' The answer is 42.', { bos: true }));
const tb = padBatch(rows, tokenizer.pad, 'left');
const targets = new Int32Array(tb.batch * (tb.length - 1));
for (let b = 0; b < tb.batch; b++) for (let t = 0; t < tb.length - 1; t++) targets[b * (tb.length - 1) + t] = tb.ids[b * tb.length + t + 1]!;
const vars = policy.trainableVariables().map(v => v.variable);
const g0 = performance.now();
const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(tokenLogprobs(policy, tb, 0, tb.length - 1, targets).logp)) as tf.Scalar, vars);
value.dataSync();
const trainSeconds = (performance.now() - g0) / 1000;
tf.dispose([value, ...Object.values(grads)]);

console.log(
  JSON.stringify(
    {
      bench: 'hf-sampler',
      model: { dir: tmp ? `(tiny ${BENCH_SPEC.name})` : dir, modelType: config.modelType, layers: config.numLayers, hidden: config.hiddenSize, heads: `${config.numHeads}/${config.numKvHeads}`, vocab: config.vocabSize, params, storedDtypes: dtypes },
      backend: { name: backend.name, threads: backend.threads, simd: backend.simd },
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadSeconds: Math.round(loadSeconds * 1000) / 1000,
      sampler: { maxNewTokens: maxNew, rounds, batch1: b1, [`batch${batch}`]: bN },
      trainStep: { batch, length: tb.length, seconds: Math.round(trainSeconds * 1000) / 1000 },
      memory: {
        tfjsBytesAfterLoad: tfBytes,
        tfjsBytesPerParam: Math.round((tfBytes / params) * 100) / 100,
        tfjsGiBPerBillionParams: Math.round(((tfBytes / params) * 1e9 / 2 ** 30) * 100) / 100,
        rssGrowthOnLoadMiB: mb(rss1 - rss0),
        rssGrowthOnLoadGiBPerBillionParams: Math.round((((rss1 - rss0) / params) * 1e9 / 2 ** 30) * 100) / 100,
        rssPeakMiB: mb(rssPeak),
      },
    },
    null,
    2,
  ),
);
policy.dispose();
if (tmp) rmSync(tmp, { recursive: true, force: true });
