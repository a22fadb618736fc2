// `rlvrc grid FILE --emit slurm [--partition P] [--time T] [--cpus C] [--mem M] [--out DIR] [--parallel N]
//  [--engine verl --profile FILE] [--only PATTERN]`: compiles the spec (the chosen cells), then prints an sbatch job-array script whose task i
// runs cell i of the grid. With --engine verl each task asks for the profile's nodes and GPUs, starts Ray
// inside the job when there is more than one node, and runs the verl program with --profile.
import { mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { CliIO } from './io.js';
import { parseArgs, UsageError } from './io.js';
import { slurmArrayScript } from '../cluster/slurm.js';
import { compileFile } from './compile.js';
import { engineName } from './engine-flag.js';

export async function gridCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = parseArgs(args, { valued: ['emit', 'partition', 'time', 'cpus', 'mem', 'out', 'parallel', 'generated', 'engine', 'profile', 'only'] });
  if (positional.length !== 1) throw new UsageError('grid needs exactly one .rlvr file');
  const emit = flags.get('emit');
  if (emit !== 'slurm') throw new UsageError(emit === undefined ? '--emit is required (supported: slurm)' : `--emit '${String(emit)}' is not supported (supported: slurm)`);
  const num = (name: string): number | undefined => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, not '${String(v)}'`);
    return n;
  };
  const cwd = io.cwd ?? process.cwd();
  const file = positional[0]!;
  const engine = engineName(flags);
  if (flags.has('profile') && engine !== 'verl') throw new UsageError('--profile is the verl cluster profile: it goes with --engine verl');
  let verl: { nnodes: number; gpusPerNode: number } | undefined;
  let profileArgs: string[] = [];
  if (engine === 'verl') {
    const { readVerlProfile, resolveLaunchProfile } = await import('../engines/verl/profile.js');
    const path = flags.has('profile') ? resolve(cwd, String(flags.get('profile'))) : null;
    let profile;
    try {
      profile = path ? readVerlProfile(path) : resolveLaunchProfile();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    verl = { nnodes: profile.nnodes, gpusPerNode: profile.n_gpus_per_node };
    if (path) profileArgs = ['--profile', path];
  }
  const programs = await compileFile(file, String(flags.get('generated') ?? 'generated'), io, engine, flags.has('only') ? [String(flags.get('only'))] : []);
  if (!programs) return 1;
  if (programs.length !== 1) throw new UsageError(`'${file}' must declare exactly one experiment (it has ${programs.length})`);
  const program = programs[0]!;
  const ir = program.ir;
  const out = resolve(cwd, String(flags.get('out') ?? `runs/${ir.name}`));
  const logDir = resolve(dirname(out), 'slurm-logs');
  const script = slurmArrayScript({
    program: relative(cwd, program.jsPath),
    cellIds: ir.cells.map(c => c.id),
    jobName: ir.name.replace(/[^A-Za-z0-9_.-]/g, '_'),
    workdir: cwd,
    out,
    logDir,
    partition: flags.has('partition') ? String(flags.get('partition')) : undefined,
    time: flags.has('time') ? String(flags.get('time')) : undefined,
    cpus: num('cpus'),
    mem: flags.has('mem') ? String(flags.get('mem')) : undefined,
    parallel: num('parallel'),
    ...(verl ? { verl, extraArgs: profileArgs } : {}),
  });
  // Slurm opens the log files before the script runs, so their folder must exist at submission.
  mkdirSync(logDir, { recursive: true });
  io.stdout(script);
  return 0;
}
