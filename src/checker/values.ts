// What the checker builds from declarations before they become cell configs: objects whose every field
// remembers where its value was written, so that a rule checked long after (in a grid cell, after a
// `with` derivation) can still point at the line that set the value.
import type { Span } from '../language/ast.js';
import type { DeclarationKind } from '../language/tokens.js';
import type { BlockSpec } from './schema/spec.js';
import type { RewardIR } from './rewards.js';

export interface Loc { file: string; span: Span }

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A field as written: its value (plain JSON, or a declaration for reference-typed fields) and its place. */
export interface Entry { value: Json | DeclValue; loc: Loc }

/** A block of fields: plain fields, keyed sub-blocks (`strategy code { }`) and ordered stages (`pretrain on d { }`). */
export interface Obj {
  fields: Map<string, Entry>;
  /** Keyed sub-blocks by `head.name`, e.g. 'strategy.code'. */
  keyed: Map<string, { obj: Obj; loc: Loc }>;
  stages: Stage[];
  /** Fields whose value was wrong: later rules about them stay silent instead of cascading. */
  bad: Set<string>;
  /** The block lost entries to syntax recovery, so 'missing field' would be noise. */
  incomplete: boolean;
}

export interface Stage { head: string; name: string | null; data: DeclValue | undefined; loc: Loc; obj: Obj }

export function emptyObj(): Obj {
  return { fields: new Map(), keyed: new Map(), stages: [], bad: new Set(), incomplete: false };
}

export function cloneObj(o: Obj): Obj {
  return {
    fields: new Map(o.fields),
    keyed: new Map([...o.keyed].map(([k, v]) => [k, { obj: cloneObj(v.obj), loc: v.loc }])),
    stages: o.stages.map(s => ({ ...s, obj: cloneObj(s.obj) })),
    bad: new Set(o.bad),
    incomplete: o.incomplete,
  };
}

/** A declaration's value, or an inline value of a declaration kind (`random(0.3)`, `arith.train.take(1)`). */
export class DeclValue {
  /** Dataset references only: the split and subset the reference selects. */
  split: 'train' | 'test' | null = null;
  take: number | null = null;
  /** Rewards only: the lowered expression. */
  reward: RewardIR | undefined;
  /** json/jsonl/hf/checkpoint: the path argument as written, and where. */
  path: { value: string; loc: Loc; dir: string } | undefined;

  constructor(
    readonly kind: DeclarationKind,
    /** How it was built: 'arithmetic', 'json', 'transformer', 'hf', 'grpo', 'adam', 'block', 'expr', ... */
    readonly ctor: string,
    /** The declared name, or the expression's text for inline values. */
    public name: string,
    public loc: Loc,
    public obj: Obj,
    readonly spec: BlockSpec | undefined,
    /** Whether this names a declaration (true) or was written inline (false). */
    public declared: boolean,
  ) {}

  /** A copy that can be overridden without touching this one. */
  derive(name: string, loc: Loc, declared: boolean): DeclValue {
    const d = new DeclValue(this.kind, this.ctor, name, loc, cloneObj(this.obj), this.spec, declared);
    d.split = this.split;
    d.take = this.take;
    d.reward = this.reward;
    d.path = this.path;
    return d;
  }
}

export function isDecl(v: Json | DeclValue | undefined): v is DeclValue {
  return v instanceof DeclValue;
}
