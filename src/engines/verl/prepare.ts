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
import { VERL_COMMIT, labelVerlConfig, posthocVerlConfig, verlConfig } from './config.js';
import { evalGroups } from './evals.js';
import { needsLabels, writeVerlDatasets } from './datasets.js';
import { toYaml } from './yaml.js';
import { loweringProfile, resolveLaunchProfile, type VerlLaunchProfile } from './profile.js';
import { REWARD_URL_ENV } from './reward-server.js';
import type { ItemFilter } from '../../runtime/cell/batches.js';
import { sha256Hex } from '../../util/canonical-json.js';
import { engineErrors } from '../engine.js';


/** The shipped reward module (package.json "files" lists it); src/engines/verl and dist/engines/verl are three levels below the root. */
export const REWARD_MODULE = new URL('../../../src/engines/verl/python/rlvrc_reward.py', import.meta.url).pathname;
/** The per-sample entry of the reward module (verl's custom_reward_function; the manager below does not call it). */
export const REWARD_FUNCTION = 'compute_score';
/** The group-level reward manager class in the reward module: it scores a step's whole batch (reward_manager). */
export const REWARD_MANAGER = 'RlvrcRewardManager';

/** Where verl writes inside a cell directory (absolute paths in verl.yaml: Ray's workers run elsewhere). */
export function verlRunPaths(cellDir: string): { checkpoints: string; validation: string; metrics: string } {
  const root = join(resolve(cellDir), 'verl');
  return { checkpoints: join(root, 'checkpoints'), validation: join(root, 'validation'), metrics: join(root, 'metrics.jsonl') };
}
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
  /** The label phase's majority labels by prompt id (labels.ts); without them a cell that needs labels gets no train.parquet yet. */
  labels?: ReadonlyMap<string, string | null>;
}

export interface PreparedVerlCell {
  /** Absolute paths of everything written, sorted. */
  files: string[];
  /** The launch command as one shell line (what launch.sh runs after its exports). */
  command: string;
  /** The text of verl.yaml (for the manifest's hash). */
  verlYamlText: string;
}

/** Throws a VerlRefusal naming every capability and profile error of the cell; returns the cell when there are none. */
export function refuseUnrunnable(cell: CellConfig, profile: VerlLaunchProfile): CellConfig {
  const errors = engineErrors([...verlCapabilities(cell), ...verlProfileIssues(cell, loweringProfile(profile))]);
  if (errors.length > 0) throw new VerlRefusal(cell.id, errors);
  return cell;
}

export class VerlRefusal extends Error {
  constructor(readonly cellId: string, readonly issues: ReadonlyArray<{ code: string; path: string; message: string }>) {
    super(`verl cannot run cell '${cellId}' as specified:\n${issues.map(i => `  ${i.code} ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'VerlRefusal';
  }
}

/**
 * The verl config written for a prepared cell: verlConfig plus what running it in this directory needs:
 * absolute data paths; rlvrc's group-level reward manager (reward_model.use_reward_loop false, so verl calls
 * the batch-level manager; the reward loop's managers see one sample at a time); checkpoints, validation
 * dumps and the file logger under <cellDir>/verl, with resume_mode auto (a re-run continues from verl's
 * latest checkpoint).
 */
export function preparedVerlConfig(cell: CellConfig, profile: VerlLaunchProfile, dataFiles: { train: string; val: string[] }, rewardModule: string, cellDir: string): Record<string, unknown> {
  const config = verlConfig(cell, loweringProfile(profile));
  const data = config.data as Record<string, unknown>;
  data.train_files = dataFiles.train;
  const during = evalGroups(cell)[0];
  if (during) data.val_files = during.evals.map(i => dataFiles.val[i]!);
  config.custom_reward_function = { path: rewardModule, name: REWARD_FUNCTION };
  config.reward_manager = { source: 'importlib', name: REWARD_MANAGER, module: { path: rewardModule } };
  const rm = (config.reward_model ??= {}) as Record<string, unknown>;
  rm.use_reward_loop = false;
  const paths = verlRunPaths(cellDir);
  const trainer = config.trainer as Record<string, unknown>;
  trainer.default_local_dir = paths.checkpoints;
  trainer.validation_data_dir = paths.validation;
  trainer.resume_mode = 'auto';
  const loggers = trainer.logger as string[];
  if (!loggers.includes('file')) trainer.logger = [...loggers, 'file'];
  return config;
}

function hydraEntryText(posthoc?: string): string {
  return [
    '# Hydra primary config written by rlvrc: verl\'s ppo_trainer (from verl\'s package config directory),',
    `# then verl.yaml${posthoc ? ` and ${posthoc}.yaml` : ''} in this directory (added to the search path by --config-dir) merged over it.`,
    'defaults:',
    '  - ppo_trainer',
    '  - verl',
    ...(posthoc ? [`  - ${posthoc}`] : []),
    '  - _self_',
    '',
  ].join('\n');
}

/** The files of eval group `k`'s post-hoc validation runs (evals.ts): config, Hydra entry, launcher, outputs. */
export function posthocNames(cellDir: string, k: number): { config: string; entry: string; launch: string; root: string; validation: string; metrics: (step: number) => string } {
  const root = join(resolve(cellDir), 'verl', `posthoc-${k}`);
  return {
    config: `verl-posthoc-${k}`,
    entry: `${HYDRA_ENTRY}-posthoc-${k}`,
    launch: join(resolve(cellDir), `launch-posthoc-${k}.sh`),
    root,
    validation: join(root, 'validation'),
    metrics: step => join(root, `metrics-${step}.jsonl`),
  };
}

/** The label phase's files (labels.ts). */
export function labelNames(cellDir: string): { config: string; entry: string; launch: string; root: string; validation: string; metrics: string; labels: string } {
  const root = join(resolve(cellDir), 'verl', 'labels');
  return {
    config: 'verl-labels',
    entry: `${HYDRA_ENTRY}-labels`,
    launch: join(resolve(cellDir), 'launch-labels.sh'),
    root,
    validation: join(root, 'validation'),
    metrics: join(root, 'metrics.jsonl'),
    labels: join(resolve(cellDir), 'labels.json'),
  };
}


/** Environment variables every Ray worker of the run needs (the reward module's and verl's file logger's). */
export const WORKER_ENV = [REWARD_URL_ENV, 'RLVRC_REWARD_CELL', 'VERL_FILE_LOGGER_PATH'] as const;

/**
 * The command launch.sh runs: `<python> -m verl.trainer.main_ppo --config-dir <cellDir> --config-name rlvrc`
 * plus, for each WORKER_ENV variable, a Hydra append override `+ray_kwargs.ray_init.runtime_env.env_vars.NAME`.
 * verl's reward managers and file logger run in Ray actors (main_ppo's TaskRunner and workers), which get
 * their environment from ray.init's runtime_env (main_ppo merges ray_kwargs.ray_init.runtime_env into it),
 * not from launch.sh's; on a cluster started with `ray start` they would otherwise not see these variables.
 * The values are expanded by bash from launch.sh's environment and passed as Hydra quoted strings.
 */
export function verlLaunchCommand(python: string, cellDir: string): string {
  return hydraCommand(python, cellDir, HYDRA_ENTRY);
}

interface Script {
  /** The comment lines after the shebang. */
  header: string[];
  /** Lines after the profile's exports and the reward URL check (argument handling). */
  before?: string[];
  /** The file logger's path as a shell word (may expand $step). */
  metrics: string;
  /** The exec line, without `exec `. */
  command: string;
}

/**
 * A launch script: the profile's env exported (names checked, values shell-quoted), RLVRC_REWARD_URL required,
 * the cell and the file logger's path exported for WORKER_ENV, then exec verl. One shape for launch.sh, the
 * label phase and the post-hoc evaluations.
 */
function scriptText(profile: VerlLaunchProfile, cellId: string, s: Script): string {
  return [
    '#!/usr/bin/env bash',
    ...s.header.map(l => `# ${l}`),
    'set -euo pipefail',
    ...Object.keys(profile.env).sort().map(n => `export ${n}=${shellQuote(profile.env[n]!)}`),
    `: "\${${REWARD_URL_ENV}:?${REWARD_URL_ENV} must be set to the rlvrc reward server URL}"`,
    ...(s.before ?? []),
    `export RLVRC_REWARD_CELL=${shellQuote(cellId)}`,
    '# verl\'s file logger (trainer.logger has "file"): per-step metrics, which rlvrc converts to metrics.jsonl.',
    `export VERL_FILE_LOGGER_PATH=${s.metrics}`,
    `exec ${s.command}`,
    '',
  ].join('\n');
}

const oneLine = (id: string) => id.replace(/[\r\n]/g, ' ');

function launchText(profile: VerlLaunchProfile, command: string, cellId: string, cellDir: string): string {
  return scriptText(profile, cellId, {
    header: [`Launch verl (${VERL_COMMIT}) for cell ${oneLine(cellId)}. Written by rlvrc.`, `${REWARD_URL_ENV} must name the running rlvrc reward server (rlvrc starts it and sets it).`],
    metrics: shellQuote(verlRunPaths(cellDir).metrics),
    command,
  });
}

/** verl's entry point with a Hydra config, extra overrides, and WORKER_ENV passed to Ray's workers. */
function hydraCommand(python: string, cellDir: string, entry: string, extra = ''): string {
  const env = WORKER_ENV.map(v => `"+ray_kwargs.ray_init.runtime_env.env_vars.${v}='\${${v}}'"`);
  return [`${shellQuote(python)} -m verl.trainer.main_ppo --config-dir ${shellQuote(resolve(cellDir))} --config-name ${entry}${extra}`, ...env.map(e => `  ${e}`)].join(' \\\n');
}

function labelLaunchText(profile: VerlLaunchProfile, cell: CellConfig, cellDir: string, spec: { samples: number; temperature: number }): string {
  const n = labelNames(cellDir);
  return scriptText(profile, cell.id, {
    header: [`The label phase of cell ${oneLine(cell.id)}, written by rlvrc: verl (validation only) samples ${spec.samples} responses at temperature ${spec.temperature}`, 'per training problem from the base model; rlvrc votes their majority answers.'],
    metrics: shellQuote(n.metrics),
    command: hydraCommand(profile.python, cellDir, n.entry),
  });
}

function posthocLaunchText(profile: VerlLaunchProfile, cell: CellConfig, k: number, cellDir: string, evalNames: string[]): string {
  const n = posthocNames(cellDir, k);
  return scriptText(profile, cell.id, {
    header: [
      `Post-hoc validation of eval group ${k} (${evalNames.join(', ')}) for cell ${oneLine(cell.id)}, written by rlvrc:`,
      'verl (validation only) on its checkpoint of step STEP, or on the base model for STEP 0.',
      `Usage: ${REWARD_URL_ENV}=<the reward server> launch-posthoc-${k}.sh STEP`,
    ],
    before: [
      `step="\${1:?usage: launch-posthoc-${k}.sh STEP (a checkpoint step, or 0 for the base model)}"`,
      'case "$step" in (""|*[!0-9]*) echo "launch-posthoc: STEP must be a whole number, not \'$step\'" >&2; exit 2;; esac',
      `ckpt=${shellQuote(verlRunPaths(cellDir).checkpoints)}`,
      'if [ "$step" = 0 ]; then resume=(trainer.resume_mode=disable); else resume=(trainer.resume_mode=resume_path "trainer.resume_from_path=\'$ckpt/global_step_$step\'"); fi',
    ],
    metrics: `${shellQuote(n.root)}/metrics-"$step".jsonl`,
    command: hydraCommand(profile.python, cellDir, n.entry, ' "${resume[@]}"'),
  });
}

/**
 * Writes a cell's verl run directory (see the top of this file). Refuses, writing nothing, a cell that verl
 * cannot run as specified (capability or profile errors: VerlRefusal with every code and message).
 */
export function prepareVerlCell(o: PrepareVerlOptions): PreparedVerlCell {
  const profile = resolveLaunchProfile(o.profile);
  refuseUnrunnable(o.cell, profile);
  for (const n of Object.keys(profile.env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`profile env name ${JSON.stringify(n)} is not a shell identifier`);
  const cellDir = resolve(o.cellDir);
  const rewardModule = resolve(o.rewardModulePath ?? REWARD_MODULE);
  mkdirSync(cellDir, { recursive: true });
  const data = writeVerlDatasets(o.cell, o.specDir, cellDir, o.filter, o.labels);
  const dataFiles = { train: resolve(data.train), val: data.val.map(p => resolve(p)) };
  const config = preparedVerlConfig(o.cell, profile, dataFiles, rewardModule, cellDir);
  const yamlText = toYaml(config, `verl.yaml for cell ${o.cell.id} of experiment ${o.cell.experiment}, written by rlvrc.\nKeys the spec and the profile decide, merged over verl's defaults at ${VERL_COMMIT}\n(by ${HYDRA_ENTRY}.yaml's defaults list; see launch.sh).`);
  const command = verlLaunchCommand(profile.python, cellDir);
  const files = {
    yaml: join(cellDir, 'verl.yaml'),
    entry: join(cellDir, `${HYDRA_ENTRY}.yaml`),
    launch: join(cellDir, 'launch.sh'),
  };
  writeFileAtomic(files.yaml, yamlText);
  writeFileAtomic(files.entry, hydraEntryText());
  writeFileAtomic(files.launch, launchText(profile, command, o.cell.id, cellDir));
  chmodSync(files.launch, 0o755);
  const written = [files.yaml, files.entry, files.launch, ...(data.trainWritten ? [dataFiles.train] : []), ...dataFiles.val];
  // Offline majority labels: a validation-only run of the base model over every training problem first.
  const spec = needsLabels(o.cell);
  if (spec && data.label) {
    const n = labelNames(cellDir);
    const over = labelVerlConfig(spec);
    // verl builds its train dataloader even when it only validates: the label prompts stand in for
    // train.parquet, which is written from the labels afterwards.
    over.data = { train_files: resolve(data.label), val_files: [resolve(data.label)] };
    (over.trainer as Record<string, unknown>).validation_data_dir = n.validation;
    const paths = writePhase(cellDir, n, over, `The label phase of cell ${o.cell.id}, written by rlvrc: the base model samples ${spec.samples} responses at temperature ${spec.temperature}\nfor every training problem (validation only); rlvrc votes their majority answers. Merged over verl.yaml by ${n.entry}.yaml.`, labelLaunchText(profile, o.cell, cellDir, spec));
    written.push(resolve(data.label), ...paths);
  }
  // Evals that sample unlike the first: validation-only runs after training (evals.ts).
  for (const g of evalGroups(o.cell).slice(1)) {
    const n = posthocNames(cellDir, g.index);
    const over = posthocVerlConfig(o.cell, g);
    (over.data as Record<string, unknown>).val_files = g.evals.map(i => dataFiles.val[i]!);
    (over.trainer as Record<string, unknown>).validation_data_dir = n.validation;
    const names = g.evals.map(i => o.cell.evals[i]!.name);
    const paths = writePhase(cellDir, n, over, `Post-hoc validation of eval group ${g.index} (${names.join(', ')}) for cell ${o.cell.id}, written by rlvrc:\nmerged over verl.yaml by ${n.entry}.yaml; launch-posthoc-${g.index}.sh STEP picks the checkpoint.`, posthocLaunchText(profile, o.cell, g.index, cellDir, names));
    written.push(...paths);
  }
  return { files: written.sort(), command, verlYamlText: yamlText };
}

/** A phase's files (its config over verl.yaml, its Hydra entry, its executable launcher), written atomically: their paths. */
function writePhase(cellDir: string, n: { config: string; entry: string; launch: string }, config: Record<string, unknown>, header: string, launch: string): string[] {
  const paths = [join(cellDir, `${n.config}.yaml`), join(cellDir, `${n.entry}.yaml`), n.launch];
  writeFileAtomic(paths[0]!, toYaml(config, header));
  writeFileAtomic(paths[1]!, hydraEntryText(n.config));
  writeFileAtomic(paths[2]!, launch);
  chmodSync(paths[2]!, 0o755);
  return paths;
}

/** The manifest's engine fields: engine, verl's commit, the resolved profile and the sha256 of verl.yaml's text. */
export function verlManifestFields(verlYamlText: string, profileIn: Partial<VerlLaunchProfile> = {}): { engine: 'verl'; engine_commit: string; profile: VerlLaunchProfile; verl_config_sha256: string } {
  return { engine: 'verl', engine_commit: VERL_COMMIT, profile: resolveLaunchProfile(profileIn), verl_config_sha256: sha256Hex(verlYamlText) };
}
