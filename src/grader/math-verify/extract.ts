// Math-Verify's answer extraction: extraction targets (LaTeX, plain expression, string choices), each a set
// of patterns with priorities, from the most concrete anchor to none:
//     0  "final answer is X. I hope"          50  "final answer … is X", and \boxed{X} (boxedPriority)
//   100  "answer: … X" (within 50 characters) 200  "answer … X"
//   250  a string choice at the very start    300  X anywhere (when tryWithoutAnchor)
// Priorities are tried in increasing order; within one, the candidates of every target are tried from the
// one that ends last (ties: the one that starts first), and the first that reads as an answer wins. What
// X is depends on the target: a LaTeX environment ($…$, $$…$$, \(…\), \[…\], " […] ", a plain \frac{a}{b};
// up to six joined by "," / "and" / "or" make one set answer; an optional "%"/"percent" after it), a
// plain number (thousands separators "1,234" and "1 234", decimal comma "2,74", ".5", a percent) or
// arithmetic on numbers ("1/2", "3*4"), or one of a list of strings ("A".."D"). Written from Math-Verify's
// documentation and behaviour, not its code: hand-written linear scans instead of its regular expressions,
// so a 100 kB response is read in milliseconds. Each candidate read spends the comparison's Meter.
import type { Meter } from '../symbolic.js';
import { MAX_ANSWER } from './value.js';

// A closing delimiter further than this from its opening is not looked for: no answer is that long, and a
// bounded search keeps a response of unclosed delimiters linear.
const MAX_SPAN = MAX_ANSWER + 100;

/**
 * indexOf within MAX_SPAN characters of `from` (-1: none; OVERLONG: only further away), remembering a miss:
 * later searches past it miss too.
 */
const OVERLONG = -2;
function closerFinder(text: string, closer: string): (from: number) => number {
  let noneAfter = Infinity;
  return from => {
    if (from >= noneAfter) return -1;
    const k = text.indexOf(closer, from);
    if (k < 0) noneAfter = from;
    return k < 0 ? -1 : k - from <= MAX_SPAN ? k : OVERLONG;
  };
}

/** A delimited answer too long to be one: reading it exceeds the budget (as Math-Verify's parse would time out). */
const overlong = (start: number, end: number): Base => ({ start, end, parts: [{ text: '', percent: false, boxed: false, overlong: true }] });

export interface LatexTarget {
  kind: 'latex';
  /** Priority of \boxed{…} answers (Math-Verify's default: 50; 0 puts boxes first; -1: no boxes). */
  boxedPriority: number;
  /** Also take LaTeX without an anchor (priority 300). */
  tryWithoutAnchor: boolean;
}
export interface ExprTarget {
  kind: 'expr';
  tryWithoutAnchor: boolean;
}
export interface StringTarget {
  kind: 'string';
  strings: readonly string[];
  tryWithoutAnchor: boolean;
  lowercase: boolean;
}
export type ExtractionTarget = LatexTarget | ExprTarget | StringTarget;

export const latexTarget = (o: Partial<Omit<LatexTarget, 'kind'>> = {}): LatexTarget => ({ kind: 'latex', boxedPriority: 50, tryWithoutAnchor: true, ...o });
export const exprTarget = (o: Partial<Omit<ExprTarget, 'kind'>> = {}): ExprTarget => ({ kind: 'expr', tryWithoutAnchor: true, ...o });
export const stringTarget = (o: Partial<Omit<StringTarget, 'kind'>> = {}): StringTarget => ({ kind: 'string', strings: ['A', 'B', 'C', 'D'], tryWithoutAnchor: true, lowercase: true, ...o });

/** One extracted answer: LaTeX parts (several when joined by and/or/commas), or a string choice. */
export interface Candidate {
  start: number;
  end: number;
  priority: number;
  target: ExtractionTarget['kind'];
  /** The answer's text pieces; a LaTeX candidate of several pieces is a set of them. */
  parts: Array<{ text: string; percent: boolean; boxed: boolean; overlong?: true }>;
}

interface Base { start: number; end: number; parts: Candidate['parts'] }

const PERCENT_AFTER = /^\s*(?:\\?%|[Pp]ercentage|[Pp]ercent|[Pp]ct)/;
const JOIN = /^\s*(?:,?\s*and|,?\s*or|,)\s*$/;

/** LaTeX environments, left to right, not overlapping (as one alternation of Math-Verify's patterns). */
function latexEnvs(text: string): Base[] {
  const out: Base[] = [];
  let i = 0;
  const n = text.length;
  const find = { $$: closerFinder(text, '$$'), '\\]': closerFinder(text, '\\]'), '\\)': closerFinder(text, '\\)') };
  const push = (start: number, contentStart: number, contentEnd: number, end: number) => {
    const tail = PERCENT_AFTER.exec(text.slice(end, end + 16));
    out.push({ start, end: end + (tail ? tail[0].length : 0), parts: [{ text: text.slice(contentStart, contentEnd), percent: tail !== null, boxed: false }] });
  };
  while (i < n) {
    const c = text[i]!;
    const escaped = i > 0 && text[i - 1] === '\\';
    if (c === '$' && !escaped) {
      if (text[i + 1] === '$') {
        const close = find.$$(i + 2);
        if (close === OVERLONG) {
          out.push(overlong(i, i + MAX_SPAN));
          i += 2;
          continue;
        }
        if (close > i + 2) {
          push(i, i + 2, close, close + 2);
          i = close + 2;
          continue;
        }
      } else if (!(i > 0 && /\d/.test(text[i - 1]!))) {
        let k = i + 1;
        const stop = Math.min(n, i + MAX_SPAN);
        while (k < stop && text[k] !== '\n' && !(text[k] === '$' && text[k - 1] !== '\\')) k++;
        if (k === stop && stop < n) {
          out.push(overlong(i, stop));
          i = stop;
          continue;
        }
        if (k < n && text[k] === '$' && k > i + 1) {
          push(i, i + 1, k, k + 1);
          i = k + 1;
          continue;
        }
      }
    } else if (c === '\\' && !escaped && (text[i + 1] === '[' || text[i + 1] === '(')) {
      const closer = text[i + 1] === '[' ? '\\]' : '\\)';
      let close = find[closer](i + 2);
      while (close > 0 && text[close - 1] === '\\') close = find[closer](close + 1);
      if (close === OVERLONG) {
        out.push(overlong(i, i + MAX_SPAN));
        i += 2;
        continue;
      }
      const content = close > 0 ? text.slice(i + 2, close) : '';
      if (close > i + 2 && (closer === '\\]' || !content.includes('\n'))) {
        push(i, i + 2, close, close + 2);
        i = close + 2;
        continue;
      }
    } else if (c === '[' && i > 0 && /\s/.test(text[i - 1]!)) {
      let k = i + 1;
      const stop = Math.min(n, i + MAX_SPAN);
      while (k < stop && text[k] !== '\n' && text[k] !== '[' && text[k] !== ']') k++;
      if (k < n && text[k] === ']' && k > i + 1 && /\s/.test(text[k + 1] ?? '')) {
        push(i - 1, i + 1, k, k + 2);
        i = k + 2;
        continue;
      }
    } else if (c === '\\' && text.startsWith('\\frac{', i)) {
      const m = /^-?\\frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\}/.exec(text.slice(i, i + 60));
      if (m) {
        push(i, i, i + m[0].length, i + m[0].length);
        i += m[0].length;
        continue;
      }
    }
    i++;
  }
  return joinRuns(text, out);
}

// Up to six answers joined by "," / "and" / "or" are one answer (a set).
function joinRuns(text: string, bases: Base[]): Base[] {
  const out: Base[] = [];
  for (const b of bases) {
    const last = out[out.length - 1];
    if (last && last.parts.length < 6 && JOIN.test(text.slice(last.end, b.start))) {
      last.end = b.end;
      last.parts.push(...b.parts);
    } else out.push({ start: b.start, end: b.end, parts: [...b.parts] });
  }
  return out;
}

/** Every \boxed{…} (brace-matched), consecutive boxes joined by and/or/commas (and math delimiters). */
function boxes(text: string): Base[] {
  const out: Base[] = [];
  let i = text.indexOf('\\boxed');
  while (i >= 0) {
    let k = i + 6;
    while (text[k] === ' ') k++;
    if (text[k] === '{') {
      let depth = 0;
      let j = k;
      const stop = Math.min(text.length, k + MAX_SPAN);
      for (; j < stop; j++) {
        if (text[j] === '\\') { j++; continue; }
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      if (j === stop && stop < text.length) {
        out.push(overlong(i, stop));
        i = text.indexOf('\\boxed', i + 6);
        continue;
      }
      if (j < stop) {
        const tail = PERCENT_AFTER.exec(text.slice(j + 1, j + 17).replace(/^\s*\$/, ''));
        out.push({ start: i, end: j + 1, parts: [{ text: text.slice(k + 1, j), percent: tail !== null, boxed: true }] });
        i = text.indexOf('\\boxed', j + 1);
        continue;
      }
    }
    i = text.indexOf('\\boxed', i + 6);
  }
  const joined: Base[] = [];
  for (const b of out) {
    const last = joined[joined.length - 1];
    const between = last ? text.slice(last.end, b.start).replace(/\$|\\[()[\]]/g, '') : '';
    if (last && last.parts.length < 6 && JOIN.test(between)) {
      last.end = b.end;
      last.parts.push(...b.parts);
    } else joined.push({ start: b.start, end: b.end, parts: [...b.parts] });
  }
  return joined;
}

const CURRENCY = '$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₭₮₯₰₱₲₳₴₵₶₷₸₺₻₼₾₿';
// A plain number after a start, a space or "=" (optionally bold, optionally after a currency sign).
const NUMBER = new RegExp(
  `(?:^|(?<=[\\s=]))(?:\\*\\*)?[${CURRENCY.replace(/\$/g, '\\$')}]?` +
    '(?<![\\d])(?:(?<int1>-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+)(?<dec1>\\.\\d+)?|(?<int2>-?\\d+)(?<dec2>[.,]\\d+)|(?<dec3>\\.\\d+)|(?<int3>-?\\d+))' +
    '(?<pct>\\s*(?:%|[Pp]ercentage|[Pp]ercent|[Pp]ct))?',
  'g',
);
const EXPR_CHARS = /[\d.\s+\-*×/^()÷]/;
const EXPR_OPS = /[+\-*×/^()÷]/;
const EXPR_SUFFIX = /[.,:\s)$]/;

/** Plain numbers and number arithmetic, left to right, not overlapping. Linear: one scan per maximal run. */
function exprs(text: string): Base[] {
  const out: Base[] = [];
  // Arithmetic ("1/2", "3 * (4 + 5)"): a run of expression characters that starts with a digit (after an
  // optional "-" and "("), holds an operator after its first digit and ends before a suffix character.
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startOk = i === 0 || /[\s=]/.test(text[i - 1]!);
    if (!startOk || !/[-(\d]/.test(text[i]!)) { i++; continue; }
    let k = i;
    while (k < n && EXPR_CHARS.test(text[k]!)) k++;
    const run = text.slice(i, k);
    const lead = /^-?\(?-?\d/.exec(run);
    if (lead) {
      // The longest prefix of the run that ends where a suffix character (or the run's end) follows.
      let end = run.length;
      const validEnd = (e: number) => e === run.length ? k >= n || EXPR_SUFFIX.test(text[k]!) : EXPR_SUFFIX.test(run[e]!);
      while (end > lead[0].length && !validEnd(end)) end--;
      let body = run.slice(0, end).replace(/\s+$/, '');
      if (body.endsWith('.')) body = body.slice(0, -1);
      const afterLead = body.slice(lead[0].length);
      if (EXPR_OPS.test(afterLead.slice(0, -1)) && !/^-?\d+(?:\.\d+)?$/.test(body) && balancedParens(body)) {
        out.push({ start: i, end: i + body.length, parts: [{ text: body, percent: false, boxed: false }] });
        i += Math.max(1, body.length);
        continue;
      }
    }
    i = Math.max(i + 1, k);
  }
  // Plain numbers, outside the arithmetic found above (both lists run left to right: one pointer).
  const arithmetic = out.length;
  let a = 0;
  for (const m of text.matchAll(NUMBER)) {
    const g = m.groups!;
    const int = (g.int1 ?? g.int2 ?? g.int3 ?? '').replace(/[ ,]/g, '');
    const dec = (g.dec1 ?? g.dec2 ?? g.dec3 ?? '').replace(',', '.');
    const neg = int.startsWith('-');
    const digits = (neg ? int.slice(1) : int).replace(/^0+/, '') || '0';
    const number = `${neg ? '-' : ''}${digits}${dec}`;
    while (a < arithmetic && out[a]!.end <= m.index!) a++;
    if (a < arithmetic && out[a]!.start <= m.index!) continue;
    out.push({ start: m.index!, end: m.index! + m[0].length, parts: [{ text: number, percent: g.pct !== undefined, boxed: false }] });
  }
  return out.sort((a, b) => a.start - b.start);
}

function balancedParens(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** String choices ("A".."D"): the key alone, after a start or a space, optionally bold, before punctuation or a space. */
function choices(text: string, t: StringTarget): Base[] {
  const keys = t.strings.map(s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const re = new RegExp(`(?:^|(?<=\\s))(?:\\*\\*)?(${keys})(?:\\*\\*)?(?=[.,:\\s]|$)`, 'g');
  return [...text.matchAll(re)].map(m => ({ start: m.index!, end: m.index! + m[0].length, parts: [{ text: m[1]!, percent: false, boxed: false }] }));
}

const FINAL_IS_HOPE = /final answer is:?\s*$/i;
const HOPE_AFTER = /^\.?\s?I hope/;
const FINAL_JUST_IS = /final answer[\s\S]{0,100}?\s+is:?\s*$/i;

/**
 * Candidates anchored by a word: for each occurrence of the anchor, the first base answer that starts within
 * `window` characters after it ("answer" in "the answer is 5" anchors 5); for "=" chains, the answer after
 * the last "=" within 100 characters.
 */
function anchored(text: string, bases: Base[], anchor: RegExp, window: number, priority: number, target: Candidate['target'], afterEquals: boolean): Candidate[] {
  const out: Candidate[] = [];
  let consumed = 0;
  let b = 0;
  for (const m of text.matchAll(anchor)) {
    if (m.index! < consumed) continue;
    const from = m.index! + m[0].length;
    while (b < bases.length && bases[b]!.start < from) b++;
    let pick: Base | undefined;
    if (afterEquals) {
      const eq = text.slice(from, from + 100).lastIndexOf('=');
      for (let j = b; eq >= 0 && j < bases.length && bases[j]!.start <= from + eq + 4; j++) {
        const x = bases[j]!;
        if (x.start > from + eq && /^\s*$/.test(text.slice(from + eq + 1, x.start).replace(/\*\*/g, ''))) pick = x;
      }
    }
    const first = bases[b];
    if (!pick && first && first.start - from <= window) pick = first;
    if (pick) {
      out.push({ start: m.index!, end: pick.end, priority, target, parts: pick.parts });
      consumed = pick.end;
    }
  }
  return out;
}

function candidatesOf(text: string, target: ExtractionTarget): Candidate[] {
  const bases = target.kind === 'latex' ? latexEnvs(text) : target.kind === 'expr' ? exprs(text) : choices(text, target);
  const out: Candidate[] = [];
  const cand = (x: Base, priority: number): Candidate => ({ start: x.start, end: x.end, priority, target: target.kind, parts: x.parts });
  for (const x of bases) {
    const before = text.slice(Math.max(0, x.start - 140), x.start);
    if (FINAL_IS_HOPE.test(before) && HOPE_AFTER.test(text.slice(x.end, x.end + 8))) out.push(cand(x, 0));
    if (FINAL_JUST_IS.test(before)) out.push(cand(x, 50));
  }
  out.push(...anchored(text, bases, /answer:/gi, 50, 100, target.kind, target.kind === 'expr'));
  out.push(...anchored(text, bases, /answer/gi, 50, 200, target.kind, target.kind === 'expr'));
  if (target.kind === 'string' && bases[0] && /^(?:\*\*)?$/.test(text.slice(0, bases[0].start))) out.push(cand(bases[0], 250));
  if (target.tryWithoutAnchor) out.push(...bases.map(x => cand(x, 300)));
  if (target.kind === 'latex' && target.boxedPriority >= 0) out.push(...boxes(text).map(x => cand(x, target.boxedPriority)));
  return out;
}

/**
 * All candidates of all targets in the order Math-Verify tries them: by priority, then the one that ends
 * last first (ties: the one that starts first). Reading stops at the first that parses (the caller's job).
 */
export function orderedCandidates(text: string, targets: readonly ExtractionTarget[], meter: Meter): Candidate[] {
  const all: Candidate[] = [];
  for (const t of targets) all.push(...candidatesOf(text, t));
  meter.spend(Math.floor(text.length / 10_000), 'scanning a long response');
  return all.sort((a, b) => a.priority - b.priority || b.end - a.end || a.start - b.start);
}
