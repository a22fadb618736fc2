// How a prompt shapes what the model sees and what rewards read: the forced response prefix (the paper's
// code-forcing prompt, Table 3) and r1_style extraction (its _r1_style rewards for the R1 template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPrompt, responseText, reward, type PromptConfig } from '../../src/runtime/cell/index.js';

const raw: PromptConfig = { name: 'p', template: 'raw', system: null, user: 'Q: {question}', stop: [] };

test('the response prefix follows the rendered template, raw or chat, and starts the response that is graded', () => {
  const forced: PromptConfig = { ...raw, response_prefix: 'python:' };
  assert.equal(renderPrompt(raw, '1+2', null), 'Q: 1+2');
  assert.equal(renderPrompt(forced, '1+2', null), 'Q: 1+2python:');
  const chat = (m: Array<{ role: string; content: string }>) => m.map(x => `<${x.role}>${x.content}`).join('') + '<assistant>';
  assert.equal(renderPrompt({ ...forced, template: 'chat', system: 'S' }, '1+2', chat), "<system>S<user>Q: 1+2<assistant>python:");
  assert.equal(responseText(forced, 't=1+2#3;\\boxed{3}'), 'python:t=1+2#3;\\boxed{3}');
  assert.equal(responseText(raw, 'x'), 'x');
  assert.equal(reward.contains(responseText(forced, '\\boxed{3}'), 'python'), 1, 'the forced prefix counts as code reasoning');
});

test('r1_style grades only the text after the last <answer>; the whole text when there is none', () => {
  const text = '<think>so \\boxed{4}</think> <answer>\\boxed{3}</answer>';
  assert.equal(reward.correct(text, '3', true), 1);
  assert.equal(reward.correct(text, '4', true), 0);
  // Without r1_style the last boxed in the whole text decides: here also 3, so move the decoy after it.
  const decoy = '<answer>3</answer> then \\boxed{4}';
  assert.equal(reward.correct(decoy, '4', false), 1);
  assert.equal(reward.correct(decoy, '4', true), 0, 'the boxed 4 lies after the closing tag, outside the answer region');
  assert.equal(reward.correct('no tags, \\boxed{7}', '7', true), 1);
  // The paper's quirk, kept: under r1_style the format reward reads the answer region itself, so any
  // non-empty text after <answer> passes even without \boxed.
  assert.equal(reward.boxedNonempty('<answer>12</answer>', true), 1);
  assert.equal(reward.boxedNonempty('<answer>12</answer>', false), 0);
});
