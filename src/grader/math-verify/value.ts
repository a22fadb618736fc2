// Math-Verify's answer values, read from normalised LaTeX: what its parser (latex2sympy2_extended) makes of
// an answer, in the few shapes its comparison distinguishes. Written from its documented behaviour:
//   `\{1, 2\}` and a bare `1, 2` are finite sets (a bare list keeps its written order, for tuple golds);
//   `(1, 2)` is an open interval, `[1, 2]` closed, `(1, 2]` half-open; three or more items in brackets are a tuple;
//   `A \cup B` a union; `\begin{pmatrix}…` a matrix; `x = 1`, `a < b`, `1 < x \le 2` relations (chains kept);
//   `\text{Evelyn}` and words are text; `25\%` is 25/100; `1,000` is one thousand (a comma before exactly
//   three digits inside a number); everything else is a scalar expression for the symbolic engine.
import { matchingClose } from '../normalize.js';
import { splitTop, isTextAnswer } from '../equivalence.js';

export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export type Value =
  | { kind: 'scalar'; latex: string; percent: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'set'; items: Value[] }
  | { kind: 'tuple'; items: Value[] }
  | { kind: 'interval'; left: Value; right: Value; leftOpen: boolean; rightOpen: boolean }
  | { kind: 'union'; parts: Value[] }
  | { kind: 'matrix'; rows: Value[][] }
  | { kind: 'relation'; ops: RelOp[]; terms: string[] };

/** Longest answer the parser reads; Math-Verify's extraction never yields answers this long in practice. */
export const MAX_ANSWER = 5000;

const REL_TOKENS: Array<[RegExp, RelOp]> = [
  [/^(?:\\leq?|\\leqslant|<=|≤)(?![a-zA-Z])/, '<='],
  [/^(?:\\geq?|\\geqslant|>=|≥)(?![a-zA-Z])/, '>='],
  [/^(?:\\neq?|!=|≠)(?![a-zA-Z])/, '!='],
  [/^(?:<|\\lt(?![a-zA-Z]))/, '<'],
  [/^(?:>|\\gt(?![a-zA-Z]))/, '>'],
  [/^=/, '='],
];

/** Splits at top-level relation symbols: `1 < x \le 2` → terms [1, x, 2], ops [<, <=]. */
function splitRelations(s: string): { terms: string[]; ops: RelOp[] } {
  const terms: string[] = [];
  const ops: RelOp[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && (s[k + 1] === '{' || s[k + 1] === '}')) {
      depth += s[k + 1] === '{' ? 1 : -1;
      k++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth !== 0) continue;
    const rest = s.slice(k, k + 12);
    for (const [re, op] of REL_TOKENS) {
      const m = re.exec(rest);
      if (m) {
        terms.push(s.slice(start, k).trim());
        ops.push(op);
        k += m[0].length - 1;
        start = k + 1;
        break;
      }
    }
    if (c === '\\' && start !== k + 1) {
      const w = /^\\[a-zA-Z]+/.exec(s.slice(k, k + 40));
      if (w) k += w[0].length - 1;
    }
  }
  terms.push(s.slice(start).trim());
  return { terms, ops };
}

/** Joins thousands groups: `1,000,000` → `1000000`, `10,\!000` (already `10,000`), `1{,}000`. */
export function joinThousands(s: string): string {
  return s.replace(/(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d])/g, m => m.replace(/,/g, ''));
}

function scalar(latex: string): Value {
  let t = latex.trim();
  let percent = false;
  if (t.endsWith('\\%')) {
    percent = true;
    t = t.slice(0, -2).trim();
  }
  // `x \in (1, 2)`-style answers name the set: keep the set.
  return { kind: 'scalar', latex: t, percent };
}

function element(s: string): Value {
  const t = s.trim();
  const rel = splitRelations(t);
  if (rel.ops.length > 0 && rel.terms.every(x => x !== '')) return { kind: 'relation', ops: rel.ops, terms: rel.terms };
  const text = /^\\text\s*\{([^{}]*)\}$/.exec(t);
  if (text) {
    const inner = text[1]!.trim();
    // \text{(C)} and \text{C}: the letter; \text{5}: a number
    const unwrapped = /^\(([A-Za-z])\)$/.exec(inner)?.[1] ?? inner;
    return /^-?[\d.,]+$/.test(unwrapped) ? scalar(unwrapped) : { kind: 'text', text: unwrapped };
  }
  if (isTextAnswer(t.replace(/\\text\s*\{([^{}]*)\}/g, '$1'))) return { kind: 'text', text: t.replace(/\\text\s*\{([^{}]*)\}/g, '$1') };
  return scalar(t);
}

/** Reads one normalised LaTeX answer into a value; null when it is empty or too long. */
export function readValue(input: string): Value | null {
  const s = joinThousands(input.trim());
  if (s === '' || s.length > MAX_ANSWER) return null;
  return readStructure(s);
}

function readStructure(s: string): Value {
  if (s === '\\emptyset' || s === '\\varnothing' || s === '\\{\\}') return { kind: 'set', items: [] };
  if (s === '\\mathbb{R}' || s === '\\mathbb R') return interval('-\\infty', '\\infty', true, true);
  const union = splitTop(s, '\\cup');
  if (union.length > 1 && union.every(p => p.trim() !== '')) return { kind: 'union', parts: union.map(p => readStructure(p.trim())) };
  // `x \in [1, 2]`: the set is the answer
  const member = /^(?:[a-zA-Z]|\\[a-zA-Z]+)\s*\\in(?![a-zA-Z])\s*(.+)$/.exec(s);
  if (member) return readStructure(member[1]!.trim());
  const matrix = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$/s.exec(s);
  if (matrix) {
    const rows = splitTop(matrix[2]!, '\\\\').map(r => r.trim()).filter(r => r !== '');
    return { kind: 'matrix', rows: rows.map(r => splitTop(r, '&').map(element)) };
  }
  if (s.startsWith('\\{') && s.endsWith('\\}') && matchingClose(s, 0) === s.length - 2) {
    const inner = s.slice(2, -2).trim();
    return { kind: 'set', items: inner === '' ? [] : splitTop(inner, ',').map(element) };
  }
  if ((s[0] === '(' || s[0] === '[') && (s.endsWith(')') || s.endsWith(']'))) {
    // An interval's brackets need not match each other: `(1, 2]` closes with `]`.
    const inner = s.slice(1, -1);
    const parts = splitTop(inner, ',');
    if (parts.length === 2 && balanced(inner)) return interval(parts[0]!, parts[1]!, s[0] === '(', s.endsWith(')'));
    if (parts.length > 2 && balanced(inner) && s[0] === '(' && s.endsWith(')')) return { kind: 'tuple', items: parts.map(element) };
    if (parts.length > 2 && balanced(inner) && s[0] === '[' && s.endsWith(']')) return { kind: 'tuple', items: parts.map(element) };
  }
  const parts = splitTop(s, ',');
  if (parts.length > 1 && parts.every(p => p.trim() !== '')) return { kind: 'set', items: parts.map(element) };
  const semi = splitTop(s, ';');
  if (semi.length > 1 && semi.every(p => p.trim() !== '')) return { kind: 'set', items: semi.map(element) };
  return element(s);
}

function balanced(s: string): boolean {
  let depth = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && (s[k + 1] === '{' || s[k + 1] === '}')) {
      depth += s[k + 1] === '{' ? 1 : -1;
      k++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function interval(a: string, b: string, leftOpen: boolean, rightOpen: boolean): Value {
  return { kind: 'interval', left: element(a), right: element(b), leftOpen, rightOpen };
}

/** A short rendering of a value, for reasons and the --compare table. */
export function valueText(v: Value): string {
  switch (v.kind) {
    case 'scalar': return v.percent ? `${v.latex}\\%` : v.latex;
    case 'text': return `\\text{${v.text}}`;
    case 'set': return `\\{${v.items.map(valueText).join(', ')}\\}`;
    case 'tuple': return `(${v.items.map(valueText).join(', ')})`;
    case 'interval': return `${v.leftOpen ? '(' : '['}${valueText(v.left)}, ${valueText(v.right)}${v.rightOpen ? ')' : ']'}`;
    case 'union': return v.parts.map(valueText).join(' \\cup ');
    case 'matrix': return `matrix(${v.rows.map(r => r.map(valueText).join(' & ')).join(' \\\\ ')})`;
    case 'relation': return v.terms.map((t, i) => (i === 0 ? t : `${v.ops[i - 1]} ${t}`)).join(' ');
  }
}
