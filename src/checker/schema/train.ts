import { T } from '../types.js';
import { opt, req, type BlockSpec } from './spec.js';

export const train: BlockSpec = {
  what: 'the train block',
  fields: {
    model: req(T.ref('model'), 'the policy to train'),
    data: req(T.ref('dataset'), 'the prompts, a dataset split (e.g. arith.train)'),
    reward: req(T.ref('reward'), 'the reward of each rollout'),
    algorithm: req(T.ref('algorithm'), 'the RL algorithm'),
    optimizer: req(T.ref('optimizer'), 'the optimizer'),
    prompt: opt(T.union(T.ref('prompt'), T.none()), null, 'how a problem becomes the model input; none: the question itself (raw) for a transformer, the chat template for hf models'),
    steps: req(T.count(), 'rollout steps; 0 evaluates the model without training'),
    checkpoint_every: opt(T.positiveInt(), 50, 'save a checkpoint every N steps (and at the end)'),
  },
};

/** Fields a grid axis may name directly (besides `seed`). */
export const TRAIN_AXES = Object.keys(train.fields);
