// The run layer: what makes every generated program a command-line program that leaves reproducible,
// resumable artifacts. Generated code calls runProgram(definition, process.argv.slice(2)).
export { runProgram, helpText, DEFAULT_BACKENDS } from './program.js';
export type { ProgramIO } from './progress.js';
export { PROGRESS_FD_ENV, type ProgressEvent } from './progress.js';
export { checkpointPath, latestCheckpoint, listCheckpoints, pruneCheckpoints, removeIncompleteCheckpoints } from './checkpoints.js';
export { cellDirName } from './dirname.js';
export { canonicalJson, configHash } from './hash.js';
export { FILES, readJsonl, readManifest, readResult } from './artifacts.js';
export { ArtifactError, ARTIFACT_VERSION, artifactValidator, schemaPath, validateArtifact, type ArtifactKind } from './schemas.js';
export { parseCellId } from './select.js';
export { StopRequested } from './cell.js';
export type * from './types.js';
