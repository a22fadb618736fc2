// Lowering a resolved cell config (src/ir/cell.ts) to verl's configuration: a nested plain object of only
// the keys the spec (or the cluster profile) decides, to be merged over verl's defaults by its Hydra entry
// point (verl.trainer.main_ppo) at the pinned commit b178a3cd56f58b2d502255daba591e92833930a7. Key names,
// units and types follow data/verl/_generated_ppo_trainer.yaml (vendored from the project's shared/engines/verl) and verl's code at that commit
// (see README.md beside this file for the table and the sources). What verl cannot express exactly is
// reported by capabilities.ts; this lowering is total and lowers what it can of every cell.
import type { CellConfig } from '../../ir/cell.js';
import { evalGroups, type EvalGroup } from './evals.js';

/** The advantage estimator the reward module registers into verl: group normalisation, then whitening over the batch's tokens. */
export const WHITEN_ESTIMATOR = 'rlvrc_grpo_whiten';

/** The verl commit every emitted config is checked against (data/verl/_generated_ppo_trainer.yaml). */
export const VERL_COMMIT = 'b178a3cd56f58b2d502255daba591e92833930a7';

/** Per-cluster settings that do not belong in a spec. The defaults are a two-step smoke profile for one GPU. */
export interface VerlProfile {
  /** trainer.nnodes */
  nnodes: number;
  /** trainer.n_gpus_per_node */
  n_gpus_per_node: number;
  /** actor_rollout_ref.rollout.tensor_model_parallel_size */
  tensor_model_parallel_size: number;
  /** actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu, in rollouts (verl normalises the mini-batch, not the micro-batch). */
  ppo_micro_batch_size_per_gpu: number;
  /** actor_rollout_ref.{rollout,ref}.log_prob_micro_batch_size_per_gpu, in rollouts. */
  log_prob_micro_batch_size_per_gpu: number;
  /** actor_rollout_ref.rollout.gpu_memory_utilization (vLLM's share of GPU memory). */
  gpu_memory_utilization: number;
  /** actor_rollout_ref.rollout.name */
  rollout_name: 'vllm' | 'sglang';
  /** data.max_prompt_length in tokens (the spec bounds responses, not prompts; the paper's scripts use 1024). */
  max_prompt_length: number;
  /** trainer.logger */
  logger: string[];
  /** Stop after this many steps (a smoke run); null: the spec's train.steps. */
  max_steps: number | null;
}

export const SMOKE_PROFILE: Readonly<VerlProfile> = Object.freeze({
  nnodes: 1,
  n_gpus_per_node: 1,
  tensor_model_parallel_size: 1,
  ppo_micro_batch_size_per_gpu: 1,
  log_prob_micro_batch_size_per_gpu: 1,
  gpu_memory_utilization: 0.4,
  rollout_name: 'vllm',
  max_prompt_length: 1024,
  logger: ['console'],
  max_steps: 2,
});

/** The training steps verl runs for a cell: the spec's, capped by the profile's max_steps (a smoke run). */
export function verlSteps(cell: Pick<CellConfig, 'train'>, profile: Pick<VerlProfile, 'max_steps'>): number {
  return profile.max_steps === null ? cell.train.steps : Math.min(cell.train.steps, profile.max_steps);
}

export function resolveProfile(p: Partial<VerlProfile> = {}): VerlProfile {
  return { ...SMOKE_PROFILE, ...p, logger: [...(p.logger ?? SMOKE_PROFILE.logger)] };
}

/** What consumes a cell-config field of a cell that verl runs. */
export type Consumer =
  | 'verl.yaml' // a key of the emitted config
  | 'data' // the Parquet files verl reads (written by datasets.ts)
  | 'reward' // the reward server and its Python module (not built yet)
  | 'manifest'; // labels and provenance only: the cell's id, names, hashes (run layer)

/**
 * Every cell-config field this engine reads, with what reads it. Paths are dotted, '*' matches one segment
 * (an array index), and a path covers every field under it. Together with the rules of capabilities.ts
 * (their `paths`), these must cover every leaf of every cell config (test/engines/verl/coverage.test.ts).
 */
export const CONSUMED_PATHS: ReadonlyArray<{ path: string; by: Consumer; note: string }> = [
  { path: 'format', by: 'manifest', note: 'cell-config format version' },
  { path: 'language', by: 'manifest', note: 'language version of the spec' },
  { path: 'experiment', by: 'verl.yaml', note: 'trainer.project_name' },
  { path: 'id', by: 'verl.yaml', note: 'trainer.experiment_name' },
  { path: 'grid', by: 'manifest', note: 'the grid the cell belongs to' },
  { path: 'axes', by: 'manifest', note: 'the cell\'s axis values' },
  { path: 'seed', by: 'verl.yaml', note: 'data.seed, actor.data_loader_seed (vLLM sampling is not seeded by verl\'s config)' },
  { path: 'model.name', by: 'manifest', note: 'declaration name' },
  { path: 'model.source', by: 'verl.yaml', note: 'hf only (capabilities refuse the others)' },
  { path: 'model.path', by: 'verl.yaml', note: 'actor_rollout_ref.model.path' },
  { path: 'data.name', by: 'manifest', note: 'declaration name' },
  { path: 'data.source', by: 'data', note: 'json/jsonl read by the data phase' },
  { path: 'data.path', by: 'data', note: 'the training problems, written to train.parquet' },
  { path: 'data.fields', by: 'data', note: 'question/answer fields of the records' },
  { path: 'data.take', by: 'data', note: 'first n problems written' },
  { path: 'data.labels', by: 'data', note: 'reward_model.ground_truth present' },
  { path: 'data.split', by: 'data', note: 'arithmetic only (refused)' },
  { path: 'prompt.name', by: 'manifest', note: 'declaration name' },
  { path: 'prompt.template', by: 'data', note: 'chat: the prompt as a chat list, verl applies the model\'s template' },
  { path: 'prompt.system', by: 'data', note: 'a system message in the chat list' },
  { path: 'prompt.user', by: 'data', note: 'the user message, {question} filled in' },
  { path: 'prompt.stop', by: 'verl.yaml', note: 'only [] is expressible' },
  { path: 'prompt.r1_style', by: 'reward', note: 'grade the text after the last <answer>' },
  { path: 'reward', by: 'reward', note: 'the compiled reward, served to verl by the program (name, text, expr, binary, needs_labels)' },
  { path: 'reward.filter', by: 'data', note: 'training prompts restricted when writing train.parquet' },
  { path: 'algorithm.name', by: 'manifest', note: 'declaration name' },
  { path: 'algorithm.family', by: 'verl.yaml', note: 'algorithm.adv_estimator = grpo (dr_grpo: its advantage and loss fields below)' },
  { path: 'algorithm.prompts_per_step', by: 'verl.yaml', note: 'data.train_batch_size (prompts)' },
  { path: 'algorithm.group', by: 'verl.yaml', note: 'actor_rollout_ref.rollout.n' },
  { path: 'algorithm.minibatch', by: 'verl.yaml', note: 'actor.ppo_mini_batch_size = minibatch / group (prompts)' },
  { path: 'algorithm.epochs', by: 'verl.yaml', note: 'actor.ppo_epochs' },
  { path: 'algorithm.rollouts_per_step', by: 'verl.yaml', note: 'derived: train_batch_size × rollout.n' },
  { path: 'algorithm.updates_per_step', by: 'verl.yaml', note: 'derived: ppo_epochs × train_batch_size / ppo_mini_batch_size' },
  { path: 'algorithm.clip', by: 'verl.yaml', note: 'actor.clip_ratio_low / clip_ratio_high (+ clip_ratio_c off)' },
  { path: 'algorithm.kl', by: 'verl.yaml', note: 'actor.use_kl_loss, actor.kl_loss_coef' },
  { path: 'algorithm.kl_estimator', by: 'verl.yaml', note: 'actor.kl_loss_type' },
  { path: 'algorithm.entropy', by: 'verl.yaml', note: 'actor.entropy_coeff' },
  { path: 'algorithm.advantage', by: 'verl.yaml', note: 'algorithm.norm_adv_by_std_in_grpo' },
  { path: 'algorithm.loss', by: 'verl.yaml', note: 'actor.loss_agg_mode' },
  { path: 'algorithm.micro_batch', by: 'verl.yaml', note: 'actor.ppo_micro_batch_size_per_gpu (micro_token_mean)' },
  { path: 'algorithm.temperature', by: 'verl.yaml', note: 'rollout.temperature' },
  { path: 'algorithm.top_p', by: 'verl.yaml', note: 'rollout.top_p' },
  { path: 'algorithm.top_k', by: 'verl.yaml', note: 'rollout.top_k (null → -1)' },
  { path: 'algorithm.max_tokens', by: 'verl.yaml', note: 'data.max_response_length' },
  { path: 'algorithm.stop', by: 'verl.yaml', note: 'only [] is expressible' },
  { path: 'optimizer.name', by: 'manifest', note: 'declaration name' },
  { path: 'optimizer.type', by: 'verl.yaml', note: 'actor.optim.optimizer: Adam | AdamW (torch.optim)' },
  { path: 'optimizer.lr', by: 'verl.yaml', note: 'actor.optim.lr' },
  { path: 'optimizer.betas', by: 'verl.yaml', note: 'actor.optim.betas' },
  { path: 'optimizer.eps', by: 'verl.yaml', note: 'actor.optim.override_optimizer_config.eps' },
  { path: 'optimizer.weight_decay', by: 'verl.yaml', note: 'actor.optim.weight_decay' },
  { path: 'optimizer.grad_clip', by: 'verl.yaml', note: 'actor.grad_clip and actor.optim.clip_grad' },
  { path: 'optimizer.schedule', by: 'verl.yaml', note: 'actor.optim.lr_scheduler_type' },
  { path: 'optimizer.warmup', by: 'verl.yaml', note: 'actor.optim.lr_warmup_steps' },
  { path: 'train.steps', by: 'verl.yaml', note: 'trainer.total_training_steps (0: trainer.val_only)' },
  { path: 'train.checkpoint_every', by: 'verl.yaml', note: 'trainer.save_freq' },
  { path: 'evals.*.name', by: 'data', note: 'val parquet file name, data_source of its rows' },
  { path: 'evals.*.data', by: 'data', note: 'val parquet rows (source, path, fields, take, labels)' },
  { path: 'evals.*.every', by: 'verl.yaml', note: 'trainer.test_freq' },
  { path: 'evals.*.greedy', by: 'verl.yaml', note: 'rollout.val_kwargs.do_sample = !greedy' },
  { path: 'evals.*.samples', by: 'verl.yaml', note: 'rollout.val_kwargs.n' },
  { path: 'evals.*.temperature', by: 'verl.yaml', note: 'rollout.val_kwargs.temperature' },
  { path: 'evals.*.top_p', by: 'verl.yaml', note: 'rollout.val_kwargs.top_p' },
  { path: 'evals.*.max_tokens', by: 'verl.yaml', note: 'must equal algorithm.max_tokens (verl validates with the rollout length)' },
  { path: 'evals.*.metrics', by: 'reward', note: 'validation generations regraded by rlvrc\'s grader (artifact conversion, not built)' },
  { path: 'evals.*.k', by: 'reward', note: 'pass@k / avg@k computed by rlvrc from the regraded generations' },
  { path: 'evals.*.grader', by: 'reward', note: 'the grader that regrades the validation generations (paper or math_verify)' },
  { path: 'evals.*.prompt', by: 'data', note: 'the eval\'s prompt, baked into its val parquet rows (stop: only [])' },
];

/** Whether a dotted pattern ('evals.*.data') covers a dotted leaf path ('evals.0.data.path'). */
export function pathCovers(pattern: string, path: string): boolean {
  const p = pattern.split('.');
  const l = path.split('.');
  if (p.length > l.length) return false;
  return p.every((seg, i) => seg === '*' || seg === l[i]);
}

/** The verl key that turns off a ratio bound: the log-ratio is clamped to ±20, so the ratio stays below e^20 ≈ 4.85e8. */
export const UNREACHABLE_RATIO = 1e9;

export const VERL_GRPO_EPSILON = 1e-6;
export const TORCH_ADAM_EPS = 1e-8;

/** kl_loss_type of each rlvrc estimator (verl's kl_penalty: k1 = logp − ref, k2 = ½(logp − ref)², low_var_kl = k3). */
export const KL_LOSS_TYPE = { k1: 'k1', k2: 'k2', k3: 'low_var_kl' } as const;

/** loss_agg_mode of each rlvrc aggregation (verl's core_algos.agg_loss). */
export const LOSS_AGG_MODE = {
  token_mean: 'token-mean',
  seq_mean_token_mean: 'seq-mean-token-mean',
  seq_mean_token_sum_norm: 'seq-mean-token-sum-norm',
  // The legacy workers' token-mean is per micro-batch, averaged over micro-batches (below).
  micro_token_mean: 'token-mean',
} as const;

type Tree = { [key: string]: unknown };

function set(root: Tree, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = root;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Tree;
  node[keys[keys.length - 1]!] = value;
}

/** The dotted keys of a lowered config, leaf by leaf (a list or an empty record is one leaf). */
export function flattenKeys(tree: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(tree).flatMap(([k, v]): Array<[string, unknown]> => {
    const key = prefix ? `${prefix}.${k}` : k;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0
      ? flattenKeys(v as Record<string, unknown>, key)
      : [[key, v]];
  });
}

/** The file names the data phase will write into the cell's directory (the contract; the writer is not built yet). */
/**
 * The keys a post-hoc validation run of eval group `group` (> 0) sets over verl.yaml: its val files and
 * sampling, validation only, before "training", its own dump directory. The checkpoint to load
 * (trainer.resume_mode, trainer.resume_from_path) is given per run on launch-posthoc-<group>.sh's command line.
 */
export function posthocVerlConfig(cell: CellConfig, group: EvalGroup): Record<string, unknown> {
  const files = parquetFiles(cell);
  const c: Tree = {};
  const rollout = 'actor_rollout_ref.rollout';
  set(c, 'data.val_files', group.evals.map(i => files.val[i]!));
  set(c, `${rollout}.val_kwargs.do_sample`, !group.sampling.greedy);
  set(c, `${rollout}.val_kwargs.n`, group.sampling.samples);
  set(c, `${rollout}.val_kwargs.temperature`, group.sampling.temperature);
  set(c, `${rollout}.val_kwargs.top_p`, group.sampling.top_p);
  set(c, 'trainer.val_only', true);
  set(c, 'trainer.val_before_train', true);
  return c;
}

/**
 * The keys of the label phase's validation-only run over verl.yaml: the base model samples `samples`
 * responses at `temperature` for every training problem (data/label.parquet), which rlvrc then votes on.
 */
export function labelVerlConfig(spec: { samples: number; temperature: number }): Record<string, unknown> {
  const c: Tree = {};
  const rollout = 'actor_rollout_ref.rollout';
  set(c, `${rollout}.val_kwargs.do_sample`, true);
  set(c, `${rollout}.val_kwargs.n`, spec.samples);
  set(c, `${rollout}.val_kwargs.temperature`, spec.temperature);
  set(c, `${rollout}.val_kwargs.top_p`, 1);
  set(c, 'trainer.val_only', true);
  set(c, 'trainer.val_before_train', true);
  set(c, 'trainer.resume_mode', 'disable');
  return c;
}

export function parquetFiles(cell: CellConfig): { train: string; val: string[] } {
  return { train: 'data/train.parquet', val: cell.evals.map(e => `data/val-${e.name}.parquet`) };
}

/**
 * The verl config of a cell: only the keys the spec and the profile decide. Lowers every cell; fields verl
 * cannot express are lowered as closely as verl allows and reported by verlCapabilities().
 */
export function verlConfig(cell: CellConfig, profileIn: Partial<VerlProfile> = {}): Record<string, unknown> {
  const profile = resolveProfile(profileIn);
  const a = cell.algorithm;
  const o = cell.optimizer;
  const c: Tree = {};
  const files = parquetFiles(cell);

  // ---- algorithm: GRPO's group-relative advantage, no KL in the reward, no critic
  // Whitening after the group step (the paper's OpenRLHF runs): rlvrc's own estimator, which the reward
  // module registers into verl's advantage-estimator registry (python/rlvrc_reward.py, WHITEN_ESTIMATOR).
  set(c, 'algorithm.adv_estimator', a.whiten ? WHITEN_ESTIMATOR : 'grpo');
  set(c, 'algorithm.norm_adv_by_std_in_grpo', a.advantage === 'group_norm');
  set(c, 'algorithm.use_kl_in_reward', false);

  // ---- model
  set(c, 'actor_rollout_ref.model.path', cell.model.source === 'transformer' ? cell.model.name : cell.model.path);

  // ---- the policy update
  const actor = 'actor_rollout_ref.actor';
  // verl counts the mini-batch in prompts and multiplies it by rollout.n (fsdp_workers.py: ppo_mini_batch_size *= rollout.n).
  set(c, `${actor}.ppo_mini_batch_size`, Math.max(1, Math.floor(a.minibatch / a.group)));
  // micro_token_mean's micro-batch is part of the objective, so it decides the micro-batch, not the profile.
  set(c, `${actor}.ppo_micro_batch_size_per_gpu`, a.loss === 'micro_token_mean' ? a.micro_batch ?? 1 : profile.ppo_micro_batch_size_per_gpu);
  set(c, `${actor}.ppo_epochs`, a.epochs);
  set(c, `${actor}.clip_ratio_low`, a.clip ? a.clip.low : 1.0);
  set(c, `${actor}.clip_ratio_high`, a.clip ? a.clip.high : UNREACHABLE_RATIO);
  // Dual-clip (a bound of c·|A| for negative advantages) is not part of rlvrc's objective: push it out of reach.
  set(c, `${actor}.clip_ratio_c`, UNREACHABLE_RATIO);
  set(c, `${actor}.loss_agg_mode`, LOSS_AGG_MODE[a.loss] ?? a.loss);
  if (a.loss === 'seq_mean_token_sum_norm') set(c, `${actor}.loss_scale_factor`, a.max_tokens);
  set(c, `${actor}.entropy_coeff`, a.entropy);
  set(c, `${actor}.use_kl_loss`, a.kl > 0);
  if (a.kl > 0) {
    set(c, `${actor}.kl_loss_coef`, a.kl);
    set(c, `${actor}.kl_loss_type`, KL_LOSS_TYPE[a.kl_estimator ?? 'k3'] ?? a.kl_estimator);
    set(c, 'actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu', profile.log_prob_micro_batch_size_per_gpu);
  }
  const clip = o.grad_clip ?? UNREACHABLE_RATIO;
  set(c, `${actor}.grad_clip`, clip);
  set(c, `${actor}.data_loader_seed`, cell.seed);
  set(c, `${actor}.optim.optimizer`, o.type === 'adamw' ? 'AdamW' : 'Adam');
  set(c, `${actor}.optim.lr`, o.lr);
  set(c, `${actor}.optim.betas`, [o.betas[0], o.betas[1]]);
  set(c, `${actor}.optim.weight_decay`, o.weight_decay);
  set(c, `${actor}.optim.clip_grad`, clip);
  set(c, `${actor}.optim.lr_warmup_steps`, o.warmup);
  set(c, `${actor}.optim.lr_scheduler_type`, o.schedule === 'linear' ? 'constant' : o.schedule);
  if (o.schedule === 'cosine') {
    set(c, `${actor}.optim.min_lr_ratio`, 0.0);
    set(c, `${actor}.optim.num_cycles`, 0.5);
  }
  if (o.eps !== TORCH_ADAM_EPS) set(c, `${actor}.optim.override_optimizer_config`, { eps: o.eps });

  // ---- sampling
  const rollout = 'actor_rollout_ref.rollout';
  set(c, `${rollout}.name`, profile.rollout_name);
  set(c, `${rollout}.n`, a.group);
  set(c, `${rollout}.temperature`, a.temperature);
  set(c, `${rollout}.top_p`, a.top_p);
  set(c, `${rollout}.top_k`, a.top_k ?? -1);
  set(c, `${rollout}.tensor_model_parallel_size`, profile.tensor_model_parallel_size);
  set(c, `${rollout}.gpu_memory_utilization`, profile.gpu_memory_utilization);
  set(c, `${rollout}.log_prob_micro_batch_size_per_gpu`, profile.log_prob_micro_batch_size_per_gpu);
  const ev = cell.evals[0];
  if (ev) {
    set(c, `${rollout}.val_kwargs.do_sample`, !ev.greedy);
    set(c, `${rollout}.val_kwargs.n`, ev.samples);
    set(c, `${rollout}.val_kwargs.temperature`, ev.temperature);
    set(c, `${rollout}.val_kwargs.top_p`, ev.top_p);
    set(c, `${rollout}.val_kwargs.top_k`, -1);
  }

  // ---- data
  set(c, 'data.train_files', files.train);
  // Only the evals validated during training (group 0); the others run post hoc (evals.ts, posthocVerlConfig).
  const during = evalGroups(cell)[0];
  if (during) set(c, 'data.val_files', during.evals.map(i => files.val[i]!));
  set(c, 'data.train_batch_size', a.prompts_per_step);
  set(c, 'data.max_prompt_length', profile.max_prompt_length);
  set(c, 'data.max_response_length', a.max_tokens);
  set(c, 'data.seed', cell.seed);

  // ---- trainer
  const steps = verlSteps(cell, profile);
  set(c, 'trainer.project_name', cell.experiment);
  set(c, 'trainer.experiment_name', cell.id);
  set(c, 'trainer.nnodes', profile.nnodes);
  set(c, 'trainer.n_gpus_per_node', profile.n_gpus_per_node);
  set(c, 'trainer.logger', [...profile.logger]);
  set(c, 'trainer.total_training_steps', steps);
  // total_training_steps ends the run; enough epochs that the data never ends it first (one-shot data repeats).
  set(c, 'trainer.total_epochs', Math.max(1, steps));
  set(c, 'trainer.save_freq', cell.train.checkpoint_every > 0 ? cell.train.checkpoint_every : -1);
  set(c, 'trainer.val_only', cell.train.steps === 0);
  set(c, 'trainer.val_before_train', ev !== undefined);
  set(c, 'trainer.test_freq', ev ? ev.every : -1);
  // verl's token-mean is a mean over every token of the mini-batch only in the engine workers (losses.py
  // hands agg_loss the global token count); the legacy workers average per-micro-batch token means.
  if (a.loss === 'token_mean') set(c, 'trainer.use_legacy_worker_impl', 'disable');
  // micro_token_mean is the legacy workers' token-mean: agg_loss divides by the micro-batch's tokens and
  // dp_actor.py scales each micro-batch by 1/gradient-accumulation; data parallelism averages over GPUs.
  if (a.loss === 'micro_token_mean') set(c, 'trainer.use_legacy_worker_impl', 'enable');
  return c;
}
