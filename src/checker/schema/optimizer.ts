import { T } from '../types.js';
import { opt, req, type BlockSpec } from './spec.js';

export const adam: BlockSpec = {
  what: 'an optimizer',
  fields: {
    type: opt(T.enumOf('optimizer type', ['adam', 'adamw']), 'adam', 'adam (L2 weight decay) or adamw (decoupled weight decay)'),
    lr: req(T.positive(), 'peak learning rate'),
    betas: opt(T.tuple(T.float(0, 1), T.float(0, 1)), [0.9, 0.999], 'Adam moment decay rates (β1, β2)'),
    eps: opt(T.positive(), 1e-8, 'Adam denominator epsilon'),
    weight_decay: opt(T.nonNegative(), 0, 'weight decay coefficient'),
    grad_clip: opt(T.union(T.positive(), T.none()), 1, 'clip the global gradient norm to this value, or none'),
    schedule: opt(T.enumOf('schedule', ['constant', 'linear', 'cosine']), 'constant', 'learning-rate schedule after warmup, over the train steps (RL steps); all gradient updates of one RL step use its rate'),
    warmup: opt(T.count(), 0, 'linear warmup, in RL steps (train steps, not gradient updates)'),
  },
};

export const OPTIMIZER_CONSTRUCTORS = { adam, adamw: adam } as const;
