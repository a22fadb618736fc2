// The execution engines a spec can be checked for, by name (`--engine NAME`). An engine is loaded only when
// it is named, so check, compile and run without --engine never load one.
import type { CheckEngine } from '../checker/lower.js';
import type { Engine } from './engine.js';

export const ENGINE_NAMES = ['tfjs', 'verl'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** What the CLI uses of an engine: the checker's view of it, and its config file for explain. */
export type CliEngine = CheckEngine & Pick<Engine<unknown, unknown>, 'configFile' | 'runProgram'>;

/** null for tfjs (the default runtime, which runs every cell the checker accepts), else the named engine. */
export async function loadEngine(name: EngineName): Promise<CliEngine | null> {
  switch (name) {
    case 'tfjs': return null;
    case 'verl': return (await import('./verl/index.js')).verlEngine;
  }
}
