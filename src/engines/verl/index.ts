// The verl engine (volcengine/verl at b178a3cd56f58b2d502255daba591e92833930a7): capabilities, lowering,
// the Parquet datasets, the reward server and its Python module with the group-level reward manager
// (reward-server.ts, python/rlvrc_reward.py), the cluster profile (profile.ts), preparing a cell's run
// directory (prepare.ts: launch.sh, the label phase, post-hoc evals), the program that runs cells
// (program.ts, run-cell.ts) and the conversion of verl's output into rlvrc's artifacts (watch.ts, convert.ts).
// See README.md.
import type { CellConfig } from '../../ir/cell.js';
import type { Engine } from '../engine.js';
import { verlCapabilities } from './capabilities.js';
import { VERL_COMMIT, verlConfig, type VerlProfile } from './config.js';
import { toYaml } from './yaml.js';


export const verlEngine: Engine<Record<string, unknown>, VerlProfile> = {
  name: 'verl',
  capabilities: verlCapabilities,
  lower: verlConfig,
  configFile: { name: 'verl.yaml', text: cell => verlYaml(cell) },
  // Loaded only when a compiled program runs: checking for verl never loads the run layer.
  runProgram: async (program, argv) => (await import('./program.js')).runVerlProgram(program, argv),
};

/** The text of a cell's verl.yaml: the lowered config with a header naming the cell and verl's commit. */
export function verlYaml(cell: CellConfig, profile?: Partial<VerlProfile>): string {
  return toYaml(verlConfig(cell, profile), `verl.yaml for cell ${cell.id} of experiment ${cell.experiment}, written by rlvrc.\nKeys the spec and the profile decide, merged over verl's defaults at ${VERL_COMMIT}.`);
}

export { verlCapabilities, verlProfileIssues, VERL_RULES, VERL_PROFILE_RULES, type CapabilityRule } from './capabilities.js';
export { VERL_COMMIT, WHITEN_ESTIMATOR, verlSteps, verlConfig, resolveProfile, SMOKE_PROFILE, CONSUMED_PATHS, pathCovers, flattenKeys, parquetFiles, type VerlProfile, type Consumer } from './config.js';
export { toYaml, parseYaml, yamlFloat } from './yaml.js';
export { verlRows, verlDatasets, verlParquet, writeVerlParquet, writeVerlDatasets, VERL_PARQUET_SCHEMA, type VerlRow, type VerlMessage, type VerlSplit } from './datasets.js';
export { startRewardServer, cellScorer, rewardNeeds, rewardRng, REWARD_URL_ENV, RequestError, type RewardServer, type RewardServerOptions, type RewardNeeds, type ScoreRequest } from './reward-server.js';
export { verlMetricsToRecords, regradeValidation, parseJsonlObjects, VERL_METRIC_MAP, type JsonlSource, type RegradedValidation } from './convert.js';
export { readVerlProfile, parseVerlProfile, resolveLaunchProfile, loweringProfile, DEFAULT_PYTHON, VERL_PROFILE_SCHEMA, type VerlLaunchProfile } from './profile.js';
export { prepareVerlCell, preparedVerlConfig, verlLaunchCommand, verlManifestFields, VerlRefusal, REWARD_MODULE, REWARD_FUNCTION, REWARD_MANAGER, WORKER_ENV, verlRunPaths, HYDRA_ENTRY, type PrepareVerlOptions, type PreparedVerlCell } from './prepare.js';
export { runVerlProgram, takeProfileArg, VERL_CELL_FILES } from './program.js';
