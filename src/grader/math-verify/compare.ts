// Math-Verify's comparison (its `verify`), on rlvrc's values and symbolic engine. The rules, in order:
//   1. relations: an assignment gold `x = 1` against a plain prediction compares the right-hand sides; an
//      equation predicted for a non-equation gold is read as its last right-hand side (`a+b = 7` for `7`);
//      a one-variable inequality gold against a set or interval prediction becomes that interval
//      (`x > 5` ~ `(5, \infty)`, not the other way round); two relations are equal when they have the same
//      symbol and lhs − rhs agree, or opposite symbols (`<` / `>`) and lhs − rhs = −(lhs' − rhs'), or when
//      both are linear in the same one variable and solve to the same `x op c` (Math-Verify solves them);
//   2. sets and intervals: anything against a set is read as a one-element set; sets match in any order,
//      tuples in order (a bare list predicted for a tuple gold is read in order); intervals need the same
//      open/closed ends and equal endpoints; an open interval `(a, b)` equals a two-element list in order;
//   3. matrices: same shape, equal entries;
//   4. text: case-insensitive, spaces ignored;
//   5. numbers: exact when both are exact; when either is written as a decimal, both rounded to
//      `floatRounding` (6) places (0.333333 = 1/3, 0.333 ≠ 1/3); percentages are value/100 (25\% = 0.25);
//   6. other expressions: the symbolic engine (equal values within 1e-9, or a difference that simplifies
//      to 0, or agreement at fixed points).
// Verdicts never depend on time: every step spends the comparison's Meter (budget.ts), and past the budget
// the comparison is "not equal (budget exceeded)".
import { parseRationalLiteral } from '../numeric.js';
import { BudgetExceeded, constantValue, Meter, symbolicEqual } from '../symbolic.js';
import type { RelOp, Value } from './value.js';

export interface MvCompareOptions {
  /** Decimal places both sides are rounded to when either is written as a decimal (Math-Verify: 6). */
  floatRounding?: number;
}

export interface MvVerdict {
  equal: boolean;
  reason: string;
}

const yes = (reason: string): MvVerdict => ({ equal: true, reason });
const no = (reason: string): MvVerdict => ({ equal: false, reason });

interface Ctx {
  meter: Meter;
  rounding: number;
}

interface Exact { num: bigint; den: bigint; float: boolean }

/** A scalar that is a number literal (integer, decimal, fraction, scientific), as an exact rational. */
function exactOf(latex: string, percent: boolean, ctx: Ctx): Exact | null {
  const s = latex.replace(/\s+/g, '').replace(/^\+/, '');
  if (s.replace(/[^0-9]/g, '').length > ctx.meter.budget.digits) throw new BudgetExceeded(`a number of more than ${ctx.meter.budget.digits} digits`);
  const r = parseRationalLiteral(s);
  if (!r) return null;
  return { num: r.num, den: percent ? r.den * 100n : r.den, float: r.form === 'decimal' || r.form === 'scientific' };
}

/** round(num/den · 10^places), half away from zero, as a BigInt. */
function roundScaled(num: bigint, den: bigint, places: number): bigint {
  const scaled = num * 10n ** BigInt(places);
  const q = scaled / den;
  const r = scaled % den;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice >= den) return scaled < 0n ? q - 1n : q + 1n;
  return q;
}

function roundFloat(x: number, places: number): number {
  const f = 10 ** places;
  return Math.sign(x) * Math.round(Math.abs(x) * f);
}

const withPercent = (latex: string, percent: boolean) => (percent ? `\\frac{${latex}}{100}` : latex);

function compareScalars(gold: Value & { kind: 'scalar' }, pred: Value & { kind: 'scalar' }, ctx: Ctx): MvVerdict {
  if (gold.latex === pred.latex && gold.percent === pred.percent) return yes('same expression');
  const g = exactOf(gold.latex, gold.percent, ctx);
  const p = exactOf(pred.latex, pred.percent, ctx);
  if (g && p) {
    if (g.float || p.float) {
      return roundScaled(g.num, g.den, ctx.rounding) === roundScaled(p.num, p.den, ctx.rounding)
        ? yes(`equal to ${ctx.rounding} decimal places`)
        : no(`different to ${ctx.rounding} decimal places`);
    }
    return g.num === p.num && g.den === p.den ? yes('equal numbers') : no('different numbers');
  }
  // A decimal against an expression (1.414214 against \sqrt{2}): both rounded.
  const decimal = g?.float ? { exact: g, other: pred } : p?.float ? { exact: p, other: gold } : null;
  if (decimal) {
    const v = constantValue(withPercent(decimal.other.latex, decimal.other.percent), ctx.meter);
    if (v !== null && Number.isFinite(v) && Math.abs(v) < 1e15) {
      const d = Number(decimal.exact.num) / Number(decimal.exact.den);
      return roundFloat(d, ctx.rounding) === roundFloat(v, ctx.rounding) ? yes(`equal to ${ctx.rounding} decimal places`) : no(`different to ${ctx.rounding} decimal places`);
    }
  }
  for (const side of [gold.latex, pred.latex]) {
    if (hugePower(side)) throw new BudgetExceeded('a power beyond floating point (an exponent of 7 or more digits, or a tower of three)');
    // The engine's parser recurses on brackets: a deeper expression is refused before it is parsed.
    if (nesting(side) > ctx.meter.budget.depth) throw new BudgetExceeded(`brackets nested more than ${ctx.meter.budget.depth} deep`);
  }
  const verdict = symbolicEqual(withPercent(pred.latex, pred.percent), withPercent(gold.latex, gold.percent), ctx.meter);
  if (verdict === 'equal') {
    // Two values past floating point compare equal as infinities (10^{400} against 10^{401}): no verdict.
    const v = constantValue(withPercent(gold.latex, gold.percent), ctx.meter);
    if (v !== null && !Number.isFinite(v)) throw new BudgetExceeded('a value beyond floating point');
    return yes('symbolically equal');
  }
  return no(verdict === 'unequal' ? 'symbolically different' : 'could not parse');
}

// Powers the engine cannot evaluate in floating point or in reasonable time: 2^{9999999}, 10^{10^{10^{10}}}.
const hugePower = (latex: string): boolean => /\^\s*\{?\s*-?\d{7,}/.test(latex) || /\^\s*\{[^{}]*\^\s*\{?[^{}]*\^/.test(latex);

function nesting(latex: string): number {
  let depth = 0;
  let deepest = 0;
  for (const c of latex) {
    if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return deepest;
}

const FLIP: Record<RelOp, RelOp> = { '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const SIMPLE_SYMBOLS = /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:\s*\([a-zA-Z]\))?$/;

const isEquation = (v: Value) => v.kind === 'relation' && v.ops.every(o => o === '=');
const isAssignment = (v: Value) => isEquation(v) && SIMPLE_SYMBOLS.test((v as { terms: string[] }).terms[0]!);
const lastRhs = (v: Value & { kind: 'relation' }): Value => ({ kind: 'scalar', latex: v.terms[v.terms.length - 1]!, percent: false });

function relationsEqual(gold: Value & { kind: 'relation' }, pred: Value & { kind: 'relation' }, ctx: Ctx): MvVerdict {
  if (gold.ops.length !== pred.ops.length) return no(`a chain of ${pred.ops.length} relations, expected ${gold.ops.length}`);
  for (let i = 0; i < gold.ops.length; i++) {
    const [gl, gr, gop] = [gold.terms[i]!, gold.terms[i + 1]!, gold.ops[i]!];
    const [pl, pr, pop] = [pred.terms[i]!, pred.terms[i + 1]!, pred.ops[i]!];
    ctx.meter.spend(1, 'a relation');
    let ok = false;
    if (gop === pop && symbolicEqual(`(${pl})-(${pr})`, `(${gl})-(${gr})`, ctx.meter) === 'equal') ok = true;
    else if (FLIP[gop] === pop && symbolicEqual(`(${pr})-(${pl})`, `(${gl})-(${gr})`, ctx.meter) === 'equal') ok = true;
    if (!ok && gold.ops.length === 1 && sameLinearSolution(gl, gr, gop, pl, pr, pop, ctx)) return yes('same solution');
    if (!ok) return no(gold.ops.length === 1 ? 'different relations' : `relation ${i + 1} differs`);
  }
  return yes(gold.ops.length === 1 && pred.ops[0] !== gold.ops[0] ? 'same relation, flipped' : 'same relations');
}

/** The one letter variable of a relation's sides (outside commands), or null when there are none or several. */
function soleVariable(latex: string): string | null {
  const letters = new Set(latex.replace(/\[a-zA-Z]+/g, ' ').match(/[a-zA-Z]/g) ?? []);
  return letters.size === 1 ? [...letters][0]! : null;
}

/** x op c for a relation f(x) op 0 with f linear (checked at three points), or null. */
function linearSolution(lhs: string, rhs: string, op: RelOp, x: string, ctx: Ctx): { op: RelOp; root: number } | null {
  const at = (v: number) => constantValue(`(${lhs})-(${rhs})`.replace(new RegExp(`(?<![\\a-zA-Z])${x}(?![a-zA-Z])`, 'g'), `(${v})`), ctx.meter);
  const [f0, f1, f2] = [at(0), at(1), at(2)];
  if (f0 === null || f1 === null || f2 === null) return null;
  const slope = f1 - f0;
  const scale = Math.max(1, Math.abs(f0), Math.abs(f1), Math.abs(f2));
  if (Math.abs(slope) < 1e-12 * scale || Math.abs(f2 - f1 - slope) > 1e-9 * scale) return null;
  return { op: slope > 0 ? op : FLIP[op], root: -f0 / slope };
}

/**
 * Math-Verify solves both relations for their variables (sympy's solve): `2x < 4` equals `x < 2`. Here for
 * relations linear in the same single variable: both solved to `x op c`, same op and equal c.
 */
function sameLinearSolution(gl: string, gr: string, gop: RelOp, pl: string, pr: string, pop: RelOp, ctx: Ctx): boolean {
  const x = soleVariable(`${gl} ${gr}`);
  if (x === null || soleVariable(`${pl} ${pr}`) !== x) return false;
  const g = linearSolution(gl, gr, gop, x, ctx);
  const p = linearSolution(pl, pr, pop, x, ctx);
  if (!g || !p || g.op !== p.op) return false;
  return Math.abs(g.root - p.root) <= 1e-9 * Math.max(1, Math.abs(g.root), Math.abs(p.root));
}

/** A one-variable inequality (`x > 5`, `5 < x`, `1 < x \le 2`) as the interval it describes; null otherwise. */
function relationAsInterval(v: Value & { kind: 'relation' }): Value | null {
  const isVar = (t: string) => SIMPLE_SYMBOLS.test(t);
  const lo = (op: RelOp) => op === '<' || op === '<=';
  if (v.ops.length === 1) {
    const [a, b] = v.terms as [string, string];
    const op = v.ops[0]!;
    if (op === '=' || op === '!=') return null;
    const [x, c, rel] = isVar(a) ? [a, b, op] : isVar(b) ? [b, a, FLIP[op]] : [null, null, op];
    if (x === null) return null;
    const bound: Value = { kind: 'scalar', latex: c!, percent: false };
    const inf = (sign: string): Value => ({ kind: 'scalar', latex: `${sign}\\infty`, percent: false });
    // x < c: (-∞, c); x > c: (c, ∞)
    return lo(rel) ? { kind: 'interval', left: inf('-'), right: bound, leftOpen: true, rightOpen: rel === '<' } : { kind: 'interval', left: bound, right: inf(''), leftOpen: rel === '>', rightOpen: true };
  }
  if (v.ops.length === 2 && isVar(v.terms[1]!) && v.ops.every(lo)) {
    return { kind: 'interval', left: { kind: 'scalar', latex: v.terms[0]!, percent: false }, right: { kind: 'scalar', latex: v.terms[2]!, percent: false }, leftOpen: v.ops[0] === '<', rightOpen: v.ops[1] === '<' };
  }
  return null;
}

const textKey = (s: string) => s.toLowerCase().replace(/\\text\s*\{([^{}]*)\}/g, '$1').replace(/[\s{}\\]/g, '');

function inOrder(gold: Value[], pred: Value[], ctx: Ctx): MvVerdict {
  if (gold.length !== pred.length) return no(`${pred.length} elements, expected ${gold.length}`);
  for (let i = 0; i < gold.length; i++) {
    const v = compareValues(gold[i]!, pred[i]!, ctx);
    if (!v.equal) return no(`element ${i + 1}: ${v.reason}`);
  }
  return yes('equal elements in order');
}

function anyOrder(gold: Value[], pred: Value[], ctx: Ctx): MvVerdict {
  if (gold.length !== pred.length) return no(`${pred.length} elements, expected ${gold.length}`);
  const used = new Array<boolean>(pred.length).fill(false);
  for (let i = 0; i < gold.length; i++) {
    let found = false;
    for (let j = 0; j < pred.length && !found; j++) if (!used[j] && compareValues(gold[i]!, pred[j]!, ctx).equal) used[j] = found = true;
    if (!found) return no(`no element equal to element ${i + 1}`);
  }
  return yes('equal elements in any order');
}

const isCollection = (v: Value) => v.kind === 'set' || v.kind === 'tuple' || v.kind === 'interval' || v.kind === 'union';

/** Math-Verify's comparison of a gold value with a predicted one (not symmetric: the gold leads). */
export function compareValues(gold: Value, pred: Value, ctx: Ctx): MvVerdict {
  ctx.meter.spend(1, 'a structure comparison');
  // 1. relations
  if (isAssignment(gold) && isAssignment(pred)) {
    const g = gold as Value & { kind: 'relation' };
    const p = pred as Value & { kind: 'relation' };
    return relationsEqual({ kind: 'relation', ops: ['='], terms: [g.terms[0]!, g.terms[g.terms.length - 1]!] }, { kind: 'relation', ops: ['='], terms: [p.terms[0]!, p.terms[p.terms.length - 1]!] }, ctx);
  }
  if (isEquation(pred) && !isEquation(gold)) return compareValues(gold, lastRhs(pred as Value & { kind: 'relation' }), ctx);
  if (isAssignment(gold) && pred.kind !== 'relation') return compareValues(lastRhs(gold as Value & { kind: 'relation' }), pred, ctx);
  if (gold.kind === 'relation' && isCollection(pred)) {
    const asSet = relationAsInterval(gold);
    return asSet ? compareValues(asSet, pred, ctx) : no('a set where a relation was expected');
  }
  if (gold.kind === 'relation' || pred.kind === 'relation') {
    if (gold.kind === 'relation' && pred.kind === 'relation') return relationsEqual(gold, pred, ctx);
    return no(gold.kind === 'relation' ? 'expected a relation' : 'a relation where a value was expected');
  }
  // 2. sets, tuples, intervals
  if (isCollection(gold) || isCollection(pred)) return compareCollections(gold, pred, ctx);
  // 3. matrices
  if (gold.kind === 'matrix' || pred.kind === 'matrix') {
    if (gold.kind !== 'matrix' || pred.kind !== 'matrix') return no('expected a matrix');
    if (gold.rows.length !== pred.rows.length || gold.rows.some((r, i) => r.length !== pred.rows[i]!.length)) return no('different matrix shape');
    for (let i = 0; i < gold.rows.length; i++) {
      const v = inOrder(gold.rows[i]!, pred.rows[i]!, ctx);
      if (!v.equal) return no(`row ${i + 1}: ${v.reason}`);
    }
    return yes('equal matrices');
  }
  // 4. text
  if (gold.kind === 'text' || pred.kind === 'text') {
    const g = gold.kind === 'text' ? gold.text : gold.latex;
    const p = pred.kind === 'text' ? pred.text : (pred as { latex: string }).latex;
    return textKey(g) === textKey(p) && textKey(g) !== '' ? yes('same text') : no('different text');
  }
  // 5, 6. scalars
  return compareScalars(gold, pred, ctx);
}

function compareCollections(gold: Value, pred: Value, ctx: Ctx): MvVerdict {
  if (gold.kind === 'interval' && pred.kind === 'interval') {
    if (gold.leftOpen !== pred.leftOpen || gold.rightOpen !== pred.rightOpen) return no('different open/closed ends');
    const v = inOrder([gold.left, gold.right], [pred.left, pred.right], ctx);
    return v.equal ? yes('equal intervals') : no(`endpoints: ${v.reason}`);
  }
  // An open interval `(a, b)` is also how a pair is written: it equals a two-element list in order.
  if (gold.kind === 'interval' && (pred.kind === 'set' || pred.kind === 'tuple')) {
    if (gold.leftOpen && gold.rightOpen && pred.items.length === 2) return inOrder([gold.left, gold.right], pred.items, ctx);
    return no('expected an interval');
  }
  if (pred.kind === 'interval' && (gold.kind === 'set' || gold.kind === 'tuple')) {
    if (pred.leftOpen && pred.rightOpen && gold.items.length === 2) return inOrder(gold.items, [pred.left, pred.right], ctx);
    return no('an interval where a list was expected');
  }
  if (gold.kind === 'union' || pred.kind === 'union') {
    if (gold.kind !== 'union' || pred.kind !== 'union') return no('expected a union');
    return anyOrder(gold.parts, pred.parts, ctx);
  }
  if (gold.kind === 'interval' || pred.kind === 'interval') return no('expected an interval');
  // Anything else is read as a one-element set.
  const items = (v: Value): Value[] => (v.kind === 'set' || v.kind === 'tuple' ? v.items : [v]);
  if (gold.kind === 'tuple' && pred.kind !== 'tuple') return inOrder(gold.items, items(pred), ctx);
  if (gold.kind === 'tuple' && pred.kind === 'tuple') return inOrder(gold.items, pred.items, ctx);
  return anyOrder(items(gold), items(pred), ctx);
}

export function newCtx(meter: Meter, options: MvCompareOptions = {}): Ctx {
  return { meter, rounding: options.floatRounding ?? 6 };
}
