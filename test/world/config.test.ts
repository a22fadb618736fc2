import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_WORLD, FAMILY_PRESETS, WorldConfigError, canonicalJson, createWorld, resolveFamily, resolveWorldConfig,
  validateFamilyConfig, validateWorldConfig, withFamilyDefaults, withWorldDefaults, type FamilyInput, type WorldConfig,
} from '../../src/runtime/world/index.js';

const paths = (cfg: Partial<WorldConfig>) => validateWorldConfig(withWorldDefaults(cfg)).map(i => i.path);

test('world defaults are the prototype world, and they validate', () => {
  assert.deepEqual(withWorldDefaults(), {
    operandCount: { min: 2, max: 3 }, digits: { min: 1, max: 1 }, operators: ['+', '-', '*'], maxMul: 1, trainSize: 8000, testSize: 256,
  });
  assert.deepEqual(validateWorldConfig(withWorldDefaults()), []);
  assert.deepEqual(withWorldDefaults({ digits: { min: 1, max: 2 } as WorldConfig['digits'] }).digits, { min: 1, max: 2 });
  assert.equal(DEFAULT_WORLD.trainSize, 8000);
});

test('world validation names each bad field', () => {
  assert.deepEqual(paths({ digits: { min: 1, max: 7 } }), ['digits']);
  assert.deepEqual(paths({ operandCount: { min: 3, max: 2 } }), ['operandCount']);
  assert.deepEqual(paths({ operators: ['/' as '+'] }), ['operators']);
  assert.deepEqual(paths({ operators: ['+', '+'] }), ['operators']);
  assert.deepEqual(paths({ operators: [] }), ['operators']);
  assert.deepEqual(paths({ maxMul: -1, trainSize: 1.5 }), ['maxMul', 'trainSize']);
  assert.deepEqual(paths({ operators: ['*'], maxMul: 1 }), ['maxMul'], 'three operands need two *');
  assert.deepEqual(paths({ testSize: 4200 }), ['testSize'], 'more than half of 8300');
  assert.deepEqual(paths({ trainSize: 8100 }), ['trainSize'], '8100 + 256 > 8300');
  assert.deepEqual(paths({ digits: { min: 1, max: 6 }, operandCount: { min: 2, max: 6 }, maxMul: 5 }), ['digits'], 'overflow');
  assert.throws(() => resolveWorldConfig({ maxMul: -1 }), (e: unknown) => e instanceof WorldConfigError && e.issues[0]!.path === 'maxMul');
  assert.throws(() => createWorld({ testSize: 5000 }), WorldConfigError);
});

test('the presets are the paper’s Table 1', () => {
  const table: Record<string, [number, number, number]> = {
    qwen_math_like: [0.65, 0.609, 0.35],
    bad_code: [0.92, 0.399, 0.615],
    no_code: [0, 0.35, 0.35],
    base: [0.5, 1, 1],
  };
  for (const [name, [share, code, language]] of Object.entries(table)) {
    const f = FAMILY_PRESETS[name as keyof typeof FAMILY_PRESETS];
    assert.equal(f.name, name);
    assert.equal(f.strategies.code.share, share);
    assert.ok(Math.abs(f.strategies.language.share - (1 - share)) < 1e-12, name);
    assert.equal(f.strategies.code.accuracy, code);
    assert.equal(f.strategies.language.accuracy, language);
    assert.deepEqual(validateFamilyConfig(f), [], name);
  }
  assert.equal(FAMILY_PRESETS.base.preference, 0);
  assert.equal(FAMILY_PRESETS.qwen_math_like.boxedShare, 0.8);
  assert.equal(FAMILY_PRESETS.qwen_math_like.strategies.code.nearMiss, 1);
  assert.equal(FAMILY_PRESETS.qwen_math_like.strategies.language.nearMiss, 10);
});

test('a family extends a preset; overriding one share sets the other to its complement', () => {
  const f = resolveFamily({ extends: 'qwen_math_like', strategies: { code: { share: 0.8 } }, boxedShare: 1 });
  assert.ok(Math.abs(f.strategies.language.share - 0.2) < 1e-12);
  assert.equal(f.strategies.code.accuracy, 0.609);
  assert.equal(f.boxedShare, 1);
  assert.equal(f.preference, 0.5);
  const custom = resolveFamily({ name: 'mine', strategies: { code: { share: 0.3, accuracy: 0.5 }, language: { accuracy: 0.4 } } });
  assert.deepEqual(custom.strategies, { code: { share: 0.3, accuracy: 0.5, nearMiss: 1 }, language: { share: 0.7, accuracy: 0.4, nearMiss: 10 } });
  assert.deepEqual(resolveFamily(FAMILY_PRESETS.bad_code), FAMILY_PRESETS.bad_code);
});

test('family validation names each bad field', () => {
  const issues = (f: FamilyInput) => validateFamilyConfig(withFamilyDefaults(f)).map(i => i.path);
  assert.deepEqual(issues({ extends: 'qwen_math_like', strategies: { code: { share: 0.7 }, language: { share: 0.7 } } }), ['strategies']);
  assert.deepEqual(issues({ extends: 'qwen_math_like', strategies: { code: { accuracy: 0.99 } } }), ['strategies.code.accuracy'], 'above goodAccuracy');
  assert.deepEqual(issues({ extends: 'qwen_math_like', strategies: { language: { accuracy: 0.05 } } }), ['strategies.language.accuracy'], 'below badAccuracy');
  assert.deepEqual(issues({ extends: 'qwen_math_like', strategies: { code: { nearMiss: 0 } } }), ['strategies.code.nearMiss']);
  assert.deepEqual(issues({ extends: 'qwen_math_like', preference: 1.5, boxedShare: -0.1 }), ['boxedShare', 'preference']);
  assert.deepEqual(issues({ extends: 'qwen_math_like', badAccuracy: 0.5 }), ['strategies.language.accuracy']);
  assert.deepEqual(issues({ extends: 'qwen_math_like', badAccuracy: 0.97 }), ['badAccuracy', 'strategies.code.accuracy', 'strategies.language.accuracy']);
  assert.deepEqual(issues({ name: 'x' }), ['strategies.code.share', 'strategies.code.accuracy', 'strategies.language.share', 'strategies.language.accuracy']);
  assert.throws(() => resolveFamily('qwen' as 'base'), /unknown family preset 'qwen'/);
  assert.throws(() => resolveFamily({ extends: 'toString' as 'base' }), /unknown family preset 'toString'/);
});

test('canonical JSON sorts keys at every level and drops undefined fields', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  assert.throws(() => canonicalJson({ x: NaN }), TypeError);
});
