// What the checker means by each construct: imports and derivations, grid expansion with rules and
// nested axes, reward lowering, ids and suggestions. Specs live in memory (a SourceHost), so each test
// shows its whole input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, cellId, escapeIdValue, type CellConfig } from '../../src/checker/index.js';
import { editDistance, suggest } from '../../src/util/suggest.js';

const ROOT = '/virtual';
function run(files: Record<string, string>, roots = ['main.rlvr']) {
  const host = { readFile: (p: string) => files[p.slice(ROOT.length + 1)] };
  const fs = { exists: () => true, isDirectory: () => true };
  return check(roots, { cwd: ROOT, host, fs });
}
const codes = (r: ReturnType<typeof run>) => r.diagnostics.map(d => `${d.file}:${d.span.start.line} ${d.code}`);

const COMMON = `dataset arith = arithmetic { operands = 2..2, train = 100, test = 50 }
model tiny = transformer {
  layers = 1
  d_model = 32
  heads = 4
  context = 48
  pretrain on arith.train { steps = 10, lr = 1e-3, family = qwen_math_like }
}
reward gt = correct(label)
algorithm grpo { prompts_per_step = 4, group = 4, minibatch = 8, max_tokens = 40 }
optimizer adam { lr = 1e-4 }
`;
// With an eval: an experiment that trains without one is warned about (RLVR5026).
const TRAIN = 'train { model = tiny, data = arith.train, reward = gt, algorithm = grpo, optimizer = adam, steps = 5 }\n  eval held_out { data = arith.test, greedy, metrics = [accuracy] }';
const exp = (body: string, head = 'import "common.rlvr"\n') => `${head}experiment e {\n  language = 1\n  ${body}\n}\n`;

test('import of a whole file and of selected names; declarations resolve in their own file', () => {
  const r = run({
    'common.rlvr': COMMON,
    'main.rlvr': exp(`model wide = tiny with { d_model = 64, pretrain.lr = 5e-4 }\n  ${TRAIN.replace('tiny', 'wide')}`, 'import { arith, tiny, gt, grpo, adam } from "common.rlvr"\n'),
  });
  assert.deepEqual(codes(r), []);
  const m = r.experiments[0]!.cells[0]!.model;
  assert.ok(m.source === 'transformer');
  assert.equal(m.d_model, 64);
  assert.equal(m.d_ff, 256, 'the computed default follows the override');
  assert.equal(m.stages[0]!.lr, 5e-4);
  assert.equal(m.stages[0]!.steps, 10, 'fields not overridden are inherited');
  assert.deepEqual(r.experiments[0]!.sources.map(s => s.file), ['main.rlvr', 'common.rlvr']);
});

test('a sub-block in `with` overrides the stage of the same kind, or adds a stage when there is none', () => {
  const r = run({
    'common.rlvr': COMMON,
    'main.rlvr': exp(`model a = tiny with { pretrain { steps = 20 } }
  model b = tiny with { midtrain on arith.train { steps = 5, lr = 1e-4, family = bad_code } }
  ${TRAIN}
  grid { model in [a, b] }`),
  });
  assert.deepEqual(codes(r), []);
  const stages = (c: CellConfig) => (c.model.source === 'transformer' ? c.model.stages.map(s => `${s.stage}:${s.steps}:${s.corpus.preset}`) : []);
  assert.deepEqual(r.experiments[0]!.cells.map(stages), [['pretrain:20:qwen_math_like'], ['pretrain:10:qwen_math_like', 'midtrain:5:bad_code']]);
});

test('grid: exclude and only rules, nested axes and expression values', () => {
  const r = run({
    'common.rlvr': COMMON,
    'main.rlvr': exp(`${TRAIN}
  grid {
    reward in [gt, random(0.5), 0.5 * gt + 0.5 * boxed_nonempty]
    algorithm.clip in [0.2, none, (0.2, 0.28)]
    seed in [1, 2]
    exclude { reward = random(0.5), algorithm.clip = [0.2, (0.2, 0.28)] }
    only { seed = 1 }
  }`),
  });
  const cells = r.experiments[0]!.cells;
  assert.equal(cells.length, 3 * 3 - 2, 'product of the first two axes minus two exclusions, seed 1 only');
  assert.ok(cells.every(c => c.seed === 1));
  const c = cells.find(x => x.id === 'reward=random(0.5),algorithm.clip=none,seed=1')!;
  assert.equal(c.algorithm.clip, null);
  assert.deepEqual(cells.find(x => x.id === 'reward=gt,algorithm.clip=(0.2%2C0.28),seed=1')!.algorithm.clip, { low: 0.2, high: 0.28 });
  assert.equal(cells.find(x => x.id.startsWith('reward=0.5%2Agt+0.5%2Aboxed_nonempty,'))!.reward.binary, false);
  assert.deepEqual(codes(r).filter(x => !x.endsWith('RLVR5009')), [], 'only the clip = none warning');
});

test('identical cells of different grids run once, under the first id', () => {
  const r = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`${TRAIN}\n  grid a { seed in [1, 2] }\n  grid b { seed in [2, 3] }`) });
  const e = r.experiments[0]!;
  assert.deepEqual(e.cells.map(c => c.id), ['a/seed=1', 'a/seed=2', 'b/seed=3']);
  assert.deepEqual(e.duplicates, [{ id: 'b/seed=2', sameAs: 'a/seed=2' }]);
});

test('rewards: combinators lower to a tree, `where` restricts the prompts, constants are found', () => {
  const r = run({
    'common.rlvr': COMMON,
    'main.rlvr': exp(`reward one_shot = correct(label) where example == 0
  reward guarded = if contains("python") then 0 else gt
  reward never = gt and random(0)
  ${TRAIN}
  grid { reward in [one_shot, guarded, never] }`),
  });
  assert.deepEqual(codes(r), ['main.rlvr:6 RLVR5008'], 'gt and random(0) is always 0');
  const [oneShot, guarded] = r.experiments[0]!.cells.map(c => c.reward);
  assert.deepEqual(oneShot!.filter, { op: '==', left: { var: 'example' }, right: { value: 0 } });
  assert.equal(oneShot!.text, 'correct(label) where example == 0');
  assert.deepEqual(guarded!.expr, {
    op: 'if', cond: { op: 'contains', text: 'python' }, then: { op: 'const', value: 0 },
    else: { op: 'named', name: 'gt', reward: { op: 'correct', target: 'label' } },
  });
});

test('the experiment seed is every cell\'s root seed unless a grid varies it', () => {
  const r = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`seed = 42\n  ${TRAIN}`) });
  assert.equal(r.experiments[0]!.cells[0]!.seed, 42);
});

test('an experiment declaration cannot shadow an imported one', () => {
  const r = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`reward gt = boxed_nonempty\n  ${TRAIN}`) });
  assert.deepEqual(codes(r), ['main.rlvr:4 RLVR2002']);
  assert.equal(r.diagnostics[0]!.related?.[0]?.file, 'common.rlvr');
});

test('cell ids escape what a directory name cannot hold, and stay short', () => {
  assert.equal(escapeIdValue('contains("py thon")'), 'contains(%22py%20thon%22)');
  assert.equal(escapeIdValue('a/b=c,d%'), 'a%2Fb%3Dc%2Cd%25');
  assert.equal(escapeIdValue('γ'), '%CE%B3');
  assert.equal(cellId('rewards', [['model', 'a'], ['seed', '1']]), 'rewards/model=a,seed=1');
  const long = cellId(null, [['reward', 'x'.repeat(300)]]);
  assert.equal(long.length, 180 + 1 + 16);
  assert.notEqual(long, cellId(null, [['reward', 'x'.repeat(301)]]));
});

test('suggestions: transpositions count as one edit, distant names are not suggested', () => {
  assert.equal(editDistance('gruop', 'group'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(suggest('minibtach', ['minibatch', 'max_tokens']), 'minibatch');
  assert.equal(suggest('lr', ['layers', 'heads']), undefined);
  assert.equal(suggest('Group_Norm', ['group_norm', 'group_center']), 'group_norm');
});

test('a cell that does not match the published schema is an internal error naming the field', async () => {
  const { assertValidCell, InternalError } = await import('../../src/checker/index.js');
  const r = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(TRAIN) });
  const cell = structuredClone(r.experiments[0]!.cells[0]!);
  assert.doesNotThrow(() => assertValidCell(cell));
  (cell.algorithm as { group: number }).group = 1;
  assert.throws(() => assertValidCell(cell), (e: unknown) => e instanceof InternalError && /\/algorithm\/group must be >= 2/.test(e.message));
});

test('names lost to a syntax error in an imported file are not reported again in the importer', () => {
  const r = run({ 'common.rlvr': `${COMMON}reward broken = = 1\n`, 'main.rlvr': exp(TRAIN, 'import { arith, tiny, gt, grpo, adam, broken } from "common.rlvr"\n') });
  assert.ok(r.diagnostics.length > 0);
  assert.ok(r.diagnostics.every(d => d.file === 'common.rlvr' && d.code.startsWith('RLVR1')), JSON.stringify(codes(r)));
});

test('prompt response_prefix and r1_style reach the cell (and its evals) only when set; steps = 0 is an evaluation-only cell', () => {
  const r = run({
    'common.rlvr': COMMON,
    'main.rlvr': exp(`prompt plain { template = raw }
  prompt forced = plain with { response_prefix = "python:", r1_style }
  ${TRAIN}
  eval held { data = arith.test, greedy }
  grid { prompt in [plain, forced], steps in [0, 5] }`),
  });
  assert.deepEqual(codes(r), []);
  const cells = r.experiments[0]!.cells;
  assert.deepEqual(cells.map(c => c.id), ['prompt=plain,steps=0', 'prompt=plain,steps=5', 'prompt=forced,steps=0', 'prompt=forced,steps=5']);
  const [plain, , forced] = cells;
  assert.deepEqual(Object.keys(plain!.prompt).sort(), ['name', 'stop', 'system', 'template', 'user'], 'unset fields stay out of the config and its hash');
  assert.equal(plain!.train.steps, 0);
  assert.equal(forced!.prompt.response_prefix, 'python:');
  assert.equal(forced!.prompt.r1_style, true);
  assert.deepEqual(forced!.evals[0]!.prompt, forced!.prompt, "an eval without its own prompt uses the train block's");
});

test('steps must be a whole number ≥ 0', () => {
  const r = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(TRAIN.replace('steps = 5', 'steps = -1')) });
  assert.deepEqual(codes(r), ['main.rlvr:4 RLVR3002']);
  assert.match(r.diagnostics[0]!.summary, /≥ 0|>= 0|at least 0|non-negative/, r.diagnostics[0]!.summary);
});

test('an experiment that trains without an eval is warned at its train block; evaluation-only grids and specs with errors are not', () => {
  const bare = 'train { model = tiny, data = arith.train, reward = gt, algorithm = grpo, optimizer = adam, steps = 5 }';
  const r = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(bare) });
  assert.deepEqual(codes(r), ['main.rlvr:4 RLVR5026']);
  assert.equal(r.diagnostics[0]!.severity, 'warning');
  assert.equal(r.diagnostics[0]!.span.start.column, 3, 'at the train keyword');
  assert.equal(r.experiments[0]!.cells.length, 1, 'a warning: the cells are still produced');
  // Some cell trains: one warning, not one per cell.
  assert.deepEqual(codes(run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`${bare}\n  grid { steps in [0, 5], seed in [1, 2] }`) })), ['main.rlvr:4 RLVR5026']);
  assert.deepEqual(codes(run({ 'common.rlvr': COMMON, 'main.rlvr': exp(bare.replace('steps = 5', 'steps = 0')) })), [], 'nothing trains');
  assert.deepEqual(codes(run({ 'common.rlvr': COMMON, 'main.rlvr': exp(bare.replace('steps = 5', 'steps = -1')) })), ['main.rlvr:4 RLVR3002'], 'errors first');
});

test('advantage_epsilon: default 1e-9 (configs of existing specs unchanged), a positive number, carried to the cell and the trainer', async () => {
  const { grpoConfigOf } = await import('../../src/runtime/cell/train.js');
  const plain = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(TRAIN) });
  assert.equal(plain.experiments[0]!.cells[0]!.algorithm.advantage_epsilon, 1e-9);
  const set = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`algorithm wide = grpo with { advantage_epsilon = 0.5, epochs = 2 }\n  ${TRAIN.replace('algorithm = grpo', 'algorithm = wide')}`) });
  assert.deepEqual(codes(set), []);
  const c = set.experiments[0]!.cells[0]!;
  assert.equal(c.algorithm.advantage_epsilon, 0.5);
  const g = grpoConfigOf(c.algorithm, c.optimizer, c.train.steps, 0);
  assert.equal(g.advantageEpsilon, 0.5);
  assert.equal(g.epochs, 2);
  const bad = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`algorithm zero = grpo with { advantage_epsilon = 0 }\n  ${TRAIN.replace('algorithm = grpo', 'algorithm = zero')}`) });
  assert.deepEqual(codes(bad).map(x => x.split(' ')[1]), ['RLVR3002']);
});

test('warmup and the schedule count RL steps: warmup is compared with train.steps, and the trainer\'s schedule spans train.steps', async () => {
  const { grpoConfigOf } = await import('../../src/runtime/cell/train.js');
  // 4 prompts × 4 / minibatch 8 × 2 epochs = 4 updates per step: warmup 4 < 5 RL steps is fine even though
  // it is fewer than the 20 updates, and warmup 5 is not.
  const spec = (warmup: number) => exp(`algorithm two = grpo with { epochs = 2 }
  optimizer warm = adam with { warmup = ${warmup}, schedule = linear }
  ${TRAIN.replace('algorithm = grpo', 'algorithm = two').replace('optimizer = adam', 'optimizer = warm')}`);
  const ok = run({ 'common.rlvr': COMMON, 'main.rlvr': spec(4) });
  assert.deepEqual(codes(ok), []);
  const c = ok.experiments[0]!.cells[0]!;
  assert.equal(c.algorithm.updates_per_step, 4);
  assert.deepEqual(grpoConfigOf(c.algorithm, c.optimizer, c.train.steps, 0).optimizer.schedule, { kind: 'linear', lr: 1e-4, warmupSteps: 4, totalSteps: 5 });
  const long = run({ 'common.rlvr': COMMON, 'main.rlvr': spec(5) });
  assert.deepEqual(codes(long), ['main.rlvr:5 RLVR5019']);
  assert.match(long.diagnostics[0]!.summary, /warmup of 5 RL steps is not shorter than the 5 training steps/);
});

test('clipping is inert only with one update per RL step: a second epoch over one minibatch makes it act', () => {
  const one = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`algorithm whole = grpo with { minibatch = 16 }\n  ${TRAIN.replace('algorithm = grpo', 'algorithm = whole')}`) });
  assert.deepEqual(codes(one), ['main.rlvr:4 RLVR5009']);
  const two = run({ 'common.rlvr': COMMON, 'main.rlvr': exp(`algorithm whole = grpo with { minibatch = 16, epochs = 2 }\n  ${TRAIN.replace('algorithm = grpo', 'algorithm = whole')}`) });
  assert.deepEqual(codes(two), [], 'from the second pass on πθ ≠ πold, so the clip acts');
  assert.equal(two.experiments[0]!.cells[0]!.algorithm.updates_per_step, 2);
});
