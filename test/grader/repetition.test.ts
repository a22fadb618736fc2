// The no-repetition detector against a direct transcription of the paper's search (every pattern length,
// every start, substring comparison), on random texts over small alphabets where repeats are common.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/runtime/rng.js';
import { detectRepetition, hasRepetition } from '../../src/grader/index.js';

// The paper's detect_repetition, as it is written (slow, obviously right).
function reference(text: string, minLen: number, maxLen: number, minRepeats: number) {
  const n = text.length;
  for (let L = minLen; L < Math.min(maxLen + 1, Math.floor(n / 2) + 1); L++) {
    for (let start = 0; start < n - L * minRepeats + 1; start++) {
      const pattern = text.slice(start, start + L);
      let count = 1;
      let pos = start + L;
      while (pos + L <= n && text.slice(pos, pos + L) === pattern) {
        count++;
        pos += L;
      }
      if (count >= minRepeats) return { pattern, start, end: start + L * count, count };
    }
  }
  return null;
}

test('agrees with the paper\'s search on 600 random texts, including where and what it finds', () => {
  const rng = new Rng(5, 'repetition');
  for (let trial = 0; trial < 600; trial++) {
    const alphabet = 'ab'.slice(0, 1 + rng.int(2)) + 'cd'.slice(0, rng.int(3));
    // Build from random chunks, sometimes repeated, so that repeats of several lengths occur.
    let text = '';
    while (text.length < 60 + rng.int(60)) {
      const chunk = Array.from({ length: 1 + rng.int(5) }, () => alphabet[rng.int(alphabet.length)]).join('');
      text += chunk.repeat(1 + rng.int(4));
    }
    const options = { minLength: 1 + rng.int(4), maxLength: 4 + rng.int(8), minRepeats: 2 + rng.int(4) };
    const want = reference(text, options.minLength, options.maxLength, options.minRepeats);
    assert.deepEqual(detectRepetition(text, options), want, `text ${JSON.stringify(text)} ${JSON.stringify(options)}`);
  }
});

test('paper defaults: 10 copies of a 10-character unit repeat, 9 copies do not', () => {
  const unit = 'x = 1 + 2;';
  assert.equal(unit.length, 10);
  assert.equal(hasRepetition(unit.repeat(9)), false);
  const found = detectRepetition(`intro ${unit.repeat(12)} outro`);
  assert.deepEqual(found, { pattern: unit, start: 6, end: 6 + 120, count: 12 });
});

test('short units repeat through their multiples; units longer than 256 characters never count', () => {
  // A 5-character unit is too short, but 10 copies of its doubled form (10 characters) need 20 copies.
  assert.equal(hasRepetition('abcde'.repeat(19)), false);
  assert.equal(hasRepetition('abcde'.repeat(20)), true);
  const rng = new Rng(9);
  const long = Array.from({ length: 257 }, () => String.fromCharCode(97 + rng.int(26))).join('');
  assert.equal(hasRepetition(long.repeat(10)), false);
});

test('counts characters as Python does (code points), not UTF-16 units', () => {
  // "🙂🙂🙂🙂🙂" is 5 code points but 10 UTF-16 units: 10 copies must not count as a 10-character unit.
  assert.equal(hasRepetition('🙂🙂🙂🙂🙂'.repeat(10)), false);
  assert.equal(hasRepetition('🙂abcdefghi'.repeat(10)), true);
});

test('a 12,000-character response is checked quickly', () => {
  const rng = new Rng(3);
  const text = Array.from({ length: 12000 }, () => 'abcdefghij klmnop 0123456789'[rng.int(28)]).join('');
  const t = Date.now();
  assert.equal(hasRepetition(text), false);
  assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
});
