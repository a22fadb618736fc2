// The checker: .rlvr ASTs → a checked, resolved experiment description and its grid of cell configs.
export { check, type CheckOptions, type CheckResult } from './check.js';
export type * from '../ir/index.js';
export type { RewardNode, Condition } from './rewards.js';
export { cellId, escapeIdValue } from './ids.js';
export { explainCell, explainObjective } from './explain.js';
export { assertValidCell, schemaErrors, CELL_SCHEMA_URL, InternalError } from './validate.js';
