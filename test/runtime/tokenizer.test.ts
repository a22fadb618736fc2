import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CharTokenizer, padBatch } from '../../src/runtime/index.js';

test('CharTokenizer: ids 0-2 are PAD/BOS/EOS, then the alphabet in order; decode stops at EOS', () => {
  const t = new CharTokenizer('ab:');
  assert.equal(t.vocabSize, 6);
  assert.deepEqual(t.encode('ba:', { bos: true, eos: true }), [1, 4, 3, 5, 2]);
  assert.equal(t.decode([1, 4, 3, 0, 5, 2, 3]), 'ba:');
  assert.throws(() => t.encode('abz'), /"z" is not in the alphabet/);
  assert.throws(() => new CharTokenizer('aba'), /appears twice/);
});

test('padBatch pads prompts on the left and responses on the right, with a 0/1 mask', () => {
  const b = padBatch([[5, 6, 7], [8]], 0, 'left');
  assert.deepEqual(Array.from(b.ids), [5, 6, 7, 0, 0, 8]);
  assert.deepEqual(Array.from(b.mask), [1, 1, 1, 0, 0, 1]);
  const r = padBatch([[5, 6, 7], [8]], 0, 'right');
  assert.deepEqual(Array.from(r.ids), [5, 6, 7, 8, 0, 0]);
});
