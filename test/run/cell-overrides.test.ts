// --set on real cell configs (checked from experiments/*.rlvr): the fields it may change, what it refuses
// and why, and the derived fields and cross-field rules it re-runs with the checker's own functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, type CellConfig } from '../../src/checker/index.js';
import { applyOverrides, compileCellSchema, parseSet } from '../../src/runtime/run/overrides.js';
import { reviseOverriddenCell, OVERRIDABLE } from '../../src/runtime/cell/overridable.js';
import { REPO } from '../helpers/golden.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cells = (file: string): CellConfig[] => check([`experiments/${file}`], { cwd: REPO }).experiments[0]!.cells;
const MINI = cells('paper-mini.rlvr');
const validate = compileCellSchema(JSON.parse(readFileSync(join(REPO, 'schema/cell-config.schema.json'), 'utf8')) as object);
const set = (cell: CellConfig, ...args: string[]) => applyOverrides([cell], args.map(parseSet), validate, reviseOverriddenCell as never)[0] as CellConfig;
const cellWhere = (pred: (c: CellConfig) => boolean) => MINI.find(pred)!;

test('--set reward.name is refused: the reward is compiled into the program (it used to relabel the cell)', () => {
  const c = MINI[0]!;
  assert.throws(() => set(c, 'reward.name=random'), /--set reward\.name: not a field --set can change: the reward is compiled into the program from its expression; change the spec and compile again/);
  assert.throws(() => set(c, 'model.layers=8'), /--set model\.layers: not a field --set can change: the model is part of what the spec declares/);
  assert.throws(() => set(c, 'seed=9'), /--set seed: not a field --set can change: the seed identifies the cell/);
  assert.throws(() => set(c, 'evals.0.metrics=["accuracy"]'), /--set evals\.0\.metrics: not a field/);
});

test('derived fields are refused, and recomputed when what they derive from changes', () => {
  const c = cellWhere(x => x.algorithm.name === 'grpo' && x.train.steps > 0);
  assert.throws(() => set(c, 'algorithm.updates_per_step=4'), /it is derived \(epochs × rollouts_per_step \/ minibatch\); set those instead/);
  const a = c.algorithm;
  const s = set(c, `algorithm.minibatch=${a.rollouts_per_step / 2}`, 'algorithm.epochs=3');
  assert.equal(s.algorithm.updates_per_step, 6);
  assert.equal(s.algorithm.rollouts_per_step, a.rollouts_per_step);
  const g = set(c, 'algorithm.group=4', `algorithm.minibatch=${a.prompts_per_step * 4}`);
  assert.equal(g.algorithm.rollouts_per_step, a.prompts_per_step * 4);
  assert.equal(g.algorithm.updates_per_step, 1);
  const kl = set(c, 'algorithm.kl=0.01');
  assert.equal(kl.algorithm.kl_estimator, 'k3', 'a KL term gets the default estimator, as the checker gives it');
  assert.equal(set(kl, 'algorithm.kl=0').algorithm.kl_estimator, null);
});

test('the checker\'s cross-field rules run again on the overridden cell', () => {
  const c = cellWhere(x => x.algorithm.name === 'grpo' && x.train.steps > 0);
  const a = c.algorithm;
  assert.throws(() => set(c, `algorithm.minibatch=${a.rollouts_per_step + 1}`), new RegExp(`--set makes minibatch ${a.rollouts_per_step + 1} larger than the ${a.rollouts_per_step} rollouts of a step`));
  assert.throws(() => set(c, 'algorithm.minibatch=7'), /--set makes minibatch 7 not divide the \d+ rollouts of a step/);
  assert.throws(() => set(c, `optimizer.warmup=${c.train.steps}`), /--set makes the warmup of \d+ steps not shorter than the \d+ training steps/);
  assert.throws(() => set(c, 'data.take=100000'), /--set makes data\.take 100000 larger than the \d+ problems of/);
  assert.throws(() => set(c, 'algorithm.max_tokens=500'), /--set makes a rollout of 500 tokens too long for context \d+/);
  const greedy = c.evals.findIndex(e => e.greedy);
  assert.ok(greedy >= 0);
  assert.throws(() => set(c, `evals.${greedy}.samples=4`), /contradict itself: samples: greedy decoding draws one sample per problem/);
});

test('a field that is one of the cell\'s grid axes is refused: the id would name a value the cell does not run', () => {
  const c = cellWhere(x => 'steps' in x.axes);
  assert.ok(OVERRIDABLE.includes('train.steps'));
  assert.throws(() => set(c, 'train.steps=3'), /cell '.*steps=0' is the grid's steps = 0; its id would name a value it does not run/);
  // A declaration axis (algorithm in [...]) swaps a whole block: its fields stay settable.
  const byAlgorithm = cellWhere(x => 'algorithm' in x.axes && x.algorithm.clip !== null);
  assert.equal(set(byAlgorithm, 'algorithm.clip.high=0.28').algorithm.clip!.high, 0.28);
});

test('train.steps and hyperparameters pass through unchanged otherwise', () => {
  const c = cellWhere(x => x.train.steps > 0 && !('steps' in x.axes));
  const s = set(c, 'train.steps=2', 'optimizer.lr=1e-5');
  assert.equal(s.train.steps, 2);
  assert.equal(s.optimizer.lr, 1e-5);
  assert.deepEqual({ ...s, train: c.train, optimizer: c.optimizer }, c);
});
