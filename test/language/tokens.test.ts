import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTokens, KEYWORDS, lexer, WhiteSpace } from '../../src/language/tokens.js';

test('every token except whitespace has a human label for messages', () => {
  for (const t of allTokens) {
    if (t === WhiteSpace) continue;
    assert.ok(t.LABEL && t.LABEL.length > 0, `token ${t.name} has no label`);
    assert.notEqual(t.LABEL, t.name, `token ${t.name} is labelled with its internal name`);
  }
});

test('every keyword lexes as itself, and a longer word starting with it as a name', () => {
  for (const { word } of KEYWORDS) {
    const r = lexer.tokenize(`${word} ${word}x`);
    assert.deepEqual(r.errors, []);
    assert.equal(r.tokens[0]!.image, word);
    assert.notEqual(r.tokens[0]!.tokenType.name, 'Identifier', `${word} should be a keyword`);
    assert.equal(r.tokens[1]!.tokenType.name, 'Identifier');
  }
});

test('numbers: `1..3` is a range of two ints, `5e-7` and `1.5` are floats', () => {
  const names = (s: string) => lexer.tokenize(s).tokens.map(t => t.tokenType.name);
  assert.deepEqual(names('1..3'), ['Int', 'DotDot', 'Int']);
  assert.deepEqual(names('5e-7 1.5 1.0e-3 2E+4'), ['Float', 'Float', 'Float', 'Float']);
  assert.deepEqual(names('a.b'), ['Identifier', 'Dot', 'Identifier']);
});
