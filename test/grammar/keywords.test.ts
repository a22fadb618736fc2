// Keeps the TextMate grammar and the lexer's keyword list (src/language/tokens.ts) from drifting apart, and
// cross-checks the grammar against the compiler's own lexer on the example of docs/language.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECLARATION_KINDS, KEYWORDS, lexer, type KeywordCategory } from '../../src/language/tokens.js';
import { describe, grammarPath, hasScope, repoRoot, tokenize, type Token } from './tokenize.js';

/** The scopes a keyword of each category may get in keyword position (see grammar/README.md). */
const CATEGORY_SCOPES: Record<KeywordCategory, readonly string[]> = {
  declaration: ['keyword.declaration.rlvr'],
  structure: ['keyword.control.import.rlvr', 'keyword.control.conditional.rlvr', 'keyword.other.rlvr'],
  operator: ['keyword.operator.logical.rlvr'],
  constant: ['constant.language.rlvr'],
};
const KEYWORD_LIKE = ['keyword.declaration', 'keyword.control', 'keyword.other', 'keyword.operator.logical', 'constant.language', 'storage.type'];
const isKeywordScoped = (t: Token) => KEYWORD_LIKE.some(p => hasScope(t, p));
const categoryOf = new Map(KEYWORDS.map(k => [k.word, k.category]));

/** The grammar token that exactly covers text[offset, offset + length), or a failure. */
function tokenAt(tokens: Token[], offset: number, length: number, context: string): Token {
  const t = tokens.find(x => x.offset === offset);
  assert.ok(t, `no token starts at offset ${offset} in ${JSON.stringify(context)}`);
  assert.equal(t.end - t.start, length, `token ${describe(t)} should span ${length} characters in ${JSON.stringify(context)}`);
  return t;
}

function assertKeywordScope(t: Token, category: KeywordCategory, context: string): void {
  const leaf = t.scopes[t.scopes.length - 1]!;
  assert.ok(CATEGORY_SCOPES[category].includes(leaf), `${describe(t)} in ${JSON.stringify(context)}: expected one of ${CATEGORY_SCOPES[category].join(', ')}`);
  assert.ok(category === 'constant' ? leaf.startsWith('constant.language') : leaf.startsWith('keyword.'));
}

/** Snippets with the keyword in keyword position; `@` marks where it goes. */
function keywordSnippets(word: string, category: KeywordCategory): string[] {
  const bodies = category === 'declaration'
    ? ['@ name = x', '@ name { a = 1 }', '@ name = x { a = 1 }', ...(word === 'train' || word === 'grid' ? ['@ { a = 1 }'] : [])]
    : ['x = a @ b', 'x = @ b', '@ b'];
  return bodies.flatMap(b => [b, `experiment e {\n  ${b}\n}`, `prompt p { system = "{q}", user = none\n  ${b}\n}`]).map(s => s.replace('@', word));
}

test('KEYWORDS is the keyword list this test expects to check', () => {
  assert.ok(KEYWORDS.length >= 20);
  for (const c of Object.keys(CATEGORY_SCOPES)) assert.ok(KEYWORDS.some(k => k.category === c), `a ${c} keyword`);
  assert.equal(new Set(KEYWORDS.map(k => k.word)).size, KEYWORDS.length);
});

test('every keyword in keyword position gets the scope of its category', async () => {
  for (const { word, category } of KEYWORDS) {
    for (const text of keywordSnippets(word, category)) {
      const tokens = await tokenize(text);
      const offset = text.search(new RegExp(`\\b${word}\\b`));
      const t = tokenAt(tokens, offset, word.length, text);
      assertKeywordScope(t, category, text);
      if (category === 'declaration' && text.includes(`${word} name`)) {
        const name = tokenAt(tokens, text.indexOf(' name', offset) + 1, 4, text);
        assert.ok(hasScope(name, 'entity.name.type.rlvr'), `declaration name: ${describe(name)}`);
      }
    }
  }
});

test('keywords are only keywords as whole words and not after a dot', async () => {
  for (const { word } of KEYWORDS) {
    for (const [text, at] of [[`x = ${word}s`, 4], [`x = my${word}`, 4], [`x = ${word}_1`, 4], [`x = a.${word}`, 6], [`x = a.${word}(1)`, 6]] as const) {
      const tokens = await tokenize(text);
      const t = tokens.find(x => x.offset <= at && at < x.offset + (x.end - x.start))!;
      assert.ok(!isKeywordScoped(t), `${describe(t)} in ${JSON.stringify(text)} should not be a keyword`);
      if (text.includes('.')) assert.ok(hasScope(t, text.endsWith(')') ? 'entity.name.function.call.rlvr' : 'variable.other.member.rlvr'), describe(t));
    }
  }
});

test('declaration words used as field names are properties, not keywords', async () => {
  for (const word of DECLARATION_KINDS) {
    for (const text of [`train { ${word} = x }`, `grid {\n  ${word} in [a, b]\n}`, `grid { ${word}.clip in [1] }`, `m = n with { ${word}.a.b = 1 }`, `exclude { ${word} = x }`]) {
      const tokens = await tokenize(text);
      const offset = text.search(new RegExp(`\\b${word}\\b(?!\\s*\\{)`));
      const t = tokenAt(tokens, offset, word.length, text);
      assert.ok(hasScope(t, 'variable.other.property.rlvr') && !isKeywordScoped(t), `${describe(t)} in ${JSON.stringify(text)}`);
    }
  }
});

// ---- the grammar's keyword regexes, read back from the JSON ----

interface RawRule { name?: string; match?: string; begin?: string; end?: string; captures?: Record<string, { name?: string }>; beginCaptures?: Record<string, { name?: string }>; endCaptures?: Record<string, { name?: string }>; patterns?: RawRule[] }

function allRules(): RawRule[] {
  const grammar = JSON.parse(readFileSync(grammarPath, 'utf8')) as { patterns: RawRule[]; repository: Record<string, RawRule> };
  const out: RawRule[] = [];
  const visit = (r: RawRule) => { out.push(r); r.patterns?.forEach(visit); };
  grammar.patterns.forEach(visit);
  Object.values(grammar.repository).forEach(visit);
  return out;
}

const EXCLUSION = /\(\?!\(\?:([a-z]+(?:\|[a-z]+)*)\)\\b\)/g; // (?!(?:a|b|c)\b): "not a keyword" guards
const WORD_GROUP = /\((?:\?:)?([a-z]+(?:\|[a-z]+)*)\)/g; // (a|b|c), (?:a|b|c), (word)

function ruleScopes(r: RawRule): string[] {
  return [r.name, ...[r.captures, r.beginCaptures, r.endCaptures].flatMap(c => Object.values(c ?? {}).map(x => x.name))]
    .filter((s): s is string => !!s);
}

test('the grammar highlights exactly the words of KEYWORDS as keywords, each in its category', () => {
  const categoryOfScope = (s: string): KeywordCategory | undefined =>
    (Object.entries(CATEGORY_SCOPES) as [KeywordCategory, readonly string[]][]).find(([, scopes]) => scopes.includes(s))?.[0];
  const highlighted = new Map<string, KeywordCategory>();
  let guards = 0;
  for (const rule of allRules()) {
    for (const re of [rule.match, rule.begin, rule.end].filter((x): x is string => !!x)) {
      for (const m of re.matchAll(EXCLUSION)) {
        guards++;
        assert.deepEqual(m[1]!.split('|').sort(), KEYWORDS.map(k => k.word).sort(), `keyword guard in ${re} must list every keyword`);
      }
      const words = [...re.replace(EXCLUSION, '').matchAll(WORD_GROUP)].flatMap(m => m[1]!.split('|'));
      if (words.length === 0) continue;
      for (const w of words) assert.ok(categoryOf.has(w), `the grammar highlights ${JSON.stringify(w)} (in ${re}) but it is not in KEYWORDS`);
      const cats = [...new Set(ruleScopes(rule).map(categoryOfScope).filter(c => c !== undefined))];
      assert.equal(cats.length, 1, `rule ${re} with keyword groups should carry exactly one keyword category scope (has ${ruleScopes(rule).join(', ')})`);
      for (const w of words) {
        assert.equal(cats[0], categoryOf.get(w), `${w} is highlighted as ${cats[0]} but KEYWORDS says ${categoryOf.get(w)}`);
        highlighted.set(w, cats[0]!);
      }
    }
  }
  assert.ok(guards >= 3, 'the declaration and sub-block rules guard their names against keywords');
  assert.deepEqual([...highlighted.keys()].sort(), KEYWORDS.map(k => k.word).sort(), 'every keyword has a keyword rule');
});

// ---- the docs example, cross-checked token by token against the compiler's lexer ----

const docsExample = (() => {
  const md = readFileSync(join(repoRoot, 'docs', 'language.md'), 'utf8');
  const m = /```[^\n]*\n([\s\S]*?)```/.exec(md);
  assert.ok(m, 'docs/language.md has a fenced example');
  return m[1]!;
})();

const EXPECTED_BY_TOKEN_TYPE: Record<string, string> = {
  LineComment: 'comment.line.double-slash.rlvr',
  BlockComment: 'comment.block.rlvr',
  StringLit: 'string.quoted.double.rlvr',
  TripleString: 'string.quoted.triple.rlvr',
  Float: 'constant.numeric.float.rlvr',
  Int: 'constant.numeric.integer.rlvr',
  DotDot: 'keyword.operator.range.rlvr',
  Dot: 'punctuation.accessor.rlvr',
  Comma: 'punctuation.separator.comma.rlvr',
  Semicolon: 'punctuation.separator.semicolon.rlvr',
  LBrace: 'punctuation.section.block.begin.rlvr',
  RBrace: 'punctuation.section.block.end.rlvr',
  LParen: 'punctuation.section.parens.begin.rlvr',
  RParen: 'punctuation.section.parens.end.rlvr',
  LBracket: 'punctuation.section.brackets.begin.rlvr',
  RBracket: 'punctuation.section.brackets.end.rlvr',
  EqEq: 'keyword.operator.comparison.rlvr',
  NotEq: 'keyword.operator.comparison.rlvr',
  LessEq: 'keyword.operator.comparison.rlvr',
  GreaterEq: 'keyword.operator.comparison.rlvr',
  Less: 'keyword.operator.comparison.rlvr',
  Greater: 'keyword.operator.comparison.rlvr',
  Equals: 'keyword.operator.assignment.rlvr',
  Plus: 'keyword.operator.arithmetic.rlvr',
  Minus: 'keyword.operator.arithmetic.rlvr',
  Star: 'keyword.operator.arithmetic.rlvr',
  Slash: 'keyword.operator.arithmetic.rlvr',
};

/** Checks every lexer token of `text` against the grammar's tokens; returns how many keyword tokens were checked. */
async function crossCheck(text: string, label: string): Promise<{ keywords: number; fields: number }> {
  const lexed = lexer.tokenize(text);
  assert.deepEqual(lexed.errors.map(e => e.message), [], `${label} lexes without errors`);
  const lexTokens = [...lexed.tokens, ...Object.values(lexed.groups).flat()].sort((a, b) => a.startOffset - b.startOffset);
  const code = lexed.tokens; // without comments, for neighbours
  const grammarTokens = await tokenize(text);
  let keywords = 0, fields = 0;
  for (const lt of lexTokens) {
    const start = lt.startOffset, end = (lt.endOffset ?? start) + 1;
    const covering = grammarTokens.filter(g => g.offset < end && start < g.offset + (g.end - g.start) && g.text.trim() !== '');
    assert.ok(covering.length > 0, `${label}: no grammar token for ${lt.tokenType.name} ${JSON.stringify(lt.image)}`);
    const where = `${label} ${lt.startLine}:${lt.startColumn} ${lt.tokenType.name} ${JSON.stringify(lt.image)}`;
    const type = lt.tokenType.name;
    const category = categoryOf.get(lt.image);
    if (category && type !== 'Identifier' && !(type in EXPECTED_BY_TOKEN_TYPE)) {
      const i = code.indexOf(lt);
      const prev = code[i - 1]?.tokenType.name, next = code[i + 1]?.tokenType.name;
      const g = covering[0]!;
      assert.equal(covering.length, 1, where);
      assert.equal(g.text, lt.image, where);
      if (prev === 'Dot') {
        fields++;
        assert.ok(hasScope(g, 'variable.other.member.rlvr') || hasScope(g, 'entity.name.function.call.rlvr'), `${where}: member, got ${describe(g)}`);
      } else if (next === 'Equals' || next === 'Dot' || next === 'In') {
        fields++;
        assert.ok(hasScope(g, 'variable.other.property.rlvr') && !isKeywordScoped(g), `${where}: field key, got ${describe(g)}`);
      } else {
        keywords++;
        assertKeywordScope(g, category, where);
      }
    } else if (type === 'Identifier') {
      assert.equal(covering.length, 1, where);
      const g = covering[0]!;
      assert.equal(g.text, lt.image, where);
      assert.ok(!isKeywordScoped(g) && !hasScope(g, 'string') && !hasScope(g, 'comment'), `${where}: got ${describe(g)}`);
      assert.ok(['variable.other', 'entity.name', 'support'].some(p => hasScope(g, p)), `${where}: names get a name scope, got ${describe(g)}`);
    } else {
      const expected = EXPECTED_BY_TOKEN_TYPE[type];
      assert.ok(expected, `${where}: the lexer has a token type this test does not know; teach the grammar and this table`);
      for (const g of covering) assert.ok(hasScope(g, expected), `${where}: expected ${expected}, got ${describe(g)}`);
    }
  }
  // Nothing is left bare or marked invalid.
  for (const g of grammarTokens) {
    if (g.text.trim() === '') continue;
    assert.ok(g.scopes.some(s => s !== 'source.rlvr' && !s.startsWith('meta.')), `${label}: unscoped ${describe(g)}`);
    assert.ok(!g.scopes.some(s => s.startsWith('invalid')), `${label}: invalid ${describe(g)}`);
  }
  return { keywords, fields };
}

test('the docs/language.md example: every lexer token gets the matching scope, keywords by category', async () => {
  const { keywords, fields } = await crossCheck(docsExample, 'docs/language.md');
  assert.ok(keywords >= 40, `checked ${keywords} keywords in keyword position`);
  assert.ok(fields >= 8, `checked ${fields} keywords used as field names`);
  // every keyword of the language that the example uses, and the specific highlights the README promises
  const tokens = await tokenize(docsExample);
  const scopeOf = (text: string, nth = 1) => tokens.filter(t => t.text === text)[nth - 1];
  assert.ok(hasScope(scopeOf('question', 2)!, 'variable.other.placeholder.rlvr'), 'the {question} placeholder of prompt plain');
  assert.ok(hasScope(scopeOf('5e-7')!, 'constant.numeric.float.rlvr'));
  assert.ok(hasScope(scopeOf('..')!, 'keyword.operator.range.rlvr'));
  for (const name of ['spurious_mini', 'arith', 'math500', 'pi1', 'qwen_math_like', 'no_code_like', 'qwen7b', 'plain', 'ground_truth', 'format', 'no_python_gt', 'weighted', 'guarded', 'incorrect', 'grpo', 'no_clip', 'adam', 'math']) {
    const decl = tokens.find(t => t.text === name && hasScope(t, 'entity.name.type.rlvr'));
    assert.ok(decl, `declaration name ${name} gets entity.name.type.rlvr`);
  }
});

test('the keyword and comment case files agree with the lexer as well', async () => {
  for (const f of ['keywords.rlvr', 'comments.rlvr', 'numbers.rlvr']) {
    const text = readFileSync(join(repoRoot, 'test', 'grammar', 'cases', f), 'utf8')
      .split('\n').slice(1).filter(l => !/^\/\/\s*(\^|<~*-)/.test(l)).join('\n');
    await crossCheck(text, f);
  }
});
