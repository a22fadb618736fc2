// What a generated program uses: runCellProgram, the compiled-reward primitives, and the phases of a cell's run
// (runCell), exported one by one for tests and for code that runs a cell its own way.
export type * from '../../ir/cell.js';
export { CELL_FORMAT_VERSION } from '../../ir/cell.js';
export { openSession, letSignalsThrough, type Session, type SessionOptions } from './session.js';
export { loadItems, DataError, type CellItem } from './data.js';
export { renderPrompt, responseText, fillTemplate, type ChatMessage, type ChatRenderer } from './prompts.js';
export { buildModel, stageKey, type BuiltModel } from './model.js';
export { TrainingPrompts, type ItemFilter } from './batches.js';
export { majoritySpecOf, majoritySpecs, conditionReadsMajority, type MajoritySpec } from './reward-tree.js';
export { prepareEval, evaluate, evalDue, metricsOf, type PreparedEval } from './evaluate.js';
export { CellTrainer, grpoConfigOf, adamConfigOf, stepRecord, type CellReward, type CellResponse } from './train.js';
export { toRuntimeWorld, toRuntimeFamily } from './world.js';
export * as reward from './reward-primitives.js';
export { main, runCell, runCellProgram, type CellProgram, type CompiledRewards } from './run-cell.js';
export { OVERRIDABLE, checkOverridePath, reviseOverriddenCell } from './overridable.js';
