// Datasets: the arithmetic world (the model organism) and JSON / JSONL files with a field mapping.
import { T } from '../types.js';
import { opt, type BlockSpec } from './spec.js';

export const arithmetic: BlockSpec = {
  what: 'an arithmetic world',
  fields: {
    operands: opt(T.range(2, 6), { min: 2, max: 3 }, 'operands per expression, a range'),
    digits: opt(T.range(1, 6), { min: 1, max: 1 }, 'digits per operand, a range (one digit includes 0)'),
    operators: opt(T.list(T.enumOf('operator', ['+', '-', '*']), 1), ['+', '-', '*'], 'operators that may appear, as strings'),
    max_mul: opt(T.count(), 1, "at most this many '*' per expression"),
    train: opt(T.count(), 8000, 'problems in the train split (the RL prompts)'),
    test: opt(T.count(), 256, 'held-out problems, never in train nor in a pretraining corpus; at most half of all problems'),
    seed: opt(T.count(), 0, 'seed of the problem splits; part of the dataset, so every cell of a grid sees the same problems'),
    version: opt(T.count(), 1, 'world version: 1, or 2 (a graded strategy prior and every step written as code or prose; operands >= 3)'),
  },
};

const fileFields: BlockSpec['fields'] = {
  question: opt(T.string(), 'prompt', 'the record field holding the question text (the paper\'s files use "prompt")'),
  answer: opt(T.union(T.string(), T.none()), 'answer', 'the record field holding the label, or none for unlabelled data'),
};

export const json: BlockSpec = { what: 'a json dataset', fields: fileFields };
export const jsonl: BlockSpec = { what: 'a jsonl dataset', fields: fileFields };

export const DATASET_CONSTRUCTORS = { arithmetic, json, jsonl } as const;
