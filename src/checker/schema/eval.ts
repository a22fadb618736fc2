import { T } from '../types.js';
import { DEFAULT_GRADER, GRADERS } from '../../grader/names.js';
import { computed, opt, req, type BlockSpec } from './spec.js';

export const METRICS = ['accuracy', 'pass_at_k', 'avg_at_k', 'maj_at_k', 'code_rate', 'accuracy_code', 'accuracy_language', 'boxed_rate', 'mean_length'] as const;
/** Metrics that compare an answer with the label. */
export const LABELLED_METRICS: readonly string[] = ['accuracy', 'pass_at_k', 'avg_at_k', 'maj_at_k', 'accuracy_code', 'accuracy_language'];
/** Metrics over k samples per problem. */
export const AT_K_METRICS: readonly string[] = ['pass_at_k', 'avg_at_k', 'maj_at_k'];

export const evalBlock: BlockSpec = {
  what: 'an eval',
  fields: {
    data: req(T.ref('dataset'), 'the problems, a dataset split (e.g. arith.test)'),
    every: opt(T.positiveInt(), 10, 'evaluate every N training steps (and before the first and after the last)'),
    greedy: opt(T.bool(), false, 'one sample at temperature 0'),
    samples: computed(T.positiveInt(), '1', 'samples per problem'),
    temperature: computed(T.nonNegative(), '0 when greedy, else 1', 'sampling temperature'),
    top_p: opt(T.float(0, 1), 1, 'nucleus sampling mass'),
    max_tokens: computed(T.positiveInt(), "the train algorithm's max_tokens", 'longest response in tokens'),
    metrics: opt(T.list(T.enumOf('metric', METRICS), 1), ['accuracy'], `what to measure: ${METRICS.join(', ')}`),
    k: computed(T.positiveInt(), 'samples', 'the k of pass@k, avg@k and maj@k (pass@k uses the unbiased estimator 1 − C(n−c, k)/C(n, k))'),
    grader: opt(T.enumOf('grader', GRADERS), DEFAULT_GRADER, "which grader decides the metrics: paper (the paper's, Qwen2.5-Math's) or math_verify (Math-Verify's semantics, as TRL, Open-R1 and verl's math_verify)"),
    prompt: computed(T.union(T.ref('prompt'), T.none()), "the train block's prompt", 'how a problem becomes the model input'),
  },
};
