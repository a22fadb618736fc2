// The command line of a program compiled with --engine verl: the run layer's (--list, --cell, --jobs, --only,
// --set, --out, --fresh) plus --profile FILE (the cluster profile, schema/verl-profile.schema.json; default
// the two-step smoke profile) and --dry-run (prepare every chosen cell and print its launch command).
import { resolve } from 'node:path';
import { cellConfigSchema, type CellProgram } from '../../runtime/cell/run-cell.js';
import { reviseOverriddenCell } from '../../runtime/cell/overridable.js';
import { runProgram } from '../../runtime/run/program.js';
import { processIO, type ProgramIO } from '../../runtime/run/progress.js';
import { readVerlProfile, resolveLaunchProfile, type VerlLaunchProfile } from './profile.js';
import { refuseUnrunnable } from './prepare.js';
import { prepareForProgram, runVerlCell } from './run-cell.js';
import { needsLabels } from './datasets.js';
import { evalGroups, posthocSteps } from './evals.js';

/** What prepare and a run write into a cell directory besides the run layer's own files. */
export const VERL_CELL_FILES = ['data', 'verl', 'verl.yaml', 'rlvrc.yaml', 'launch.sh', 'verl-posthoc-*', 'rlvrc-posthoc-*', 'launch-posthoc-*', 'verl-labels.yaml', 'rlvrc-labels.yaml', 'launch-labels.sh', 'labels.json'];

const HELP = `  --profile FILE      the verl cluster profile (JSON, schema/verl-profile.schema.json): GPUs, nodes,
                      parallelism, micro-batches, the Python that has verl, extra environment.
                      Default: the two-step one-GPU smoke profile
`;

/** Splits --profile FILE (or --profile=FILE) off the arguments the run layer parses. */
export function takeProfileArg(argv: string[]): { profile: string | null; rest: string[] } {
  const rest: string[] = [];
  let profile: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let value: string | undefined;
    if (a === '--profile') value = argv[++i];
    else if (a.startsWith('--profile=')) value = a.slice('--profile='.length);
    else {
      rest.push(a);
      continue;
    }
    if (value === undefined || value === '' || value.startsWith('--')) throw new Error('--profile needs a file');
    if (profile !== null) throw new Error('--profile is given twice');
    profile = value;
  }
  return { profile, rest };
}

export async function runVerlProgram(program: CellProgram, argv: string[], io: ProgramIO = processIO()): Promise<number> {
  let profile: VerlLaunchProfile;
  let profilePath: string | null;
  let rest: string[];
  try {
    ({ profile: profilePath, rest } = takeProfileArg(argv));
    profile = profilePath === null ? resolveLaunchProfile() : readVerlProfile(resolve(profilePath));
  } catch (e) {
    io.stderr(`${program.experiment}: ${(e as Error).message}\nRun with --help for the options.\n`);
    return 2;
  }
  const opts = { program, profile };
  return runProgram({
    experiment: program.experiment,
    source: program.source,
    compilerVersion: program.compilerVersion,
    cells: program.cells,
    cellSchema: cellConfigSchema(),
    // --set is re-derived and re-checked as on tfjs, then checked against what verl can express.
    reviseCell: (overridden, paths, original) => refuseUnrunnable(reviseOverriddenCell(overridden, paths, original), profile),
    runCell: (cell, ctx) => runVerlCell(cell, ctx, opts),
    dryRun: async (cell, dir, out) => {
      const { command } = prepareForProgram(cell, dir, opts); // refuses, writing nothing, what verl cannot run
      const phases = [
        ...(needsLabels(cell) ? [`first the label phase: bash ${resolve(dir, 'launch-labels.sh')} (then train.parquet is written from labels.json)`] : []),
        ...evalGroups(cell).slice(1).map(g => `after training, for each step of ${posthocSteps(cell, g, profile).join(', ')}: bash ${resolve(dir, `launch-posthoc-${g.index}.sh`)} STEP (${g.evals.map(i => cell.evals[i]!.name).join(', ')})`),
      ];
      out.stdout(`[${cell.id}] prepared ${dir}\n  RLVRC_REWARD_URL=<the reward server the program starts> bash ${resolve(dir, 'launch.sh')}\n  which runs: ${command.replace(/\n/g, '\n  ')}\n${phases.map(p => `  ${p}\n`).join('')}`);
    },
    backends: ['auto'],
    childArgs: profilePath === null ? [] : ['--profile', resolve(profilePath)],
    extraHelp: HELP,
    engineFiles: VERL_CELL_FILES,
    progressMetrics: ['reward_mean', 'response_length'],
  }, rest, io);
}
