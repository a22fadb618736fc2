// Re-spellings of MATH-500's answers for the Math-Verify grader's tests and bench (issue 20): equivalent
// spellings a model might write (\dfrac for \frac, a decimal for a fraction, a set reordered, thousands
// separators, \left( … \right), a unit in \text{}) and near-misses that must be rejected (a digit changed,
// the sign flipped, an interval end opened or closed). Each generator returns null where it does not apply.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/golden.js';
import { splitTop } from '../../../src/grader/equivalence.js';

export interface Variant { id: string; gold: string; answer: string; kind: string; equivalent: boolean }

export function math500Answers(): Array<{ id: string; answer: string }> {
  return (JSON.parse(readFileSync(join(REPO, 'data/math500.json'), 'utf8')) as Array<{ id: string; answer: string }>).map(r => ({ id: r.id, answer: r.answer }));
}

const FRACTION = /^(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}$/;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+\.\d+$/;
const INTERVAL = /^(\\left)?([[(])(.*?)(\\right)?([\])])$/;

/** a/b as a decimal with 12 places (truncated): rounds to the same 6 places as a/b unless digits 7–12 are 49999… */
function decimalOf(sign: string, a: bigint, b: bigint): string {
  const whole = a / b;
  const frac = ((a % b) * 10n ** 12n) / b;
  return `${sign}${whole}.${frac.toString().padStart(12, '0')}`;
}

function withThousands(n: string): string {
  const neg = n.startsWith('-');
  const digits = neg ? n.slice(1) : n;
  return (neg ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const isPlainList = (s: string) => !/^[[(\\]/.test(s) && !/,\s*\\!|,\d{3}/.test(s) && splitTop(s, ',').length > 1;
const isScalar = (s: string) => splitTop(s, ',').length === 1 && !/[=<>]|\\[lg]eq?|\\cup|\\text|matrix|\\infty|\\in\b/.test(s);

export function equivalents(gold: string): Array<{ kind: string; answer: string }> {
  const out: Array<{ kind: string; answer: string }> = [{ kind: 'itself', answer: gold }];
  if (gold.includes('\\frac')) out.push({ kind: '\\dfrac for \\frac', answer: gold.replace(/\\frac/g, '\\dfrac') });
  const f = FRACTION.exec(gold);
  if (f && f[3] !== '0') out.push({ kind: 'decimal for fraction', answer: decimalOf(f[1]!, BigInt(f[2]!), BigInt(f[3]!)) });
  if (isPlainList(gold)) out.push({ kind: 'set reordered', answer: splitTop(gold, ',').map(s => s.trim()).reverse().join(', ') });
  const set = /^\\\{(.*)\\\}$/.exec(gold);
  if (set && splitTop(set[1]!, ',').length > 1) out.push({ kind: 'set reordered', answer: `\\{${splitTop(set[1]!, ',').map(s => s.trim()).reverse().join(', ')}\\}` });
  const plain = gold.replace(/,\\!/g, '').replace(/\{,\}/g, '');
  if (INTEGER.test(plain) && Math.abs(Number(plain)) >= 1000) out.push({ kind: 'thousands separators', answer: withThousands(plain) });
  if (/^[[(]/.test(gold) && !gold.includes('\\left')) out.push({ kind: '\\left( \\right)', answer: `\\left${gold[0]} ${gold.slice(1, -1)} \\right${gold[gold.length - 1]}` });
  if (INTEGER.test(gold) || DECIMAL.test(gold) || f) out.push({ kind: 'text unit', answer: `${gold} \\text{ cm}` });
  return out;
}

/**
 * The first digit of the answer changed (9 → 8, else +1). The first, not the last: Math-Verify rounds decimals
 * to 6 places, so a changed 7th decimal (.0000672 → .0000673) is, by its rules, the same answer.
 */
function changeDigit(gold: string): string | null {
  const m = /\d/.exec(gold);
  if (!m) return null;
  const d = Number(m[0]);
  return gold.slice(0, m.index) + String(d === 9 ? 8 : d + 1) + gold.slice(m.index + 1);
}

export function nearMisses(gold: string): Array<{ kind: string; answer: string }> {
  const out: Array<{ kind: string; answer: string }> = [];
  // Base-b answers (52_8) change meaning with their subscript; text answers have no digits to change.
  if (!/_\{?\d/.test(gold) && !/\\text/.test(gold)) {
    const c = changeDigit(gold);
    if (c !== null) out.push({ kind: 'changed digit', answer: c });
  }
  if (isScalar(gold) && !/^0$|^-?0\.0*$/.test(gold) && !/_\{?\d/.test(gold) && /\d|\\pi|[a-z]/.test(gold)) {
    out.push({ kind: 'flipped sign', answer: gold.startsWith('-') && !/[+-]/.test(gold.slice(1)) ? gold.slice(1) : `-(${gold})` });
  }
  const iv = INTERVAL.exec(gold);
  if (iv && splitTop(iv[3]!, ',').length === 2 && !(iv[2] === '(' && iv[5] === ')')) {
    // Half-open or closed intervals: open the closed end (or close the open one).
    const open = iv[2] === '[' ? '(' : '[';
    out.push({ kind: 'open vs closed interval', answer: `${iv[1] ?? ''}${open}${iv[3]}${iv[4] ?? ''}${iv[5]}` });
  }
  return out;
}

export function variants(): Variant[] {
  const out: Variant[] = [];
  for (const { id, answer } of math500Answers()) {
    for (const e of equivalents(answer)) out.push({ id, gold: answer, answer: e.answer, kind: e.kind, equivalent: true });
    for (const n of nearMisses(answer)) out.push({ id, gold: answer, answer: n.answer, kind: n.kind, equivalent: false });
  }
  return out;
}

/** A response that states the answer as most models do. */
export const responseFor = (answer: string) => `Putting it together, the answer is $\\boxed{${answer}}$.`;

export interface DisagreementTable {
  /** Per kind of variant: cases, accepted by Math-Verify, accepted by the paper's grader. */
  byKind: Array<{ kind: string; equivalent: boolean; cases: number; mathVerify: number; paper: number; disagree: number }>;
  /** The cases where the two graders disagree, by kind, with a few examples each. */
  markdown: string;
}

/** Grades every variant with both graders and tabulates where they disagree (the closing table). */
export function disagreementTable(vs: Variant[], grade: (g: 'paper' | 'math_verify', response: string, gold: string) => boolean): DisagreementTable {
  const rows = new Map<string, { kind: string; equivalent: boolean; cases: number; mathVerify: number; paper: number; disagree: number; examples: string[] }>();
  for (const v of vs) {
    const key = `${v.equivalent ? 'equivalent' : 'near-miss'}: ${v.kind}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { kind: v.kind, equivalent: v.equivalent, cases: 0, mathVerify: 0, paper: 0, disagree: 0, examples: [] }));
    const response = responseFor(v.answer);
    const m = grade('math_verify', response, v.gold);
    const p = grade('paper', response, v.gold);
    r.cases++;
    if (m) r.mathVerify++;
    if (p) r.paper++;
    if (m !== p) r.disagree++;
    if (m !== p && r.examples.length < 3) r.examples.push(`\`${v.answer}\` for \`${v.gold}\``);
  }
  const byKind = [...rows.values()].map(({ examples: _e, ...rest }) => rest);
  const lines = [
    '| variant | cases | accepted by math_verify | accepted by paper | disagree | examples of disagreement |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...[...rows.values()].map(r => {
      return `| ${r.equivalent ? 'equivalent' : 'near-miss'}: ${r.kind.replace(/\|/g, '\\|')} | ${r.cases} | ${r.mathVerify} | ${r.paper} | ${r.disagree} | ${r.examples.join('; ').replace(/\|/g, '\\|')} |`;
    }),
  ];
  return { byKind, markdown: lines.join('\n') + '\n' };
}
