// Reading a verl cluster profile (--profile FILE): JSON validated with the published schema
// schema/verl-profile.schema.json, missing fields filled from SMOKE_PROFILE. The launcher fields (python,
// env) live beside VerlProfile in VerlLaunchProfile, not in it: the lowering (config.ts) never sees them, so
// they can never become verl keys. src/engines/verl and dist/engines/verl are both three levels below the
// package root.
import { readFileSync } from 'node:fs';
import { describeErrors, schemaFileValidator } from '../../runtime/run/schemas.js';
import { resolveProfile, type VerlProfile } from './config.js';

/** A resolved profile with what the launcher needs: the Python that has verl, and extra environment. */
export interface VerlLaunchProfile extends VerlProfile {
  /** The interpreter launch.sh runs verl with. */
  python: string;
  /** Exported by launch.sh before verl starts; values are shell-quoted, never evaluated. */
  env: Record<string, string>;
  /** Where the reward server listens (default 127.0.0.1): an address every verl node can reach. */
  reward_host: string;
}

export const DEFAULT_PYTHON = 'python3';

export const VERL_PROFILE_SCHEMA = new URL('../../../schema/verl-profile.schema.json', import.meta.url).pathname;

const validate = () => schemaFileValidator(VERL_PROFILE_SCHEMA);

/** Fills every missing field: the VerlProfile fields from SMOKE_PROFILE, python 'python3', env {}. */
export function resolveLaunchProfile(p: Partial<VerlLaunchProfile> = {}): VerlLaunchProfile {
  const { python, env, reward_host, ...rest } = p;
  return { ...resolveProfile(rest), python: python ?? DEFAULT_PYTHON, env: { ...(env ?? {}) }, reward_host: reward_host ?? '127.0.0.1' };
}

/** The VerlProfile part alone (what verlConfig and verlProfileIssues take). */
export function loweringProfile(p: VerlLaunchProfile): VerlProfile {
  const { python: _python, env: _env, reward_host: _host, ...rest } = p;
  return rest;
}

/** Checks a parsed profile against the schema; throws naming `source` and every invalid field (ajv's instancePath). */
export function parseVerlProfile(value: unknown, source: string): VerlLaunchProfile {
  const v = validate();
  if (!v(value)) {
    throw new Error(`${source}: not a valid verl profile (schema/verl-profile.schema.json): ${describeErrors(v.errors, 50)}`);
  }
  const { $schema: _schema, ...fields } = value as Partial<VerlLaunchProfile> & { $schema?: string };
  return resolveLaunchProfile(fields);
}

/** Reads, validates and resolves a profile file. Errors name the file: unreadable, not JSON, or each invalid field. */
export function readVerlProfile(path: string): VerlLaunchProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the verl profile: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: the verl profile is not JSON: ${(e as Error).message}`);
  }
  return parseVerlProfile(value, path);
}
