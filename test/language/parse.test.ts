// The AST the parser builds: precedence, literals, blocks, grids, spans and recovery holes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../src/language/parse.js';
import type * as A from '../../src/language/ast.js';
import { dedent } from '../../src/language/strings.js';

function firstExperiment(text: string): A.ExperimentDecl {
  const r = parse(text);
  assert.deepEqual(r.diagnostics.map(d => d.summary), []);
  return r.ast.items[0] as A.ExperimentDecl;
}

function valueOf(src: string): A.Expr {
  const e = firstExperiment(`experiment e { x = ${src} }`);
  return (e.items[0] as A.Setting).value;
}

/** A compact, span-free rendering of an expression tree, to assert structure. */
function show(e: A.Expr): string {
  switch (e.kind) {
    case 'Number': return e.raw;
    case 'String': return JSON.stringify(e.value);
    case 'Bool': return String(e.value);
    case 'None': return 'none';
    case 'Reference': return e.name;
    case 'Member': return `${show(e.object)}.${e.name.text}`;
    case 'Call': return `${show(e.callee)}(${e.args.map(a => (a.name ? a.name.text + '=' : '') + show(a.value)).join(',')})`;
    case 'Construct': return `${show(e.callee)}{${e.body.entries.length}}`;
    case 'List': return `[${e.items.map(show).join(',')}]`;
    case 'Tuple': return `tuple(${e.items.map(show).join(',')})`;
    case 'Record': return `{${e.body.entries.length}}`;
    case 'Unary': return `(${e.op} ${show(e.operand)})`;
    case 'Binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'Range': return `${show(e.from)}..${show(e.to)}`;
    case 'With': return `(${show(e.base)} with {${e.overrides.entries.length}})`;
    case 'Where': return `(${show(e.value)} where ${show(e.condition)})`;
    case 'If': return `(if ${show(e.condition)} then ${show(e.then)} else ${show(e.else)})`;
    case 'Paren': return `(${show(e.inner)})`;
    case 'Hole': return '?';
  }
}

test('operator precedence: or < and < not < comparison < + - < * / < unary', () => {
  assert.equal(show(valueOf('a or b and not c')), '(a or (b and (not c)))');
  assert.equal(show(valueOf('0.5 * a + 0.5 * b - c')), '(((0.5 * a) + (0.5 * b)) - c)');
  assert.equal(show(valueOf('a != b and c == 1')), '((a != b) and (c == 1))');
  assert.equal(show(valueOf('-x * 2')), '((- x) * 2)');
  assert.equal(show(valueOf('a where b != c')), '(a where (b != c))');
  assert.equal(show(valueOf('if p then 0 else q and r')), '(if p then 0 else (q and r))');
  assert.equal(show(valueOf('m with { a = 1 } with { b = 2 }')), '((m with {1}) with {1})');
});

test('literals: ints, floats with exponents, ranges, lists, tuples, records, none, booleans', () => {
  assert.equal(show(valueOf('5e-7')), '5e-7');
  assert.equal((valueOf('5e-7') as A.NumberLiteral).value, 5e-7);
  assert.equal((valueOf('1.0e-3') as A.NumberLiteral).isInt, false);
  assert.equal((valueOf('42') as A.NumberLiteral).isInt, true);
  assert.equal(show(valueOf('1..3')), '1..3');
  assert.equal(show(valueOf('-1..-3')), '(- 1)..(- 3)');
  assert.equal(show(valueOf('[1, 2, 3,]')), '[1,2,3]');
  assert.equal(show(valueOf('(0.9, 0.95)')), 'tuple(0.9,0.95)');
  assert.equal(show(valueOf('(0.9,)')), 'tuple(0.9)');
  assert.equal(show(valueOf('(0.9)')), '(0.9)');
  assert.equal(show(valueOf('{ a = 1, b }')), '{2}');
  assert.equal(show(valueOf('[none, true, false]')), '[none,true,false]');
});

test('calls, members and constructor blocks chain left to right', () => {
  assert.equal(show(valueOf('json("x.json") { question = "prompt" }.take(1)')), 'json("x.json"){1}.take(1)');
  assert.equal(show(valueOf('correct(majority_label(samples = 64, temperature = 1.0))')), 'correct(majority_label(samples=64,temperature=1.0))');
  assert.equal(show(valueOf('arith.train')), 'arith.train');
  assert.equal(show(valueOf('f()')), 'f()');
});

test('strings: escapes decode, triple-quoted strings are dedented', () => {
  assert.equal((valueOf('"a\\"b\\\\c\\n\\t\\u{1F600}"') as A.StringLiteral).value, 'a"b\\c\n\t\u{1F600}');
  const t = valueOf('"""\n    Question: {question}\n      more\n    """') as A.StringLiteral;
  assert.equal(t.value, 'Question: {question}\n  more');
  assert.equal(t.triple, true);
  assert.equal(dedent('x'), 'x');
});

test('declarations, sub-blocks, flags and dotted override paths', () => {
  const e = firstExperiment(`experiment e {
    model m = transformer { layers = 2, pretrain base on arith.train { steps = 3, strategy code { share = 1 } } }
    model n = m with { pretrain.lr = 1e-3 }
    eval v { greedy
      metrics = [accuracy] }
    train { model = m }
  }`);
  const [m, n, v, t] = e.items as A.Declaration[];
  assert.equal(m!.declKind, 'model');
  const sub = (m!.value as A.Construct).body.entries[1] as A.SubBlock;
  assert.equal(sub.kind, 'SubBlock');
  assert.equal(sub.head.text, 'pretrain');
  assert.equal(sub.name?.text, 'base');
  assert.deepEqual(sub.on?.parts.map(p => p.text), ['arith', 'train']);
  assert.equal((sub.body.entries[1] as A.SubBlock).name?.text, 'code');
  const over = (n!.value as A.WithExpr).overrides.entries[0] as A.Assignment;
  assert.deepEqual(over.path.parts.map(p => p.text), ['pretrain', 'lr']);
  assert.deepEqual(v!.body!.entries.map(x => x.kind), ['Flag', 'Assignment']);
  assert.equal(t!.name, null);
  assert.equal(t!.body!.entries.length, 1);
});

test('grids: axes over paths, exclude and only rules; several named grids', () => {
  const e = firstExperiment('experiment e { grid a { algorithm.clip in [0.2, none]\n exclude { seed = 1 } only { seed = 2 } } grid b { seed in [1] } }');
  const [a, b] = e.items as A.GridDecl[];
  assert.equal(a!.name?.text, 'a');
  assert.deepEqual(a!.entries.map(x => x.kind === 'GridRule' ? x.rule : x.kind), ['GridAxis', 'exclude', 'only']);
  assert.deepEqual((a!.entries[0] as A.GridAxis).path.parts.map(p => p.text), ['algorithm', 'clip']);
  assert.equal(b!.name?.text, 'b');
});

test('imports: whole file or selected names', () => {
  const r = parse('import "a.rlvr"\nimport { x, y } from "b.rlvr";\nexperiment e {}');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.ast.imports.map(i => [i.names?.map(n => n.text) ?? null, i.path.value]), [[null, 'a.rlvr'], [['x', 'y'], 'b.rlvr']]);
});

test('spans are 1-based with an exclusive end', () => {
  const e = firstExperiment('experiment e {\n  seed = 42\n}');
  const s = e.items[0] as A.Setting;
  assert.deepEqual(s.value.span, { start: { line: 2, column: 10, offset: 24 }, end: { line: 2, column: 12, offset: 26 } });
  assert.deepEqual(s.key.span.start, { line: 2, column: 3, offset: 17 });
});

test('error recovery leaves explicit holes and keeps the rest of the file', () => {
  const r = parse('experiment e {\n  algorithm g { clip = , group = 16 }\n  seed = 3\n}');
  assert.equal(r.diagnostics.length, 1);
  const e = r.ast.items[0] as A.ExperimentDecl;
  const alg = e.items[0] as A.Declaration;
  // The broken entry becomes a hole; its neighbours survive intact.
  assert.equal(alg.body!.entries[0]!.kind, 'Hole');
  const group = alg.body!.entries[1] as A.Assignment;
  assert.equal((group.value as A.NumberLiteral).value, 16);
  const seed = e.items[1] as A.Setting;
  assert.equal((seed.value as A.NumberLiteral).value, 3);
});

test('a keyword is not a name, but a longer word that starts with one is', () => {
  assert.equal(show(valueOf('models')), 'models');
  assert.equal(show(valueOf('nonexistent')), 'nonexistent');
  assert.equal(parse('experiment e { x = model }').diagnostics.length, 1);
});
