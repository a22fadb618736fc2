// Answer normalisation: turns the many ways of writing one answer into one string, before any comparison.
// It covers what the paper's `strip_string` / MATH `normalize_answer` cover (\left/\right, \dfrac/\tfrac,
// \text{}, units, degrees, percent, dollar signs, thousands separators, trailing .0, spaces, \frac12 and
// \sqrt2 shorthands, word numbers), written afresh. Two deliberate departures from the paper:
// - Units are removed only at the end of an answer and only after a number-like prefix. The paper deletes
//   any standalone word of a long unit list anywhere, including the letters a, c, d, g, h, l, m, s, t, so
//   `(a+5)(b+2)` became `(+5)(b+2)` and `\frac{a}{b}` lost its numerator.
// - The word "and" is not deleted everywhere (the paper's `replace("and", "")` turns "Evelyn and
//   Sandy" into nonsense); " and " between numbers is read as a list separator instead.
// The result is idempotent: normalizeAnswer(normalizeAnswer(x)) === normalizeAnswer(x).

const UNICODE: Array<[RegExp, string]> = [
  [/−|–/g, '-'],
  [/π/g, '\\pi '],
  [/√/g, '\\sqrt'],
  [/∞/g, '\\infty '],
  [/×/g, '\\times '],
  [/·|⋅/g, '\\cdot '],
  [/°/g, '^\\circ'],
  [/≤/g, '\\le '],
  [/≥/g, '\\ge '],
  [/≠/g, '\\ne '],
  [/∪/g, '\\cup '],
  [/∅/g, '\\emptyset '],
  [/ℝ/g, '\\mathbb{R}'],
];

// Unit words removed from the end of an answer ("5 cm", "12\text{ inches}^2", "18.90 dollars").
const UNIT_WORDS = [
  'units?', 'square units?', 'sq\\.? units?', 'cubic units?',
  'cm', 'centimeters?', 'centimetres?', 'mm', 'millimeters?', 'km', 'kilometers?', 'm', 'meters?', 'metres?',
  'in', 'inch', 'inches', 'ft', 'foot', 'feet', 'yards?', 'yd', 'miles?', 'mi', 'mph', 'kmh', 'km/h',
  'square (?:inches|feet|meters|metres|centimeters|miles|yards|units|cm|m|ft|in)', 'sq\\.? ?(?:ft|in|m|cm|units)',
  'cubic (?:inches|feet|meters|centimeters|units|cm|m|ft)',
  'degrees?', 'deg', 'radians?', 'rad',
  'dollars?', 'cents?', 'euros?', 'pounds?', 'lbs?', 'ounces?', 'oz', 'grams?', 'g', 'kg', 'kilograms?',
  'liters?', 'litres?', 'ml', 'gallons?', 'quarts?', 'cups?',
  'seconds?', 'secs?', 's', 'minutes?', 'mins?', 'hours?', 'hrs?', 'h', 'days?', 'weeks?', 'months?', 'years?',
  'people', 'persons?', 'students?', 'ways', 'times', 'points?', 'steps?', 'percent', 'percentage points?',
];
const UNIT_ALT = UNIT_WORDS.filter(u => u.replace(/\W/g, '').length > 1).join('|');
// Words in a text box after a number are units or labels, as in the paper (`\text{ cm}`,
// `\mbox{ inches}^2`, `12 \text{ apples}`); a text box alone (`\text{Evelyn}`) is the answer itself.
const TEXT_UNIT_RE = new RegExp(
  String.raw`^(.*?[\d}).]|.*\\pi|.*\\infty)\s*\\(?:text|mbox|mathrm|textrm|textup|rm)\s*\{\s*[a-zA-Z][a-zA-Z .'/-]*\}(?:\s*\^\s*(?:\{\s*\d\s*\}|\d))?\s*$`,
);
// A bare unit word after a number: "5 cm", "6 units^2". Single-letter units need a space ("3 m", not "3m").
const BARE_UNIT_RE = new RegExp(String.raw`^(.*?[\d}).]|.*\\pi)\s*(?:${UNIT_ALT})(?:\s*\^\s*(?:\{\s*\d\s*\}|\d))?\s*$`);
const BARE_SINGLE_LETTER_UNIT = /^(.*?[\d}).])\s+[msgh]$/;

const WORD_NUMBERS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};

/** "twenty-one" → 21, "three hundred five" → 305; null when the text is not a number in words. */
export function wordNumber(text: string): number | null {
  const words = text.toLowerCase().trim().replace(/-/g, ' ').split(/\s+/).filter(w => w !== 'and');
  if (words.length === 0 || words[0] === '') return null;
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words) {
    if (w in WORD_NUMBERS) {
      current += WORD_NUMBERS[w]!;
      seen = true;
    } else if (w === 'hundred' && seen) current *= 100;
    else if (w === 'thousand' && seen) {
      total += current * 1000;
      current = 0;
    } else if (w === 'million' && seen) {
      total += current * 1_000_000;
      current = 0;
    } else return null;
  }
  return seen ? total + current : null;
}

// Reads one TeX argument at s[i]: a braced group, a control word, or one character. Returns [arg, next index].
function readArg(s: string, i: number): [string, number] | null {
  while (i < s.length && s[i] === ' ') i++;
  if (i >= s.length) return null;
  if (s[i] === '{') {
    let depth = 0;
    for (let k = i; k < s.length; k++) {
      if (s[k] === '{') depth++;
      else if (s[k] === '}' && --depth === 0) return [s.slice(i + 1, k), k + 1];
    }
    return null;
  }
  if (s[i] === '\\') {
    const m = /^\\[a-zA-Z]+/.exec(s.slice(i));
    if (m) return [m[0], i + m[0].length];
    return [s.slice(i, i + 2), i + 2];
  }
  if (s[i] === '}' || s[i] === '^' || s[i] === '_') return null;
  return [s[i]!, i + 1];
}

/** `\frac12` → `\frac{1}{2}`, `\frac 59` → `\frac{5}{9}` (TeX one-token arguments); `\sqrt13` → `\sqrt{13}`. */
export function braceArguments(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const m = /^\\(frac|binom|sqrt)(?![a-zA-Z])/.exec(s.slice(i));
    if (!m) {
      out += s[i];
      i++;
      continue;
    }
    const name = m[1]!;
    let j = i + m[0].length;
    if (name === 'sqrt') {
      // \sqrt[3]{x}: keep the index as written.
      let index = '';
      const k = j;
      let p = k;
      while (p < s.length && s[p] === ' ') p++;
      if (s[p] === '[') {
        const close = s.indexOf(']', p);
        if (close > 0) {
          index = s.slice(p, close + 1);
          j = close + 1;
        }
      }
      // `\sqrt13` is √1·3 to TeX but √13 to whoever wrote it (and to the paper's `_fix_sqrt`): a run of
      // digits is one argument.
      let p2 = j;
      while (p2 < s.length && s[p2] === ' ') p2++;
      const digits = /^\d+/.exec(s.slice(p2));
      const a: [string, number] | null = digits ? [digits[0], p2 + digits[0].length] : readArg(s, j);
      if (!a) {
        out += s.slice(i, j);
        i = j;
        continue;
      }
      out += `\\sqrt${index}{${braceArguments(a[0])}}`;
      i = a[1];
      continue;
    }
    const a = readArg(s, j);
    const b = a ? readArg(s, a[1]) : null;
    if (!a || !b) {
      out += s.slice(i, j);
      i = j;
      continue;
    }
    out += `\\${name}{${braceArguments(a[0])}}{${braceArguments(b[0])}}`;
    i = b[1];
  }
  return out;
}

// Removes `\text{…}`-like wrappers, keeping their content.
function unwrapText(s: string): string {
  let prev: string;
  do {
    prev = s;
    s = s.replace(/\\(?:text|textbf|textit|textrm|textup|mbox|mathrm|mathbf|mathit|boldsymbol|bf|rm)\s*\{([^{}]*)\}/g, '$1');
  } while (s !== prev);
  return s;
}

// Removes spaces, except where one separates a control word from a following letter (`\cot x`).
function squeezeSpaces(s: string): string {
  const parts = s.split(/\s+/).filter(p => p !== '');
  let out = '';
  let prev = '';
  for (const p of parts) {
    if (prev !== '' && /\\[a-zA-Z]+$/.test(prev) && /^[a-zA-Z]/.test(p)) out += ' ';
    out += p;
    prev = p;
  }
  return out;
}

// Numbers: 142.0 → 142, 1.250 → 1.25, .5 → 0.5 (inside larger expressions too, as the paper does).
function canonicalNumbers(s: string): string {
  s = s.replace(/(^|[^\d.])\.(\d)/g, '$10.$2');
  // (?<!\d) keeps these linear on long digit runs.
  s = s.replace(/(?<!\d)(\d+\.\d*?[1-9])0+(?![\d])/g, '$1');
  s = s.replace(/(?<!\d)(\d+)\.0+(?![\d])/g, '$1');
  s = s.replace(/(?<!\d)(\d+)\.(?![\d\\])/g, '$1'); // but 0.\overline{3} keeps its point
  return s;
}

function stripOuterBraces(s: string): string {
  while (s.startsWith('{') && s.endsWith('}') && matchingClose(s, 0) === s.length - 1) s = s.slice(1, -1);
  return s;
}

/** Index of the bracket that closes the one opened at s[i] (any of ( [ { ), or -1. */
export function matchingClose(s: string, i: number): number {
  let depth = 0;
  for (let k = i; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && (s[k + 1] === '{' || s[k + 1] === '}')) {
      depth += s[k + 1] === '{' ? 1 : -1;
      k++;
      if (depth === 0) return k - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** Normalises an answer string (see the file comment). Never throws. */
export function normalizeAnswer(input: string | null | undefined): string {
  if (input === null || input === undefined) return '';
  let s = String(input);
  s = s.replace(/ки/g, '');
  for (const [re, rep] of UNICODE) s = s.replace(re, rep);
  s = s.replace(/[\r\n\t]+/g, ' ').trim();

  // Math delimiters and dollar signs.
  s = s.replace(/^\\\[(.*)\\\]$/, '$1').replace(/^\\\((.*)\\\)$/, '$1');
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  s = s.replace(/\\displaystyle|\\textstyle/g, '');
  // A box left around an answer that was extracted elsewhere (a `pred` field, a hand-written label).
  s = s.trim();
  while (/^\\(?:boxed|fbox)\s*\{/.test(s) && s.endsWith('}') && matchingClose(s, s.indexOf('{')) === s.length - 1)
    s = s.slice(s.indexOf('{') + 1, -1).trim();

  // Thousands separators written for TeX: 10,\!080 and 10{,}080.
  s = s.replace(/(\d)(?:,\\!|\{,\})\s*(?=\d{3}(?:\D|$))/g, '$1');
  // Spacing commands; `\\` (a matrix row break) is matched first so its second backslash is left alone.
  s = s.replace(/\\\\|\\!|\\[,;:> ]|~|\\q?quad(?![a-zA-Z])/g, m => (m === '\\\\' ? m : m === '\\!' ? '' : ' '));

  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big)\s*(\.|\\[{}|]|[()[\]|])/g, (_m, d: string) =>
    d === '.' ? '' : d,
  );
  s = s.replace(/\\(?:left|right)(?![a-zA-Z])/g, '');
  s = s.replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac').replace(/\\[dt]binom(?![a-zA-Z])/g, '\\binom');
  s = s.replace(/\\neq(?![a-zA-Z])/g, '\\ne').replace(/\\leq(?![a-zA-Z])/g, '\\le').replace(/\\geq(?![a-zA-Z])/g, '\\ge');
  s = s.replace(/\\(?:begin|end)\{(?:b|v|B|small)?matrix\}/g, m => m.replace(/\{[a-zA-Z]*matrix\}/, '{pmatrix}'));
  s = s.replace(/\\begin\{array\}\{[^}]*\}/g, '\\begin{pmatrix}').replace(/\\end\{array\}/g, '\\end{pmatrix}');

  // Degrees and percent.
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree/g, '');
  s = s.replace(/\\%|%/g, '');

  // Units at the end, then text wrappers.
  s = s.trim();
  // (Only on answer-sized strings: these patterns backtrack, and a 10,000-character "answer" from an
  // unclosed box has no unit to remove.)
  for (let k = 0; k < 2 && s.length <= 300; k++) {
    const m = TEXT_UNIT_RE.exec(s) ?? BARE_UNIT_RE.exec(s) ?? BARE_SINGLE_LETTER_UNIT.exec(s);
    if (m && m[1]!.trim() !== '') s = m[1]!.trim();
  }
  s = unwrapText(s);

  // "1 and 2", "1 or 2" between numbers: list separators.
  if (/\d/.test(s)) s = s.replace(/\s+(?:and|or)\s+/g, ', ');
  if (/^[a-zA-Z -]+$/.test(s.trim())) {
    const n = wordNumber(s);
    if (n !== null) s = String(n);
  }

  // Infinity and empty set spellings.
  s = s.replace(/\binfinity\b/gi, '\\infty').replace(/(^|[^\\a-zA-Z])inf\b/g, '$1\\infty');
  s = s.replace(/\\varnothing|\\\{\s*\\\}|\\emptyset/g, '\\emptyset');

  s = braceArguments(s);
  s = squeezeSpaces(s);
  s = s.replace(/\+\\infty/g, '\\infty');
  s = stripOuterBraces(s);
  s = canonicalNumbers(s);

  // Whole-answer number forms: thousands commas, signs, leading zeros, number words.
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (/^\+\d/.test(s)) s = s.slice(1);
  if (/^-?0+\d/.test(s) && !/\./.test(s.replace(/^-?0+(?=\d)/, ''))) s = s.replace(/^(-?)0+(?=\d)/, '$1');
  else if (/^-?0+\d+\.\d+$/.test(s)) s = s.replace(/^(-?)0+(?=\d)/, '$1');
  if (s === '-0') s = '0';

  while (s.endsWith('.') || s.endsWith(',')) s = s.slice(0, -1);
  return s.trim();
}
