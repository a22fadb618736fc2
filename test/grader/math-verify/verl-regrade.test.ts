// verl's validation generations are regraded by rlvrc (src/engines/verl/convert.ts regradeValidation) with
// the eval's own grader (issue 20): experiments/graders.rlvr has an eval graded by the paper's grader and one
// by Math-Verify, and the same two responses score differently under them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../../src/checker/check.js';
import { regradeValidation } from '../../../src/engines/verl/convert.js';
import { REPO } from '../../helpers/golden.js';

test('each eval regrades verl validation rows with its grader', () => {
  const result = check(['experiments/graders.rlvr'], { cwd: REPO });
  const cell = result.experiments[0]!.cells[0]!;
  assert.deepEqual(cell.evals.map(e => [e.name, e.grader ?? 'paper']), [['held_out', 'paper'], ['held_out_math_verify', 'math_verify']]);
  // 0.333333 for 1/3: Math-Verify rounds to 6 places, the paper's decimals are exact.
  const rows = ['held_out', 'held_out_math_verify'].flatMap(evalName => [
    { step: 3, data_source: evalName, input: 'q1', output: ' so \\boxed{0.333333}', gts: '\\frac{1}{3}', score: 0 },
    { step: 3, data_source: evalName, input: 'q2', output: ' so \\boxed{4}', gts: '4', score: 1 },
  ]);
  const { evals } = regradeValidation(rows, cell);
  assert.deepEqual(evals, [
    { step: 3, name: 'held_out', accuracy: 0.5, boxed_rate: 1 },
    { step: 3, name: 'held_out_math_verify', accuracy: 1 },
  ]);
});
