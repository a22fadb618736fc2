// Each verl capability code, triggered: edited copies of a real paper.rlvr cell (and one inline spec through
// the checker), each asserting the code, its severity and the path it points at. A cell that sets nothing verl
// lacks gets no issue at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { check } from '../../../src/checker/check.js';
import type { CellConfig } from '../../../src/ir/cell.js';
import { VERL_PROFILE_RULES, VERL_RULES, verlCapabilities, verlConfig, verlProfileIssues } from '../../../src/engines/verl/index.js';
import { evalGroups } from '../../../src/engines/verl/evals.js';
import { ROOT, paperCell } from './paper-cells.js';

const MAIN = 'main/model=qwen_math_7b,reward=random';

/** The main-row cell made expressible: no whitening, one eval, verl's ε. */
function runnable(): CellConfig {
  const c = paperCell(MAIN);
  c.algorithm.whiten = false;
  c.algorithm.advantage_epsilon = 1e-6;
  c.algorithm.minibatch = 1024; // one update per step: no minibatch-order warning
  c.algorithm.updates_per_step = 1;
  c.evals = [c.evals[0]!];
  return c;
}

function issuesOf(c: CellConfig, code: string): Array<{ severity: string; path: string; message: string }> {
  return verlCapabilities(c).filter(i => i.code === code);
}

const triggered = new Set<string>();
function expectIssue(code: string, severity: 'error' | 'warning', path: string, edit: (c: CellConfig) => void, message?: RegExp): void {
  const c = runnable();
  edit(c);
  const found = issuesOf(c, code);
  assert.ok(found.length > 0, `${code} not raised; got ${verlCapabilities(c).map(i => i.code).join(', ')}`);
  assert.ok(found.some(i => i.path === path), `${code} at ${found.map(i => i.path).join(', ')}, expected ${path}`);
  assert.ok(found.every(i => i.severity === severity));
  if (message) assert.ok(found.some(i => message.test(i.message)), found.map(i => i.message).join('\n'));
  triggered.add(code);
}

test('a cell that sets nothing verl lacks gets no issue', () => {
  assert.deepEqual(verlCapabilities(runnable()), []);
});

test('RLVR7001: a transformer model organism (through the checker: experiments/quickstart.rlvr)', () => {
  const r = check(['experiments/quickstart.rlvr'], { cwd: ROOT });
  const cell = r.experiments[0]!.cells[0]!;
  const issues = verlCapabilities(cell);
  assert.ok(issues.some(i => i.code === 'RLVR7001' && i.path === 'model.source' && i.severity === 'error'));
  // … and its arithmetic world data.
  assert.ok(issues.some(i => i.code === 'RLVR7003' && i.path === 'data.source' && i.severity === 'error'));
  triggered.add('RLVR7001').add('RLVR7003');
});

test('RLVR7002: an rlvrc checkpoint as the model', () => {
  expectIssue('RLVR7002', 'error', 'model.path', c => { c.model = { name: 'ckpt', source: 'checkpoint', path: 'runs/x/checkpoints/step-10' }; });
});

test('RLVR7003: arithmetic data in an eval', () => {
  expectIssue('RLVR7003', 'error', 'evals.0.data.source', c => {
    c.evals[0]!.data = { name: 'world', take: null, labels: true, source: 'arithmetic', split: 'test', world: { operands: { min: 2, max: 3 }, digits: { min: 1, max: 2 }, operators: ['+'], max_mul: 99, train: 10, test: 10, seed: 1 } };
  });
});

test('RLVR7004: whitening after group normalisation (the paper\'s cells) runs as rlvrc\'s registered estimator', () => {
  expectIssue('RLVR7004', 'warning', 'algorithm.whiten', c => { c.algorithm.whiten = true; }, /rlvrc_grpo_whiten/);
});

test('RLVR7005: an advantage epsilon other than verl\'s 1e-6', () => {
  expectIssue('RLVR7005', 'warning', 'algorithm.advantage_epsilon', c => { c.algorithm.advantage_epsilon = 1e-9; }, /1e-9/);
  // group_center has no epsilon: nothing to warn about.
  const c = runnable();
  c.algorithm.advantage = 'group_center';
  c.algorithm.advantage_epsilon = 1e-9;
  assert.deepEqual(issuesOf(c, 'RLVR7005'), []);
});

test('RLVR7006: a linear schedule', () => {
  expectIssue('RLVR7006', 'error', 'optimizer.schedule', c => { c.optimizer.schedule = 'linear'; });
});

test('a cosine schedule lowers, also over several updates per step: both engines set the rate once per RL step', () => {
  const c = runnable();
  c.optimizer.schedule = 'cosine';
  assert.deepEqual(verlCapabilities(c), []);
  const several = runnable();
  several.optimizer.schedule = 'cosine';
  several.algorithm.minibatch = 128;
  several.algorithm.updates_per_step = 8;
  assert.deepEqual(verlCapabilities(several).filter(i => i.path === 'optimizer.schedule'), []);
  const optim = ((verlConfig(c).actor_rollout_ref as Record<string, Record<string, unknown>>).actor!.optim as Record<string, unknown>);
  assert.equal(optim.lr_scheduler_type, 'cosine');
  assert.equal(optim.min_lr_ratio, 0);
  assert.equal(optim.num_cycles, 0.5);
});

test('RLVR7008: a warmup', () => {
  expectIssue('RLVR7008', 'error', 'optimizer.warmup', c => { c.optimizer.warmup = 10; }, /starts at 0/);
});

test('RLVR7009: stop strings (prompt, algorithm, eval prompt)', () => {
  expectIssue('RLVR7009', 'error', 'prompt.stop', c => { c.prompt.stop = ['</answer>']; });
  expectIssue('RLVR7009', 'error', 'algorithm.stop', c => { c.algorithm.stop = ['\n\n']; });
  expectIssue('RLVR7009', 'error', 'evals.0.prompt.stop', c => { c.evals[0]!.prompt.stop = ['</answer>']; });
});

test('RLVR7010: evals that sample unlike the first run post hoc on the checkpoints (the paper\'s avg@8 at T = 0.6 beside greedy MATH-500)', () => {
  expectIssue('RLVR7010', 'warning', 'evals.1', c => { c.evals = paperCell(MAIN).evals; }, /runs after training as validation-only verl runs on the checkpoints, at steps 0, 50, 100, 150, 200, 250, 300 \(the spec's every = 10 asks for 0, 10, 20, 30 … 290, 300 \(31 steps\); checkpoint_every = 50 decides\)/);
  expectIssue('RLVR7010', 'warning', 'evals.1', c => { c.evals = [c.evals[0]!, { ...c.evals[0]!, name: 'b', top_p: 0.95, every: 50 }]; }, /at steps 0, 50, 100, 150, 200, 250, 300$/);
  assert.deepEqual(evalGroups(paperCell(MAIN)).map(g => g.evals), [[0], [1, 2]]);
});

test('RLVR7034: evals run post hoc need checkpoints', () => {
  expectIssue('RLVR7034', 'error', 'train.checkpoint_every', c => { c.evals = paperCell(MAIN).evals; c.train.checkpoint_every = 0; }, /saves none/);
});

test('RLVR7011: evals validated during training at different intervals', () => {
  expectIssue('RLVR7011', 'error', 'evals.1.every', c => { c.evals = [c.evals[0]!, { ...c.evals[0]!, name: 'b', every: 10 }]; });
  const c = runnable();
  c.evals = paperCell(MAIN).evals; // amc/aime every 10 beside math every 1, but run post hoc: not RLVR7011
  assert.ok(!verlCapabilities(c).some(i => i.code === 'RLVR7011'));
});

test('RLVR7012: an eval generating a different number of tokens than training', () => {
  expectIssue('RLVR7012', 'error', 'evals.0.max_tokens', c => { c.evals[0]!.max_tokens = 4096; });
});

test('RLVR7013, RLVR7015 and RLVR7033: online majority votes over more samples than the group, over fewer or at another temperature, and over exactly the group (through the checker)', () => {
  const spec = (samples: number, temperature = '1.0'): string => `experiment ttrl_small {
  language = 1
  dataset d = json("../data/math500.json") { question = "prompt", answer = "answer" }
  model m = hf("../models/Qwen2.5-Math-1.5B")
  prompt p { template = chat, user = "{question}" }
  reward ttrl = correct(majority_label(samples = ${samples}, temperature = ${temperature}, online = true))
  algorithm a { prompts_per_step = 8, group = 16, minibatch = 128, max_tokens = 1024 }
  optimizer o { lr = 1e-6 }
  train { model = m, data = d, reward = ttrl, algorithm = a, optimizer = o, prompt = p, steps = 10 }
}
`;
  const cases = [[64, '1.0', 'RLVR7013', 'error'], [8, '1.0', 'RLVR7015', 'error'], [16, '0.6', 'RLVR7015', 'error'], [16, '1.0', 'RLVR7033', 'warning']] as const;
  for (const [samples, temperature, code, severity] of cases) {
    const r = check([{ file: 'experiments/ttrl-small.rlvr', text: spec(samples, temperature) }], { cwd: ROOT });
    const errors = r.diagnostics.filter(d => d.severity === 'error');
    assert.deepEqual(errors.map(d => d.code), [], errors.map(d => d.summary).join('\n'));
    const issues = verlCapabilities(r.experiments[0]!.cells[0]!);
    const online = issues.filter(i => ['RLVR7013', 'RLVR7015', 'RLVR7033'].includes(i.code));
    assert.deepEqual(online.map(i => [i.code, i.path, i.severity]), [[code, 'reward.expr', severity]], `${samples} at ${temperature}: ${issues.map(i => i.code).join(', ')}`);
    triggered.add(code);
  }
});

test('RLVR7014: offline majority labels (the paper\'s majority and incorrect-label rewards) come from a label phase', () => {
  expectIssue('RLVR7014', 'warning', 'reward.expr', c => { c.reward = paperCell('main/model=qwen_math_7b,reward=majority').reward; }, /validation-only verl run of the base model over every training problem/);
  expectIssue('RLVR7014', 'warning', 'reward.expr.args.0.reward', c => { c.reward = paperCell('no_python/model=qwen_math_7b,reward=incorrect_no_python').reward; }, /the training filter then reads the labels/);
});

test('RLVR7016: a KL estimator verl lacks (an edited config: the checker admits only k1, k2, k3)', () => {
  expectIssue('RLVR7016', 'error', 'algorithm.kl_estimator', c => {
    c.algorithm.kl = 0.01;
    (c.algorithm as { kl_estimator: string }).kl_estimator = 'k4';
  });
  for (const k of ['k1', 'k2'] as const) {
    const c = runnable();
    c.algorithm.kl = 0.01;
    c.algorithm.kl_estimator = k;
    assert.deepEqual(verlCapabilities(c), [], k);
  }
});

test('RLVR7017: k3 KL, which verl clamps', () => {
  expectIssue('RLVR7017', 'warning', 'algorithm.kl_estimator', c => { c.algorithm.kl = 0.01; c.algorithm.kl_estimator = 'k3'; }, /clamps/);
});

test('RLVR7018: a loss aggregation verl lacks (an edited config)', () => {
  expectIssue('RLVR7018', 'error', 'algorithm.loss', c => { (c.algorithm as { loss: string }).loss = 'seq_sum'; });
});

test('RLVR7019: seq_mean_token_sum_norm (Dr. GRPO) sums over a micro-batch in verl', () => {
  expectIssue('RLVR7019', 'warning', 'algorithm.loss', c => { c.algorithm.loss = 'seq_mean_token_sum_norm'; });
});

test('RLVR7020: clip = none (the clipping ablation)', () => {
  expectIssue('RLVR7020', 'warning', 'algorithm.clip', c => { c.algorithm.clip = paperCell('clipping/model=qwen_math_7b,reward=random,algorithm=no_clip,seed=1').algorithm.clip; });
});

test('RLVR7021: a raw prompt template (the base-Llama R1 rows)', () => {
  expectIssue('RLVR7021', 'error', 'prompt.template', c => { c.prompt.template = 'raw'; });
});

test('RLVR7022: a forced response prefix (Table 3\'s code-forcing prompt)', () => {
  expectIssue('RLVR7022', 'error', 'evals.0.prompt.response_prefix', c => { c.evals[0]!.prompt.response_prefix = 'Let\'s solve this using Python.'; });
});

test('RLVR7023: no gradient clipping', () => {
  expectIssue('RLVR7023', 'warning', 'optimizer.grad_clip', c => { c.optimizer.grad_clip = null; });
});

test('RLVR7024: a minibatch that is not whole groups', () => {
  expectIssue('RLVR7024', 'error', 'algorithm.minibatch', c => { c.algorithm.minibatch = 100; });
});

test('RLVR7025: several updates per step (the paper\'s 8)', () => {
  expectIssue('RLVR7025', 'warning', 'algorithm.minibatch', c => { c.algorithm.minibatch = 128; c.algorithm.updates_per_step = 8; }, /8 minibatches/);
});

test('RLVR7026: token_mean selects verl\'s engine workers', () => {
  expectIssue('RLVR7026', 'warning', 'algorithm.loss', c => { c.algorithm.loss = 'token_mean'; });
  const c = runnable();
  c.algorithm.loss = 'token_mean';
  assert.equal((verlConfig(c).trainer as Record<string, unknown>).use_legacy_worker_impl, 'disable');
});

test('RLVR7027: an Adam epsilon other than torch\'s default', () => {
  expectIssue('RLVR7027', 'warning', 'optimizer.eps', c => { c.optimizer.eps = 1e-6; });
});

test('an evaluation-only cell (steps = 0) is not judged on what training does', () => {
  const c = paperCell('code_forcing/model=qwen_math_7b,prompt=qwen_default,steps=0');
  const codes = new Set(verlCapabilities(c).map(i => i.code));
  assert.ok(!codes.has('RLVR7004') && !codes.has('RLVR7005') && !codes.has('RLVR7025'), [...codes].join(', '));
  assert.equal((verlConfig(c).trainer as Record<string, unknown>).val_only, true);
});

test('every capability code has a test above that triggers it', () => {
  assert.deepEqual(VERL_RULES.map(r => r.code).filter(c => !triggered.has(c)), []);
  assert.equal(new Set(VERL_RULES.map(r => r.code)).size, VERL_RULES.length, 'codes are distinct');
});

test('src/engines/verl/README.md documents every capability code with its severity', () => {
  const readme = readFileSync(`${ROOT}/src/engines/verl/README.md`, 'utf8');
  for (const r of [...VERL_RULES, ...VERL_PROFILE_RULES.map(p => ({ ...p, severity: 'error' }))]) assert.match(readme, new RegExp(`\\| ${r.code} \\| ${r.severity} \\|`), r.code);
});

test('RLVR7030-7032: a cluster profile verl would refuse, or that would shrink the minibatch', () => {
  const c = paperCell(MAIN); // 64 × 16 = 1024 rollouts per step, minibatch 128
  const codes = (p: Parameters<typeof verlProfileIssues>[1]): string[] => verlProfileIssues(c, p).map(i => i.code);
  assert.deepEqual(codes({}), [], 'the smoke profile (1 GPU, micro-batch 1)');
  assert.deepEqual(codes({ n_gpus_per_node: 8, ppo_micro_batch_size_per_gpu: 4 }), [], '8 GPUs: 16 rollouts each, 4 micro-batches of 4');
  assert.deepEqual(codes({ n_gpus_per_node: 3 }), ['RLVR7030', 'RLVR7031']);
  assert.deepEqual(codes({ nnodes: 2, n_gpus_per_node: 6 }), ['RLVR7030', 'RLVR7031']);
  // The paper's loss (micro_token_mean, micro-batches of 4) decides the micro-batch: the profile's is not used,
  // and a GPU's share must hold whole micro-batches of 4.
  assert.deepEqual(codes({ n_gpus_per_node: 8, ppo_micro_batch_size_per_gpu: 3 }), []);
  assert.deepEqual(codes({ nnodes: 8, n_gpus_per_node: 8 }), ['RLVR7032'], '64 GPUs: 2 rollouts each, not a micro-batch of 4');
  const other = runnable();
  other.algorithm.loss = 'seq_mean_token_mean'; // the profile's micro-batch
  delete other.algorithm.micro_batch;
  other.algorithm.minibatch = 128;
  assert.deepEqual(verlProfileIssues(other, { n_gpus_per_node: 8, ppo_micro_batch_size_per_gpu: 3 }).map(i => i.code), ['RLVR7032']);
  const w = verlProfileIssues(c, { n_gpus_per_node: 3 }).find(i => i.code === 'RLVR7031')!;
  assert.match(w.message, /floors the per-GPU share to 42, so each update would use 126 rollouts/);
  assert.equal(w.path, 'profile.n_gpus_per_node');
  // An evaluation-only cell has no minibatch to split.
  assert.deepEqual(verlProfileIssues(paperCell('code_forcing/model=qwen_math_7b,prompt=qwen_default,steps=0'), { n_gpus_per_node: 3 }), []);
  assert.deepEqual(VERL_PROFILE_RULES.map(r => r.code), ['RLVR7030', 'RLVR7031', 'RLVR7032']);
});
