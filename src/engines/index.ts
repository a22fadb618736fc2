// The execution engines a spec can be checked (and, for tfjs, compiled) for, by name: `--engine NAME`.
import type { CheckEngine } from '../checker/lower.js';
import { verlEngine } from './verl/index.js';

/** tfjs (the default) runs every cell the checker accepts; the others report what they cannot express. */
export const ENGINES: Record<string, CheckEngine | null> = { tfjs: null, verl: verlEngine };

export function engineNamed(name: string): CheckEngine | null {
  if (!(name in ENGINES)) throw new Error(`unknown engine '${name}' (choose ${Object.keys(ENGINES).join(' or ')})`);
  return ENGINES[name]!;
}
