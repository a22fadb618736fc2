// The main row's random-reward cell for Qwen2.5-Math-7B, lowered for verl with a cluster profile (no step
// cap), sets exactly the paper's hyperparameters: a side-by-side table of the paper's value, the line of
// ../shared/design/paper.md it comes from (asserted to be there), the verl key and the emitted value.
//
// The loss aggregation, checked in the paper's code (ruixin31/Spurious_Rewards at 33b9f85): PolicyLoss
// (code/ttrl/models/loss.py:48) is `masked_mean(loss, action_mask, dim=-1).mean()`, but the paper's scripts pass
// --packing_samples (code/scripts/rlvr_deepscaler_grpo_qwen_random.sh), under which the samples maker sets
// action_mask = None (code/ttrl/env/naive_samples_maker.py:587) and the trainer packs a micro-batch into one
// row (code/ttrl/trainer/ppo_trainer.py:272-277); masked_mean with no mask is tensor.mean(axis=-1)
// (code/ttrl/models/model_utils.py:135-136), so the effective loss is a token mean over each packed
// micro-batch of 4 sequences (--micro_train_batch_size 4), averaged (DeepSpeed gradient accumulation,
// code/ttrl/helper/deepspeed.py:85) over an update's micro-batches. paper.rlvr declares it as
// `loss = micro_token_mean, micro_batch = 4`, which verl's legacy workers run as token-mean with
// ppo_micro_batch_size_per_gpu = 4 (agg_loss divides by the micro-batch's tokens, dp_actor.py scales by
// 1/gradient accumulation, data parallelism averages over GPUs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flattenKeys, verlCapabilities, verlConfig } from '../../../src/engines/verl/index.js';
import { PAPER_MD, paperCell } from './paper-cells.js';

const CLUSTER = { max_steps: null, nnodes: 1, n_gpus_per_node: 8, ppo_micro_batch_size_per_gpu: 4 };

interface Row { what: string; paper: string; source: string; key: string; expected: unknown }

const A = 'actor_rollout_ref.actor';
const R = 'actor_rollout_ref.rollout';
const ROWS: Row[] = [
  { what: 'learning rate', paper: '5e-7', source: '| LR | actor 5e-7, constant (`--actor_scheduler constant`, `--lr_warmup_ratio 0`) |', key: `${A}.optim.lr`, expected: 5e-7 },
  { what: 'schedule', paper: 'constant', source: '| LR | actor 5e-7, constant (`--actor_scheduler constant`, `--lr_warmup_ratio 0`) |', key: `${A}.optim.lr_scheduler_type`, expected: 'constant' },
  { what: 'warmup', paper: '0', source: '| LR | actor 5e-7, constant (`--actor_scheduler constant`, `--lr_warmup_ratio 0`) |', key: `${A}.optim.lr_warmup_steps`, expected: 0 },
  { what: 'prompts per step', paper: '64', source: '| rollout batch | 64 prompts/step (`--rollout_batch_size 64`) |', key: 'data.train_batch_size', expected: 64 },
  { what: 'samples per prompt', paper: '16', source: '| samples per prompt (group size G) | 16 (`--n_samples_per_prompt 16`) |', key: `${R}.n`, expected: 16 },
  { what: 'mini-batch (verl counts prompts: 8 × n 16 = 128 rollouts)', paper: '128 rollouts', source: '| mini-batch | 128 rollouts per gradient update (`--train_batch_size 128`, micro 4)', key: `${A}.ppo_mini_batch_size`, expected: 8 },
  { what: 'passes over a step\'s rollouts', paper: '1 epoch', source: '⇒ 64×16/128 = **8 gradient updates per rollout step**, 1 epoch', key: `${A}.ppo_epochs`, expected: 1 },
  { what: 'clip ε (low)', paper: '0.2', source: '| clip ε | 0.2 (symmetric; default, not overridden) |', key: `${A}.clip_ratio_low`, expected: 0.2 },
  { what: 'clip ε (high)', paper: '0.2', source: '| clip ε | 0.2 (symmetric; default, not overridden) |', key: `${A}.clip_ratio_high`, expected: 0.2 },
  { what: 'dual clip (not in the paper\'s PolicyLoss)', paper: 'none', source: '| policy loss aggregation | per-token clipped surrogate', key: `${A}.clip_ratio_c`, expected: 1e9 },
  { what: 'KL loss', paper: 'none', source: '| KL | none: `--use_kl_loss` with `--init_kl_coef 0.00` |', key: `${A}.use_kl_loss`, expected: false },
  { what: 'KL in the reward', paper: 'none', source: '| KL | none: `--use_kl_loss` with `--init_kl_coef 0.00` |', key: 'algorithm.use_kl_in_reward', expected: false },
  { what: 'entropy bonus', paper: 'none', source: '| entropy loss | none | [v1] A.3 |', key: `${A}.entropy_coeff`, expected: 0 },
  { what: 'temperature', paper: '1.0', source: '| rollout sampling | temperature 1.0, top_p 1.0, top_k −1 |', key: `${R}.temperature`, expected: 1 },
  { what: 'top_p', paper: '1.0', source: '| rollout sampling | temperature 1.0, top_p 1.0, top_k −1 |', key: `${R}.top_p`, expected: 1 },
  { what: 'top_k', paper: '−1', source: '| rollout sampling | temperature 1.0, top_p 1.0, top_k −1 |', key: `${R}.top_k`, expected: -1 },
  { what: 'response tokens', paper: '3072', source: '| lengths | prompt ≤1024 tokens, generation ≤3072 tokens (`MAX_LENGTH=3072`) |', key: 'data.max_response_length', expected: 3072 },
  { what: 'prompt tokens (profile)', paper: '1024', source: '| lengths | prompt ≤1024 tokens, generation ≤3072 tokens (`MAX_LENGTH=3072`) |', key: 'data.max_prompt_length', expected: 1024 },
  { what: 'loss aggregation (as packed: see the note above)', paper: 'token mean per packed micro-batch of 4, mean over micro-batches', source: '| policy loss aggregation | per-token clipped surrogate, masked mean over tokens of each sequence, then mean over sequences;', key: `${A}.loss_agg_mode`, expected: 'token-mean' },
  { what: 'micro-batch of the loss', paper: '4 sequences (--micro_train_batch_size 4)', source: '| policy loss aggregation | per-token clipped surrogate, masked mean over tokens of each sequence, then mean over sequences;', key: `${A}.ppo_micro_batch_size_per_gpu`, expected: 4 },
  { what: 'worker implementation (token-mean per micro-batch)', paper: 'legacy FSDP workers', source: '| policy loss aggregation | per-token clipped surrogate, masked mean over tokens of each sequence, then mean over sequences;', key: 'trainer.use_legacy_worker_impl', expected: 'enable' },
  { what: 'advantage', paper: 'group_norm (r − mean)/(std + ε), unbiased std', source: '| algorithm | GRPO: `--advantage_estimator group_norm` (per-prompt (r−mean)/(std+1e-9), torch unbiased std over the 16 samples)', key: 'algorithm.norm_adv_by_std_in_grpo', expected: true },
  { what: 'estimator: group norm, then whitened over the batch (OpenRLHF, ppo_trainer.py:249, replay_buffer.py:222-251)', paper: 'GRPO, no critic', source: '| algorithm | GRPO: `--advantage_estimator group_norm`', key: 'algorithm.adv_estimator', expected: 'rlvrc_grpo_whiten' },
  { what: 'optimizer', paper: 'Adam', source: '| optimizer | Adam betas (0.9, 0.95), weight decay 0, grad-norm clip 1.0 (defaults)', key: `${A}.optim.optimizer`, expected: 'Adam' },
  { what: 'betas', paper: '(0.9, 0.95)', source: '| optimizer | Adam betas (0.9, 0.95), weight decay 0, grad-norm clip 1.0 (defaults)', key: `${A}.optim.betas`, expected: [0.9, 0.95] },
  { what: 'weight decay', paper: '0', source: '| optimizer | Adam betas (0.9, 0.95), weight decay 0, grad-norm clip 1.0 (defaults)', key: `${A}.optim.weight_decay`, expected: 0 },
  { what: 'grad-norm clip', paper: '1.0', source: '| optimizer | Adam betas (0.9, 0.95), weight decay 0, grad-norm clip 1.0 (defaults)', key: `${A}.grad_clip`, expected: 1 },
  { what: 'steps', paper: '300', source: '| steps | plots to 300 steps (Fig. 1/2/3, [v1])', key: 'trainer.total_training_steps', expected: 300 },
  { what: 'checkpoints', paper: 'every 50 steps', source: 'checkpoints every 50 steps', key: 'trainer.save_freq', expected: 50 },
  { what: 'seed', paper: '42', source: '| seed | `--seed 42` default', key: 'data.seed', expected: 42 },
];

test('the main row\'s random-reward cell for Qwen2.5-Math-7B sets the paper\'s hyperparameters, side by side', t => {
  const cell = paperCell('main/model=qwen_math_7b,reward=random');
  assert.equal(cell.model.source === 'hf' && cell.model.path, '../models/Qwen2.5-Math-7B');
  assert.deepEqual(cell.reward.expr, { op: 'random', p: 0.5 });
  const emitted = new Map(flattenKeys(verlConfig(cell, CLUSTER)));
  const paperMd = readFileSync(PAPER_MD, 'utf8');
  const table = ['| hyperparameter | paper | paper.md | verl key | emitted |', '|---|---|---|---|---|'];
  for (const row of ROWS) {
    assert.ok(paperMd.includes(row.source), `paper.md has no line with: ${row.source}`);
    assert.ok(emitted.has(row.key), `${row.key} is not emitted`);
    assert.deepEqual(emitted.get(row.key), row.expected, `${row.what}: ${row.key}`);
    table.push(`| ${row.what} | ${row.paper} | ${row.source.replace(/\|/g, '/').slice(0, 60)}… | ${row.key} | ${JSON.stringify(emitted.get(row.key))} |`);
  }
  // 128 rollouts per update, in verl's units.
  assert.equal((emitted.get(`${A}.ppo_mini_batch_size`) as number) * (emitted.get(`${R}.n`) as number), 128);
  // Sampling is not cut by any stop string.
  assert.deepEqual([...cell.algorithm.stop, ...cell.prompt.stop], []);
  for (const line of table) t.diagnostic(line);
});

test('the main cell runs on verl; what verl approximates of it', () => {
  const cell = paperCell('main/model=qwen_math_7b,reward=random');
  const issues = verlCapabilities(cell);
  const errors = [...new Set(issues.filter(i => i.severity === 'error').map(i => `${i.code} ${i.path}`))].sort();
  assert.deepEqual(errors, [], 'the main cell runs on verl');
  const warnings = [...new Set(issues.filter(i => i.severity === 'warning').map(i => i.code))].sort();
  // OpenRLHF's whitening after group_norm (ppo_trainer.py:249, replay_buffer.py:222-251) by rlvrc's registered
  // estimator; ε 1e-9 vs verl's 1e-6; 8 minibatches in verl's order.
  // AMC and AIME (avg@8 at T = 0.6) run post hoc on the checkpoints (RLVR7010).
  assert.deepEqual(warnings, ['RLVR7004', 'RLVR7005', 'RLVR7010', 'RLVR7025']);
  assert.equal((verlConfig(cell).algorithm as Record<string, unknown>).adv_estimator, 'rlvrc_grpo_whiten');
  // The paper's advantage ε (1e-9) and whitening are what the spec declares.
  assert.equal(cell.algorithm.advantage_epsilon, 1e-9);
  assert.equal(cell.algorithm.whiten, true);
  // The effective packed aggregation (see the note above).
  assert.equal(cell.algorithm.loss, 'micro_token_mean');
  assert.equal(cell.algorithm.micro_batch, 4);
});
