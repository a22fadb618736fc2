// Converting a verl run into rlvrc's artifacts (issue 17): verl's file-logger metrics → metrics.jsonl,
// verl's validation dump regraded by rlvrc's grader → eval.jsonl and samples.jsonl.
//
// The fixtures below are HAND-WRITTEN STAND-INS for verl's output (verl cannot be installed here), written
// from verl's code at b178a3cd56f58b2d502255daba591e92833930a7:
//   METRICS_JSONL: the `file` logger's lines (verl/utils/tracking.py FileLogger.log: {"step", "data"}), with
//     the key names of ray_trainer.py fit() and metric_utils.py compute_data_metrics / compute_timing_metrics,
//     the actor's (core_algos.py compute_policy_loss_vanilla; dp_actor.py; fsdp_workers.py actor/lr), the
//     validation-before-training line at step 0 (ray_trainer.py fit: logger.log(val_metrics, step=0)) and a
//     NaN as orjson writes it (null). The numbers are made up.
//   DUMP: `_dump_generations`' rows (ray_trainer.py: input, output, gts, score, step, then the reward extra
//     infos of one value per sample: `reward`, and `data_source`/`prompt_id`, which rlvrc's reward function
//     must return for the dump to carry them), 2 evals × 4 prompts × 2 samples, a prompt's samples adjacent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regradeValidation, verlMetricsToRecords, VERL_METRIC_MAP } from '../../../src/engines/verl/convert.js';
import { artifactValidator } from '../../../src/runtime/run/schemas.js';
import type { CellConfig } from '../../../src/ir/cell.js';
import { paperCell } from './paper-cells.js';

const MAIN = 'main/model=qwen_math_7b,reward=random';

const step = (n: number, extra: Record<string, unknown> = {}) => ({
  'actor/entropy': 0.5 + n / 10,
  'actor/pg_loss': -0.01 * n,
  'actor/kl_loss': 0.0,
  'actor/pg_clipfrac': 0.002 * n,
  'actor/ppo_kl': 0.0001 * n,
  'actor/pg_clipfrac_lower': 0.0,
  'actor/grad_norm': 0.25 * n,
  'actor/lr': 5e-7,
  'perf/mfu/actor': 0.31,
  'critic/score/mean': 0.25 * n,
  'critic/score/max': 1.0,
  'critic/score/min': 0.0,
  'critic/rewards/mean': 0.25 * n,
  'critic/rewards/max': 1.0,
  'critic/rewards/min': 0.0,
  'critic/advantages/mean': 0.001 * n,
  'critic/advantages/max': 1.5,
  'critic/advantages/min': -1.25,
  'critic/returns/mean': 0.001 * n,
  'response_length/mean': 400 + n,
  'response_length/max': 1024,
  'response_length/min': 12,
  'response_length/clip_ratio': 0.0625,
  'timing_s/gen': 30 + n,
  'timing_s/reward': 0.5,
  'timing_s/update_actor': 20,
  'timing_s/step': 60 + n,
  'training/global_step': n,
  'training/epoch': 0,
  ...extra,
});

const METRICS_JSONL = [
  { step: 0, data: { 'val-core/math/reward/mean@1': 0.5, 'val-aux/amc/reward/mean@2': 0.25 } },
  { step: 1, data: step(1) },
  { step: 2, data: step(2, { 'actor/grad_norm': null }) },
  { step: 3, data: step(3, { 'val-core/math/reward/mean@1': 0.75 }) },
].map(l => JSON.stringify(l)).join('\n') + '\n';

test('verl metrics: the file logger\'s lines become metrics.jsonl records with the exact values', () => {
  const records = verlMetricsToRecords(METRICS_JSONL, 'run/verl.jsonl');
  assert.deepEqual(records.map(r => r.step), [1, 2, 3], 'the validation-only line at step 0 is not a training step');
  const v = artifactValidator('metrics');
  for (const r of records) assert.ok(v(r), JSON.stringify(v.errors));
  const { verl, ...r1 } = records[0]!;
  assert.deepEqual(r1, {
    step: 1,
    reward_mean: 0.25, reward_min: 0, reward_max: 1,
    advantage_mean: 0.001, advantage_min: -1.25, advantage_max: 1.5,
    clip_frac: 0.002, dual_clip_frac: 0, approx_kl_k1: 0.0001,
    entropy: 0.6, grad_norm: 0.25, lr: 5e-7, response_length: 401,
    sample_seconds: 31, reward_seconds: 0.5, update_seconds: 20, step_seconds: 61,
  });
  // Everything verl logged is kept under its own key, also what has no rlvrc field (pg_loss, kl_loss, mfu).
  assert.equal((verl as Record<string, unknown>)['actor/pg_loss'], -0.01);
  assert.equal((verl as Record<string, unknown>)['perf/mfu/actor'], 0.31);
  assert.equal(Object.keys(verl as object).length, Object.keys(step(1)).length);
  // Not invented: rlvrc fields with no verl source are absent.
  for (const f of ['loss', 'reward_std', 'advantage_std', 'clip_frac_low', 'clip_frac_high', 'approx_kl', 'ref_kl', 'updates']) assert.ok(!(f in records[0]!), f);
  assert.equal(records[1]!.grad_norm, null, 'orjson writes NaN as null; it stays null');
  assert.equal(records[2]!.reward_mean, 0.75);
  assert.equal((records[2]!.verl as Record<string, unknown>)['val-core/math/reward/mean@1'], 0.75);
  // The same from an array of lines.
  assert.deepEqual(verlMetricsToRecords(METRICS_JSONL.trim().split('\n')), records);
  assert.equal(new Set(VERL_METRIC_MAP.map(([f]) => f)).size, VERL_METRIC_MAP.length);
});

test('verl metrics: malformed input is an error naming the file and line', () => {
  const lines = METRICS_JSONL.trim().split('\n');
  assert.throws(() => verlMetricsToRecords([lines[0]!, lines[1]!, '{"step": 2, "data": {"actor/lr": 1e-6'], 'm.jsonl'), /^ArtifactError: m\.jsonl:3: not JSON/);
  assert.throws(() => verlMetricsToRecords([lines[1]!, '{"step": 2, "metrics": {}}'], 'm.jsonl'), /m\.jsonl:2: "data" must be an object/);
  assert.throws(() => verlMetricsToRecords([lines[1]!, '{"step": -1, "data": {}}'], 'm.jsonl'), /m\.jsonl:2: "step" must be an integer/);
  assert.throws(() => verlMetricsToRecords([lines[2]!, lines[1]!], 'm.jsonl'), /m\.jsonl:2: step 1 after step 2/);
  assert.throws(() => verlMetricsToRecords(['[1, 2]'], 'm.jsonl'), /m\.jsonl:1: not a JSON object/);
  assert.throws(() => verlMetricsToRecords([JSON.stringify({ step: 1, data: { 'actor/lr': 'high' } })], 'm.jsonl'), /m\.jsonl:1: "actor\/lr" must be a number/);
});

/** A paper cell with two evals that sample alike (verl has one val_kwargs): 2 samples per prompt. */
function twoEvalCell(): CellConfig {
  const c = paperCell(MAIN);
  const base = c.evals[0]!;
  c.evals = [
    { ...base, name: 'math', greedy: false, samples: 2, k: 2, temperature: 0.6, metrics: ['accuracy', 'code_rate', 'accuracy_code', 'accuracy_language', 'boxed_rate', 'mean_length'] },
    { ...base, name: 'amc', greedy: false, samples: 2, k: 2, temperature: 0.6, metrics: ['avg_at_k', 'pass_at_k', 'code_rate'] },
  ];
  return c;
}

const row = (source: string, pid: string, question: string, gts: string, output: string, score: number) => ({
  input: `system\nPlease reason step by step, and put your final answer within \\boxed{}.\nuser\n${question}\nassistant\n`,
  output, gts, score, step: 0, reward: score, data_source: source, prompt_id: pid,
});
// Hand-graded: ✓ correct, ✗ wrong; [py] mentions python. verl's score is deliberately wrong on some rows.
const MATH = [
  [row('math', 'm1', 'What is 2+2?', '4', 'So the answer is \\boxed{4}.', 1), /* ✓ */ row('math', 'm1', 'What is 2+2?', '4', '\\boxed{5}', 1) /* ✗ */],
  [row('math', 'm2', 'Half of 1?', '\\frac{1}{2}', 'In python: 1/2. \\boxed{\\frac{1}{2}}', 0), /* ✓ [py] */ row('math', 'm2', 'Half of 1?', '\\frac{1}{2}', '\\boxed{1/3}', 0) /* ✗ */],
  [row('math', 'm3', 'Five times two?', '10', 'The answer is \\boxed{11}', 0), /* ✗ */ row('math', 'm3', 'Five times two?', '10', '\\boxed{10}', 1) /* ✓ */],
  [row('math', 'm4', 'Three plus four?', '7', 'Let me write python code: print(3+4)\n\\boxed{7}', 1), /* ✓ [py] */ row('math', 'm4', 'Three plus four?', '7', 'no idea', 0) /* ✗, no box */],
];
const AMC = [
  [row('amc', 'a1', 'A1?', '12', '\\boxed{12}', 1), row('amc', 'a1', 'A1?', '12', 'thus \\boxed{12}.', 1)], // ✓ ✓
  [row('amc', 'a2', 'A2?', '3', '\\boxed{3}', 1), row('amc', 'a2', 'A2?', '3', '\\boxed{4}', 1)], // ✓ ✗
  [row('amc', 'a3', 'A3?', '100', 'Python says \\boxed{99}', 0), row('amc', 'a3', 'A3?', '100', '\\boxed{101}', 0)], // ✗ [py] ✗
  [row('amc', 'a4', 'A4?', '5', '\\boxed{6}', 0), row('amc', 'a4', 'A4?', '5', '\\boxed{5}', 0)], // ✗ ✓
];
// verl's validation batch is shuffled: the two evals' prompts interleave, each prompt's samples adjacent.
const DUMP = [MATH[0]!, AMC[0]!, AMC[1]!, MATH[1]!, MATH[2]!, AMC[2]!, MATH[3]!, AMC[3]!].flat();
const DUMP_JSONL = DUMP.map(r => JSON.stringify(r)).join('\n') + '\n';

test('verl validation: regraded by rlvrc\'s grader into eval and samples records with hand-computed metrics', () => {
  const cell = twoEvalCell();
  const { evals, samples } = regradeValidation(DUMP_JSONL, cell, 'val/0.jsonl');
  assert.deepEqual(evals, [
    // firsts ✓✓✗✓ → 3/4; python in 2 of 8; code samples 2/2 correct; language 2 of 6; boxed 7/8; no token counts
    { step: 0, name: 'math', accuracy: 0.75, code_rate: 0.25, accuracy_code: 1, accuracy_language: 2 / 6, boxed_rate: 0.875, mean_length: null },
    // per prompt 1, 1/2, 0, 1/2 → 0.5; pass@2 1,1,0,1 → 0.75; python in 1 of 8
    { step: 0, name: 'amc', avg_at_k: 0.5, pass_at_k: 0.75, code_rate: 0.125 },
  ]);
  const ve = artifactValidator('eval');
  for (const r of evals) assert.ok(ve(r), JSON.stringify(ve.errors));
  const vs = artifactValidator('samples');
  for (const r of samples) assert.ok(vs(r), JSON.stringify(vs.errors));
  assert.equal(samples.length, 2);
  assert.deepEqual(samples[0]!.samples.map(s => [s.eval, s.id, s.label, s.extracted, s.correct, s.verl_score]), [
    ['math', 'm1', '4', '4', true, 1],
    ['math', 'm2', '\\frac{1}{2}', '\\frac{1}{2}', true, 0],
    ['math', 'm3', '10', '11', false, 0],
    ['math', 'm4', '7', '7', true, 1],
  ]);
  assert.equal(samples[0]!.samples[0]!.prompt, DUMP[0]!.input);
  assert.deepEqual(samples[1]!.samples.map(s => [s.id, s.correct]), [['a1', true], ['a2', true], ['a3', false], ['a4', false]]);
  // Parsed rows give the same; so do two steps' files, ordered by step.
  assert.deepEqual(regradeValidation(DUMP, cell), { evals, samples });
  const later = DUMP.map(r => ({ ...r, step: 10 }));
  const both = regradeValidation([...later, ...DUMP], cell);
  assert.deepEqual(both.evals.map(e => [e.step, e.name]), [[0, 'math'], [0, 'amc'], [10, 'math'], [10, 'amc']]);
});

test('verl validation: malformed dumps are errors naming the line', () => {
  const cell = twoEvalCell();
  const lines = DUMP_JSONL.trim().split('\n');
  const { data_source: _, ...noSource } = DUMP[2]!;
  assert.throws(() => regradeValidation([lines[0]!, lines[1]!, JSON.stringify(noSource)], cell, 'v.jsonl'), /v\.jsonl:3: "data_source" must be a string/);
  assert.throws(() => regradeValidation([lines[0]!, '{"input": '], cell, 'v.jsonl'), /v\.jsonl:2: not JSON/);
  assert.throws(() => regradeValidation([JSON.stringify({ ...DUMP[0], data_source: 'aime' })], cell, 'v.jsonl'), /v\.jsonl:1: data_source 'aime' is not an eval of cell/);
  // a prompt's second sample from another prompt (the dump is not in verl's adjacent order)
  assert.throws(() => regradeValidation([lines[0]!, lines[2]!], cell, 'v.jsonl'), /v\.jsonl:2: row does not belong to the prompt whose 2 samples start at line 1/);
  assert.throws(() => regradeValidation([lines[0]!], cell, 'v.jsonl'), /v\.jsonl:1: eval math has 2 sample\(s\) per prompt but only 1/);
  assert.throws(() => regradeValidation([JSON.stringify({ ...DUMP[0], step: 'zero' })], cell, 'v.jsonl'), /v\.jsonl:1: "step" must be an integer/);
});
