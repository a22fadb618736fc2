// The Math-Verify grader's rules, family by family, on worked cases written here (issue 20). Each case is
// [response, gold, expected verdict]; the expectations follow Math-Verify's documented behaviour (its README,
// docstrings and test suite), with the reason where it is not obvious.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMathVerify, extractMathVerify, gradeMathVerify, exprTarget, latexTarget, stringTarget, type ExtractionTarget } from '../../../src/grader/index.js';

type Case = [response: string, gold: string, equal: boolean];
function check(cases: Case[]) {
  const wrong = cases.filter(([r, g, e]) => gradeMathVerify(r, g).equal !== e).map(([r, g, e]) => `${JSON.stringify(r)} vs ${JSON.stringify(g)}: expected ${e}, ${gradeMathVerify(r, g).reason}`);
  assert.deepEqual(wrong, []);
}
const extracted = (response: string, targets: ExtractionTarget[] = [exprTarget(), latexTarget()]) => extractMathVerify(response, targets).text;

test('extraction: priorities from "final answer is … I hope" (0) down to no anchor (300); the last match first', () => {
  // "final answer is $X$. I hope" beats a later box (0 < 50)
  assert.equal(extracted('The final answer is $3$. I hope it is correct. \\boxed{4}'), '3');
  // a box (50) beats "answer:" (100) and bare LaTeX (300)
  assert.equal(extracted('Answer: $7$ and then $\\boxed{8}$ and $9$'), '8');
  // "answer" within 50 characters anchors the first answer after it (200), even before a later bare $9$ (300)
  assert.equal(extracted('So the answer is $12$. Also $9$ appears.'), '12');
  // within one priority, the match that ends last wins
  assert.equal(extracted('We have $1$, then $2$, finally $5$ .\nDone'), '5');
  // answers joined by "and" / "," are one set answer
  assert.equal(extracted('The solutions are $x=1$ and $x=2$'), 'x=1, x=2');
  assert.equal(extracted('\\boxed{-2} and \\boxed{1}'), '-2, 1');
  // plain numbers (expression target) after "=" in an answer line
  assert.equal(extracted('Answer: 3 + 4 = 7'), '7');
  // a box wins over a plain number, a plain number is found without any LaTeX
  assert.equal(extracted('I think it is 42.'), '42');
  assert.equal(extracted('no numbers here'), '');
});

test('extraction targets are configurable: string choices, LaTeX only, boxes first or off', () => {
  assert.equal(extracted('The answer is **B**.', [stringTarget()]), 'B');

  assert.equal(gradeMathVerify('The answer is (C).', 'C', { targets: [stringTarget()] }).equal, false); // "(C)" is not the bare key
  assert.equal(gradeMathVerify('The answer is C.', 'C', { targets: [stringTarget()] }).equal, true);
  // LaTeX only: a bare number is not an answer
  assert.equal(extracted('It is 42.', [latexTarget()]), '');
  // boxed priority 0 puts a box before "final answer is … I hope"; -1 ignores boxes
  assert.equal(extracted('The final answer is $3$. I hope so. \\boxed{4}', [latexTarget({ boxedPriority: 0 })]), '4');
  assert.equal(extracted('\\boxed{4} and later $5$', [latexTarget({ boxedPriority: -1 })]), '5');
  // no anchor allowed: only anchored answers
  assert.equal(extracted('We get $5$.', [latexTarget({ tryWithoutAnchor: false })]), '');
});

test('numbers: thousands separators, decimal comma, leading dot, currency, percent', () => {
  check([
    ['The total is 1 000 dollars', '1000', true],
    ['The total is 1,234,567.', '1234567', true],
    ['$\\boxed{10,\\!000}$', '10000', true],
    ['$\\boxed{1{,}000}$', '1000', true],
    ['Soucis : 2,74 $ a..', '2.74', true], // decimal comma in plain text
    ['It costs $ .5 a piece', '0.5', true],
    ['It costs €100', '100', true],
    ['Growth was 28 percent', '28\\%', true],
    ['Growth was 28 pct', '28\\%', true],
    ['$\\boxed{28\\%}$', '0.28', true], // a percentage is value/100
    ['$\\boxed{28\\%}$', '28', false],
    ['$\\boxed{0028}$', '28', true],
  ]);
});

test('fractions in all spellings, and decimals rounded to 6 places', () => {
  check([
    ['$\\boxed{\\dfrac{1}{2}}$', '\\frac{1}{2}', true],
    ['$\\boxed{\\tfrac12}$', '\\frac{1}{2}', true],
    ['$\\boxed{\\frac 1 2}$', '\\frac{1}{2}', true],
    ['The answer is 1/2.', '\\frac{1}{2}', true],
    ['$\\boxed{\\frac{2}{4}}$', '\\frac{1}{2}', true], // unreduced is still the same number
    ['$\\boxed{0.5}$', '\\frac{1}{2}', true],
    ['$\\boxed{0.333333}$', '\\frac{1}{3}', true], // rounded to 6 places
    ['$\\boxed{0.3333333}$', '\\frac{1}{3}', true],
    ['$\\boxed{0.333}$', '\\frac{1}{3}', false],
    ['$\\boxed{1.414214}$', '\\sqrt{2}', true], // a decimal against an expression: both rounded
    ['$\\boxed{1.414}$', '\\sqrt{2}', false],
    ['$\\boxed{\\frac{10}{2}}$', '5', true], // no integer-literal guard (the paper's grader has one)
    ['$\\boxed{\\frac{\\sqrt{3}}{2}}$', '\\frac{\\sqrt3}{2}', true],
    ['$\\boxed{-\\frac{1}{2}}$', '\\frac{-1}{2}', true],
  ]);
});

test('sets (any order), tuples (in order), singletons', () => {
  check([
    ['$\\boxed{\\{3, 1, 2\\}}$', '\\{1,2,3\\}', true],
    ['$\\boxed{\\{1, 2\\}}$', '\\{1,2,3\\}', false],
    ['$\\boxed{3, 1, 2}$', '1, 2, 3', true], // a bare list is a set
    ['$\\boxed{\\{5\\}}$', '5', true], // a value against a set is a one-element set
    ['$\\boxed{(1, 2, 3)}$', '(1, 2, 3)', true],
    ['$\\boxed{(3, 2, 1)}$', '(1, 2, 3)', false], // tuples are ordered
    ['$\\boxed{1, 2, 3}$', '(1, 2, 3)', true], // a bare list for a tuple gold is read in order
    ['$\\boxed{3, 2, 1}$', '(1, 2, 3)', false],
    ['$\\boxed{\\{1,3\\} \\cup \\{2,4\\}}$', '\\{2,4\\} \\cup \\{1,3\\}', true],
    ['$\\boxed{\\emptyset}$', '\\{\\}', true],
  ]);
});

test('intervals: open and closed ends, endpoints compared as numbers, (a, b) as a pair', () => {
  check([
    ['$\\boxed{[0,1)}$', '[0,1)', true],
    ['$\\boxed{[0,1]}$', '[0,1)', false],
    ['$\\boxed{(0,1)}$', '[0,1)', false],
    ['$\\boxed{\\left[ 0, \\frac{1}{2} \\right)}$', '[0, 0.5)', true],
    ['$\\boxed{(-\\infty, 3] \\cup (5, \\infty)}$', '(5, \\infty) \\cup (-\\infty, 3]', true],
    ['$\\boxed{(1, 2)}$', '1, 2', true], // an open interval is also a pair: in order
    ['$\\boxed{(2, 1)}$', '1, 2', false],
    ['$\\boxed{x \\in [2, 5]}$', '[2,5]', true],
    ['$\\boxed{\\mathbb{R}}$', '(-\\infty, \\infty)', true],
  ]);
});

test('matrices: same shape, equal entries', () => {
  check([
    ['$\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}}$', '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', true],
    ['$\\boxed{\\begin{bmatrix} 0.5 & 2 \\\\ 3 & 4 \\end{bmatrix}}$', '\\begin{pmatrix} \\frac12 & 2 \\\\ 3 & 4 \\end{pmatrix}', true],
    ['$\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 4 & 3 \\end{pmatrix}}$', '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', false],
    ['$\\boxed{\\begin{pmatrix} 1 & 2 \\end{pmatrix}}$', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', false],
  ]);
});

test('relations: flipping, chains, assignments, and inequality golds against intervals (one way only)', () => {
  check([
    ['$\\boxed{x \\geq 5}$', 'x \\ge 5', true],
    ['$\\boxed{5 \\leq x}$', 'x \\ge 5', true], // a ≤ b equals b ≥ a
    ['$\\boxed{x > 5}$', 'x \\ge 5', false],
    ['$\\boxed{2x + 1 < 3}$', '2 > 2x', true], // flipped: 3 − (2x + 1) = 2 − 2x
    ['$\\boxed{2x + 1 < 3}$', '2 < 2x', false],
    ['$\\boxed{2x < 4}$', 'x < 2', true], // solved for x (Math-Verify: sympy solve; here linear relations)
    ['$\\boxed{-2x > -4}$', 'x < 2', true], // dividing by a negative flips the relation
    ['$\\boxed{-2x < -4}$', 'x < 2', false],
    ['$\\boxed{3x = 6}$', '2 = x', true],
    ['$\\boxed{2x < 5}$', 'x < 2', false],
    ['$\\boxed{x^2 < 4}$', 'x < 2', false], // not linear: no solving
    ['$\\boxed{y = 2x + 1}$', 'y = 1 + 2x', true],
    ['$\\boxed{2x + 1 = y}$', 'y = 2x + 1', true], // an equation flipped
    ['$\\boxed{1 < x \\le 2}$', '1 < x \\le 2', true],
    ['$\\boxed{x = 3}$', '3', true], // an equation predicted for a value: its right-hand side
    ['$\\boxed{a + b = 2b + a - b = 7}$', '7', true], // a solution chain: its last right-hand side
    ['$\\boxed{3}$', 'x = 3', true], // an assignment gold against a value
    ['$\\boxed{y = 3}$', 'x = 3', false], // two assignments: the variable matters
    ['$\\boxed{(5, \\infty)}$', 'x > 5', true], // an inequality gold against its interval
    ['$\\boxed{[5, \\infty)}$', 'x > 5', false],
    ['$\\boxed{(1, 2]}$', '1 < x \\le 2', true],
    ['$\\boxed{x > 5}$', '(5, \\infty)', false], // not the other way: the inequality may be the question
  ]);
});

test('units as text, degrees and words', () => {
  check([
    ['$\\boxed{15\\mbox{ cm}^2}$', '15', true],
    ['$\\boxed{\\frac{1}{3} \\text{meters}}$', '\\frac13', true],
    ['$\\boxed{10\\text{ inches}}$', '10', true],
    ['$\\boxed{90^\\circ}$', '90', true],
    ['The area is 12 square feet', '12', true],
    ['$\\boxed{\\text{Evelyn}}$', '\\text{Evelyn}', true],
    ['$\\boxed{\\text{evelyn}}$', '\\text{Evelyn}', true],
    ['$\\boxed{\\text{Briana}}$', '\\text{Evelyn}', false],
    ['$\\boxed{\\text{(C)}}$', '\\text{(C)}', true],
    ['$\\boxed{\\text{C}}$', '\\text{(C)}', true],
  ]);
});

test('expressions: the symbolic engine decides', () => {
  check([
    ['$\\boxed{p - q}$', 'p - q', true],
    ['$\\boxed{-q + p}$', 'p - q', true],
    ['$\\boxed{q - p}$', 'p - q', false],
    ['$\\boxed{(x+1)^2}$', 'x^2 + 2x + 1', true],
    ['$\\boxed{2\\sqrt{2}}$', '\\sqrt{8}', true],
    ['$\\boxed{\\pi}$', '3.14', false], // 3.141593 ≠ 3.140000
    ['$\\boxed{e^{i\\pi}}$', '-1', true],
  ]);
});

test('compareMathVerify compares two extracted answers; no answer is never correct', () => {
  assert.equal(compareMathVerify('\\dfrac{1}{2}', '0.5').equal, true);
  assert.equal(compareMathVerify('0.25', '\\frac{1}{3}').equal, false);
  assert.deepEqual(compareMathVerify(null, '1'), { equal: false, reason: 'no answer' });
  assert.deepEqual(compareMathVerify('  ', '1'), { equal: false, reason: 'no answer' });
});

test('every reason a verdict can give without comparing: no answer, an empty gold, an unreadable answer', () => {
  assert.deepEqual(gradeMathVerify('no numbers here', '1'), { equal: false, reason: 'no answer found', extracted: null });
  assert.deepEqual(gradeMathVerify('\\boxed{1}', ''), { equal: false, reason: 'gold answer is empty or unreadable', extracted: '1' });
  assert.deepEqual(gradeMathVerify('\\boxed{1}', '\\$'), { equal: false, reason: 'gold answer is empty or unreadable', extracted: '1' });
  assert.deepEqual(compareMathVerify('1', ''), { equal: false, reason: 'gold answer is empty or unreadable' });
  assert.deepEqual(compareMathVerify('\\$', '1'), { equal: false, reason: 'answer is unreadable' });
  // A box whose content normalises to nothing is no answer; its text is the string fallback.
  assert.equal(gradeMathVerify('\\boxed{\\$}', '1').reason, 'no answer found');
});
