// World version 2 (src/runtime/world/v2.ts): Table 1 calibration of the families, greedy and sampled; the
// share of problems whose greedy strategy flips under a ±0.5 shift of the code logit; the step-wise text; and
// that version 1 is untouched by the version field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FAMILY_PRESETS, PERSISTENCE, calibrateV2, corpusHash, createCorpus, createWorld, extractAnswer, greedyUsesCode,
  maxLengths, measureResponses, pAllProse, problemProfileV2, renderResponseV2, resolveWorldConfig, validateWorldConfig,
  type Strategy,
} from '../../src/runtime/world/index.js';
import { evalExpression } from './helpers.js';

// The world of experiments/organism-v2.rlvr; a large test split so greedy rates have small sampling error.
const CFG = { version: 2, operandCount: { min: 3, max: 5 }, trainSize: 8000, testSize: 2048 };
const world = createWorld(CFG, 1);
const FAMILIES = ['qwen_math_like', 'bad_code', 'no_code'] as const;
// Table 1 of the paper: code frequency, accuracy with code, accuracy without.
const TABLE1 = {
  qwen_math_like: { code: 0.65, withCode: 0.609, without: 0.35 },
  bad_code: { code: 0.922, withCode: 0.399, without: 0.615 },
  no_code: { code: 0, withCode: null, without: 0.35 },
} as const;
const corpora = new Map(FAMILIES.map(f => [f, createCorpus(world, f, 7).take(6000)] as const));

test('sampled calibration: each family\'s corpus matches Table 1 (code rate, accuracy with and without code)', () => {
  for (const f of FAMILIES) {
    const m = measureResponses(corpora.get(f)!);
    const t = TABLE1[f];
    const near = (x: number | null, want: number, tol: number, what: string) =>
      assert.ok(x !== null && Math.abs(x - want) <= tol, `${f} ${what}: ${x} vs ${want}`);
    near(m.codeRate, t.code, 0.02, 'code rate');
    if (t.withCode === null) assert.equal(m.code.n, 0, `${f} never writes code`);
    else near(m.code.accuracy, t.withCode, Math.max(0.025, 4 * Math.sqrt(0.25 / m.code.n)), 'accuracy with code');
    near(m.language.accuracy, t.without, Math.max(0.025, 4 * Math.sqrt(0.25 / m.language.n)), 'accuracy without code');
  }
});

test('greedy calibration: the mode response of each family is near Table 1 on the test split', () => {
  const greedy = (f: (typeof FAMILIES)[number]) => {
    const cal = calibrateV2(CFG, f);
    const prof = world.test.map(p => problemProfileV2(p, cal));
    const code = prof.filter(p => greedyUsesCode(p));
    const prose = prof.filter(p => !greedyUsesCode(p));
    // The mode answer is the right one exactly when a strategy's P(right) exceeds one half.
    const right = (xs: typeof prof, s: Strategy) => (xs.length === 0 ? null : xs.filter(p => p.pRight[s] > 0.5).length / xs.length);
    return { codeRate: code.length / prof.length, withCode: right(code, 'code'), without: right(prose, 'language') };
  };
  const q = greedy('qwen_math_like');
  // Measured: code 0.647, 0.594 with code, 0.29 without (greedy is right on the strategy's good problems,
  // (0.35 − 0.1)/0.85 = 0.29 of them, as in version 1).
  assert.ok(Math.abs(q.codeRate - 0.65) < 0.05, `qwen greedy code rate ${q.codeRate}`);
  assert.ok(Math.abs(q.withCode! - 0.609) < 0.06, `qwen greedy accuracy with code ${q.withCode}`);
  assert.ok(Math.abs(q.without! - 0.35) < 0.08, `qwen greedy accuracy without code ${q.without}`);
  assert.ok(q.withCode! > q.without! + 0.2, 'code helps qwen_math_like under greedy decoding too');
  const b = greedy('bad_code');
  // bad_code's prior is above one half everywhere at the default preference (as in version 1): greedy always codes.
  assert.ok(b.codeRate >= 0.9 && Math.abs(b.codeRate - 0.922) < 0.08, `bad_code greedy code rate ${b.codeRate}`);
  assert.ok(Math.abs(b.withCode! - 0.399) < 0.12, `bad_code greedy accuracy with code ${b.withCode}`);
  const n = greedy('no_code');
  assert.equal(n.codeRate, 0);
  assert.ok(Math.abs(n.without! - 0.35) < 0.08, `no_code greedy accuracy ${n.without}`);
});

test('a ±0.5 shift of the code logit flips the greedy strategy on a substantial share of test problems', () => {
  const cal = calibrateV2(CFG, 'qwen_math_like');
  const prof = world.test.map(p => problemProfileV2(p, cal));
  const flipsUp = prof.filter(p => greedyUsesCode(p, +0.5) !== greedyUsesCode(p)).length / prof.length;
  const flipsDown = prof.filter(p => greedyUsesCode(p, -0.5) !== greedyUsesCode(p)).length / prof.length;
  // Measured on this split: 0.349 in all (about half each way). Version 1 has three prior levels, the nearest
  // 0.575 (logit 0.30), so +0.5 flips none of its problems to code and −0.5 flips only that level.
  assert.ok(flipsUp + flipsDown >= 0.25, `flip share ${flipsUp + flipsDown}`);
  assert.ok(flipsUp >= 0.1 && flipsDown >= 0.1, `each direction flips some: +${flipsUp} −${flipsDown}`);
  // Graded: many distinct prior levels, and a good share of problems near 50/50.
  assert.ok(new Set(prof.map(p => p.q.toFixed(6))).size >= 15);
  assert.ok(prof.filter(p => p.q > 0.35 && p.q < 0.65).length / prof.length >= 0.25);
});

test('the strategy is spread over the steps: many responses mix forms, and each step carries a decision', () => {
  const exs = corpora.get('qwen_math_like')!;
  const mixed = exs.filter(e => new Set(e.forms).size === 2).length / exs.length;
  assert.ok(mixed > 0.08, `mixed responses ${mixed}`);
  // Each step after the first keeps the previous form with PERSISTENCE, else redraws: switches happen at later steps.
  let later = 0, switches = 0;
  for (const e of exs) for (let i = 1; i < e.forms!.length; i++) { later++; if (e.forms![i] !== e.forms![i - 1]) switches++; }
  assert.ok(switches / later > 0.03 && switches / later < (1 - PERSISTENCE), `switch rate ${switches / later}`);
  // Responses are longer than version 1's (the default world's): measured 67 characters against 37 on average,
  // with 2-4 strategy decisions per response against one.
  const v1 = createCorpus(createWorld({}, 1), 'qwen_math_like', 7).take(2000);
  const mean = (xs: Array<{ response: string }>) => xs.reduce((s, e) => s + e.response.length, 0) / xs.length;
  assert.ok(mean(exs) > 1.6 * mean(v1), `v2 ${mean(exs)} vs v1 ${mean(v1)}`);
  // The answer mixes the step accuracies by the share of code steps: all-code beats all-prose for qwen_math_like.
  const acc = (pred: (fs: Strategy[]) => boolean) => {
    const g = exs.filter(e => pred(e.forms!));
    return g.filter(e => e.correct).length / g.length;
  };
  assert.ok(acc(fs => fs.every(s => s === 'code')) > acc(fs => fs.some(s => s === 'language') && fs.includes('code')) + 0.03);
});

test('the text: each step is right (but the last, on a near miss), the answer extracts, python marks code', () => {
  for (const [f, exs] of corpora) {
    for (const e of exs.slice(0, 1500)) {
      assert.equal(e.text, e.question + e.response);
      assert.equal(extractAnswer(e.response), e.written, e.text);
      assert.equal(e.correct, e.written === e.answer, e.text);
      assert.equal(e.response.includes('python'), e.strategy === 'code', e.text);
      assert.equal(Number(e.answer), evalExpression(e.problem.expression));
      if (!e.correct) assert.equal(Number(e.written) - Number(e.answer), FAMILY_PRESETS[f].strategies[e.forms!.at(-1)!].nearMiss, e.text);
      assert.ok(e.text.length <= maxLengths(CFG, [f]).sequence, e.text);
    }
  }
  // Hand-worked: 3+4*5-2 → t=4*5, t=3+t, t=t-2.
  const p = { operands: [3, 4, 5, 2], operators: ['+', '*', '-'] as Array<'+' | '*' | '-'> };
  assert.equal(renderResponseV2(p, ['code', 'language', 'code'], { offset: 0, boxed: true }), 'python:t=4*5#20; 3 plus 20 is 23. python:t=t-2#21; so \\boxed{21}');
  assert.equal(renderResponseV2(p, ['code', 'code', 'language'], { offset: 1, boxed: false }), 'python:t=4*5#20; t=3+t#23; 23 minus 2 is 22. so ans=22');
});

test('the chain\'s P(no code step) is exact: closed form against enumeration', () => {
  for (const q of [0, 0.2, 0.5, 0.9]) {
    for (const n of [1, 2, 4]) {
      // Enumerate form sequences: start code w.p. q; keep w.p. PERSISTENCE, else redraw.
      let allProse = 1 - q;
      for (let i = 1; i < n; i++) allProse *= PERSISTENCE + (1 - PERSISTENCE) * (1 - q);
      assert.ok(Math.abs(pAllProse(q, n) - allProse) < 1e-12);
    }
  }
});

test('version: 1 is the default and leaves configs and corpus hashes as they were; unknown versions and v2 with 2 operands are refused', () => {
  assert.deepEqual(resolveWorldConfig({ version: 1 }), resolveWorldConfig({}));
  assert.equal(corpusHash({ version: 1 }, 1, 'qwen_math_like', 7), corpusHash({}, 1, 'qwen_math_like', 7));
  assert.notEqual(corpusHash(CFG, 1, 'qwen_math_like', 7), corpusHash({ ...CFG, version: 1 }, 1, 'qwen_math_like', 7));
  assert.deepEqual(validateWorldConfig(resolveWorldConfig(CFG)), []);
  assert.match(validateWorldConfig({ ...resolveWorldConfig({}), version: 3 }).map(i => `${i.path}: ${i.message}`).join(), /^version: must be one of 1, 2/);
  assert.match(validateWorldConfig({ ...resolveWorldConfig({}), version: 2 }).map(i => `${i.path}: ${i.message}`).join(), /^operandCount: must have min >= 3 in world version 2/);
  // Same problems in both versions: the version changes how families write, not which problems exist.
  assert.deepEqual(createWorld({ ...CFG, version: 1 }, 1).test, world.test);
});
