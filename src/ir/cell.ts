// The cell config: one JSON-serialisable description of a grid cell, every value resolved and defaulted.
// The one engine-neutral definition of a cell: the checker produces it, and every consumer (the code
// generator, the tfjs runtime, explain, report and the engine targets) reads it from here. It imports
// nothing, so neither the compiler nor any engine depends on the other to share it.
// schema/cell-config.schema.json is its published form; test/ir/fields.test.ts checks that every field
// is read by the engines and explain.

export const CELL_FORMAT_VERSION = 1;

export interface Range { min: number; max: number }

export interface WorldConfig {
  operands: Range;
  digits: Range;
  operators: Array<'+' | '-' | '*'>;
  max_mul: number;
  /** Problems in the train and test splits. */
  train: number;
  test: number;
  seed: number;
  /** World version (src/runtime/world/v2.ts); absent: version 1. */
  version?: number;
}

export type DataConfig = {
  /** The declaration (or the expression, for inline values) this came from. */
  name: string;
  /** Use only the first n problems of the selection; null: all. */
  take: number | null;
  /** Whether every problem has a label (answer). */
  labels: boolean;
} & (
  | { source: 'arithmetic'; world: WorldConfig; split: 'train' | 'test' | null }
  /** path: relative to the directory of the spec file that holds the experiment, with forward slashes. */
  | { source: 'json' | 'jsonl'; path: string; fields: { question: string; answer: string | null } }
);

export interface StrategyConfig { share: number; accuracy: number; near_miss: number }

export interface StageConfig {
  stage: 'pretrain' | 'midtrain';
  name: string | null;
  data: DataConfig;
  steps: number;
  batch: number;
  lr: number;
  /** Linear warmup in pretraining steps (one update each). */
  warmup: number;
  /** The corpus this stage trains on (the world's FamilyConfig, in the spec's field names). */
  corpus: {
    preset: string | null;
    strategies: { code: StrategyConfig; language: StrategyConfig };
    boxed: number;
    preference: number;
    good_accuracy: number;
    bad_accuracy: number;
  };
}

export type ModelConfig =
  | { name: string; source: 'transformer'; layers: number; d_model: number; heads: number; context: number; d_ff: number; dropout: number; seed: number; stages: StageConfig[] }
  | { name: string; source: 'hf' | 'checkpoint'; path: string };

export interface PromptConfig {
  name: string | null;
  template: 'chat' | 'raw';
  system: string | null;
  user: string;
  stop: string[];
  /** Forced start of the response (absent: none). */
  response_prefix?: string;
  /** Grade only the text after the last `<answer>` (absent: the whole response). */
  r1_style?: true;
}

export interface RewardConfig {
  name: string;
  /** Canonical text of the expression, as a spec would write it. */
  text: string;
  expr: RewardNode;
  /** Training prompts are restricted to those where this holds (incorrect-label subset, one-shot). */
  filter: Condition | null;
  binary: boolean;
  needs_labels: boolean;
}

export interface AlgorithmConfig {
  name: string;
  family: 'grpo' | 'dr_grpo';
  prompts_per_step: number;
  group: number;
  minibatch: number;
  /** Passes over each step's rollouts, each in its own shuffled order. */
  epochs: number;
  /** prompts_per_step × group. */
  rollouts_per_step: number;
  /** epochs × rollouts_per_step / minibatch. */
  updates_per_step: number;
  /** Ratio clip range [1 − low, 1 + high]; null: no clipping. */
  clip: { low: number; high: number } | null;
  kl: number;
  /** null when kl = 0 (no KL term, no reference model). */
  kl_estimator: 'k1' | 'k2' | 'k3' | null;
  entropy: number;
  advantage: 'group_norm' | 'group_center';
  /** The ε of (r − mean) / (std + ε); std is the unbiased sample standard deviation of the group. */
  advantage_epsilon: number;
  whiten: boolean;
  loss: 'token_mean' | 'seq_mean_token_mean' | 'seq_mean_token_sum_norm' | 'micro_token_mean';
  /**
   * Rollouts per micro-batch of micro_token_mean: a token mean within each micro-batch of the minibatch, then a
   * mean over its micro-batches (OpenRLHF with --packing_samples, the paper's runs). Present only with it, so
   * the configs (and hashes) of every other cell are unchanged.
   */
  micro_batch?: number;
  temperature: number;
  top_p: number;
  top_k: number | null;
  max_tokens: number;
  stop: string[];
}

export interface OptimizerConfig {
  name: string;
  type: 'adam' | 'adamw';
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  grad_clip: number | null;
  /** Indexed by RL step over train.steps; every update of an RL step uses its rate (as verl). */
  schedule: 'constant' | 'linear' | 'cosine';
  /** Linear warmup in RL steps (train steps, not gradient updates). */
  warmup: number;
}

export interface EvalConfig {
  name: string;
  data: DataConfig;
  every: number;
  greedy: boolean;
  samples: number;
  temperature: number;
  top_p: number;
  max_tokens: number;
  metrics: string[];
  k: number;
  prompt: PromptConfig;
  /** The grader of the eval's metrics: present only when not the paper's (the default), so existing configs and hashes are unchanged. */
  grader?: 'math_verify';
}

// A type alias rather than an interface: aliases are assignable to index-signature types, such as the
// run layer's generic `{ id, seed, [field]: unknown }` cell.
export type CellConfig = {
  format: typeof CELL_FORMAT_VERSION;
  language: number;
  experiment: string;
  id: string;
  grid: string | null;
  /** The value of each axis in this cell, as canonical text, in the grid's order. */
  axes: Record<string, string>;
  /** The one root seed; the runtime derives (and records) every other seed from it. */
  seed: number;
  model: ModelConfig;
  data: DataConfig;
  prompt: PromptConfig;
  reward: RewardConfig;
  algorithm: AlgorithmConfig;
  optimizer: OptimizerConfig;
  train: { steps: number; checkpoint_every: number };
  evals: EvalConfig[];
};

export type RewardNode =
  /** grader: present only when not the paper's (the default), so existing configs (and hashes) are unchanged. */
  | { op: 'correct'; target: 'label'; grader?: 'math_verify' }
  /** online (TTRL): relabelled from the current policy before every step; present only when true, so the configs (and hashes) of offline cells are unchanged. */
  | { op: 'correct'; target: 'majority_label'; samples: number; temperature: number; online?: true; grader?: 'math_verify' }
  | { op: 'boxed_nonempty' }
  | { op: 'random'; p: number }
  | { op: 'contains'; text: string }
  | { op: 'no_repetition'; min_length: number; max_length: number; min_repeats: number }
  | { op: 'const'; value: number }
  | { op: 'not'; arg: RewardNode }
  | { op: 'and' | 'or'; args: RewardNode[] }
  | { op: 'sum'; terms: Array<{ weight: number; term: RewardNode }> }
  | { op: 'if'; cond: RewardNode; then: RewardNode; else: RewardNode }
  /** A reference to another reward declaration, kept so explanations read like the spec. */
  | { op: 'named'; name: string; reward: RewardNode };

export type CondOperand = { var: 'label' | 'majority_label' | 'example' } | { value: number | string };
export type Condition =
  | { op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: CondOperand; right: CondOperand }
  | { op: 'and' | 'or'; args: Condition[] }
  | { op: 'not'; arg: Condition };

