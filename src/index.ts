// The compiler as a library (`import { parse, check, compileExperiment } from 'rlvrc'`): what the CLI is
// built from. The runtime that generated programs import is `rlvrc/runtime`; the grader is `rlvrc/grader`.
export { parse, format, KEYWORDS, DECLARATION_KINDS, type ParseResult, type DeclarationKind } from './language/index.js';
export { check, explainCell, explainObjective, type CheckOptions, type CheckResult, type ExperimentIR, type CellConfig } from './checker/index.js';
export { compileExperiment, programName, type CompiledProgram } from './codegen/compile.js';
export { renderReport, renderDiagnostic, jsonReport, type JsonReport } from './diagnostics/render.js';
export type { Diagnostic, Severity } from './diagnostics/diagnostic.js';
export { slurmArrayScript, type SlurmOptions } from './cluster/slurm.js';
