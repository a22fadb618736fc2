// `--engine NAME` (check, explain, compile): which execution engine the cells are checked for.
import { UsageError } from './io.js';
import { ENGINE_NAMES, loadEngine, type CliEngine, type EngineName } from '../engines/index.js';

/** The name given by --engine (default tfjs), checked without loading any engine. */
export function engineName(flags: Map<string, string | boolean>): EngineName {
  const name = String(flags.get('engine') ?? 'tfjs');
  if (!(ENGINE_NAMES as readonly string[]).includes(name)) throw new UsageError(`--engine must be one of ${ENGINE_NAMES.join(', ')}, not '${name}'`);
  return name as EngineName;
}

/** The engine named by --engine (null: tfjs), loaded. */
export async function engineFlag(flags: Map<string, string | boolean>): Promise<{ name: EngineName; engine: CliEngine | null }> {
  const name = engineName(flags);
  return { name, engine: await loadEngine(name) };
}
