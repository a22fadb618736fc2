// Preparing one cell for verl: everything a run needs, written into the cell's directory, nothing run.
//
//   verl.yaml         the keys the spec and the profile decide (verlConfig), with data.train_files/val_files
//                     set to the absolute paths of the Parquet files written here and custom_reward_function
//                     pointing at the shipped python/rlvrc_reward.py (compute_score)
//   rlvrc.yaml        the Hydra entry: defaults [ppo_trainer, verl, _self_] (see LAUNCH below)
//   data/*.parquet    the train and val datasets (datasets.ts; names: parquetFiles in config.ts)
//   launch.sh         the exact command, the profile's env exported (shell-quoted), RLVRC_REWARD_URL required
//
// LAUNCH. verl's entry point (verl/trainer/main_ppo.py at b178a3cd56f58b2d502255daba591e92833930a7) is
// `@hydra.main(config_path="config", config_name="ppo_trainer", version_base=None)`. Pointing --config-path
// at the cell's directory would replace verl's config directory and lose ppo_trainer.yaml and its component
// defaults (actor@actor_rollout_ref.actor: dp_actor, rollout, data, ...). Hydra's --config-dir instead ADDS
// the cell's directory to the search path, keeping verl's package config first, and --config-name picks the
// primary config. The primary config is rlvrc.yaml, whose defaults list composes verl's ppo_trainer and then
// verl.yaml over it: the same pattern verl's own derived configs use
// (verl/experimental/one_step_off_policy/config/one_step_off_ppo_trainer.yaml: `defaults: [ppo_trainer,
// _self_]` plus hydra.searchpath). verl.yaml itself stays a plain tree of verl keys (no `defaults` key), so it
// is exactly what the OmegaConf struct merge test checks, and dozens of `+key=value` overrides are avoided.
// Not yet run under real Hydra/verl here (neither is installed on the build machine).
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CellConfig } from '../../ir/cell.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { shellQuote } from '../../cluster/slurm.js';
import { verlCapabilities, verlProfileIssues } from './capabilities.js';
import { VERL_COMMIT, verlConfig } from './config.js';
import { writeVerlDatasets } from './datasets.js';
import { toYaml } from './yaml.js';
import { loweringProfile, resolveLaunchProfile, type VerlLaunchProfile } from './profile.js';
import { REWARD_URL_ENV } from './reward-server.js';
import type { ItemFilter } from '../../runtime/cell/batches.js';
import { sha256Hex } from '../../util/canonical-json.js';
import { engineErrors } from '../engine.js';


/** The shipped reward module (package.json "files" lists it); src/engines/verl and dist/engines/verl are three levels below the root. */
export const REWARD_MODULE = new URL('../../../src/engines/verl/python/rlvrc_reward.py', import.meta.url).pathname;
/** The per-sample entry of the reward module, called by verl's default (naive) reward loop. */
export const REWARD_FUNCTION = 'compute_score';
/** The Hydra primary config written beside verl.yaml, and verl's config it composes. */
export const HYDRA_ENTRY = 'rlvrc';

export interface PrepareVerlOptions {
  cell: CellConfig;
  profile?: Partial<VerlLaunchProfile>;
  /** runs/<exp>/<cell>/; made absolute. */
  cellDir: string;
  /** The spec's directory (datasets are resolved from it). */
  specDir: string;
  /** The program's compiled filter of the cell's reward (CompiledRewards[reward.text].filter), or null. */
  filter: ItemFilter | null;
  /** Overrides the shipped reward module's path (absolute after resolve). */
  rewardModulePath?: string;
}

export interface PreparedVerlCell {
  /** Absolute paths of everything written, sorted. */
  files: string[];
  /** The launch command as one shell line (what launch.sh runs after its exports). */
  command: string;
  /** The text of verl.yaml (for the manifest's hash). */
  verlYamlText: string;
}

export class VerlRefusal extends Error {
  constructor(readonly cellId: string, readonly issues: ReadonlyArray<{ code: string; path: string; message: string }>) {
    super(`verl cannot run cell ${cellId} as specified:\n${issues.map(i => `  ${i.code} ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'VerlRefusal';
  }
}

/** The verl config written for a prepared cell: verlConfig plus absolute data paths and the reward function. */
export function preparedVerlConfig(cell: CellConfig, profile: VerlLaunchProfile, dataFiles: { train: string; val: string[] }, rewardModule: string): Record<string, unknown> {
  const config = verlConfig(cell, loweringProfile(profile));
  const data = config.data as Record<string, unknown>;
  data.train_files = dataFiles.train;
  if (dataFiles.val.length > 0) data.val_files = dataFiles.val;
  config.custom_reward_function = { path: rewardModule, name: REWARD_FUNCTION };
  return config;
}

function hydraEntryText(): string {
  return [
    '# Hydra primary config written by rlvrc: verl\'s ppo_trainer (from verl\'s package config directory),',
    '# then verl.yaml in this directory (added to the search path by --config-dir) merged over it.',
    'defaults:',
    '  - ppo_trainer',
    '  - verl',
    '  - _self_',
    '',
  ].join('\n');
}

/** The command launch.sh runs: `<python> -m verl.trainer.main_ppo --config-dir <cellDir> --config-name rlvrc`. */
export function verlLaunchCommand(python: string, cellDir: string): string {
  return `${shellQuote(python)} -m verl.trainer.main_ppo --config-dir ${shellQuote(cellDir)} --config-name ${HYDRA_ENTRY}`;
}

function launchText(profile: VerlLaunchProfile, command: string, cellId: string): string {
  const names = Object.keys(profile.env).sort();
  return [
    '#!/usr/bin/env bash',
    `# Launch verl (${VERL_COMMIT}) for cell ${cellId.replace(/[\r\n]/g, ' ')}. Written by rlvrc.`,
    `# ${REWARD_URL_ENV} must name the running rlvrc reward server (rlvrc starts it and sets it).`,
    'set -euo pipefail',
    ...names.map(n => `export ${n}=${shellQuote(profile.env[n]!)}`),
    `: "\${${REWARD_URL_ENV}:?${REWARD_URL_ENV} must be set to the rlvrc reward server URL}"`,
    `export ${REWARD_URL_ENV}`,
    `exec ${command}`,
    '',
  ].join('\n');
}

/**
 * Writes a cell's verl run directory (see the top of this file). Refuses, writing nothing, a cell that verl
 * cannot run as specified (capability or profile errors: VerlRefusal with every code and message).
 */
export function prepareVerlCell(o: PrepareVerlOptions): PreparedVerlCell {
  const profile = resolveLaunchProfile(o.profile);
  const errors = engineErrors([...verlCapabilities(o.cell), ...verlProfileIssues(o.cell, loweringProfile(profile))]);
  if (errors.length > 0) throw new VerlRefusal(o.cell.id, errors);
  for (const n of Object.keys(profile.env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`profile env name ${JSON.stringify(n)} is not a shell identifier`);
  const cellDir = resolve(o.cellDir);
  const rewardModule = resolve(o.rewardModulePath ?? REWARD_MODULE);
  mkdirSync(cellDir, { recursive: true });
  const data = writeVerlDatasets(o.cell, o.specDir, cellDir, o.filter);
  const dataFiles = { train: resolve(data.train), val: data.val.map(p => resolve(p)) };
  const config = preparedVerlConfig(o.cell, profile, dataFiles, rewardModule);
  const yamlText = toYaml(config, `verl.yaml for cell ${o.cell.id} of experiment ${o.cell.experiment}, written by rlvrc.\nKeys the spec and the profile decide, merged over verl's defaults at ${VERL_COMMIT}\n(by ${HYDRA_ENTRY}.yaml's defaults list; see launch.sh).`);
  const command = verlLaunchCommand(profile.python, cellDir);
  const files = {
    yaml: join(cellDir, 'verl.yaml'),
    entry: join(cellDir, `${HYDRA_ENTRY}.yaml`),
    launch: join(cellDir, 'launch.sh'),
  };
  writeFileAtomic(files.yaml, yamlText);
  writeFileAtomic(files.entry, hydraEntryText());
  writeFileAtomic(files.launch, launchText(profile, command, o.cell.id));
  chmodSync(files.launch, 0o755);
  return { files: [files.yaml, files.entry, files.launch, dataFiles.train, ...dataFiles.val].sort(), command, verlYamlText: yamlText };
}

/** The manifest's engine fields: engine, verl's commit, the resolved profile and the sha256 of verl.yaml's text. */
export function verlManifestFields(verlYamlText: string, profileIn: Partial<VerlLaunchProfile> = {}): { engine: 'verl'; engine_commit: string; profile: VerlLaunchProfile; verl_config_sha256: string } {
  return { engine: 'verl', engine_commit: VERL_COMMIT, profile: resolveLaunchProfile(profileIn), verl_config_sha256: sha256Hex(verlYamlText) };
}
