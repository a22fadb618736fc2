// The artifact schemas (schema/<kind>.schema.json, published with the package) compiled once with ajv.
// src/runtime/run and dist/runtime/run are both three levels below the package root.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type ArtifactKind = 'manifest' | 'result' | 'metrics' | 'eval' | 'samples';
export const ARTIFACT_VERSION = 1;

const SCHEMA_DIR = new URL('../../../schema/', import.meta.url);
export function schemaPath(kind: ArtifactKind): string {
  return new URL(`${kind}.schema.json`, SCHEMA_DIR).pathname;
}

// ajv-formats is CommonJS with a default export; under NodeNext its callable sits on .default.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats: AddFormats =
  ((addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats));

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** The validator of a JSON Schema file published with the package (2020-12, strict), compiled once. */
export function schemaFileValidator(path: string): ValidateFunction {
  let v = compiled.get(path);
  if (!v) {
    ajv ??= (() => {
      const a = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
      addFormats(a);
      return a;
    })();
    v = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
    compiled.set(path, v);
  }
  return v;
}

export function artifactValidator(kind: ArtifactKind): ValidateFunction {
  return schemaFileValidator(schemaPath(kind));
}

/** ajv errors as short lines: `/status must be equal to one of the allowed values (running, finished)`. */
export function describeErrors(errors: ErrorObject[] | null | undefined, max = 5): string {
  const lines = (errors ?? []).slice(0, max).map(e => {
    const where = e.instancePath || '(top level)';
    const params = e.params as Record<string, unknown>;
    let detail = '';
    if (typeof params.allowedValues !== 'undefined') detail = ` (${(params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')})`;
    else if (typeof params.additionalProperty === 'string') detail = ` ('${params.additionalProperty}')`;
    else if (typeof params.allowedValue !== 'undefined') detail = ` (${JSON.stringify(params.allowedValue)})`;
    return `${where} ${e.message ?? 'is invalid'}${detail}`;
  });
  const more = (errors?.length ?? 0) - lines.length;
  return lines.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** A missing, unreadable, corrupt or schema-invalid artifact. The message names the file (and line). */
export class ArtifactError extends Error {
  constructor(readonly file: string, readonly line: number | null, problem: string) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${problem}`);
    this.name = 'ArtifactError';
  }
}

export function validateArtifact(kind: ArtifactKind, value: unknown, file: string, line: number | null = null): void {
  const v = artifactValidator(kind);
  if (!v(value)) {
    throw new ArtifactError(file, line, `does not match schema/${kind}.schema.json: ${describeErrors(v.errors)}`);
  }
}
