// LaTeX clean-up before Math-Verify's parse, following its NormalizationConfig (basic_latex, units,
// malformed_operators, nits; boxed contents are taken by the extractor): drop presentation commands
// (\left, \right, \displaystyle, \!, \$), spell \dfrac/\tfrac as \frac, read "percent"/"pct" as \%,
// "and"/"or" between items as commas, remove a trailing unit (a \text{…} or a unit word after a number),
// repair \frac12, \sqrt2, a^(b), and turn a leading ".5" into "0.5". Written from Math-Verify's rules, not
// its code. Every rule is a linear pass, so a 100 kB string costs a few milliseconds.

// Unit words removed after a number at the end of an answer (`10 cm`, `5 \text{ inches}`, `3 degrees`):
// the common ones of Math-Verify's list, without its single letters that are also variables.
const UNIT_WORDS = [
  'feet', 'foot', 'inches', 'inch', 'miles', 'mile', 'mph', 'kmph', 'kmh', 'meters', 'meter', 'metres', 'metre',
  'cm', 'mm', 'km', 'kg', 'gm', 'grams', 'gram', 'pounds', 'pound', 'lb', 'ft', 'yards', 'yard', 'degrees', 'degree',
  'deg', 'hours', 'hour', 'hr', 'minutes', 'minute', 'min', 'seconds', 'second', 'sec', 'days', 'day', 'weeks', 'week',
  'months', 'month', 'years', 'year', 'yr', 'dollars', 'dollar', 'cents', 'cent', 'units', 'unit', 'square', 'sq',
  'cubic', 'liters', 'liter', 'litres', 'litre', 'gallons', 'gallon', 'acres', 'acre', 'hectare', 'people', 'students',
  'student', 'apples', 'apple', 'coins', 'coin', 'ways', 'way', 'edges', 'edge', 'digits', 'digit', 'points', 'point',
  'rupees', 'rupee', 'rs', 'cc', 'ohm', 'mtr', 'cu', 'am', 'pm', 'p.m', 'a.m',
];
// Units with an optional superscript (cm^2, \text{m}^3), after a digit, a closing brace or a space.
const UNIT_TAIL = new RegExp(`(\\d|\\}|\\s)\\s*(?:\\\\(?:text|mbox|mathrm)\\s*\\{\\s*)?(?:${UNIT_WORDS.map(u => u.replace(/\./g, '\\.')).join('|')})(?:\\s*\\})?(?:\\^\\{?\\d\\}?)?\\s*$`, 'i');
// A \text{…} or \mbox{…} at the very end, possibly squared: a unit whatever it says (`\frac{1}{3}\text{ meters}`).
const TEXT_TAIL = /\\(?:text|mbox)\s*\{[^{}]*\}(?:\^\{?\d\}?)?\s*$/;

function stripLeftRight(s: string): string {
  return s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![a-zA-Z])\s*(\\[{}]|[()[\]|.])?/g, (_m, d: string | undefined) => (d === '.' ? '' : (d ?? '')));
}

/** Math-Verify's clean-up of one extracted LaTeX answer (see the file comment). */
export function normalizeMvLatex(input: string): string {
  let s = input;
  // basic_latex
  s = s.replace(/\\mathrm\{T\}/g, 'T').replace(/\\mathrm\{d\}|\{\\rm d\}/g, 'd');
  s = stripLeftRight(s);
  s = s.replace(/\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|\\displaystyle|\\textstyle/g, '');
  s = s.replace(/\\math(?:rm|it|bf|sf)|\\text(?:normal|bf|it|rm)|\\mbox|\\operatorname/g, '\\text');
  s = s.replace(/\\[dtc]frac/g, '\\frac');
  s = s.replace(/(^|[^0-9])\s\.(?=\d)/g, '$1 0.').replace(/\{\.(?=\d)/g, '{0.');
  s = s.replace(/\s*\{\s*,\s*\}/g, ',');
  s = s.replace(/,?\s*\\text\s*\{\s*(?:and|or)\s*\}/g, ',');
  s = s.replace(/(^|[^a-zA-Z\\])(,?\s*(?:and|or))(?![a-zA-Z])/g, '$1,');
  s = s.replace(/(?<!\\)\\[ ,;:]/g, ' ').replace(/\\quad|\\qquad/g, ' ');
  s = s.replace(/infinity/g, '\\infty').replace(/(?<![\\a-z])inf(?![a-z])/g, '\\infty');
  s = s.replace(/,?\s*\\[lc]?dots/g, ' ');
  s = s.replace(/\\text\s*\{\s*(?:percentage|percent|pct)\s*\}/g, '\\%').replace(/\s*\b(?:percentage|percent|pct)\b/g, '\\%');
  s = s.replace(/(?<!\\)%/g, '\\%');
  s = s.replace(/\^\s*\{?\\circ\}?/g, '').replace(/°/g, '');
  s = s.replace(/[\n\t]/g, ' ');
  s = s.replace(/\\\\(?=[a-zA-Z])/g, m => (/matrix|array/.test(s) ? m : '\\'));
  // units: a trailing \text{…}, then unit words after a number (twice: "5 square feet")
  let t = s.replace(TEXT_TAIL, '').trim();
  if (t !== '' && t !== s.trim()) s = t;
  for (let k = 0; k < 2; k++) {
    t = s.replace(UNIT_TAIL, '$1').trim();
    if (t !== '' && t !== s.trim()) s = t;
  }
  s = s.trim();
  // nits
  if (s.startsWith('.')) s = `0${s}`;
  // malformed operators
  s = s.replace(/\^\s?\(([^()]*)\)/g, '^{$1}');
  s = s.replace(/(?<!\\)sqrt\s?\(([^()]*)\)/g, '\\sqrt{$1}');
  s = s.replace(/\\frac\s?(\d)\s?(\d)(?!\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s?\{([^{}]*)\}\s?(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s?(\d)\s?\{([^{}]*)\}/g, '\\frac{$1}{$2}');
  s = s.replace(/\\sqrt\s?(\d+)/g, '\\sqrt{$1}');
  s = s.replace(/\\sqrt\s?([a-zA-Z])(?![a-zA-Z])/g, '\\sqrt{$1}');
  s = s.replace(/ sqrt/g, '\\sqrt');
  return s.replace(/\s+/g, ' ').trim();
}
