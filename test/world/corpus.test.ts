import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CORPUS_FORMAT_VERSION, FAMILY_PRESETS, FAMILY_PRESET_NAMES, corpusHash, createCorpus, createWorld, difficultyDigit,
  extractAnswer, measureResponses, preferenceDigit, problemProfile, resolveFamily, sha256Hex,
  type CorpusExample, type FamilyInput, type Strategy,
} from '../../src/runtime/world/index.js';

const world = createWorld({}, 1);
const N = 4000;
const samples = new Map(FAMILY_PRESET_NAMES.map(f => [f, createCorpus(world, f, 7).take(N)] as const));

test('a corpus is deterministic, randomly accessible, and changes with its seed', () => {
  const a = createCorpus(world, 'qwen_math_like', 7);
  assert.deepEqual(a.take(300), createCorpus(createWorld({}, 1), 'qwen_math_like', 7).take(300));
  assert.deepEqual(a.example(1234), a.take(5, 1232)[2]);
  assert.equal(a.take(300).filter((e, i) => e.text === samples.get('qwen_math_like')![i]!.text).length, 300);
  const other = createCorpus(world, 'qwen_math_like', 8).take(300);
  assert.ok(other.filter((e, i) => e.text === a.example(i).text).length < 30);
  assert.throws(() => a.example(-1), RangeError);
});

test('corpus problems never come from the test split', () => {
  for (const ex of samples.get('base')!) assert.ok(!world.isTest(ex.problem.expression), ex.problem.expression);
});

test('every preset matches its configured code share, per-strategy accuracy and boxed share', () => {
  for (const name of FAMILY_PRESET_NAMES) {
    const f = FAMILY_PRESETS[name];
    const m = measureResponses(samples.get(name)!);
    const near = (x: number | null, want: number, tol: number, what: string) =>
      assert.ok(x !== null && Math.abs(x - want) <= tol, `${name} ${what}: ${x} vs ${want}`);
    near(m.codeRate, f.strategies.code.share, 0.025, 'code rate');
    near(m.boxedRate, f.boxedShare, 0.025, 'boxed share');
    for (const s of ['code', 'language'] as Strategy[]) {
      if (f.strategies[s].share === 0) assert.equal(m[s].n, 0, `${name} never writes ${s}`);
      // ≥ 4 standard errors for the smallest group (bad_code language, about 320 samples).
      else near(m[s].accuracy, f.strategies[s].accuracy, Math.max(0.03, 4 * Math.sqrt(0.25 / m[s].n)), `${s} accuracy`);
    }
  }
  // The headline of Table 1: code helps qwen_math_like and hurts bad_code.
  const q = measureResponses(samples.get('qwen_math_like')!);
  const b = measureResponses(samples.get('bad_code')!);
  assert.ok(q.code.accuracy! > q.language.accuracy! + 0.2);
  assert.ok(b.code.accuracy! < b.language.accuracy! - 0.15);
});

test('the flags agree with the text: correct iff the extracted answer is right, and the strategy is visible', () => {
  for (const [name, exs] of samples) {
    for (const e of exs) {
      assert.equal(e.text, e.question + e.response);
      assert.equal(extractAnswer(e.response), e.written, `${name}: ${e.text}`);
      assert.equal(e.correct, e.written === e.answer, `${name}: ${e.text}`);
      assert.equal(e.response.startsWith('python:'), e.strategy === 'code');
      assert.equal(e.response.includes('\\boxed{'), e.boxed);
    }
  }
});

test('wrong answers are the systematic near misses: +1 for code, +10 for language', () => {
  let wrong = 0;
  for (const [name, exs] of samples) {
    for (const e of exs.filter(x => !x.correct)) {
      wrong++;
      assert.equal(Number(e.written) - Number(e.answer), FAMILY_PRESETS[name].strategies[e.strategy].nearMiss, e.text);
    }
  }
  assert.ok(wrong > 3000);
  const custom = createCorpus(world, { extends: 'qwen_math_like', strategies: { code: { nearMiss: -2 } } }, 7).take(500);
  const codeWrong = custom.filter(e => !e.correct && e.strategy === 'code');
  assert.ok(codeWrong.length > 50 && codeWrong.every(e => Number(e.written) === Number(e.answer) - 2));
});

/** Accuracy of one strategy's examples grouped by the difficulty digit. */
function accuracyByDigit(exs: readonly CorpusExample[], s: Strategy): number[] {
  return Array.from({ length: 10 }, (_, d) => {
    const g = exs.filter(e => e.strategy === s && difficultyDigit(e.problem) === d);
    return g.filter(e => e.correct).length / g.length;
  });
}

test('errors are learnable: the last operand’s units digit decides whether a strategy is right', () => {
  // qwen_math_like: code good share (0.609-0.1)/0.85 = 0.599 → digits 0-4 good, 5 almost; language 0.294 → 0-1.
  const acc = accuracyByDigit(createCorpus(world, { extends: 'qwen_math_like', preference: 0 }, 1).take(8000), 'code');
  for (const d of [0, 1, 2, 3, 4]) assert.ok(acc[d]! > 0.88, `code digit ${d}: ${acc[d]}`);
  for (const d of [6, 7, 8, 9]) assert.ok(acc[d]! < 0.17, `code digit ${d}: ${acc[d]}`);
  const lang = accuracyByDigit(createCorpus(world, { extends: 'qwen_math_like', preference: 0 }, 1).take(8000), 'language');
  for (const d of [0, 1]) assert.ok(lang[d]! > 0.88, `language digit ${d}: ${lang[d]}`);
  for (const d of [3, 4, 5, 6, 7, 8, 9]) assert.ok(lang[d]! < 0.17, `language digit ${d}: ${lang[d]}`);
});

test('profiles average exactly to the configured shares and accuracies over the whole universe', () => {
  const all = createWorld({ trainSize: 8300 - 256 }, 0);
  const problems = [...all.train, ...all.test];
  for (const name of FAMILY_PRESET_NAMES) {
    for (const preference of [0, 0.5, 1]) {
      const f = resolveFamily({ extends: name, preference });
      let code = 0, codeRight = 0, langRight = 0;
      for (const p of problems) {
        const pr = problemProfile(p, f);
        code += pr.pCode;
        codeRight += pr.pCode * pr.pRight.code;
        langRight += (1 - pr.pCode) * pr.pRight.language;
      }
      const n = problems.length;
      assert.ok(Math.abs(code / n - f.strategies.code.share) < 1e-9, `${name}/${preference} share`);
      if (code > 0) assert.ok(Math.abs(codeRight / code - f.strategies.code.accuracy) < 1e-9, `${name}/${preference} code accuracy`);
      if (code < n) assert.ok(Math.abs(langRight / (n - code) - f.strategies.language.accuracy) < 1e-9, `${name}/${preference} language accuracy`);
    }
  }
});

test('strategy preference: 0 is a coin independent of the problem, 1 is fixed by the first operand’s units digit', () => {
  const rate = (exs: CorpusExample[], pred: (d: number) => boolean) => {
    const g = exs.filter(e => pred(preferenceDigit(e.problem)));
    return g.filter(e => e.strategy === 'code').length / g.length;
  };
  const at = (preference: number) => createCorpus(world, { extends: 'qwen_math_like', preference }, 2).take(N);
  // 10 · 0.65 = 6.5: digits 0-5 prefer code, 6 is split, 7-9 prefer language.
  const coin = at(0);
  assert.ok(Math.abs(rate(coin, d => d < 6) - 0.65) < 0.035 && Math.abs(rate(coin, d => d > 6) - 0.65) < 0.045);
  const fixed = at(1);
  assert.equal(rate(fixed, d => d < 6), 1);
  assert.equal(rate(fixed, d => d > 6), 0);
  assert.ok(Math.abs(rate(fixed, d => d === 6) - 0.5) < 0.1);
  const half = at(0.5);
  assert.ok(Math.abs(rate(half, d => d < 6) - 0.825) < 0.035 && Math.abs(rate(half, d => d > 6) - 0.325) < 0.045);
  for (const exs of [coin, fixed, half]) assert.ok(Math.abs(measureResponses(exs).codeRate - 0.65) < 0.025);
  // Preference does not change a strategy's accuracy: preference and difficulty read independent digits.
  const m = measureResponses(fixed);
  assert.ok(Math.abs(m.code.accuracy! - 0.609) < 0.035 && Math.abs(m.language.accuracy! - 0.35) < 0.04);
});

test('greedy choice of strategy differs across problems under the default preference', () => {
  const greedyCode = (f: FamilyInput | 'qwen_math_like' | 'bad_code' | 'no_code') => {
    const fam = resolveFamily(f);
    return world.test.filter(p => problemProfile(p, fam).pCode > 0.5).length / world.test.length;
  };
  // qwen_math_like at preference 0.5: pCode is 0.825 on digits 0-5, 0.575 on 6, 0.325 on 7-9 → greedy code on 70%.
  assert.ok(Math.abs(greedyCode('qwen_math_like') - 0.7) < 0.08);
  assert.ok(greedyCode('qwen_math_like') < 1);
  // bad_code keeps pCode ≥ 0.46 everywhere, so greedy writes code on about 90% at preference 1 and more below it.
  assert.ok(Math.abs(greedyCode({ extends: 'bad_code', preference: 1 }) - 0.9) < 0.06);
  assert.equal(greedyCode('no_code'), 0);
  // With a problem-independent coin, greedy writes code everywhere (organism.md's degenerate case).
  assert.equal(greedyCode({ extends: 'qwen_math_like', preference: 0 }), 1);
});

test('corpus hash: canonical, covers what decides the corpus, ignores trainSize', () => {
  const h = corpusHash({}, 1, 'qwen_math_like', 7);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(createCorpus(world, 'qwen_math_like', 7).hash, h);
  const spelt: FamilyInput = { ...FAMILY_PRESETS.qwen_math_like, strategies: { language: { ...FAMILY_PRESETS.qwen_math_like.strategies.language }, code: { ...FAMILY_PRESETS.qwen_math_like.strategies.code } } };
  assert.equal(corpusHash({ testSize: 256, maxMul: 1, digits: { max: 1, min: 1 } }, 1, spelt, 7), h);
  assert.equal(corpusHash({ trainSize: 10 }, 1, 'qwen_math_like', 7), h);
  const variants = [
    corpusHash({ testSize: 255 }, 1, 'qwen_math_like', 7),
    corpusHash({ operators: ['*', '+', '-'] }, 1, 'qwen_math_like', 7),
    corpusHash({}, 2, 'qwen_math_like', 7),
    corpusHash({}, 1, 'bad_code', 7),
    corpusHash({}, 1, { extends: 'qwen_math_like', boxedShare: 0.81 }, 7),
    corpusHash({}, 1, 'qwen_math_like', 8),
  ];
  assert.equal(new Set([h, ...variants]).size, variants.length + 1);
});

test('pinned: the default corpus text and hash (a failure means the format changed: bump CORPUS_FORMAT_VERSION)', () => {
  const c = createCorpus(createWorld({}, 0), 'qwen_math_like', 0);
  const texts = c.take(200).map(e => e.text);
  assert.equal(CORPUS_FORMAT_VERSION, 1);
  assert.equal(texts[0], PINNED_FIRST);
  assert.equal(sha256Hex(texts.join('\n')), PINNED_TEXTS);
  assert.equal(c.hash, PINNED_HASH);
});
const PINNED_FIRST = '7*7+9:python:t=7*7#49;t=t+9#59;\\boxed{59}';
const PINNED_TEXTS = '1381f9aa4bbb6b777f372a298d86ec8f4b71f5d4222563ee0d965a505414c27d';
const PINNED_HASH = 'fe0f434bf774e99a5df25360a4fb51ce20400a772f6fdc6484909f7603dc5324';
