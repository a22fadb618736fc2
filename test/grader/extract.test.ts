// Answer extraction: one block per rule of the paper's extract_answer, in priority order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractAnswer, extractAnswerDetailed, extractBoxed, lastNumber } from '../../src/grader/index.js';

function check(response: string, answer: string | null, rule: string | null, options = {}) {
  const got = extractAnswerDetailed(response, options);
  assert.deepEqual(got, { answer, rule }, `extracting from ${JSON.stringify(response)}`);
}

test('rule 1, Minerva: "final answer is $…$. I hope" wins over everything else', () => {
  check('Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.', '\\frac{1}{2}', 'minerva');
  check('We get \\boxed{3}.\nFinal Answer: The final answer is $5$. I hope it is correct.', '5', 'minerva');
  // Without "I hope" it is not the Minerva form: the last-resort phrase rule reads it instead.
  check('The final answer is $7$.', '7', 'final-answer-is');
});

test('rule 2, boxed: the last `boxed`, brace-matched', () => {
  check('First \\boxed{1}, then \\boxed{2}.', '2', 'boxed');
  check('So $\\boxed{\\frac{1}{2}}$.', '\\frac{1}{2}', 'boxed');
  check('\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}', '\\left( 3, \\frac{\\pi}{2} \\right)', 'boxed');
  check('$\\boxed {42}$', '42', 'boxed'); // a space before the brace (common sense; see extract.ts)
  check('the answer is $\\boxed 5$ indeed', '5', 'boxed'); // TeX's brace-less argument: up to the next `$`
  check('\\boxed{\\frac{1}{2}', '\\frac{1}{2}', 'boxed'); // unclosed: everything to the end
  check('\\boxed{1\n  + 2}', '1+ 2', 'boxed'); // lines are joined, as in the paper
  check('\\boxed{}', null, 'boxed'); // an empty box is no answer, and the later rules are not tried
  check('I boxed the result: 12$ done', 'the result: 12', 'boxed'); // the key is the substring `boxed`
});

test('\\fbox is not an answer marker (the paper only keys on `boxed`)', () => {
  check('The result is \\fbox{7}. Check: 2+5 = 8', '8', 'last-number');
});

test('rule 3, "he answer is": the text after the last occurrence, up to the end of the sentence', () => {
  check('So the answer is 42.', '42', 'the-answer-is');
  check('The answer is $\\frac{3}{4}$.', '\\frac{3}{4}', 'the-answer-is');
  check('the answer is: 7', '7', 'the-answer-is');
  check('I thought the answer is 3, but the answer is 5. Next we verify 5 = 5.', '5', 'the-answer-is');
  check('The answer is 3.5 exactly\nand more', '3.5 exactly', 'the-answer-is');
});

test('rule 4, "final answer is" (without "he answer is")', () => {
  check('My final answer is 12', '12', 'final-answer-is');
});

test('rule 5, 答案是: the text after the first occurrence, up to a blank line', () => {
  check('所以答案是 8\n\n后面还有 9', '8', 'chinese');
});

test('rule 6, the last number (commas removed), when no marker exists', () => {
  check('We get 3 apples and 1,234 pears', '1234', 'last-number');
  check('so x = -2.5.', '-2.5', 'last-number');
  check('no digits here', null, null);
  assert.equal(extractAnswer('we get 12 here', { lastNumber: false }), null);
  assert.equal(lastNumber('between .5 and 7'), '7');
  assert.equal(lastNumber('x-1'), '-1'); // the paper's regex takes the minus sign
});

test('post-processing: a leading ":" and a trailing "." or "/" are dropped', () => {
  check('\\boxed{:5.}', '5', 'boxed');
  check('\\boxed{3/}', '3', 'boxed');
});

test('_r1_style: only the text after the last <answer> counts, without the closing tag', () => {
  const response = '<think>\\boxed{3} is wrong</think> <answer> 42 </answer>';
  assert.equal(extractAnswer(response), '3');
  assert.equal(extractAnswer(response, { r1Style: true }), '42');
  assert.equal(extractAnswer('<answer>\\boxed{7}</answer>', { r1Style: true }), '7');
  // The paper strips trailing characters of "</answer>" one by one (rstrip), eating "answer" here;
  // the region ends at the closing tag instead, and text after it is not read.
  assert.equal(extractAnswer('<answer>the answer is x = answer</answer>', { r1Style: true }), 'x = answer');
  assert.equal(extractAnswer('<answer>2</answer> and then 9', { r1Style: true }), '2');
  // Without an <answer> tag the whole text is read, as in the paper.
  assert.equal(extractAnswer('no tags, 9', { r1Style: true }), '9');
});

test('the PRM step tag "ки" is removed before extraction', () => {
  assert.equal(extractAnswer('Step 1: 2+2 ки\nSo \\boxed{4} ки'), '4');
});

test('extractBoxed (format reward) reads only the last `boxed`, with no fallback', () => {
  assert.equal(extractBoxed('The answer is 5'), null);
  assert.equal(extractBoxed('\\boxed{5} then \\boxed{}'), '');
  assert.equal(extractBoxed('\\boxed{x+1}'), 'x+1');
  // R1 style: the whole answer region, as the paper returns it.
  assert.equal(extractBoxed('<think>hm</think><answer>anything</answer>', { r1Style: true }), 'anything');
});
