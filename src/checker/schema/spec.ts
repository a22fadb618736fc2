// The shape of a declaration kind's schema: every field with its type, default, allowed range and a doc line
// (the doc lines feed 'missing field' messages, `rlvrc explain` and, later, editor hovers).
import type { FieldType } from '../types.js';
import type { Json } from '../values.js';

export interface FieldSpec {
  type: FieldType;
  /** The default; absent when the field is required or its default is computed (see defaultText). */
  default?: Json;
  required?: boolean;
  /** How a computed default is derived, e.g. '4 × d_model'. */
  defaultText?: string;
  doc: string;
}

export interface KeyedSpec { doc: string; names: readonly string[]; block: BlockSpec }
export interface StageSpec { doc: string; block: BlockSpec }

export interface BlockSpec {
  /** How messages name the block: "algorithm grpo", "a pretraining stage". */
  what: string;
  fields: Record<string, FieldSpec>;
  /** Sub-blocks keyed by a name from a fixed set: `strategy code { ... }`. */
  keyed?: Record<string, KeyedSpec>;
  /** Ordered stages with a data source: `pretrain [name] on DATA { ... }`. */
  stages?: Record<string, StageSpec>;
}

export const req = (type: FieldType, doc: string): FieldSpec => ({ type, required: true, doc });
export const opt = (type: FieldType, def: Json, doc: string): FieldSpec => ({ type, default: def, doc });
export const computed = (type: FieldType, defaultText: string, doc: string): FieldSpec => ({ type, defaultText, doc });

/** Every name a block accepts, for "did you mean". */
export function blockNames(spec: BlockSpec): string[] {
  return [...Object.keys(spec.fields), ...Object.keys(spec.keyed ?? {}), ...Object.keys(spec.stages ?? {})];
}
