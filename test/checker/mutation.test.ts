// Mutations of the experiment files, at every position where they apply: an out-of-range number, a
// misspelt reference and a deleted required field must each give an error on the line that was changed
// (for a deletion: the line of the block that now lacks the field).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/golden.js';
import { check } from '../../src/checker/index.js';
import { parse } from '../../src/language/parse.js';
import type { Block, Entry, Expr, ExperimentDecl } from '../../src/language/ast.js';

const FILES = ['experiments/quickstart.rlvr', 'experiments/paper-mini.rlvr'];

/** An out-of-range replacement for numeric fields, by field name (from the language reference). */
const BAD_NUMBER: Record<string, string> = {
  layers: '0', d_model: '0', heads: '0', context: '0', steps: '-1', batch: '0', every: '0', samples: '0',
  prompts_per_step: '0', group: '1', minibatch: '0', max_tokens: '0', train: '-1', test: '-1', max_mul: '-1',
  share: '1.5', accuracy: '-0.1', top_p: '1.5', clip: '1.5', kl: '-1', entropy: '-1', lr: '0', temperature: '-1',
  weight_decay: '-1', grad_clip: '0', seed: '-1', language: '2',
};
const REQUIRED: Record<string, string[]> = {
  transformer: ['layers', 'd_model', 'heads', 'context'],
  stage: ['steps', 'lr'],
  train: ['model', 'data', 'reward', 'algorithm', 'optimizer', 'steps'],
  optimizer: ['lr'],
  eval: ['data'],
};

interface Site { entry: Entry; blockLine: number; role: string }

/** Every entry of every block, with the line of the block's header and what kind of block it is. */
function sites(exp: ExperimentDecl): Site[] {
  const out: Site[] = [];
  const visit = (b: Block, blockLine: number, role: string) => {
    for (const e of b.entries) {
      if (e.kind === 'Hole') continue;
      out.push({ entry: e, blockLine, role });
      if (e.kind === 'SubBlock') visit(e.body, e.head.span.start.line, e.head.text === 'pretrain' || e.head.text === 'midtrain' ? 'stage' : e.head.text);
    }
  };
  for (const d of exp.items) {
    if (d.kind !== 'Declaration') continue;
    const line = d.span.start.line;
    if (d.body) visit(d.body, line, d.declKind);
    const v = d.value;
    if (v?.kind === 'Construct') visit(v.body, line, v.callee.kind === 'Reference' ? v.callee.name : d.declKind);
    if (v?.kind === 'With') visit(v.overrides, line, `${d.declKind}-override`);
  }
  return out;
}

function references(e: Expr, out: Array<{ name: string; expr: Expr }>): void {
  switch (e.kind) {
    case 'Reference': out.push({ name: e.name, expr: e }); break;
    case 'Member': references(e.object, out); break;
    case 'List': e.items.forEach(i => references(i, out)); break;
    case 'With': references(e.base, out); break;
    case 'Binary': references(e.left, out); references(e.right, out); break;
    case 'Unary': references(e.operand, out); break;
    case 'Paren': references(e.inner, out); break;
    default: break;
  }
}

function errorsAt(file: string, text: string): Array<{ line: number; code: string }> {
  return check([{ file, text }], { cwd: REPO }).diagnostics.filter(d => d.severity === 'error' && d.file === file).map(d => ({ line: d.span.start.line, code: d.code }));
}

const splice = (text: string, from: number, to: number, insert: string) => text.slice(0, from) + insert + text.slice(to);

for (const file of FILES) {
  const text = readFileSync(join(REPO, file), 'utf8');
  const exp = parse(text, file).ast.items.find((i): i is ExperimentDecl => i.kind === 'Experiment')!;
  const declared = new Set(exp.items.flatMap(d => (d.kind === 'Declaration' && d.name ? [d.name.text] : [])));

  test(`${file}: every numeric field set out of range is an error on its line`, () => {
    let count = 0;
    const numbers: Array<{ key: string; expr: Expr }> = [];
    for (const s of sites(exp)) if (s.entry.kind === 'Assignment') numbers.push({ key: s.entry.path.parts.at(-1)!.text, expr: s.entry.value });
    for (const st of exp.items) if (st.kind === 'Setting') numbers.push({ key: st.key.text, expr: st.value });
    for (const { key, expr } of numbers) {
      const bad = BAD_NUMBER[key];
      if (bad === undefined || expr.kind !== 'Number') continue;
      const mutated = splice(text, expr.span.start.offset, expr.span.end.offset, bad);
      const errors = errorsAt(file, mutated);
      assert.ok(errors.some(e => e.line === expr.span.start.line), `${key} = ${bad} on line ${expr.span.start.line}: got ${JSON.stringify(errors)}`);
      count++;
    }
    assert.ok(count >= (file.includes('mini') ? 40 : 20), `only ${count} numeric mutations`);
  });

  test(`${file}: every misspelt reference to a declaration is an unknown-name error on its line`, () => {
    let count = 0;
    const refs: Array<{ name: string; expr: Expr }> = [];
    // `family = base` names a corpus preset, not the model called base.
    for (const s of sites(exp)) if (s.entry.kind === 'Assignment' && s.entry.path.parts[0]!.text !== 'family') references(s.entry.value, refs);
    for (const d of exp.items) {
      if (d.kind === 'Declaration' && d.value) references(d.value, refs);
      if (d.kind === 'Grid') for (const a of d.entries) if (a.kind === 'GridAxis') references(a.values, refs);
    }
    for (const { name, expr } of refs) {
      if (!declared.has(name)) continue;
      const typo = name.length > 3 ? name.slice(0, -2) + name.at(-1) + name.at(-2) : `${name}x`;
      const mutated = splice(text, expr.span.start.offset, expr.span.end.offset, typo);
      const errors = errorsAt(file, mutated);
      assert.ok(errors.some(e => e.line === expr.span.start.line && e.code === 'RLVR2001'), `${name} → ${typo} on line ${expr.span.start.line}: got ${JSON.stringify(errors)}`);
      count++;
    }
    assert.ok(count >= (file.includes('mini') ? 25 : 5), `only ${count} reference mutations`);
  });

  // A train field that every grid varies is supplied by the grid: deleting it from the train block is fine.
  const grids = exp.items.filter(i => i.kind === 'Grid');
  const byEveryGrid = (key: string) => grids.length > 0 && grids.every(g => g.kind === 'Grid' && g.entries.some(a => a.kind === 'GridAxis' && a.path.parts.map(p => p.text).join('.') === key));

  test(`${file}: every deleted required field is a missing-field error on its block's line`, () => {
    let count = 0;
    for (const s of sites(exp)) {
      if (s.entry.kind !== 'Assignment') continue;
      const key = s.entry.path.parts[0]!.text;
      const role = s.role.replace(/-override$/, '');
      if (!(REQUIRED[role] ?? []).includes(key)) continue;
      // Delete the entry with its separator: its whole line when it stands alone on it.
      let from = s.entry.span.start.offset;
      let to = s.entry.span.end.offset;
      const lineStart = text.lastIndexOf('\n', from - 1) + 1;
      const lineEnd = text.indexOf('\n', to);
      if (text.slice(lineStart, from).trim() === '' && text.slice(to, lineEnd).replace(/\/\/.*$/, '').trim() === '') {
        from = lineStart;
        to = lineEnd + 1;
      } else if (text.slice(to).match(/^\s*,/)) to += text.slice(to).indexOf(',') + 1;
      else from = text.lastIndexOf(',', from);
      const mutated = splice(text, from, to, '');
      const errors = errorsAt(file, mutated);
      count++;
      if (role === 'train' && byEveryGrid(key)) {
        assert.deepEqual(errors, [], `deleting ${key} from train: every grid supplies it`);
        continue;
      }
      assert.ok(errors.some(e => e.line === s.blockLine && e.code === 'RLVR3003'), `deleting ${key} (block on line ${s.blockLine}): got ${JSON.stringify(errors)}`);
    }
    assert.ok(count >= (file.includes('mini') ? 20 : 12), `only ${count} deletions`);
  });
}

test('deleting the language setting is an error on the experiment line', () => {
  const file = 'experiments/quickstart.rlvr';
  const text = readFileSync(join(REPO, file), 'utf8').replace(/^\s*language = 1\n/m, '');
  assert.deepEqual(errorsAt(file, text), [{ line: 4, code: 'RLVR3007' }]);
});
