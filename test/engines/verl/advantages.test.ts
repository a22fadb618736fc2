// The paper's advantages on verl: rlvrc's reward module registers `rlvrc_grpo_whiten` (group normalisation,
// then OpenRLHF's whitening over the batch's response tokens) into verl's estimator registry. Here it runs
// under Debian's python3 + torch, registered into the stand-in's registry (fixtures/engines/verl-e2e/standin:
// NOT verl, which cannot be installed here), and is compared with the tfjs engine's own functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { groupAdvantages, whitenOverTokens } from '../../../src/runtime/grpo/advantages.js';
import { REWARD_MODULE, WHITEN_ESTIMATOR } from '../../../src/engines/verl/index.js';
import { FIXTURES } from '../../helpers/golden.js';
import { requires, REFERENCE_PYTHON } from '../../helpers/requires.js';

const STANDIN = join(FIXTURES, 'engines', 'verl-e2e', 'standin');

/** Runs the registered estimator on (rewards, lengths, groups of `group`) and returns each response's advantage per token. */
function pythonAdvantages(rewards: number[], lengths: number[], group: number, norm: boolean): number[][] {
  const script = `
import importlib.util, json, sys
import numpy as np, torch
spec = importlib.util.spec_from_file_location("rlvrc_reward", ${JSON.stringify(REWARD_MODULE)})
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
from verl.trainer.ppo.core_algos import get_adv_estimator_fn
rewards, lengths, group, norm = json.loads(sys.argv[1])
width = max(lengths)
tlr = torch.zeros((len(rewards), width)); mask = torch.zeros((len(rewards), width))
for i, (r, n) in enumerate(zip(rewards, lengths)):
    mask[i, :n] = 1; tlr[i, n - 1] = r
index = np.array(["g%d" % (i // group) for i in range(len(rewards))], dtype=object)
class Algo: norm_adv_by_std_in_grpo = norm
adv, ret = get_adv_estimator_fn(${JSON.stringify(WHITEN_ESTIMATOR)})(token_level_rewards=tlr, response_mask=mask, index=index, config=Algo())
assert torch.equal(adv, ret)
print(json.dumps([[float(x) for x in row[:n]] + [float(x) for x in row[n:]] for row, n in zip(adv, lengths)]))
`;
  const r = spawnSync(REFERENCE_PYTHON, ['-c', script, JSON.stringify([rewards, lengths, group, norm])], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: STANDIN } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[][];
}

test(`${WHITEN_ESTIMATOR}: the tfjs engine's group normalisation then token-weighted whitening, on every token; zero past the response`, t => {
  if (requires(t, 'torch')) return;
  const rewards = [1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0.5];
  const lengths = [3, 7, 2, 5, 4, 4, 9, 1, 6, 2, 3, 8];
  for (const norm of [true, false]) {
    const expected = whitenOverTokens(groupAdvantages(rewards, 4, norm ? 'group_norm' : 'group_center', 1e-6), lengths);
    const got = pythonAdvantages(rewards, lengths, 4, norm);
    got.forEach((row, i) => {
      row.slice(0, lengths[i]).forEach(a => assert.ok(Math.abs(a - expected[i]!) < 1e-5, `norm=${norm} response ${i}: ${a} vs ${expected[i]}`));
      assert.ok(row.slice(lengths[i]).every(a => a === 0), 'padding stays 0');
    });
  }
  // A batch whose every group has equal rewards: all advantages 0 (the variance floor 1e-8 keeps it finite).
  assert.ok(pythonAdvantages([1, 1, 0, 0], [2, 3, 4, 5], 2, true).flat().every(a => a === 0));
});

test('the reward module imports without verl (nothing to register into) and says which estimator it registers', t => {
  if (requires(t, 'torch')) return;
  const r = spawnSync(REFERENCE_PYTHON, ['-c', `import importlib.util; spec = importlib.util.spec_from_file_location("m", ${JSON.stringify(REWARD_MODULE)}); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); print(m.WHITEN_ESTIMATOR)`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), WHITEN_ESTIMATOR);
});
