// `npm run bench -- --json`: every benchmark of the performance issue in one JSON object.
//   (a, b) our training step and sampler vs PyTorch on the same model and thread count (runtime-vs-torch.ts)
//   (c) one whole GRPO step of the paper-mini configuration (sampling and updating, seconds)
//   (d) `rlvrc check` and `rlvrc compile` of the largest experiment file (in-process, median of runs)
//   (e) one whole GRPO step against PyTorch's, at paper-mini's config and a larger one (grpo-vs-torch.ts):
//       grpo_step_ratio (with the fused kernels, the default where OpenBLAS computes the matmuls) and
//       grpo_step_ratio_stock_kernels (the tfjs kernels), peak RSS of both sides
// train_step_ratio and sample_ratio_vs_torch_kv are the default runtime's (default_kernels says which); the
// *_stock_kernels and *_fused_kernels ratios give both sets of kernels from the same rounds.
// Options: --threads N (passed to runtime-vs-torch), --reps N, --no-torch.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../src/checker/check.js';
import { compileExperiment, programName } from '../src/codegen/compile.js';
import { selectBackend } from '../src/runtime/backend.js';
import { installGradientFixes } from '../src/runtime/kernels.js';
import { CharTokenizer } from '../src/runtime/tokenizer.js';
import { createGpt } from '../src/runtime/gpt.js';
import { ALPHABET, createWorld } from '../src/runtime/world/index.js';
import { grpoConfigOf } from '../src/runtime/cell/train.js';
import { GrpoTrainer } from '../src/runtime/grpo/trainer.js';
import { correct } from '../src/runtime/cell/reward-primitives.js';
import { toRuntimeWorld } from '../src/runtime/cell/world.js';

const args = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const reps = Number(args[args.indexOf('--reps') + 1] ?? 0) || 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// (a, b): the side-by-side bench, in its own process (it manages PyTorch's child process and threads).
const vsArgs = ['--import', 'tsx', join(root, 'bench/runtime-vs-torch.ts'), '--json', ...args.filter(a => a !== '--json')];
const vs = spawnSync(process.execPath, vsArgs, { cwd: root, encoding: 'utf8' });
if (vs.status !== 0) throw new Error(`runtime-vs-torch failed: ${vs.stderr}`);
const versus = JSON.parse(vs.stdout.trim().split('\n').pop()!) as Record<string, unknown>;

// (e): the whole GRPO step against PyTorch's, each config in its own process (peak RSS is per process).
const threadArgs = args.includes('--threads') ? ['--threads', args[args.indexOf('--threads') + 1]!] : [];
const grpoVs = (config: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/grpo-vs-torch.ts'), '--json', '--config', config, ...threadArgs, ...(args.includes('--no-torch') ? ['--no-torch'] : [])], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`grpo-vs-torch --config ${config} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ours: Record<string, unknown>; torch: Record<string, unknown> | null; grpo_step_ratio: number | null; grpo_step_ratio_stock_kernels: number | null; load_average_1m: unknown };
};
const grpoMini = grpoVs('paper-mini');
const grpoLarge = grpoVs('large');
const grpoOf = (r: ReturnType<typeof grpoVs>) => ({ ours: r.ours, torch_grpo_step_s: r.torch?.grpo_step_s ?? null, torch_peak_rss_mib: r.torch?.peak_rss_mib ?? null, grpo_step_ratio_stock_kernels: r.grpo_step_ratio_stock_kernels, load_average_1m: r.load_average_1m });

// (d): the largest experiment file.
const experiments = readdirSync(join(root, 'experiments')).filter(f => f.endsWith('.rlvr'));
const largest = experiments.sort((a, b) => statSync(join(root, 'experiments', b)).size - statSync(join(root, 'experiments', a)).size)[0]!;
const checkTimes: number[] = [];
const compileTimes: number[] = [];
let cells = 0;
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  const result = check([`experiments/${largest}`], { cwd: root });
  const t1 = performance.now();
  const ir = result.experiments[0]!;
  cells = ir.cells.length;
  compileExperiment(ir, { outDir: join(root, 'generated'), cwd: root, compilerVersion: 'bench', name: programName(ir, 1), write: false });
  compileTimes.push(performance.now() - t1);
  checkTimes.push(t1 - t0);
}

// (c): one GRPO step of paper-mini's cell config (model base: 3 layers, d_model 128, 4 heads, context 64;
// 16 prompts × 8 samples, minibatch 32 = 4 updates, max_tokens 50), from freshly initialised weights.
const pm = check(['experiments/paper-mini.rlvr'], { cwd: root }).experiments[0]!.cells[0]!;
const backend = await selectBackend('auto');
installGradientFixes();
const tok = new CharTokenizer(ALPHABET);
if (pm.model.source !== 'transformer' || pm.data.source !== 'arithmetic') throw new Error('unexpected paper-mini cell');
const policy = createGpt({ vocabSize: tok.vocabSize, contextLength: pm.model.context, dModel: pm.model.d_model, nLayers: pm.model.layers, nHeads: pm.model.heads, mlpRatio: pm.model.d_ff / pm.model.d_model }, tok, 1);
const trainer = new GrpoTrainer<{ prompt: string; label: string }>(policy, grpoConfigOf(pm.algorithm, pm.optimizer, pm.train.steps, 1));
const world = createWorld(toRuntimeWorld(pm.data.world), pm.data.world.seed);
const grpo: Array<{ total: number; sample: number; update: number }> = [];
for (let i = 0; i < Math.max(3, Math.ceil(reps / 2)); i++) {
  const items = world.train.slice(i * 16, (i + 1) * 16).map(p => ({ prompt: p.question, label: p.answer }));
  const t0 = performance.now();
  const s = trainer.trainStep(items, (sample, item) => correct(sample.text, item.label));
  grpo.push({ total: (performance.now() - t0) / 1000, sample: s.sampleSeconds, update: s.updateSeconds });
}
trainer.dispose();

const out = {
  ...versus,
  grpo_step_paper_mini_s: median(grpo.map(g => g.total)),
  grpo_step_sample_s: median(grpo.map(g => g.sample)),
  grpo_step_update_s: median(grpo.map(g => g.update)),
  grpo_backend: backend.name,
  grpo_fused_kernels: backend.fusedKernels,
  grpo_step_ratio: grpoMini.grpo_step_ratio,
  grpo_step_ratio_large: grpoLarge.grpo_step_ratio,
  grpo_step_ratio_stock_kernels: grpoMini.grpo_step_ratio_stock_kernels,
  grpo_step_ratio_large_stock_kernels: grpoLarge.grpo_step_ratio_stock_kernels,
  grpo_vs_torch_paper_mini: grpoOf(grpoMini),
  grpo_vs_torch_large: grpoOf(grpoLarge),
  largest_spec: `experiments/${largest}`,
  largest_spec_cells: cells,
  check_ms: +median(checkTimes).toFixed(1),
  compile_ms: +median(compileTimes).toFixed(1),
};
console.log(args.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
