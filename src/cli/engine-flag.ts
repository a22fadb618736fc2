// `--engine NAME` (check, explain, compile): which execution engine the cells are checked for.
import { UsageError } from './io.js';
import { ENGINES } from '../engines/index.js';
import type { CheckEngine } from '../checker/lower.js';

/** The engine named by --engine (null: tfjs, the default). */
export function engineFlag(flags: Map<string, string | boolean>): { name: string; engine: CheckEngine | null } {
  const raw = flags.get('engine') ?? 'tfjs';
  const name = String(raw);
  if (!(name in ENGINES)) throw new UsageError(`--engine must be one of ${Object.keys(ENGINES).join(', ')}, not '${name}'`);
  return { name, engine: ENGINES[name]! };
}
