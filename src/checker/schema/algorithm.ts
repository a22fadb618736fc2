// The GRPO family: every switch the paper's ablations and the anchors use.
import { T } from '../types.js';
import { opt, type BlockSpec } from './spec.js';

const clipRange = T.open01('PPO ratio clipping needs 0 < ε < 1.');

export const grpo: BlockSpec = {
  what: 'an algorithm',
  fields: {
    prompts_per_step: opt(T.positiveInt(), 64, 'prompts sampled per rollout step'),
    group: opt(T.int(2), 16, 'responses sampled per prompt (the group of the group-relative advantage)'),
    minibatch: opt(T.positiveInt(), 128, 'rollouts per gradient update; must divide prompts_per_step × group'),
    epochs: opt(T.positiveInt(), 1, 'passes over each rollout batch, each in its own shuffled order; πold stays the policy that sampled it'),
    clip: opt(T.union(clipRange, T.tuple(clipRange, clipRange), T.none()), 0.2, 'PPO ratio clip ε, or (ε_low, ε_high), or none'),
    kl: opt(T.nonNegative(), 0, 'KL penalty coefficient; 0 means no KL term and no reference model'),
    kl_estimator: opt(T.enumOf('KL estimator', ['k1', 'k2', 'k3']), 'k3', 'estimator of KL(πθ‖πref) per token'),
    entropy: opt(T.nonNegative(), 0, 'entropy bonus coefficient'),
    advantage: opt(T.enumOf('advantage', ['group_norm', 'group_center']), 'group_norm', 'group_norm: (r − mean)/(std + ε); group_center: r − mean (Dr. GRPO)'),
    advantage_epsilon: opt(T.positive(), 1e-9, 'the ε of group_norm: keeps the division finite for a group whose rewards are all equal'),
    whiten: opt(T.bool(), false, 'renormalise advantages over the whole rollout batch after the group step (OpenRLHF does)'),
    loss: opt(T.enumOf('loss aggregation', ['token_mean', 'seq_mean_token_mean', 'seq_mean_token_sum_norm', 'micro_token_mean']), 'seq_mean_token_mean', 'how per-token losses are averaged'),
    micro_batch: opt(T.positiveInt(), 1, 'rollouts per micro-batch of loss = micro_token_mean: a token mean within each micro-batch, then a mean over them (OpenRLHF\'s packed samples)'),
    temperature: opt(T.positive(), 1, 'sampling temperature of rollouts'),
    top_p: opt(T.float(0, 1), 1, 'nucleus sampling mass (1 = off)'),
    top_k: opt(T.union(T.positiveInt(), T.none()), null, 'sample among the k likeliest tokens, or none'),
    max_tokens: opt(T.positiveInt(), 3072, 'longest response in tokens'),
    stop: opt(T.list(T.string()), [], 'strings that end a response'),
  },
};

/** Dr. GRPO: the same fields, with the unbiased defaults. */
export const DR_GRPO_DEFAULTS = { advantage: 'group_center', loss: 'seq_mean_token_sum_norm' } as const;

export const ALGORITHM_CONSTRUCTORS = { grpo, dr_grpo: grpo } as const;
