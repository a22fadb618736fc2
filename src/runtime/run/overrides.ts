// --set PATH=VALUE: deep-set one field of every selected cell config. PATH is dotted (`algorithm.clip`,
// `evals.0.every`: a number indexes a list); VALUE is parsed as JSON, or else taken as a string
// (`--set reward.name=random` needs no quotes). The field must already exist in the cell — a misspelt
// path is an error, never a silently added field — and the overridden cell must still validate against
// the program's cell schema.
import { Ajv as Ajv07 } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describeErrors } from './schemas.js';
import { closest } from '../../util/suggest.js';
import type { CellConfig, Override } from './types.js';

export class OverrideError extends Error {
  override name = 'OverrideError';
}

export function parseSet(arg: string): Override {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new OverrideError(`--set needs PATH=VALUE, got '${arg}'`);
  const path = arg.slice(0, eq);
  const text = arg.slice(eq + 1);
  if (path.split('.').some(p => p === '')) throw new OverrideError(`--set ${arg}: '${path}' is not a field path (parts separated by single dots)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  return { path, value };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a record' : `a ${typeof v}`;
}

/** A deep copy of the cell with the override applied. */
export function applyOverride(cell: CellConfig, o: Override): CellConfig {
  const parts = o.path.split('.');
  if (parts[0] === 'id') throw new OverrideError(`--set ${o.path}: the id names the cell and its directory; it cannot be overridden`);
  const copy = structuredClone(cell);
  let node: unknown = copy;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const here = parts.slice(0, i).join('.') || '(the cell)';
    const last = i === parts.length - 1;
    if (Array.isArray(node)) {
      const idx = /^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : NaN;
      if (!(idx < node.length)) throw new OverrideError(`--set ${o.path}: ${here} is a list of ${node.length}; '${part}' is not an index of it`);
      if (last) node[idx] = o.value;
      else node = node[idx];
    } else if (node !== null && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (!Object.prototype.hasOwnProperty.call(obj, part)) {
        const hint = closest(part, Object.keys(obj));
        throw new OverrideError(`--set ${o.path}: cell '${cell.id}' has no field '${part}' under ${here}${hint.length ? ` (did you mean '${hint[0]}'?)` : ''}`);
      }
      if (last) obj[part] = o.value;
      else node = obj[part];
    } else {
      throw new OverrideError(`--set ${o.path}: ${here} is ${typeName(node)}, which has no field '${part}'`);
    }
  }
  return copy;
}

/**
 * The program's own check of an overridden cell: refuse paths it cannot honour, recompute derived fields,
 * re-run cross-field rules. Throws (with a message naming the --set) or returns the cell to run.
 */
export type ReviseCell = (overridden: CellConfig, paths: string[], original: CellConfig) => CellConfig;

type AddFormats = (ajv: Ajv07 | Ajv2020) => unknown;
const addFormats: AddFormats =
  ((addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats));

/** Compiles a cell schema with the ajv class its $schema asks for (2020-12, else draft-07). */
export function compileCellSchema(schema: object): ValidateFunction {
  const dialect = (schema as { $schema?: unknown }).$schema;
  const ajv = typeof dialect === 'string' && dialect.includes('2020-12')
    ? new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true })
    : new Ajv07({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/**
 * Applies every override to every cell and validates the results. Errors name the override paths whose
 * fields the schema complains about, so `--set algorithm.clip=2` reads as a problem with that --set.
 */
export function applyOverrides(cells: CellConfig[], overrides: Override[], validate: ValidateFunction | null, revise?: ReviseCell): CellConfig[] {
  return cells.map(cell => {
    let c = cell;
    for (const o of overrides) c = applyOverride(c, o);
    if (revise && overrides.length > 0) {
      try {
        c = revise(c, overrides.map(o => o.path), cell);
      } catch (e) {
        throw new OverrideError(e instanceof Error ? e.message : String(e));
      }
    }
    if (validate && !validate(c)) {
      const errors = validate.errors ?? [];
      const blamed = overrides.filter(o => errors.some(e => {
        const p = e.instancePath.slice(1).replaceAll('/', '.');
        return p === o.path || p.startsWith(o.path + '.') || o.path.startsWith(p === '' ? '' : p + '.');
      }));
      const what = blamed.length > 0
        ? `--set ${blamed.map(o => `${o.path}=${JSON.stringify(o.value)}`).join(', --set ')} makes cell '${cell.id}' invalid`
        : overrides.length > 0
          ? `cell '${cell.id}' with the overrides does not match the cell schema`
          : `cell '${cell.id}' does not match the cell schema (a bug in the generated program)`;
      throw new OverrideError(`${what}: ${describeErrors(errors)}`);
    }
    return c;
  });
}
