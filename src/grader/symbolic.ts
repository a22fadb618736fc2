// The symbolic part of the checker, on @cortex-js/compute-engine (the TypeScript stand-in for the paper's
// sympy): parse LaTeX, compare constants numerically, and compare expressions with free variables by
// simplifying their difference and, when that is inconclusive, by evaluating both at fixed pseudo-random
// points. Every call works against a deterministic budget (budget.ts), never a clock: expressions too large,
// too deep or with too many digits are not given to the engine, a simplification whose expansion would be
// too large is skipped (the numeric check decides), loops inside the engine stop at an iteration count,
// and each engine call spends operations weighted by the size of what it is given (valueCost,
// simplifyCost). Past the budget a comparison throws BudgetExceeded, which the checker reads as "not equal",
// as the paper reads its timeout.
import { ComputeEngine } from '@cortex-js/compute-engine';
import type { Expression } from '@cortex-js/compute-engine';
import { GRADER_BUDGET, type GraderBudget } from './budget.js';

export type SymbolicVerdict = 'equal' | 'unequal' | 'unparseable';

/** Thrown when a comparison has spent its budget; the checker turns it into "not equal (budget exceeded)". */
export class BudgetExceeded extends Error {
  constructor(what: string) {
    super(`budget exceeded: ${what}`);
  }
}

/** The work left to one comparison. */
export class Meter {
  private left: number;
  constructor(readonly budget: Readonly<GraderBudget> = GRADER_BUDGET) {
    this.left = budget.operations;
  }
  spend(units: number, what: string): void {
    this.left -= units;
    if (this.left < 0) throw new BudgetExceeded(`more than ${this.budget.operations} operations (${what})`);
  }
}

// Constants (no free variables) are equal when they agree to this relative tolerance. It is far tighter
// than any rounding a model would write (0.333 ≠ 1/3, 1.414 ≠ √2), and only absorbs float error in
// evaluating both sides, like sympy's exact simplify(a − b) == 0 in the paper's checker.
const CONST_RTOL = 1e-9;
const CONST_ATOL = 1e-12;
// At random points both sides go through more float operations: a slightly looser tolerance.
const POINT_RTOL = 1e-7;
const MAX_LATEX = 1500; // longer "answers" are not answers; comparing them symbolically is not worth the time

let engine: ComputeEngine | null = null;
function ce(budget: Readonly<GraderBudget>): ComputeEngine {
  if (!engine) {
    engine = new ComputeEngine();
    engine.precision = 'machine';
  }
  // A count, not a time: a sum over 10^9 terms stops at the same point on every machine.
  if (engine.iterationLimit !== budget.iterations) engine.iterationLimit = budget.iterations;
  return engine;
}

interface Parsed { expr: Expression; nodes: number; depth: number; digits: number; terms: number; loops: number; integral: boolean }

// Parsed expressions, by LaTeX: a reward compares many responses with the same label. A hit costs the same
// budget as a miss, so a verdict does not depend on what was graded before.
const parseCache = new Map<string, Parsed | null>();
const PARSE_CACHE_MAX = 5000;

// Operators that mean the leaf is not a scalar (the checker splits structures before coming here).
const NON_SCALAR = new Set([
  'Tuple', 'List', 'Set', 'Interval', 'Union', 'Matrix', 'Equal', 'Less', 'Greater', 'LessEqual', 'GreaterEqual',
  'NotEqual', 'Element', 'Measurement', 'PlusMinus', 'Sequence', 'Delimiter', 'Error', 'LatexString', 'BaseForm',
  'And', 'Or', 'Not', 'Assign', 'Function', 'Subscript', 'InvisibleOperator',
]);

/** Whether an expression's MathJSON text names no structure operator. */
function isScalarJson(text: string): boolean {
  for (const op of NON_SCALAR) if (text.includes(`"${op}"`)) return false;
  return true;
}

function parseMeasured(latex: string): Parsed | null {
  if (latex.length === 0 || latex.length > MAX_LATEX) return null;
  if (parseCache.has(latex)) return parseCache.get(latex)!;
  let p: Parsed | null = null;
  try {
    const parsed = ce(GRADER_BUDGET).parse(latex);
    // .json builds a new tree on every read: read it (and its text) once.
    const json = parsed.isValid ? parsed.json : null;
    const text = json === null ? '' : JSON.stringify(json);
    if (json !== null && isScalarJson(text)) p = { expr: parsed, ...measure(json), terms: expansionTerms(json), loops: loopIterations(json), integral: text.includes('"Integrate"') };
  } catch {
    p = null;
  }
  if (parseCache.size >= PARSE_CACHE_MAX) parseCache.delete(parseCache.keys().next().value!);
  parseCache.set(latex, p);
  return p;
}

/** Parses for a comparison: one operation, and an expression over the size limits exceeds the budget. */
function parseFor(latex: string, meter: Meter): Parsed | null {
  meter.spend(1, 'parse');
  const p = parseMeasured(latex);
  if (!p) return null;
  const b = meter.budget;
  if (p.nodes > b.nodes) throw new BudgetExceeded(`an expression of ${p.nodes} nodes (at most ${b.nodes})`);
  if (p.depth > b.depth) throw new BudgetExceeded(`an expression nested ${p.depth} deep (at most ${b.depth})`);
  if (p.digits > b.digits) throw new BudgetExceeded(`a number of ${p.digits} digits (at most ${b.digits})`);
  if (p.loops > b.iterations) throw new BudgetExceeded(`a sum or product of ${p.loops} terms (at most ${b.iterations})`);
  // The engine bounds its search for antiderivatives by wall-clock time (and steps): an integral's value could
  // depend on the machine's load, so integrals are not evaluated.
  if (p.integral) throw new BudgetExceeded('an integral (the engine integrates against a clock)');
  return p;
}

type Json = unknown;

function measure(json: Json): { nodes: number; depth: number; digits: number } {
  let nodes = 0;
  let digits = 0;
  const walk = (j: Json, d: number): number => {
    nodes++;
    if (typeof j === 'number') digits = Math.max(digits, Number.isFinite(j) ? String(Math.abs(j)).replace(/[^0-9]/g, '').length : 1);
    else if (j && typeof j === 'object' && !Array.isArray(j) && typeof (j as { num?: unknown }).num === 'string')
      digits = Math.max(digits, (j as { num: string }).num.replace(/[^0-9]/g, '').length);
    if (!Array.isArray(j)) return d;
    let deepest = d;
    for (const a of j.slice(1)) deepest = Math.max(deepest, walk(a, d + 1));
    return deepest;
  };
  const depth = walk(json, 1);
  return { nodes, depth, digits };
}

function integerOf(j: Json): number | null {
  if (typeof j === 'number') return Number.isInteger(j) ? j : null;
  if (j && typeof j === 'object' && !Array.isArray(j) && typeof (j as { num?: unknown }).num === 'string') {
    const n = Number((j as { num: string }).num);
    return Number.isInteger(n) ? n : Number.isFinite(n) ? null : Infinity;
  }
  if (Array.isArray(j) && j[0] === 'Negate' && j.length === 2) {
    const n = integerOf(j[1]);
    return n === null ? null : -n;
  }
  return null;
}

/**
 * Terms a sum or product (nested ones multiply) runs over where its bounds are integers: the engine's own
 * iteration limit does not stop every such loop (a product of 10^5 factors ran for half a minute).
 */
function loopIterations(j: Json): number {
  if (!Array.isArray(j)) return 0;
  const [op, ...args] = j as [Json, ...Json[]];
  const inner = args.reduce<number>((m, a) => Math.max(m, loopIterations(a)), 0);
  if (op !== 'Sum' && op !== 'Product') return inner;
  let count = 1;
  for (const a of args.slice(1)) {
    if (!Array.isArray(a) || a[0] !== 'Limits') continue;
    const lo = integerOf(a[2]);
    const hi = integerOf(a[3]);
    // Bounds that are not integers (a variable, an expression) give no count here: the iteration limit applies.
    if (lo !== null && hi !== null) count *= Math.max(0, hi - lo + 1);
  }
  return count * Math.max(1, inner);
}

// Number of ways to choose k of n (as a float; Infinity when huge).
function choose(n: number, k: number): number {
  if (!Number.isFinite(n) || n > 1e6) return Infinity;
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > 1e12) return Infinity;
  }
  return Math.round(r);
}

/** How many terms the full expansion of an expression has (an estimate, an upper bound for polynomials). */
function expansionTerms(j: Json): number {
  if (!Array.isArray(j)) return 1;
  const [op, ...args] = j as [Json, ...Json[]];
  const sum = () => args.reduce<number>((s, a) => s + expansionTerms(a), 0);
  switch (op) {
    case 'Add': case 'Subtract': return sum();
    case 'Negate': return expansionTerms(args[0]);
    case 'Multiply': case 'Divide': return args.reduce<number>((p, a) => p * expansionTerms(a), 1);
    case 'Square': { const k = expansionTerms(args[0]); return choose(k + 1, 2); }
    case 'Power': {
      const k = expansionTerms(args[0]);
      const n = integerOf(args[1]);
      if (n === null) return k + expansionTerms(args[1]);
      if (k <= 1) return 1;
      return choose(Math.abs(n) + k - 1, k - 1);
    }
    default: return Math.max(1, sum());
  }
}

interface Complex {
  re: number;
  im: number;
}

function numericValue(e: Expression): Complex | null {
  const v = e.N();
  const re = v.re;
  const im = v.im;
  if (typeof re !== 'number' || Number.isNaN(re)) return null;
  return { re, im: typeof im === 'number' && !Number.isNaN(im) ? im : 0 };
}

function close(x: number, y: number, rtol: number): boolean {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= Math.max(CONST_ATOL, rtol * Math.max(Math.abs(x), Math.abs(y)));
}

function closeComplex(a: Complex, b: Complex, rtol: number): boolean {
  // Scale the imaginary tolerance with the whole magnitude so that a tiny float residue in im counts as 0.
  const scale = Math.max(Math.abs(a.re), Math.abs(b.re), Math.abs(a.im), Math.abs(b.im));
  const imClose = Math.abs(a.im - b.im) <= Math.max(CONST_ATOL, rtol * scale);
  return close(a.re, b.re, rtol) && imClose;
}

/**
 * One engine call, costing `units` operations (more for larger expressions: the cost of a call grows with
 * them); the engine's iteration limit counts as the budget.
 */
function engineCall<T>(meter: Meter, what: string, units: number, fn: () => T): T {
  meter.spend(units, what);
  ce(meter.budget); // this comparison's iteration limit
  try {
    return fn();
  } catch (err) {
    if ((err as { name?: string }).name === 'CancellationError') throw new BudgetExceeded(`${what}: ${String((err as { cause?: unknown }).cause)}`);
    throw err;
  }
}

// Fixed evaluation points: reproducible verdicts, and values that avoid the integers and simple
// fractions where distinct expressions tend to coincide. Positive points keep √x and log x real;
// the mixed-sign points catch |x| vs x and √(x²) vs x.
const POSITIVE_POINTS = [0.7317, 1.3862, 2.2411, 0.4123];
const MIXED_POINTS = [-0.8634, 1.9177, -1.6549];

function valuesAt(e: Parsed, vars: readonly string[], point: number[], meter: Meter): Complex | null {
  const sub: Record<string, number> = {};
  vars.forEach((v, i) => (sub[v] = point[i]!));
  return engineCall(meter, 'a value at a point', valueCost(e), () => numericValue(e.expr.subs(sub)));
}

// Operations one engine call costs: one, plus one per 25 nodes evaluated; a simplification grows with the
// square of the terms it expands ((x+1)^{40} against its rewriting: about 1,800).
const valueCost = (e: Parsed) => 1 + Math.floor(e.nodes / 25);
const simplifyCost = (a: Parsed, b: Parsed) => 1 + Math.ceil((a.terms + b.terms) ** 2 / 4) + Math.floor((a.nodes + b.nodes) / 25);

// Distinct variables get distinct values: shift each variable's value by an irrational-ish step.
function pointFor(base: number, nVars: number, k: number): number[] {
  return Array.from({ length: nVars }, (_, i) => base * (1 + 0.3719 * i) + 0.1373 * i * (k + 1));
}

type Relation = (a: Complex, b: Complex) => boolean;

function agreeAtPoints(a: Parsed, b: Parsed, vars: readonly string[], meter: Meter, rel: Relation): boolean {
  let positiveAgreements = 0;
  for (let k = 0; k < POSITIVE_POINTS.length; k++) {
    const p = pointFor(POSITIVE_POINTS[k]!, vars.length, k);
    const va = valuesAt(a, vars, p, meter);
    const vb = valuesAt(b, vars, p, meter);
    if (va === null || vb === null || !Number.isFinite(va.re) || !Number.isFinite(vb.re)) {
      if ((va === null) !== (vb === null)) return false;
      continue; // both undefined here (a pole or outside a domain): no evidence either way
    }
    if (!rel(va, vb)) return false;
    positiveAgreements++;
  }
  if (positiveAgreements < 2) return false;
  for (let k = 0; k < MIXED_POINTS.length; k++) {
    const p = pointFor(MIXED_POINTS[k]!, vars.length, k + 7).map((x, i) => (i % 2 === 1 ? -x : x));
    const va = valuesAt(a, vars, p, meter);
    const vb = valuesAt(b, vars, p, meter);
    // Only real values are compared here: ln(x²) and 2 ln x differ off the positive axis, and an answer
    // is not wrong for that.
    if (va === null || vb === null || va.im !== 0 || vb.im !== 0) continue;
    if (!Number.isFinite(va.re) || !Number.isFinite(vb.re)) continue;
    if (!rel(va, vb)) return false;
  }
  return true;
}

function unknownsOf(...es: Parsed[]): string[] {
  const s = new Set<string>();
  for (const e of es) for (const u of e.expr.unknowns) s.add(u);
  return [...s].sort();
}

/** Are two scalar LaTeX expressions mathematically equal? Throws BudgetExceeded past the meter's budget. */
export function symbolicEqual(a: string, b: string, meter: Meter = new Meter()): SymbolicVerdict {
  const pa = parseFor(a, meter);
  const pb = parseFor(b, meter);
  if (!pa || !pb) return 'unparseable';
  try {
    if (pa.expr.isSame(pb.expr)) return 'equal';
    const vars = unknownsOf(pa, pb);
    if (vars.length === 0) {
      const va = engineCall(meter, 'a value', valueCost(pa), () => numericValue(pa.expr));
      const vb = engineCall(meter, 'a value', valueCost(pb), () => numericValue(pb.expr));
      if (!va || !vb) return 'unparseable';
      return closeComplex(va, vb, CONST_RTOL) ? 'equal' : 'unequal';
    }
    // One point where the two differ proves them different, and most comparisons are of different
    // answers: try that before the (much slower) simplification.
    const p = pointFor(POSITIVE_POINTS[0]!, vars.length, 0);
    const va = valuesAt(pa, vars, p, meter);
    const vb = valuesAt(pb, vars, p, meter);
    if (va && vb && Number.isFinite(va.re) && Number.isFinite(vb.re) && !closeComplex(va, vb, POINT_RTOL)) return 'unequal';
    if (pa.terms + pb.terms <= meter.budget.expansionTerms && simplifiesToZero(pa, pb, meter)) return 'equal';
    return agreeAtPoints(pa, pb, vars, meter, (x, y) => closeComplex(x, y, POINT_RTOL)) ? 'equal' : 'unequal';
  } catch (err) {
    if (err instanceof BudgetExceeded) throw err;
    return 'unparseable';
  }
}

// Only called when the expansion is within budget (an expansion too large is left to the numeric check).
function simplifiesToZero(a: Parsed, b: Parsed, meter: Meter): boolean {
  const diff = engineCall(meter, 'a simplification', simplifyCost(a, b), () => ce(meter.budget).box(['Subtract', a.expr, b.expr]).simplify());
  return diff.isSame(0);
}

/**
 * Are two equations the same, i.e. is lhs₁ − rhs₁ = ±(lhs₂ − rhs₂)? Only the sign is free: a plane written
 * with all coefficients doubled is not accepted, as MATH asks for one normal form (gcd 1, leading > 0).
 */
export function equationsEqual(l1: string, r1: string, l2: string, r2: string, meter: Meter = new Meter()): SymbolicVerdict {
  const f = parseFor(`(${l1})-(${r1})`, meter);
  const g = parseFor(`(${l2})-(${r2})`, meter);
  if (!f || !g) return 'unparseable';
  try {
    const vars = unknownsOf(f, g);
    if (vars.length === 0) return 'unparseable';
    const same = (x: Complex, y: Complex) => closeComplex(x, y, POINT_RTOL);
    const opposite = (x: Complex, y: Complex) => closeComplex(x, { re: -y.re, im: -y.im }, POINT_RTOL);
    if (agreeAtPoints(f, g, vars, meter, same) || agreeAtPoints(f, g, vars, meter, opposite)) return 'equal';
    return 'unequal';
  } catch (err) {
    if (err instanceof BudgetExceeded) throw err;
    return 'unparseable';
  }
}

/**
 * The real value of a constant LaTeX expression (no free variables), or null when it has variables, is not
 * real or does not parse. Used by the Math-Verify grader to round an expression against a decimal answer.
 */
export function constantValue(latex: string, meter: Meter = new Meter()): number | null {
  const p = parseFor(latex, meter);
  if (!p) return null;
  try {
    if (unknownsOf(p).length > 0) return null;
    const v = engineCall(meter, 'a value', valueCost(p), () => numericValue(p.expr));
    if (!v || Math.abs(v.im) > CONST_ATOL * Math.max(1, Math.abs(v.re))) return null;
    return v.re;
  } catch (err) {
    if (err instanceof BudgetExceeded) throw err;
    return null;
  }
}
