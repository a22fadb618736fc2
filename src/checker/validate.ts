// Every cell the compiler produces is validated against the published schema. A cell that fails is a bug
// in rlvrc (the checker accepted something it cannot describe), so it is raised as an internal error.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { CellConfig } from '../ir/index.js';

export const CELL_SCHEMA_URL = new URL('../../schema/cell-config.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

export function cellValidator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(CELL_SCHEMA_URL, 'utf8')) as object;
    compiled = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  }
  return compiled;
}

export class InternalError extends Error {
  override name = 'InternalError';
}

export function schemaErrors(cell: unknown): ErrorObject[] {
  const validate = cellValidator();
  return validate(cell) ? [] : [...(validate.errors ?? [])];
}

export function assertValidCell(cell: CellConfig): void {
  const errors = schemaErrors(cell);
  if (errors.length === 0) return;
  const lines = errors.slice(0, 10).map(e => `  ${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  throw new InternalError(`cell '${cell.id}' of experiment '${cell.experiment}' does not match schema/cell-config.schema.json:\n${lines.join('\n')}`);
}
