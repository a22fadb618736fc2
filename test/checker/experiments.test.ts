// The experiment files check clean, their grids have the cells an independent count says they have, and
// every cell is a valid, uniquely and stably named config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPO } from '../helpers/golden.js';
import { check, type CellConfig } from '../../src/checker/index.js';
import { parse } from '../../src/language/parse.js';
import type { Expr, ExperimentDecl, GridDecl } from '../../src/language/ast.js';

const EXPERIMENTS = readdirSync(join(REPO, 'experiments')).filter(f => f.endsWith('.rlvr')).map(f => `experiments/${f}`);
const checkAll = () => check(EXPERIMENTS, { cwd: REPO });

test('every experiment file checks without errors', () => {
  const { diagnostics } = checkAll();
  assert.deepEqual(diagnostics.filter(d => d.severity === 'error').map(d => `${d.file}:${d.span.start.line} ${d.code} ${d.summary}`), []);
});

test('the only warnings are the intended ones: paper-mini\'s, organism-v2\'s and paper\'s controls, and paper\'s absent checkpoints', () => {
  const warnings = checkAll().diagnostics.map(d => `${d.file} ${d.code} ${d.summary}`);
  const paper = warnings.filter(w => w.startsWith('experiments/paper.rlvr'));
  assert.deepEqual(warnings.filter(w => !w.startsWith('experiments/paper.rlvr')), [
    'experiments/organism-v2.rlvr RLVR5009 no clipping bias: clip = none',
    'experiments/organism-v2.rlvr RLVR5009 no clipping bias: one update per rollout step (minibatch 128 = 16 prompts × 8 samples)',
    'experiments/paper-mini.rlvr RLVR5009 no clipping bias: clip = none',
    'experiments/paper-mini.rlvr RLVR5009 no clipping bias: one update per rollout step (minibatch 128 = 16 prompts × 8 samples)',
    'experiments/paper-mini.rlvr RLVR5008 reward random(0) is always 0: nothing will be learned',
  ]);
  // paper.rlvr names the paper's 13 checkpoints and the one-shot example, which a clone does not have,
  // plus the same three controls as paper-mini (clip none, two one-update settings, random(0)).
  assert.equal(paper.filter(w => / RLVR6004 model directory '..\/models\//.test(w)).length, 13);
  assert.deepEqual(paper.filter(w => / RLVR6003 /.test(w)), ["experiments/paper.rlvr RLVR6003 data file '../data/one-shot-pi1.json' does not exist (yet)"]);
  assert.equal(paper.filter(w => / RLVR5009 /.test(w)).length, 3);
  assert.equal(paper.filter(w => / RLVR5008 /.test(w)).length, 1);
  assert.equal(paper.length, 18);
});

test('paper.rlvr declares a grid for every one of the 14 rows of the paper\'s grid (paper.md section 3)', () => {
  const ir = checkAll().experiments.find(e => e.name === 'paper')!;
  // Rows 1-14 in paper.md's order; code-frequency tracking (5) and the strategy-switch analysis (6) are
  // the code_rate / accuracy_code / accuracy_language metrics of the main sweep's evals.
  assert.deepEqual(ir.grids.map(g => g.name), [
    'main', 'cross_model', 'cross_model_base_llama', 'headline_one_shot', 'one_shot', 'ttrl', 'ttrl_base_llama',
    'python_and_repetition', 'python_and_repetition_base_llama', 'no_python', 'gamma', 'clipping', 'prompts',
    'rl_trained', 'code_forcing',
  ]);
  const cells = (grid: string) => ir.grids.find(g => g.name === grid)!.cells.length;
  assert.equal(cells('main'), 2 * 5);
  assert.equal(cells('cross_model') + cells('cross_model_base_llama'), 8 * 5);
  assert.equal(cells('python_and_repetition') + cells('python_and_repetition_base_llama'), 10 * 2);
  assert.equal(cells('clipping'), 4 * 3);
  assert.equal(cells('prompts'), 5 * 3);
  assert.equal(cells('gamma'), 4);
  assert.equal(cells('ttrl') + cells('ttrl_base_llama'), 10);
  assert.equal(cells('code_forcing'), 8 * 2);
  const main = ir.grids.find(g => g.name === 'main')!.cells.map(id => ir.cells.find(c => c.id === id)!);
  assert.ok(main.every(c => ['code_rate', 'accuracy_code', 'accuracy_language'].every(m => c.evals[0]!.metrics.includes(m as never))), 'rows 5-6: code frequency and per-strategy accuracy in every main-sweep eval');
  // TTRL: online majority labels on MATH-500's own prompts, 100 steps.
  for (const c of ir.cells.filter(c => c.grid?.startsWith('ttrl'))) {
    assert.deepEqual(c.reward.expr, { op: 'correct', target: 'majority_label', samples: 64, temperature: 1, online: true });
    assert.equal(c.data.name, 'math500');
    assert.equal(c.train.steps, 100);
  }
  // Code forcing: no training; the forced cells' evals start every response with the paper's sentence.
  for (const c of ir.cells.filter(c => c.grid === 'code_forcing')) {
    assert.equal(c.train.steps, 0);
    const forced = c.axes.prompt === 'code_forcing';
    assert.equal(c.evals[0]!.prompt.response_prefix, forced ? "Let's solve this using Python." : undefined);
  }
  // Base Llama runs grade after the last <answer> (the paper's _r1_style rewards).
  assert.ok(ir.cells.filter(c => c.prompt.name === 'r1').every(c => c.prompt.r1_style === true));
  // The paper's hyperparameters (paper.md section 4) in every cell that trains.
  for (const c of ir.cells) {
    assert.equal(c.optimizer.lr, 5e-7);
    assert.deepEqual(c.optimizer.betas, [0.9, 0.95]);
    assert.equal(c.algorithm.group, 16);
    assert.equal(c.algorithm.max_tokens, 3072);
    assert.equal(c.train.steps, c.grid === 'code_forcing' ? 0 : c.grid?.startsWith('ttrl') ? 100 : 300);
  }
  assert.equal(ir.cells.filter(c => c.algorithm.name === 'grpo').every(c => c.algorithm.updates_per_step === 8 && c.algorithm.clip?.low === 0.2), true);
});

// ---- an independent count of paper-mini's cells, from the AST and the source text only ----

const src = readFileSync(join(REPO, 'experiments/paper-mini.rlvr'), 'utf8');
const textOf = (e: Expr) => src.slice(e.span.start.offset, e.span.end.offset).replace(/\s+/g, '');

function gridCells(g: GridDecl): Array<Record<string, string>> {
  let cells: Array<Record<string, string>> = [{}];
  const excludes: Array<Record<string, string[]>> = [];
  for (const e of g.entries) {
    if (e.kind === 'GridAxis' && e.values.kind === 'List') {
      const key = e.path.parts.map(p => p.text).join('.');
      const items = e.values.items;
      cells = cells.flatMap(c => items.map(v => ({ ...c, [key]: textOf(v) })));
    } else if (e.kind === 'GridRule' && e.rule === 'exclude') {
      const rule: Record<string, string[]> = {};
      for (const a of e.body.entries) {
        if (a.kind !== 'Assignment') continue;
        rule[a.path.parts.map(p => p.text).join('.')] = a.value.kind === 'List' ? a.value.items.map(textOf) : [textOf(a.value)];
      }
      excludes.push(rule);
    }
  }
  return cells.filter(c => !excludes.some(r => Object.entries(r).every(([k, vs]) => vs.includes(c[k]!))));
}

test('paper-mini: each grid has the product of its axes minus its exclusions, and repeated runs are merged', () => {
  const ast = parse(src, 'paper-mini.rlvr').ast;
  const exp = ast.items.find((i): i is ExperimentDecl => i.kind === 'Experiment')!;
  const grids = exp.items.filter((i): i is GridDecl => i.kind === 'Grid');
  const train = exp.items.find(i => i.kind === 'Declaration' && i.declKind === 'train');
  assert.ok(train && train.kind === 'Declaration' && train.body);
  const defaults: Record<string, string> = { seed: '1' };
  for (const e of train.body.entries) if (e.kind === 'Assignment') defaults[e.path.parts[0]!.text] = textOf(e.value);

  const ir = checkAll().experiments.find(e => e.name === 'paper_mini')!;
  const runs = new Set<string>();
  for (const g of grids) {
    const expected = gridCells(g);
    const got = ir.grids.find(x => x.name === g.name!.text)!;
    assert.equal(got.cells.length, expected.length, `grid ${g.name!.text}`);
    for (const c of expected) runs.add(JSON.stringify({ ...defaults, ...c }, Object.keys({ ...defaults, ...c }).sort()));
  }
  assert.equal(ir.grids.map(x => x.cells.length).join('+'), '63+9+10+6');
  assert.equal(ir.cells.length, runs.size);
  assert.equal(ir.cells.length + ir.duplicates.length, 63 + 9 + 10 + 6);
  assert.deepEqual(ir.duplicates.map(d => d.id), [1, 2, 3].map(s => `clipping/model=qwen_math_like,reward=random,algorithm=grpo,seed=${s}`));
});

// ---- cells: valid, unique, stable, safe as directory names ----

test('every produced cell validates against schema/cell-config.schema.json (compiled independently here)', () => {
  const schema = JSON.parse(readFileSync(join(REPO, 'schema/cell-config.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  const cells = checkAll().experiments.flatMap(e => e.cells);
  assert.ok(cells.length > 50);
  for (const c of cells) assert.ok(validate(c), `${c.id}: ${JSON.stringify(validate.errors)}`);
});

test('cell ids are unique within an experiment, identical across checks, and safe as directory names', () => {
  const first = checkAll().experiments;
  const second = checkAll().experiments;
  for (const [i, e] of first.entries()) {
    const ids = e.cells.map(c => c.id);
    assert.equal(new Set(ids).size, ids.length, e.name);
    assert.deepEqual(second[i]!.cells.map(c => c.id), ids);
    assert.deepEqual(JSON.parse(JSON.stringify(second[i]!.cells)), JSON.parse(JSON.stringify(e.cells)), 'same input, same configs');
    for (const id of ids) {
      for (const segment of id.split('/')) {
        assert.match(segment, /^[A-Za-z0-9._()+%=,~-]+$/, id);
        assert.ok(segment !== '.' && segment !== '..' && segment.length <= 200, id);
      }
      assert.ok(id.split('/').length <= 2, id);
    }
  }
  const mini = first.find(e => e.name === 'paper_mini')!;
  assert.ok(mini.cells.some(c => c.id === 'rewards/model=qwen_math_like,reward=random,seed=2'));
  assert.ok(mini.cells.some(c => c.id === 'gamma/model=qwen_math_like,reward=random(0.001),seed=1'));
  assert.deepEqual(first.find(e => e.name === 'quickstart')!.cells.map(c => c.id), ['default']);
});

test('cells carry one root seed and every value resolved (spot checks against the spec)', () => {
  const mini = checkAll().experiments.find(e => e.name === 'paper_mini')!;
  const c = mini.cells.find(x => x.id === 'clipping/model=qwen_math_like,reward=random,algorithm=no_clip,seed=3')!;
  assert.equal(c.seed, 3);
  assert.equal(c.algorithm.clip, null);
  assert.equal(c.algorithm.updates_per_step, 4);
  assert.equal(c.reward.text, 'random(0.5)');
  assert.equal(c.model.source, 'transformer');
  if (c.model.source !== 'transformer') return;
  assert.deepEqual(c.model.stages.map(s => `${s.stage}:${s.corpus.strategies.code.share}`), ['pretrain:0.5', 'midtrain:0.65']);
  const u = mini.cells.find(x => x.id === 'clipping/model=qwen_math_like,reward=random,algorithm=one_update,seed=1')!;
  assert.equal(u.algorithm.updates_per_step, 1);
  assert.deepEqual(u.algorithm.clip, { low: 0.2, high: 0.2 });
});

test('calibration.rlvr measures exactly paper-mini\'s models and test set (so it reuses their cache and describes their cells)', () => {
  const { experiments } = checkAll();
  const cal = experiments.find(e => e.name === 'calibration')!;
  const mini = experiments.find(e => e.name === 'paper_mini')!;
  assert.deepEqual(cal.cells.map(c => c.axes.model), ['base', 'qwen_math_like', 'bad_code', 'no_code']);
  type Transformer = Extract<CellConfig['model'], { source: 'transformer' }>;
  const modelOf = (c: CellConfig): Transformer => {
    assert.equal(c.model.source, 'transformer');
    return c.model as Transformer;
  };
  for (const c of cal.cells) {
    assert.equal(c.train.steps, 0);
    const family = c.axes.model === 'base' ? modelOf(mini.cells[0]!).stages.slice(0, 1) : modelOf(mini.cells.find(m => m.axes.model === c.axes.model)!).stages;
    assert.deepEqual(modelOf(c).stages, family, c.axes.model!);
    const { name: _a, stages: _b, ...rest } = modelOf(c);
    const { name: _c, stages: _d, ...miniRest } = modelOf(mini.cells[0]!);
    assert.deepEqual(rest, miniRest, 'architecture and seed');
    for (const e of c.evals) assert.deepEqual(e.data, mini.cells[0]!.evals[0]!.data);
  }
});
