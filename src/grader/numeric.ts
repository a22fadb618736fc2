// Exact number literals: integers, decimals, scientific notation, fractions and mixed numbers, read as
// rationals with BigInt so that 0.1 = 1/10 exactly and 4.9999999 ≠ 5. Most answers are literals, so this
// path answers most comparisons without the symbolic engine.

export type LiteralForm = 'integer' | 'decimal' | 'scientific' | 'fraction' | 'mixed';

export interface RationalLiteral {
  num: bigint; // signed numerator, in lowest terms with den
  den: bigint; // > 0
  form: LiteralForm;
  /** False for a fraction written in non-lowest terms (`\frac{2}{4}`, `6/4`). */
  reduced: boolean;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function make(num: bigint, den: bigint, form: LiteralForm, reduced = true): RationalLiteral | null {
  if (den === 0n) return null;
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g, form, reduced };
}

// A decimal string as num/10^k (no exponent).
function decimal(sign: string, intPart: string, fracPart: string): [bigint, bigint] {
  const digits = (intPart || '0') + fracPart;
  const num = BigInt(digits) * (sign === '-' ? -1n : 1n);
  return [num, 10n ** BigInt(fracPart.length)];
}

const INT = /^([+-]?)(\d+)$/;
const DEC = /^([+-]?)(\d*)\.(\d+)$/;
// 6.72e-5, 6.72\times10^{-5}, 6.72\cdot10^-5, 10^{3} alone is not a literal (it is a power).
// (The fraction digits need their point: `(\d*)\.?(\d*)` would backtrack quadratically on long digit runs.)
const SCI = /^([+-]?)(\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+)|(?:\\times|\\cdot|\*)10\^(?:\{([+-]?\d+)\}|([+-]?\d)))$/;
const SLASH = /^([+-]?)(\d+)\/(\d+)$/;
const FRAC = /^(-?)\\frac\{([+-]?)(\d+)\}\{(\d+)\}$/;
const MIXED = /^(-?)(\d+)\\frac\{(\d+)\}\{(\d+)\}$/;

/** Reads a normalised answer that is a plain number literal; null for anything else. */
export function parseRationalLiteral(s: string): RationalLiteral | null {
  let m = INT.exec(s);
  if (m) return make(BigInt(m[2]!) * (m[1] === '-' ? -1n : 1n), 1n, 'integer');
  m = DEC.exec(s);
  if (m) {
    const [n, d] = decimal(m[1]!, m[2]!, m[3]!);
    return make(n, d, 'decimal');
  }
  m = SCI.exec(s);
  if (m && (m[2] !== '' || m[3] !== undefined)) {
    const exp = BigInt(m[4] ?? m[5] ?? m[6]!);
    const [n, d] = decimal(m[1]!, m[2]!, m[3] ?? '');
    if (exp > 400n || exp < -400n) return null; // keeps BigInt sizes sane; such answers go symbolic
    return exp >= 0n ? make(n * 10n ** exp, d, 'scientific') : make(n, d * 10n ** -exp, 'scientific');
  }
  m = SLASH.exec(s);
  if (m) {
    const n = BigInt(m[2]!) * (m[1] === '-' ? -1n : 1n);
    const d = BigInt(m[3]!);
    return make(n, d, 'fraction', gcd(n, d) === 1n);
  }
  m = FRAC.exec(s);
  if (m) {
    const n = BigInt(m[3]!) * ((m[1] === '-') !== (m[2] === '-') ? -1n : 1n);
    const d = BigInt(m[4]!);
    return make(n, d, 'fraction', gcd(n, d) === 1n);
  }
  m = MIXED.exec(s);
  if (m) {
    const whole = BigInt(m[2]!);
    const n = BigInt(m[3]!);
    const d = BigInt(m[4]!);
    const sign = m[1] === '-' ? -1n : 1n;
    return make(sign * (whole * d + n), d, 'mixed', gcd(n, d) === 1n);
  }
  return null;
}

export function rationalEquals(a: RationalLiteral, b: RationalLiteral): boolean {
  return a.num === b.num && a.den === b.den;
}

export function isIntegerLiteral(s: string): boolean {
  return INT.test(s);
}
