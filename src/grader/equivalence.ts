// Is a predicted answer equivalent to the gold one? The paper's `grade_answer` (PRM800K/Hendrycks style,
// paper.md section 6) with its guards, re-built on an explicit answer structure:
//   1. normalise both (normalize.ts); equal strings are equal;
//   2. read each as a structure: tuple/interval `(a,b]`, set `\{a,b\}` or bare list `a, b`, union `A \cup B`,
//      matrix, equation `lhs = rhs`, assignment `x = 5`, `a \pm b` (a two-element set), base-b number `52_8`,
//      text, or a scalar leaf;
//   3. compare structures: brackets must agree, tuples in order, sets and bare lists in any order;
//   4. compare scalar leaves: exact rationals for number literals, then the symbolic engine.
// Guards kept from the paper: an integer gold needs a number literal of the same value (not `\frac{10}{2}`,
// not `2^{10}`, not `\sqrt{4}`); a fraction written in non-lowest terms is not accepted.
// Where common sense was chosen over the paper's grader, the rule says "(paper: …)".
import { matchingClose, normalizeAnswer } from './normalize.js';
import { isIntegerLiteral, parseRationalLiteral, rationalEquals } from './numeric.js';
import { BudgetExceeded, equationsEqual, Meter, symbolicEqual } from './symbolic.js';
import { GRADER_BUDGET, type GraderBudget } from './budget.js';

export interface CompareOptions {
  /**
   * The work one comparison may do (default GRADER_BUDGET, what run manifests record); past it the verdict
   * is "not equal (budget exceeded)". Counted in operations, never in time, so a verdict does not depend on
   * the machine or its load.
   */
  budget?: Partial<GraderBudget>;
}

export interface Verdict {
  equal: boolean;
  /** A short reason, for debugging and for tests that explain themselves. */
  reason: string;
}

/** The reason of a verdict reached by running out of budget. */
export const BUDGET_EXCEEDED = 'not equal (budget exceeded)';

type Node =
  | { kind: 'leaf'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'based'; digits: string; base: string }
  | { kind: 'seq'; open: string; close: string; items: Node[] }
  | { kind: 'set'; items: Node[] }
  | { kind: 'union'; parts: Node[] }
  | { kind: 'matrix'; rows: Node[][] }
  | { kind: 'equation'; lhs: string; rhs: string }
  | { kind: 'assign'; name: string; rhs: string; value: Node };

/** Splits at top-level occurrences of `sep` (outside any brackets). */
export function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\') {
      if (s[k + 1] === '{' || s[k + 1] === '}') {
        depth += s[k + 1] === '{' ? 1 : -1;
        k++;
        continue;
      }
      if (depth === 0 && s.startsWith(sep, k) && sep.startsWith('\\')) {
        const after = s[k + sep.length];
        if (!/[a-zA-Z]/.test(after ?? '') || !/[a-zA-Z]$/.test(sep)) {
          out.push(s.slice(start, k));
          k += sep.length - 1;
          start = k + 1;
          continue;
        }
      }
      // Skip a control word so that its letters are not read as separators.
      const m = /^\\[a-zA-Z]+/.exec(s.slice(k));
      if (m) k += m[0].length - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(sep, k)) {
      out.push(s.slice(start, k));
      k += sep.length - 1;
      start = k + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

const SIMPLE_VAR = /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-zA-Z]\))?$/;
const FUNCTION_WORDS =
  /\\[a-zA-Z]+|\b(?:arcsin|arccos|arctan|sinh|cosh|tanh|sin|cos|tan|cot|sec|csc|log|ln|exp|sqrt|frac|max|min|gcd|lcm|mod|det|pi)/g;

/** True for answers that are words ("Evelyn", "east", "no solution"), compared as text, never symbolically. */
export function isTextAnswer(s: string): boolean {
  return /[a-zA-Z]{3,}/.test(s.replace(FUNCTION_WORDS, ' '));
}

function textKey(s: string): string {
  return s.toLowerCase().replace(/\\[a-zA-Z]+/g, '').replace(/[^a-z0-9]/g, '');
}

function expandPm(s: string): Node[] | null {
  const parts = splitTop(s, '\\pm');
  if (parts.length !== 2) return null;
  const a = parts[0]!;
  const b = parts[1]!;
  const neg = /^[^+-]*$/.test(b.replace(/\{[^{}]*\}/g, '')) ? `-${b}` : `-(${b})`;
  return [
    { kind: 'leaf', text: a === '' ? b : `${a}+${b}` },
    { kind: 'leaf', text: a === '' ? neg : `${a}${neg}` },
  ];
}

function parseElement(s: string): Node {
  const eq = splitTop(s, '=');
  if (eq.length === 2 && eq[0] !== '' && eq[1] !== '') {
    const [lhs, rhs] = eq as [string, string];
    if (SIMPLE_VAR.test(lhs)) return { kind: 'assign', name: lhs, rhs, value: parseAnswer(rhs) };
    return { kind: 'equation', lhs, rhs };
  }
  const pm = expandPm(s);
  if (pm) return { kind: 'set', items: pm };
  const based = /^([0-9A-Za-z]+)_\{?(\d+)\}?$/.exec(s);
  if (based) return { kind: 'based', digits: based[1]!.toUpperCase().replace(/^0+(?=.)/, ''), base: based[2]! };
  if (isTextAnswer(s)) return { kind: 'text', text: s };
  return { kind: 'leaf', text: s };
}

// A bare list's items, with `a \pm b` items spread into two elements.
function listItems(parts: string[]): Node[] {
  const items: Node[] = [];
  for (const p of parts) {
    const n = parseElement(p);
    if (n.kind === 'set') items.push(...n.items);
    else items.push(n);
  }
  return items;
}

/** Reads a normalised answer into its structure. */
function parseAnswer(s: string): Node {
  s = s.replace(/^(?:[a-zA-Z]|\\[a-zA-Z]+)\\in(?![a-zA-Z])/, '');
  if (s === '\\mathbb{R}') return { kind: 'seq', open: '(', close: ')', items: [leaf('-\\infty'), leaf('\\infty')] };
  if (s === '\\emptyset') return { kind: 'set', items: [] };
  const union = splitTop(s, '\\cup');
  if (union.length > 1) return { kind: 'union', parts: union.map(parseAnswer) };
  const matrix = /^\\begin\{pmatrix\}(.*)\\end\{pmatrix\}$/.exec(s);
  if (matrix) {
    const rows = splitTop(matrix[1]!, '\\\\').filter(r => r !== '');
    return { kind: 'matrix', rows: rows.map(r => splitTop(r, '&').map(parseElement)) };
  }
  if (s.startsWith('\\{') && matchingClose(s, 0) === s.length - 2 && s.endsWith('\\}')) {
    const inner = s.slice(2, -2);
    return { kind: 'set', items: inner === '' ? [] : listItems(splitTop(inner, ',')) };
  }
  if ((s[0] === '(' || s[0] === '[') && matchingClose(s, 0) === s.length - 1) {
    const inner = s.slice(1, -1);
    const parts = splitTop(inner, ',');
    if (parts.length > 1) return { kind: 'seq', open: s[0]!, close: s[s.length - 1]!, items: parts.map(parseElement) };
    if (s[0] === '(' && s.endsWith(')')) return parseAnswer(inner); // "(5)", "(C)": plain grouping
  }
  const parts = splitTop(s, ',');
  if (parts.length > 1) return { kind: 'set', items: listItems(parts) };
  return parseElement(s);
}

function leaf(text: string): Node {
  return { kind: 'leaf', text };
}

interface Ctx {
  meter: Meter;
}

function no(reason: string): Verdict {
  return { equal: false, reason };
}
function yes(reason: string): Verdict {
  return { equal: true, reason };
}

function compareLeaves(pred: string, gold: string, ctx: Ctx): Verdict {
  if (pred === gold) return yes('same normalised text');
  const g = parseRationalLiteral(gold);
  const p = parseRationalLiteral(pred);
  // Paper's guard: an integer gold needs a number literal, not an expression that evaluates to it.
  if (g && isIntegerLiteral(gold)) {
    if (!p || p.form === 'fraction' || p.form === 'mixed') return no('integer gold needs a number literal');
    return rationalEquals(p, g) ? yes('equal numbers') : no('different numbers');
  }
  // Paper's guard: fractions must be reduced (2/4 is not accepted for 1/2).
  if (p && !p.reduced) return no('fraction not in lowest terms');
  if (g && p) return rationalEquals(p, g) ? yes('equal numbers') : no('different numbers');
  const verdict = symbolicEqual(pred, gold, ctx.meter);
  switch (verdict) {
    case 'equal':
      return yes('symbolically equal');
    case 'unequal':
      return no('symbolically different');
    default:
      return no('could not parse');
  }
}

function compareSeqs(pred: Node[], gold: Node[], ctx: Ctx): Verdict {
  if (pred.length !== gold.length) return no(`${pred.length} elements, expected ${gold.length}`);
  for (let i = 0; i < gold.length; i++) {
    const v = compareNodes(pred[i]!, gold[i]!, ctx);
    if (!v.equal) return no(`element ${i + 1}: ${v.reason}`);
  }
  return yes('all elements equal');
}

// Multiset match: every gold element pairs with a distinct equal prediction element.
function compareBags(pred: Node[], gold: Node[], ctx: Ctx): Verdict {
  if (pred.length !== gold.length) return no(`${pred.length} elements, expected ${gold.length}`);
  const used = new Array<boolean>(pred.length).fill(false);
  for (let i = 0; i < gold.length; i++) {
    let found = false;
    for (let j = 0; j < pred.length && !found; j++) {
      if (!used[j] && compareNodes(pred[j]!, gold[i]!, ctx).equal) used[j] = found = true;
    }
    if (!found) return no(`no match for element ${i + 1}`);
  }
  return yes('same elements');
}

function asList(n: Node): Node[] {
  return n.kind === 'set' ? n.items : [n];
}

function compareNodes(pred: Node, gold: Node, ctx: Ctx): Verdict {
  ctx.meter.spend(1, 'a structure comparison');
  // `x = 5` against `5` (either side): compare the values (paper drops a short `k =` prefix too).
  if (gold.kind === 'assign' && pred.kind === 'assign') {
    const v = compareNodes(pred.value, gold.value, ctx);
    if (v.equal || pred.name === gold.name) return v;
    return compareEquations(pred.name, pred.rhs, gold.name, gold.rhs, ctx);
  }
  if (gold.kind === 'assign' && pred.kind === 'equation') return compareEquations(pred.lhs, pred.rhs, gold.name, gold.rhs, ctx);
  if (pred.kind === 'assign' && gold.kind === 'equation') return compareEquations(pred.name, pred.rhs, gold.lhs, gold.rhs, ctx);
  if (gold.kind === 'assign') return compareNodes(pred, gold.value, ctx);
  if (pred.kind === 'assign') return compareNodes(pred.value, gold, ctx);

  switch (gold.kind) {
    case 'leaf':
      if (pred.kind === 'leaf') return compareLeaves(pred.text, gold.text, ctx);
      if (pred.kind === 'set' && pred.items.length === 1) return compareNodes(pred.items[0]!, gold, ctx);
      return no(`a ${pred.kind} where a single value was expected`);
    case 'text':
      if (pred.kind === 'text' || pred.kind === 'leaf')
        return textKey(pred.text) === textKey(gold.text) ? yes('same text') : no('different text');
      return no('expected a text answer');
    case 'based':
      if (pred.kind === 'based')
        return pred.digits === gold.digits && pred.base === gold.base ? yes('same base-b number') : no('different base-b number');
      // The digits without the base subscript (paper: integer-vs-non-integer guard rejects them).
      if (pred.kind === 'leaf' && pred.text.toUpperCase().replace(/^0+(?=.)/, '') === gold.digits)
        return yes('same digits, base left implicit');
      return no('expected a base-b number');
    case 'seq':
      if (pred.kind === 'seq') {
        if (pred.open !== gold.open || pred.close !== gold.close) return no('different brackets');
        return compareSeqs(pred.items, gold.items, ctx);
      }
      return no('expected a bracketed tuple or interval');
    case 'set':
      if (pred.kind === 'seq' || pred.kind === 'matrix' || pred.kind === 'union') return no('expected an unordered list');
      return compareBags(asList(pred), gold.items, ctx);
    case 'union':
      if (pred.kind !== 'union') return no('expected a union');
      return compareBags(pred.parts, gold.parts, ctx);
    case 'matrix': {
      if (pred.kind === 'matrix') {
        if (pred.rows.length !== gold.rows.length) return no('different matrix shape');
        for (let r = 0; r < gold.rows.length; r++) {
          const v = compareSeqs(pred.rows[r]!, gold.rows[r]!, ctx);
          if (!v.equal) return no(`row ${r + 1}: ${v.reason}`);
        }
        return yes('equal matrices');
      }
      // A column vector written as a tuple, (1, 2, 3), a common way to state a vector answer.
      if (pred.kind === 'seq' && pred.open === '(' && gold.rows.every(r => r.length === 1))
        return compareSeqs(pred.items, gold.rows.map(r => r[0]!), ctx);
      return no('expected a matrix');
    }
    case 'equation':
      if (pred.kind === 'equation') return compareEquations(pred.lhs, pred.rhs, gold.lhs, gold.rhs, ctx);
      return no('expected an equation');
  }
}

function compareEquations(l1: string, r1: string, l2: string, r2: string, ctx: Ctx): Verdict {
  if (l1 === l2 && r1 === r2) return yes('same equation');
  const v = equationsEqual(l1, r1, l2, r2, ctx.meter);
  if (v === 'equal') return yes('equivalent equations');
  return no(v === 'unparseable' ? 'could not parse equation' : 'different equations');
}

/** Compares a predicted answer with the gold answer and says why. Never throws. */
export function compareAnswers(pred: string | null | undefined, gold: string, options: CompareOptions = {}): Verdict {
  if (pred === null || pred === undefined) return no('no answer');
  const p = normalizeAnswer(pred);
  const g = normalizeAnswer(gold);
  if (p === '') return no('empty answer');
  if (p === g) return yes('same normalised text');
  const ctx: Ctx = { meter: new Meter(options.budget ? { ...GRADER_BUDGET, ...options.budget } : GRADER_BUDGET) };
  try {
    return compareNodes(parseAnswer(p), parseAnswer(g), ctx);
  } catch (err) {
    // Out of budget anywhere (however deep in a structure): the whole comparison is "not equal".
    if (err instanceof BudgetExceeded) return no(BUDGET_EXCEEDED);
    return no(`checker error: ${(err as Error).message}`);
  }
}

/** True when the predicted answer is judged equal to the gold answer (`compareAnswers(...).equal`). */
export function isEquivalent(pred: string | null | undefined, gold: string, options: CompareOptions = {}): boolean {
  return compareAnswers(pred, gold, options).equal;
}
