// The reward language's built-in functions and their parameters (docs/language.md, "Rewards"), for
// completion and hover. The checker (checker/rewards.ts) is what accepts or rejects them.
import { NO_REPETITION_DEFAULTS, REWARD_BUILTINS } from '../checker/rewards.js';

export interface RewardFunction { name: string; signature: string; doc: string; params: Array<{ name: string; doc: string }> }

const DOCS: Record<(typeof REWARD_BUILTINS)[number], Omit<RewardFunction, 'name'>> = {
  correct: { signature: 'correct(label | majority_label(...))', doc: '1 when the graded answer equals the target, else 0', params: [] },
  label: { signature: 'label', doc: "the dataset's ground-truth answer", params: [] },
  majority_label: {
    signature: 'majority_label(samples = 64, temperature = 1.0, online = false)',
    doc: "the majority answer of the model's own samples (TTRL); online = true re-votes every step",
    params: [
      { name: 'samples', doc: 'samples voted over per prompt' },
      { name: 'temperature', doc: 'sampling temperature of the vote' },
      { name: 'online', doc: 'vote again every step instead of once before training' },
    ],
  },
  boxed_nonempty: { signature: 'boxed_nonempty', doc: 'format reward: 1 when the response has a non-empty \\boxed{...}', params: [] },
  random: { signature: 'random(p)', doc: 'a random 0/1 reward, 1 with probability p (seeded per sample)', params: [] },
  contains: { signature: 'contains("text")', doc: '1 when the response contains the text', params: [] },
  no_repetition: {
    signature: `no_repetition(min_length = ${NO_REPETITION_DEFAULTS.min_length}, max_length = ${NO_REPETITION_DEFAULTS.max_length}, min_repeats = ${NO_REPETITION_DEFAULTS.min_repeats})`,
    doc: '1 unless the response repeats a substring many times',
    params: [
      { name: 'min_length', doc: 'shortest repeated substring counted' },
      { name: 'max_length', doc: 'longest repeated substring counted' },
      { name: 'min_repeats', doc: 'repeats that make a response repetitive' },
    ],
  },
};

export const REWARD_FUNCTIONS: RewardFunction[] = REWARD_BUILTINS.map(name => ({ name, ...DOCS[name] }));
export const rewardFunction = (name: string): RewardFunction | undefined => REWARD_FUNCTIONS.find(f => f.name === name);
