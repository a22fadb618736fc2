// The value types of fields: what a field accepts, how that reads in a message, and the check of a
// literal against it. Reference types (a model, a dataset, ...) are evaluated by resolve.ts.
import type { Expr } from '../language/ast.js';
import type { DeclarationKind } from '../language/tokens.js';
import type { Json } from './values.js';

export type FieldType =
  | { t: 'int'; min?: number; max?: number }
  | { t: 'float'; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean; why?: string }
  | { t: 'bool' }
  | { t: 'string' }
  | { t: 'path' }
  | { t: 'none' }
  | { t: 'enum'; values: readonly string[]; what: string }
  | { t: 'range'; min: number; max: number }
  | { t: 'list'; of: FieldType; minItems?: number }
  | { t: 'tuple'; of: FieldType[] }
  | { t: 'ref'; kind: DeclarationKind }
  | { t: 'union'; of: FieldType[] };

// Constructors that read like the type names of the language.
export const T = {
  int: (min?: number, max?: number): FieldType => ({ t: 'int', min, max }),
  positiveInt: (): FieldType => ({ t: 'int', min: 1 }),
  count: (): FieldType => ({ t: 'int', min: 0 }),
  float: (min?: number, max?: number): FieldType => ({ t: 'float', min, max }),
  positive: (): FieldType => ({ t: 'float', min: 0, minOpen: true }),
  nonNegative: (): FieldType => ({ t: 'float', min: 0 }),
  probability: (): FieldType => ({ t: 'float', min: 0, max: 1 }),
  open01: (why?: string): FieldType => ({ t: 'float', min: 0, max: 1, minOpen: true, maxOpen: true, why }),
  bool: (): FieldType => ({ t: 'bool' }),
  string: (): FieldType => ({ t: 'string' }),
  path: (): FieldType => ({ t: 'path' }),
  none: (): FieldType => ({ t: 'none' }),
  enumOf: (what: string, values: readonly string[]): FieldType => ({ t: 'enum', values, what }),
  range: (min: number, max: number): FieldType => ({ t: 'range', min, max }),
  list: (of: FieldType, minItems?: number): FieldType => ({ t: 'list', of, minItems }),
  tuple: (...of: FieldType[]): FieldType => ({ t: 'tuple', of }),
  ref: (kind: DeclarationKind): FieldType => ({ t: 'ref', kind }),
  union: (...of: FieldType[]): FieldType => ({ t: 'union', of }),
};

/** The interval a number must lie in, as a reader writes it: "in (0, 1)", "≥ 1", "in [0, 1]". */
export function rangeText(ty: Extract<FieldType, { t: 'int' | 'float' }>): string {
  const lo = ty.min;
  const hi = ty.max;
  const minOpen = ty.t === 'float' && ty.minOpen;
  const maxOpen = ty.t === 'float' && ty.maxOpen;
  if (lo !== undefined && hi !== undefined) return `in ${minOpen ? '(' : '['}${lo}, ${hi}${maxOpen ? ')' : ']'}`;
  if (lo !== undefined) return `${minOpen ? '>' : '≥'} ${lo}`;
  if (hi !== undefined) return `${maxOpen ? '<' : '≤'} ${hi}`;
  return 'a number';
}

/** "a whole number ≥ 1", "a number in (0, 1)", "none", "one of k1, k2, k3", ... */
export function describe(ty: FieldType): string {
  switch (ty.t) {
    case 'int': return ty.min === undefined && ty.max === undefined ? 'a whole number' : `a whole number ${rangeText(ty)}`;
    case 'float': return ty.min === undefined && ty.max === undefined ? 'a number' : `a number ${rangeText(ty)}`;
    case 'bool': return 'true or false';
    case 'string': return 'a string';
    case 'path': return 'a path string';
    case 'none': return 'none';
    case 'enum': return `one of ${ty.values.join(', ')}`;
    case 'range': return `a range a..b within ${ty.min}..${ty.max}`;
    case 'list': return `a list of ${plural(describe(ty.of))}`;
    case 'tuple': return `a tuple (${ty.of.map(describe).join(', ')})`;
    case 'ref': return `a ${ty.kind}`;
    case 'union': return ty.of.map(describe).join(' or ');
  }
}

function plural(s: string): string {
  return s.replace(/^an? /, '').replace(/^(whole number|number|string|path string)/, '$1s');
}

/** What an expression looks like, for "found ..." in a type error. */
export function shapeOf(e: Expr): string {
  switch (e.kind) {
    case 'Number': return `the number ${e.raw}`;
    case 'String': return 'a string';
    case 'Bool': return e.value ? 'true' : 'false';
    case 'None': return 'none';
    case 'Reference': return `the name '${e.name}'`;
    case 'Member': return 'a field access';
    case 'Call': return 'a call';
    case 'Construct': return 'a constructor block';
    case 'List': return 'a list';
    case 'Tuple': return 'a tuple';
    case 'Record': return 'a record';
    case 'Unary': return e.op === '-' ? 'a negated value' : "a 'not' expression";
    case 'Binary': return `a '${e.op}' expression`;
    case 'Range': return 'a range';
    case 'With': return "a 'with' derivation";
    case 'Where': return "a 'where' expression";
    case 'If': return "an 'if' expression";
    case 'Paren': return shapeOf(e.inner);
    case 'Hole': return 'nothing';
  }
}

/** Strips grouping parentheses, which never change a value. */
export function unparen(e: Expr): Expr {
  while (e.kind === 'Paren') e = e.inner;
  return e;
}

/** A literal number, including a negated one; undefined for anything else. */
export function numberLiteral(e: Expr): { value: number; isInt: boolean; raw: string } | undefined {
  e = unparen(e);
  if (e.kind === 'Number') return { value: e.value, isInt: e.isInt, raw: e.raw };
  if (e.kind === 'Unary' && e.op === '-') {
    const inner = numberLiteral(e.operand);
    return inner && { value: -inner.value, isInt: inner.isInt, raw: `-${inner.raw}` };
  }
  return undefined;
}

export function containsHole(e: Expr): boolean {
  switch (e.kind) {
    case 'Hole': return true;
    case 'Paren': return containsHole(e.inner);
    case 'Unary': return containsHole(e.operand);
    case 'Binary': return containsHole(e.left) || containsHole(e.right);
    case 'Range': return containsHole(e.from) || containsHole(e.to);
    case 'List': case 'Tuple': return e.items.some(containsHole);
    case 'Member': return containsHole(e.object);
    case 'Call': return containsHole(e.callee) || e.args.some(a => containsHole(a.value));
    case 'Where': return containsHole(e.value) || containsHole(e.condition);
    case 'If': return containsHole(e.condition) || containsHole(e.then) || containsHole(e.else);
    case 'With': return containsHole(e.base);
    case 'Construct': return containsHole(e.callee);
    default: return false;
  }
}

export type { Json };
