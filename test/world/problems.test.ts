import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/rng.js';
import { createWorld, makeProblem, planFor, stepValues, universeSize, withWorldDefaults, type Operator, type Problem } from '../../src/runtime/world/index.js';
import { evalExpression } from './helpers.js';

const small = { trainSize: 400, testSize: 100 };

test('the tiny evaluator agrees with hand-computed values', () => {
  assert.equal(evalExpression('4*5+3'), 23);
  assert.equal(evalExpression('3+4*5'), 23);
  assert.equal(evalExpression('2-3*4+5'), -5);
  assert.equal(evalExpression('8-2-3'), 3);
  assert.equal(evalExpression('2*3*4-1'), 23);
});

test('same config and seed give identical splits; another seed gives different ones', () => {
  const a = createWorld(small, 3);
  const b = createWorld(small, 3);
  const c = createWorld(small, 4);
  assert.deepEqual(a.train, b.train);
  assert.deepEqual(a.test, b.test);
  assert.notDeepEqual(a.test.map(p => p.expression), c.test.map(p => p.expression));
  assert.notDeepEqual(a.train.map(p => p.expression), c.train.map(p => p.expression));
});

test('the test split does not depend on trainSize', () => {
  assert.deepEqual(createWorld({ trainSize: 50, testSize: 64 }, 9).test, createWorld({ trainSize: 900, testSize: 64 }, 9).test);
});

test('splits are distinct, disjoint, and corpus draws never hit the test split', () => {
  const w = createWorld({}, 1);
  assert.equal(w.train.length, 8000);
  assert.equal(w.test.length, 256);
  const trainKeys = new Set(w.train.map(p => p.expression));
  const testKeys = new Set(w.test.map(p => p.expression));
  assert.equal(trainKeys.size, 8000);
  assert.equal(testKeys.size, 256);
  for (const k of testKeys) assert.ok(!trainKeys.has(k), `${k} is in both splits`);
  for (const p of w.test) assert.ok(w.isTest(p.expression));
  const rng = new Rng(5, 'draws');
  for (let i = 0; i < 5000; i++) assert.ok(!testKeys.has(w.sampleNonTest(rng).expression));
  assert.deepEqual(w.train.slice(0, 2).map(p => p.id), ['train-0', 'train-1']);
});

test('a train split that fills the rest of the universe holds every other problem', () => {
  const w = createWorld({ trainSize: 8300 - 256 }, 2);
  assert.equal(w.universe, 8300);
  assert.equal(universeSize(withWorldDefaults()), 8300); // 10·10·3 + 10³·(9 − 1 operator pair with two '*')
  assert.equal(new Set([...w.train, ...w.test].map(p => p.expression)).size, 8300);
});

function checkProblem(p: Problem, cfg: ReturnType<typeof withWorldDefaults>): void {
  assert.equal(p.question, `${p.expression}:`);
  assert.equal(p.answer, String(evalExpression(p.expression)), p.expression);
  assert.ok(p.operands.length >= cfg.operandCount.min && p.operands.length <= cfg.operandCount.max, p.expression);
  assert.equal(p.operators.length, p.operands.length - 1);
  for (const x of p.operands) {
    const d = String(x).length;
    assert.ok(d >= cfg.digits.min && d <= cfg.digits.max, `${x} in ${p.expression}`);
  }
  for (const o of p.operators) assert.ok(cfg.operators.includes(o), p.expression);
  assert.ok(p.operators.filter(o => o === '*').length <= cfg.maxMul, p.expression);
  assert.equal(p.expression, p.operands.map((x, i) => (i ? p.operators[i - 1] : '') + x).join(''));
}

test('every problem of the default world has the right answer and respects the constraints', () => {
  const w = createWorld({}, 1);
  for (const p of [...w.train, ...w.test]) checkProblem(p, w.config);
  // All shapes occur: two and three operands, every operator, negative answers.
  const all = [...w.train, ...w.test];
  assert.ok(all.some(p => p.operands.length === 2) && all.some(p => p.operands.length === 3));
  for (const o of ['+', '-', '*']) assert.ok(all.some(p => p.operators.includes(o as Operator)));
  assert.ok(all.some(p => p.answer.startsWith('-')));
});

test('other configs: digits, operand counts, operator sets and the cap on * are respected', () => {
  const configs = [
    { operandCount: { min: 3, max: 5 }, digits: { min: 1, max: 2 }, maxMul: 2, trainSize: 1500, testSize: 200 },
    { operandCount: { min: 2, max: 2 }, digits: { min: 2, max: 3 }, operators: ['-', '*'] as Operator[], trainSize: 1000, testSize: 100 },
    { operandCount: { min: 2, max: 4 }, operators: ['+'] as Operator[], maxMul: 0, trainSize: 500, testSize: 100 },
  ];
  for (const c of configs) {
    const w = createWorld(c, 11);
    for (const p of [...w.train, ...w.test]) checkProblem(p, w.config);
  }
  const w = createWorld(configs[0], 11);
  assert.ok(w.train.some(p => p.operators.filter(o => o === '*').length === 2), 'two * occur when allowed');
  assert.ok(w.train.some(p => p.operands.length === 5));
});

test('problems are uniform over the universe', () => {
  // 100 problems a+b; 20,000 draws: about 200 each, sd 14.
  const w = createWorld({ operandCount: { min: 2, max: 2 }, operators: ['+'], trainSize: 0, testSize: 0 }, 0);
  const counts = new Map<string, number>();
  const rng = new Rng(1, 'uniform');
  for (let i = 0; i < 20000; i++) {
    const e = w.sampleNonTest(rng).expression;
    counts.set(e, (counts.get(e) ?? 0) + 1);
  }
  assert.equal(counts.size, 100);
  for (const [e, n] of counts) assert.ok(n > 140 && n < 260, `${e} drawn ${n} times`);
});

test('the step plan computes every operator shape correctly', () => {
  const rng = new Rng(3, 'plans');
  const ops: Operator[] = ['+', '-', '*'];
  let shapes = 0;
  for (let k = 2; k <= 6; k++) {
    for (let s = 0; s < 3 ** (k - 1); s++) {
      const operators = Array.from({ length: k - 1 }, (_, i) => ops[Math.floor(s / 3 ** i) % 3]!);
      const plan = planFor(operators);
      assert.equal(plan.length, k - 1, 'one step per operator');
      for (let trial = 0; trial < 5; trial++) {
        const operands = Array.from({ length: k }, () => rng.intIn(0, 99));
        const p = makeProblem(operands, operators, 'train');
        const values = stepValues(operands, plan);
        assert.equal(values[values.length - 1], evalExpression(p.expression), p.expression);
        assert.equal(p.answer, String(evalExpression(p.expression)));
      }
      shapes++;
    }
  }
  assert.equal(shapes, 3 + 9 + 27 + 81 + 243);
});
