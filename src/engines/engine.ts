// An execution engine: something that runs a resolved cell config (src/ir/cell.ts) for real. The tfjs
// runtime is the default engine; verl (src/engines/verl/) is the first external one. An engine is one folder
// behind this interface, so that another (OpenRLHF, TRL) can follow without touching the checker or the
// tfjs runtime: what it can express of a cell (capabilities, which the checker reports where the spec set
// each field), its own configuration for a cell (lower, configFile for explain), and the command line of a
// program compiled for it (runProgram: launching, reward serving, converting its output into artifacts).
import type { CellConfig } from '../ir/cell.js';
import type { CellProgram } from '../runtime/cell/run-cell.js';

/** Something in a cell that the engine cannot express exactly. */
export interface EngineIssue {
  /** Stable code, one per distinct problem (the verl engine's are RLVR7001…). */
  code: string;
  /** error: the run would differ from the spec (the engine refuses the cell); warning: the engine approximates. */
  severity: 'error' | 'warning';
  /**
   * Dotted path of the cell-config field the issue is about, e.g. 'algorithm.whiten' or 'evals.1.temperature'
   * (array elements by index); the CLI maps it to the source location that set the field.
   */
  path: string;
  message: string;
  /** What the researcher can change to make the cell expressible, when there is something. */
  fix?: string;
}

export interface Engine<Config, Profile> {
  readonly name: string;
  /** Every field of the cell the engine cannot express (errors) or only approximates (warnings); [] when it runs the cell as specified. */
  capabilities(cell: CellConfig): EngineIssue[];
  /**
   * The engine's configuration for the cell: only the keys the spec (and the profile) decide. Total over
   * every cell: it lowers what it can even when capabilities() reports errors; a caller that is about to
   * run something must refuse cells with errors first.
   */
  lower(cell: CellConfig, profile?: Partial<Profile>): Config;
  /** The lowered config as the engine's own file (name and text), for explain. */
  readonly configFile: { name: string; text(cell: CellConfig): string };
  /** Runs the command line of a program compiled with --engine NAME (its cells on this engine); the exit code. */
  runProgram(program: CellProgram, argv: string[]): Promise<number>;
}

/** The issues that make the engine refuse the cell. */
export function engineErrors(issues: readonly EngineIssue[]): EngineIssue[] {
  return issues.filter(i => i.severity === 'error');
}
