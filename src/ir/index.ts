// The engine-neutral IR: what the checker produces and every engine and tool reads.
export * from './cell.js';
export type * from './experiment.js';
