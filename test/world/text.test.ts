import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALPHABET, FAMILY_PRESET_NAMES, containsPython, createCorpus, createWorld, extractAnswer, makeProblem, maxLengths,
  operandRange, operatorSequences, renderResponse, resolveWorldConfig, type Operator, type Problem, type Strategy,
} from '../../src/runtime/world/index.js';

const p = (expr: string): Problem => {
  const operands = expr.split(/[+\-*]/).map(Number);
  const operators = expr.replace(/\d+/g, '').split('') as Operator[];
  return makeProblem(operands, operators, 'train');
};

test('code and language formats, right and near miss, boxed and not', () => {
  const q = p('4*5+3');
  assert.equal(q.question, '4*5+3:');
  assert.equal(renderResponse(q, 'code', { offset: 0, boxed: true }), 'python:t=4*5#20;t=t+3#23;\\boxed{23}');
  assert.equal(renderResponse(q, 'code', { offset: 1, boxed: false }), 'python:t=4*5#20;t=t+3#24;ans=24');
  assert.equal(renderResponse(q, 'language', { offset: 0, boxed: true }), '4 times 5 is 20. 20 plus 3 is 23. so \\boxed{23}');
  assert.equal(renderResponse(q, 'language', { offset: 10, boxed: false }), '4 times 5 is 20. 20 plus 3 is 33. so ans=33');
  assert.equal(renderResponse(p('3+4*5'), 'code', { offset: 0, boxed: true }), 'python:t=4*5#20;t=3+t#23;\\boxed{23}');
  assert.equal(renderResponse(p('3+4*5'), 'language', { offset: 0, boxed: true }), '4 times 5 is 20. 3 plus 20 is 23. so \\boxed{23}');
  assert.equal(renderResponse(p('2-9'), 'code', { offset: 0, boxed: true }), 'python:t=2-9#-7;\\boxed{-7}');
  assert.equal(renderResponse(p('2*3+4*5'), 'code', { offset: 0, boxed: false }), 'python:t=2*3#6;u=4*5#20;t=t+u#26;ans=26');
  assert.equal(renderResponse(p('2*3+4*5'), 'language', { offset: 0, boxed: false }), '2 times 3 is 6. 4 times 5 is 20. 6 plus 20 is 26. so ans=26');
});

test('the extraction finds the written final answer in every variant; only code mentions python', () => {
  const w = createWorld({}, 1);
  for (const q of w.test) {
    for (const strategy of ['code', 'language'] as Strategy[]) {
      for (const offset of [0, 1, 10, -3]) {
        for (const boxed of [true, false]) {
          const r = renderResponse(q, strategy, { offset, boxed });
          assert.equal(extractAnswer(r), String(Number(q.answer) + offset), r);
          assert.equal(containsPython(r), strategy === 'code', r);
          assert.equal(r.includes('boxed'), boxed, r);
        }
      }
    }
  }
});

test('the alphabet is sorted, has no duplicates, and is exactly the characters the texts use', () => {
  assert.equal(ALPHABET.length, 38);
  assert.equal([...ALPHABET].sort().join(''), ALPHABET);
  assert.equal(new Set(ALPHABET).size, ALPHABET.length);
  const w = createWorld({}, 1);
  const used = new Set<string>();
  for (const name of FAMILY_PRESET_NAMES) {
    for (const ex of createCorpus(w, name, 3).take(1500)) {
      for (const ch of ex.text) {
        assert.ok(ALPHABET.includes(ch), `${JSON.stringify(ch)} in ${ex.text}`);
        used.add(ch);
      }
    }
  }
  assert.equal([...used].sort().join(''), ALPHABET, 'no character of the alphabet goes unused');
});

/** All longest candidates: every shape with operands at either end of their range (the bounds' extremes). */
function extremeProblems(cfg: ReturnType<typeof resolveWorldConfig>): Problem[] {
  const { lo, hi } = operandRange(cfg.digits);
  const out: Problem[] = [];
  for (let k = cfg.operandCount.min; k <= cfg.operandCount.max; k++) {
    for (const ops of operatorSequences(cfg.operators, k - 1, cfg.maxMul)) {
      for (let m = 0; m < 2 ** k; m++) out.push(makeProblem(Array.from({ length: k }, (_, i) => ((m >> i) & 1 ? hi : lo)), ops, 'train'));
    }
  }
  return out;
}

function longest(problems: Problem[], offsets: Record<Strategy, number[]>, strategies: Strategy[] = ['code', 'language']): { question: number; response: number } {
  let question = 0;
  let response = 0;
  for (const q of problems) {
    question = Math.max(question, q.question.length);
    for (const s of strategies) {
      for (const offset of [0, ...offsets[s]]) {
        for (const boxed of [true, false]) response = Math.max(response, renderResponse(q, s, { offset, boxed }).length);
      }
    }
  }
  return { question, response };
}

test('max lengths of the default world are exact: reached by some problem, exceeded by none', () => {
  const bound = maxLengths();
  assert.deepEqual(bound, { question: 6, response: 50, sequence: 56 });
  const w = createWorld({ trainSize: 8300 - 256 }, 0);
  const all = longest([...w.train, ...w.test], { code: [1], language: [10] });
  assert.deepEqual(all, { question: bound.question, response: bound.response });
});

test('max lengths bound larger worlds and custom near misses, tightly', () => {
  const world = { operandCount: { min: 2, max: 4 }, digits: { min: 1, max: 2 }, maxMul: 2, trainSize: 100, testSize: 100 };
  const families = ['qwen_math_like' as const, { extends: 'no_code' as const, strategies: { language: { nearMiss: -1000 } } }];
  const bound = maxLengths(world, families);
  const cfg = resolveWorldConfig(world);
  const offsets = { code: [1], language: [10, -1000] };
  assert.deepEqual(longest(extremeProblems(cfg), offsets), { question: bound.question, response: bound.response });
  const w = createWorld(world, 5);
  const sample = longest([...w.train, ...w.test], offsets);
  assert.ok(sample.question <= bound.question && sample.response <= bound.response);
  assert.equal(bound.sequence, bound.question + bound.response);
  // A family that never writes code is bounded by the language form alone (code's longest differs).
  const lang = longest(extremeProblems(cfg), { code: [], language: [10] }, ['language']);
  const code = longest(extremeProblems(cfg), { code: [1], language: [] }, ['code']);
  assert.notEqual(lang.response, code.response);
  assert.equal(maxLengths(world, ['no_code']).response, lang.response);
  assert.equal(maxLengths(world, ['qwen_math_like']).response, Math.max(lang.response, code.response));
});
