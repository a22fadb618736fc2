// Every declaration kind's schema in one place.
export * from './spec.js';
export { DATASET_CONSTRUCTORS } from './dataset.js';
export { MODEL_CONSTRUCTORS } from './model.js';
export { prompt as PROMPT } from './prompt.js';
export { ALGORITHM_CONSTRUCTORS, DR_GRPO_DEFAULTS } from './algorithm.js';
export { OPTIMIZER_CONSTRUCTORS } from './optimizer.js';
export { train as TRAIN, TRAIN_AXES } from './train.js';
export { evalBlock as EVAL, METRICS, LABELLED_METRICS, AT_K_METRICS } from './eval.js';
export { settings as SETTINGS, LANGUAGE_VERSIONS } from './experiment.js';
