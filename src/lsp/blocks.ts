// Which block the cursor is in, and the field catalogue (the checker's schemas) for it: the same
// BlockSpec the checker validates that block against, found by walking down from the declaration.
import type { Scope } from '../checker/symbols.js';
import type { LoadedFile } from '../checker/program.js';
import {
  ALGORITHM_CONSTRUCTORS, DATASET_CONSTRUCTORS, EVAL, MODEL_CONSTRUCTORS, OPTIMIZER_CONSTRUCTORS, PROMPT, SETTINGS, TRAIN,
  type BlockSpec, type FieldSpec,
} from '../checker/schema/index.js';
import type { FieldType } from '../checker/types.js';
import { NESTED_SPECS } from '../checker/grid.js';
import type { AnyNode, Expr } from '../language/ast.js';
import type { DeclarationKind } from '../language/tokens.js';

export const CONSTRUCTORS: Partial<Record<DeclarationKind, Record<string, BlockSpec>>> = {
  dataset: DATASET_CONSTRUCTORS,
  model: MODEL_CONSTRUCTORS,
  algorithm: ALGORITHM_CONSTRUCTORS,
  optimizer: OPTIMIZER_CONSTRUCTORS,
};
/** `KIND name { ... }`: the spec of the block form (as resolve.ts reads it). */
export const BLOCK_FORMS: Partial<Record<DeclarationKind, BlockSpec>> = {
  algorithm: ALGORITHM_CONSTRUCTORS.grpo,
  optimizer: OPTIMIZER_CONSTRUCTORS.adam,
  prompt: PROMPT,
  train: TRAIN,
  eval: EVAL,
};

export interface BlockContext {
  /** Top level of a file, directly in an experiment, or inside a block with a known (or unknown) spec. */
  level: 'top' | 'experiment' | 'block';
  spec: BlockSpec | undefined;
  scope: Scope | undefined;
  /** Inside a grid (its axes and its exclude/only rules), where keys are axis paths, not fields. */
  grid: boolean;
}

/** The field a grid axis path varies: `seed`, a train field (`reward`), or a field under one (`algorithm.clip`). */
export function axisField(parts: readonly string[]): { field: FieldSpec; owner: string } | undefined {
  const [head, sub] = parts;
  if (head === 'seed' && parts.length === 1) return { field: SETTINGS.fields.seed!, owner: SETTINGS.what };
  const top = head === undefined ? undefined : TRAIN.fields[head];
  if (!top) return undefined;
  if (parts.length === 1) return { field: top, owner: TRAIN.what };
  const spec = NESTED_SPECS[head!];
  const field = spec && sub !== undefined ? spec.fields[sub] : undefined;
  return field && parts.length === 2 ? { field, owner: spec!.what } : undefined;
}

function calleeName(e: Expr): string | undefined {
  if (e.kind === 'Reference') return e.name;
  if (e.kind === 'Call' && e.callee.kind === 'Reference') return e.callee.name;
  return undefined;
}

function refKind(ty: FieldType | undefined): DeclarationKind | undefined {
  if (!ty) return undefined;
  if (ty.t === 'ref') return ty.kind;
  if (ty.t === 'union') for (const t of ty.of) { const k = refKind(t); if (k) return k; }
  if (ty.t === 'list') return refKind(ty.of);
  return undefined;
}

function constructorSpec(name: string | undefined, kind: DeclarationKind | undefined): BlockSpec | undefined {
  if (!name) return undefined;
  if (kind) return CONSTRUCTORS[kind]?.[name];
  for (const k of Object.keys(CONSTRUCTORS) as DeclarationKind[]) { const s = CONSTRUCTORS[k]![name]; if (s) return s; }
  return undefined;
}

/** The block context of the innermost node of `path` (a chain from pathAt). */
export function blockContext(file: LoadedFile | undefined, path: readonly AnyNode[]): BlockContext {
  let level: BlockContext['level'] = 'top';
  let spec: BlockSpec | undefined;
  let scope: Scope | undefined = file?.scope;
  let kind: DeclarationKind | undefined;
  let grid = false;
  for (const node of path) {
    switch (node.kind) {
      case 'Experiment':
        level = 'experiment';
        spec = SETTINGS;
        scope = file?.experiments.find(p => p.node === node)?.scope ?? scope;
        break;
      case 'Declaration': {
        kind = node.declKind;
        const sym = node.name ? scope?.symbols.get(node.name.text) : undefined;
        const fromValue = node.value ? constructorSpec(calleeName(node.value.kind === 'Construct' ? node.value.callee : node.value), kind) : undefined;
        spec = (sym?.decl === node ? sym.value?.spec : undefined) ?? (node.body ? BLOCK_FORMS[kind] : fromValue);
        level = 'block';
        break;
      }
      case 'Grid':
        grid = true;
        spec = undefined;
        level = 'block';
        break;
      case 'GridRule':
      case 'Record':
        spec = undefined;
        level = 'block';
        break;
      case 'Assignment': {
        const field: FieldSpec | undefined = spec?.fields[node.path.parts[0]?.text ?? ''];
        kind = refKind(field?.type);
        break;
      }
      case 'Construct':
        spec = constructorSpec(calleeName(node.callee), kind);
        break;
      case 'With': {
        const base = node.base.kind === 'Reference' ? scope?.lookup(node.base.name) : undefined;
        spec = base?.value?.spec ?? (node.base.kind === 'Construct' ? constructorSpec(calleeName(node.base.callee), kind) : undefined);
        break;
      }
      case 'SubBlock':
        spec = spec?.keyed?.[node.head.text]?.block ?? spec?.stages?.[node.head.text]?.block;
        break;
    }
  }
  return { level, spec, scope, grid };
}

/** Every name a block accepts with what it is: fields, keyed sub-blocks (`strategy code`), stages (`pretrain on`). */
export function blockEntries(spec: BlockSpec): Array<{ name: string; what: 'field' | 'keyed' | 'stage'; field?: FieldSpec; doc: string }> {
  return [
    ...Object.entries(spec.fields).map(([name, field]) => ({ name, what: 'field' as const, field, doc: field.doc })),
    ...Object.entries(spec.keyed ?? {}).map(([name, k]) => ({ name, what: 'keyed' as const, doc: `${k.doc} (${k.names.join(', ')})` })),
    ...Object.entries(spec.stages ?? {}).map(([name, s]) => ({ name, what: 'stage' as const, doc: s.doc })),
  ];
}
