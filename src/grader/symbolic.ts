// The symbolic part of the checker, on @cortex-js/compute-engine (the TypeScript stand-in for the paper's
// sympy): parse LaTeX, compare constants numerically, and compare expressions with free variables by
// simplifying their difference and, when that is inconclusive, by evaluating both at fixed pseudo-random
// points. Every call works against a deadline; the engine itself is interrupted at the deadline, and
// work past it answers 'timeout' (which the checker reads as "not equal", as the paper does).
import { ComputeEngine } from '@cortex-js/compute-engine';
import type { Expression } from '@cortex-js/compute-engine';

export type SymbolicVerdict = 'equal' | 'unequal' | 'unparseable' | 'timeout';

// Constants (no free variables) are equal when they agree to this relative tolerance. It is far tighter
// than any rounding a model would write (0.333 ≠ 1/3, 1.414 ≠ √2), and only absorbs float error in
// evaluating both sides, like sympy's exact simplify(a − b) == 0 in the paper's checker.
const CONST_RTOL = 1e-9;
const CONST_ATOL = 1e-12;
// At random points both sides go through more float operations: a slightly looser tolerance.
const POINT_RTOL = 1e-7;
const MAX_LATEX = 1500; // longer "answers" are not answers; comparing them symbolically is not worth the time

let engine: ComputeEngine | null = null;
function ce(): ComputeEngine {
  if (!engine) {
    engine = new ComputeEngine();
    engine.precision = 'machine';
  }
  return engine;
}

// Parsed expressions, by LaTeX: a reward compares many responses with the same label.
const parseCache = new Map<string, Expression | null>();
const PARSE_CACHE_MAX = 5000;

// Operators that mean the leaf is not a scalar (the checker splits structures before coming here).
const NON_SCALAR = new Set([
  'Tuple', 'List', 'Set', 'Interval', 'Union', 'Matrix', 'Equal', 'Less', 'Greater', 'LessEqual', 'GreaterEqual',
  'NotEqual', 'Element', 'Measurement', 'PlusMinus', 'Sequence', 'Delimiter', 'Error', 'LatexString', 'BaseForm',
  'And', 'Or', 'Not', 'Assign', 'Function', 'Subscript', 'InvisibleOperator',
]);

function isScalar(e: Expression): boolean {
  const json = JSON.stringify(e.json);
  for (const op of NON_SCALAR) if (json.includes(`"${op}"`)) return false;
  return true;
}

/** Parses a normalised LaTeX leaf into a scalar expression, or null when it is not one. */
export function parseScalar(latex: string): Expression | null {
  if (latex.length === 0 || latex.length > MAX_LATEX) return null;
  if (parseCache.has(latex)) return parseCache.get(latex)!;
  let e: Expression | null = null;
  try {
    const parsed = ce().parse(latex);
    e = parsed.isValid && isScalar(parsed) ? parsed : null;
  } catch {
    e = null;
  }
  if (parseCache.size >= PARSE_CACHE_MAX) parseCache.delete(parseCache.keys().next().value!);
  parseCache.set(latex, e);
  return e;
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

class Timeout extends Error {}

function within<T>(deadline: number, fn: () => T): T {
  const left = deadline - Date.now();
  if (left <= 0) throw new Timeout();
  try {
    return ce().withTimeLimit(left, fn as () => T extends Promise<unknown> ? never : T);
  } catch (err) {
    if (Date.now() >= deadline) throw new Timeout();
    throw err;
  }
}

// Fixed evaluation points: reproducible verdicts, and values that avoid the integers and simple
// fractions where distinct expressions tend to coincide. Positive points keep √x and log x real;
// the mixed-sign points catch |x| vs x and √(x²) vs x.
const POSITIVE_POINTS = [0.7317, 1.3862, 2.2411, 0.4123];
const MIXED_POINTS = [-0.8634, 1.9177, -1.6549];

function valuesAt(e: Expression, vars: readonly string[], point: number[], deadline: number): Complex | null {
  const sub: Record<string, number> = {};
  vars.forEach((v, i) => (sub[v] = point[i]!));
  return within(deadline, () => numericValue(e.subs(sub)));
}

// Distinct variables get distinct values: shift each variable's value by an irrational-ish step.
function pointFor(base: number, nVars: number, k: number): number[] {
  return Array.from({ length: nVars }, (_, i) => base * (1 + 0.3719 * i) + 0.1373 * i * (k + 1));
}

type Relation = (a: Complex, b: Complex) => boolean;

function agreeAtPoints(a: Expression, b: Expression, vars: readonly string[], deadline: number, rel: Relation): boolean {
  let positiveAgreements = 0;
  for (let k = 0; k < POSITIVE_POINTS.length; k++) {
    const p = pointFor(POSITIVE_POINTS[k]!, vars.length, k);
    const va = valuesAt(a, vars, p, deadline);
    const vb = valuesAt(b, vars, p, deadline);
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
    const va = valuesAt(a, vars, p, deadline);
    const vb = valuesAt(b, vars, p, deadline);
    // Only real values are compared here: ln(x²) and 2 ln x differ off the positive axis, and an answer
    // is not wrong for that.
    if (va === null || vb === null || va.im !== 0 || vb.im !== 0) continue;
    if (!Number.isFinite(va.re) || !Number.isFinite(vb.re)) continue;
    if (!rel(va, vb)) return false;
  }
  return true;
}

function unknownsOf(...es: Expression[]): string[] {
  const s = new Set<string>();
  for (const e of es) for (const u of e.unknowns) s.add(u);
  return [...s].sort();
}

/** Are two scalar LaTeX expressions mathematically equal? */
export function symbolicEqual(a: string, b: string, deadline: number): SymbolicVerdict {
  const ea = parseScalar(a);
  const eb = parseScalar(b);
  if (!ea || !eb) return 'unparseable';
  try {
    if (ea.isSame(eb)) return 'equal';
    const vars = unknownsOf(ea, eb);
    if (vars.length === 0) {
      const va = within(deadline, () => numericValue(ea));
      const vb = within(deadline, () => numericValue(eb));
      if (!va || !vb) return 'unparseable';
      return closeComplex(va, vb, CONST_RTOL) ? 'equal' : 'unequal';
    }
    // One point where the two differ proves them different, and most comparisons are of different
    // answers: try that before the (much slower) simplification.
    const p = pointFor(POSITIVE_POINTS[0]!, vars.length, 0);
    const va = valuesAt(ea, vars, p, deadline);
    const vb = valuesAt(eb, vars, p, deadline);
    if (va && vb && Number.isFinite(va.re) && Number.isFinite(vb.re) && !closeComplex(va, vb, POINT_RTOL)) return 'unequal';
    if (simplifiesToZero(ea, eb, deadline)) return 'equal';
    return agreeAtPoints(ea, eb, vars, deadline, (x, y) => closeComplex(x, y, POINT_RTOL)) ? 'equal' : 'unequal';
  } catch (err) {
    if (err instanceof Timeout) return 'timeout';
    return 'unparseable';
  }
}

// Simplification gets at most half of what is left, so the numeric check always has time to run.
function simplifiesToZero(ea: Expression, eb: Expression, deadline: number): boolean {
  const half = Date.now() + Math.max(0, (deadline - Date.now()) / 2);
  try {
    const diff = within(half, () => ce().box(['Subtract', ea, eb]).simplify());
    return diff.isSame(0);
  } catch (err) {
    if (err instanceof Timeout && Date.now() < deadline) return false; // inconclusive: go numeric
    throw err;
  }
}

/**
 * Are two equations the same, i.e. is lhs₁ − rhs₁ = ±(lhs₂ − rhs₂)? Only the sign is free: a plane written
 * with all coefficients doubled is not accepted, as MATH asks for one normal form (gcd 1, leading > 0).
 */
export function equationsEqual(l1: string, r1: string, l2: string, r2: string, deadline: number): SymbolicVerdict {
  const f = parseScalar(`(${l1})-(${r1})`);
  const g = parseScalar(`(${l2})-(${r2})`);
  if (!f || !g) return 'unparseable';
  try {
    const vars = unknownsOf(f, g);
    if (vars.length === 0) return 'unparseable';
    const same = (x: Complex, y: Complex) => closeComplex(x, y, POINT_RTOL);
    const opposite = (x: Complex, y: Complex) => closeComplex(x, { re: -y.re, im: -y.im }, POINT_RTOL);
    if (agreeAtPoints(f, g, vars, deadline, same) || agreeAtPoints(f, g, vars, deadline, opposite)) return 'equal';
    return 'unequal';
  } catch (err) {
    if (err instanceof Timeout) return 'timeout';
    return 'unparseable';
  }
}
