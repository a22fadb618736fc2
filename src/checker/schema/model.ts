// Models: a transformer trained from scratch in the arithmetic world (with ordered pretraining stages),
// a local Hugging Face checkpoint directory, or a checkpoint saved by an earlier run.
import { FAMILY_PRESET_NAMES } from '../../runtime/world/config.js';
import { T } from '../types.js';
import { computed, opt, req, type BlockSpec } from './spec.js';

export const strategy: BlockSpec = {
  what: 'a strategy',
  fields: {
    share: computed(T.probability(), "the family preset's, or 1 − the other share", 'how often the corpus uses this strategy; the two shares sum to 1'),
    accuracy: computed(T.probability(), "the family preset's", 'how often this strategy writes the right answer'),
    near_miss: computed(T.int(-1000, 1000), '+1 for code, +10 for language', 'a wrong answer is the right one plus this offset (a learnable, systematic error)'),
  },
};

export const stage: BlockSpec = {
  what: 'a training stage',
  fields: {
    steps: req(T.positiveInt(), 'optimizer steps of this stage'),
    batch: opt(T.positiveInt(), 64, 'sequences per step'),
    lr: req(T.positive(), 'learning rate (AdamW, constant after warmup)'),
    warmup: opt(T.count(), 0, 'linear warmup, in pretraining steps (one update each)'),
    family: opt(T.union(T.enumOf('family preset', FAMILY_PRESET_NAMES), T.none()), null, `the corpus preset to start from (${FAMILY_PRESET_NAMES.join(', ')}), or none`),
    boxed: computed(T.probability(), '0.8', 'share of answers written as \\boxed{N} (the rest end in ans=N)'),
    preference: computed(T.probability(), '0.5', 'how strongly a visible feature of the problem decides the strategy (0: a coin per response)'),
    good_accuracy: computed(T.probability(), '0.95', 'P(right) on a problem that is good for a strategy'),
    bad_accuracy: computed(T.probability(), '0.1', 'P(right) on a problem that is bad for a strategy'),
  },
  keyed: { strategy: { doc: 'a solution strategy of the corpus', names: ['code', 'language'], block: strategy } },
};

export const transformer: BlockSpec = {
  what: 'a transformer',
  fields: {
    layers: req(T.positiveInt(), 'transformer blocks'),
    d_model: req(T.positiveInt(), 'width of the residual stream'),
    heads: req(T.positiveInt(), 'attention heads; must divide d_model'),
    context: req(T.positiveInt(), 'longest sequence in tokens, BOS and EOS included'),
    d_ff: computed(T.positiveInt(), '4 × d_model', 'width of the feed-forward layer'),
    dropout: opt(T.float(0, 0), 0, 'dropout probability during pretraining; the runtime has no dropout layers yet, so only 0 is accepted'),
    seed: opt(T.count(), 0, 'seed of the initial weights and of the pretraining corpora; part of the model, so cells share its checkpoint'),
  },
  stages: {
    pretrain: { doc: 'a pretraining stage on a corpus the world writes', block: stage },
    midtrain: { doc: 'a further stage that continues from the previous one', block: stage },
  },
};

export const hf: BlockSpec = { what: 'a Hugging Face checkpoint', fields: {} };
export const checkpoint: BlockSpec = { what: 'a checkpoint', fields: {} };

export const MODEL_CONSTRUCTORS = { transformer, hf, checkpoint } as const;
