// The other vendored files: their golds are what rewards and evaluations compare against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareAnswers } from '../../src/grader/index.js';
import { correct } from '../../src/runtime/cell/reward-primitives.js'; // the reward generated programs call

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8')) as { prompt: string; answer: string; id: string }[];

test('AMC float golds (142.0) and AIME zero-padded golds (025) accept the integer a model writes', () => {
  const amc = load('amc23.json');
  const aime = load('aime24.json');
  assert.equal(amc.length, 83);
  assert.equal(aime.length, 30);
  const bad: string[] = [];
  for (const { answer } of [...amc, ...aime]) {
    const value = Number(answer);
    assert.ok(Number.isInteger(value), `non-integer gold ${answer}`);
    if (!compareAnswers(String(value), answer).equal) bad.push(`${answer} vs ${value}`);
    if (compareAnswers(String(value + 1), answer).equal) bad.push(`${answer} vs ${value + 1}`);
  }
  assert.deepEqual(bad, []);
});

test('every DeepScaleR level-1 label is graded correct when a response boxes it', () => {
  const items = load('deepscaler-level1.json');
  assert.equal(items.length, 7961);
  const bad = items.filter(it => correct(`Thus $\\boxed{${it.answer}}$.`, it.answer) !== 1).map(it => it.answer);
  assert.deepEqual(bad, []);
});
