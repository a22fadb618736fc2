// Majority-vote labels and the incorrect-label filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIncorrectLabel, majorityLabel, majorityVote } from '../../src/grader/index.js';

test('equivalent answers vote together; the label is the cluster\'s most frequent spelling', () => {
  const vote = majorityVote(['3', '0.5', '\\frac{1}{2}', '3', '\\frac{1}{2}', '1/2']);
  assert.equal(vote.answer, '\\frac{1}{2}');
  assert.equal(vote.count, 4);
  assert.equal(vote.votes, 6);
  assert.deepEqual(
    vote.clusters.map(c => [c.answer, c.count, c.members]),
    [
      ['\\frac{1}{2}', 4, [1, 2, 4, 5]],
      ['3', 2, [0, 3]],
    ],
  );
});

test('empty predictions are dropped before voting', () => {
  const vote = majorityVote([null, '', '  ', '7', null, '{}', '$ $']);
  assert.deepEqual([vote.answer, vote.count, vote.votes], ['7', 1, 1]);
  assert.equal(majorityVote([null, '', undefined]).answer, null);
  assert.equal(majorityVote([]).count, 0);
});

test('ties go to the answer seen first, as Counter.most_common does', () => {
  assert.equal(majorityVote(['5', '6', '6', '5']).answer, '5');
  assert.equal(majorityVote(['6', '5', '5', '6']).answer, '6');
});

test('clusters need equality both ways: the integer guard keeps \\frac{10}{2} apart from 5', () => {
  const vote = majorityVote(['5', '\\frac{10}{2}', '5.0']);
  assert.deepEqual(vote.clusters.map(c => c.count), [2, 1]);
});

test('majorityLabel extracts each response first (boxed, phrases, last number)', () => {
  const responses = [
    'so \\boxed{12}',
    'The answer is 12.',
    'I get 13',
    'we find \\boxed{12.0}',
    'no idea',
    '<answer>13</answer>',
  ];
  const vote = majorityLabel(responses);
  assert.equal(vote.answer, '12');
  assert.equal(vote.count, 3);
  assert.equal(vote.votes, 5); // "no idea" has no answer
});

test('incorrect label: the majority answer, graded against the gold, is wrong', () => {
  assert.equal(isIncorrectLabel('13', '12'), true);
  assert.equal(isIncorrectLabel('12.0', '12'), false);
  assert.equal(isIncorrectLabel('\\frac{1}{2}', '0.5'), false);
  assert.equal(isIncorrectLabel(null, '12'), false); // no majority: dropped, not "wrong"
  assert.equal(isIncorrectLabel('', '12'), false);
});
