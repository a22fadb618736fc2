// The built-in `arithmetic` world (the model organism): problems, splits, family corpora, text formats,
// alphabet and length bounds, and measurements for calibration. Pure data, no tfjs.
export * from './config.js';
export * from './problems.js';
export * from './text.js';
export * from './corpus.js';
export * from './measure.js';
export * from './v2.js';
