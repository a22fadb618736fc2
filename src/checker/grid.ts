// Grids: axes over declarations (`model in [a, b]`, `reward in [x, random(0.3)]`), over scalar train fields
// and the seed (`seed in [1, 2, 3]`), and over fields of the train block's declarations (`algorithm.clip in
// [0.2, none]`). A grid's cells are the product of its axes, minus the cells an `exclude` rule matches,
// restricted to those some `only` rule matches (when it has any).
import type { Expr, GridDecl, Name } from '../language/ast.js';
import { grid as gridMsg, types } from '../diagnostics/catalogue.js';
import type { Reporter } from './report.js';
import type { Resolver } from './resolve.js';
import { ALGORITHM_CONSTRUCTORS, blockNames, DATASET_CONSTRUCTORS, MODEL_CONSTRUCTORS, OPTIMIZER_CONSTRUCTORS, PROMPT, TRAIN, TRAIN_AXES, type BlockSpec } from './schema/index.js';
import { suggest } from '../util/suggest.js';
import type { Scope } from './symbols.js';
import { containsHole, T, unparen } from './types.js';
import { exprText } from './ids.js';
import type { DeclValue, Json, Loc } from './values.js';

export interface AxisValue { text: string; expr: Expr; loc: Loc; value: Json | DeclValue | undefined }

export interface Axis {
  /** As written: 'model', 'seed', 'algorithm.clip'. */
  key: string;
  parts: Name[];
  /** seed: the root seed; field: a train field; nested: a field of a train field's declaration. */
  kind: 'seed' | 'field' | 'nested';
  loc: Loc;
  values: AxisValue[];
}

export interface GridPlan {
  name: string | null;
  node: GridDecl;
  axes: Axis[];
  /** One value per axis for each cell, in product order (the first axis varies slowest). */
  cells: AxisValue[][];
}

/** The schema a dotted axis under each train field is checked against. */
export const NESTED_SPECS: Record<string, BlockSpec | undefined> = {
  model: MODEL_CONSTRUCTORS.transformer,
  data: DATASET_CONSTRUCTORS.arithmetic,
  algorithm: ALGORITHM_CONSTRUCTORS.grpo,
  optimizer: OPTIMIZER_CONSTRUCTORS.adam,
  prompt: PROMPT,
};

export function planGrid(g: GridDecl, scope: Scope, resolver: Resolver, rep: Reporter): GridPlan | undefined {
  const file = scope.file;
  const axes: Axis[] = [];
  let broken = false;
  for (const entry of g.entries) {
    if (entry.kind !== 'GridAxis') continue;
    if (entry.path.parts.length === 0 || containsHole(entry.values)) {
      broken = true;
      continue;
    }
    const axis = planAxis(entry.path.parts, entry.values, { file, span: entry.path.span }, scope, resolver, rep);
    if (!axis) {
      broken = true;
      continue;
    }
    const first = axes.find(a => a.key === axis.key);
    if (first) {
      rep.report(gridMsg.duplicateAxis(axis.key), axis.loc, [{ file, span: first.loc.span, message: 'the first one' }]);
      continue;
    }
    axes.push(axis);
  }
  if (broken || g.entries.some(e => e.kind === 'Hole')) return undefined;

  let cells: AxisValue[][] = [[]];
  for (const a of axes) cells = cells.flatMap(c => a.values.map(v => [...c, v]));

  // Rules: each key names an axis; a value may be one value or a list of alternatives.
  const excludes: Array<(c: AxisValue[]) => boolean> = [];
  const onlys: Array<(c: AxisValue[]) => boolean> = [];
  for (const entry of g.entries) {
    if (entry.kind !== 'GridRule') continue;
    const conds: Array<{ index: number; texts: Set<string> }> = [];
    let ok = true;
    for (const e of entry.body.entries) {
      if (e.kind === 'Hole') { ok = false; continue; }
      if (e.kind !== 'Assignment') {
        rep.report(types.notHere(e.kind === 'Flag' ? 'a bare name' : 'a block', `an '${entry.rule}' rule`, 'write axis = value'), { file, span: e.span });
        ok = false;
        continue;
      }
      const key = e.path.parts.map(p => p.text).join('.');
      const index = axes.findIndex(a => a.key === key);
      if (index < 0) {
        rep.report(gridMsg.ruleNotAxis(entry.rule, key, axes.map(a => a.key).join(', ') || 'none', suggest(key, axes.map(a => a.key))), { file, span: e.path.span });
        ok = false;
        continue;
      }
      const v = unparen(e.value);
      const items = v.kind === 'List' ? v.items : [v];
      if (items.some(containsHole)) { ok = false; continue; }
      conds.push({ index, texts: new Set(items.map(exprText)) });
    }
    if (!ok) continue;
    const match = (c: AxisValue[]) => conds.every(k => k.texts.has(c[k.index]!.text));
    if (!cells.some(match)) {
      rep.report(gridMsg.ruleMatchesNothing(entry.rule), { file, span: entry.body.span.start.line === entry.span.start.line ? entry.span : entry.body.span });
      continue;
    }
    (entry.rule === 'exclude' ? excludes : onlys).push(match);
  }
  cells = cells.filter(c => !excludes.some(m => m(c)) && (onlys.length === 0 || onlys.some(m => m(c))));
  const name = g.name?.text ?? null;
  if (cells.length === 0 && axes.length > 0) rep.report(gridMsg.noCells(name ? `'${name}'` : ''), { file, span: g.name?.span ?? g.span });
  return { name, node: g, axes, cells };
}

function planAxis(parts: Name[], valuesExpr: Expr, loc: Loc, scope: Scope, resolver: Resolver, rep: Reporter): Axis | undefined {
  const file = scope.file;
  const key = parts.map(p => p.text).join('.');
  const head = parts[0]!.text;
  const known = ['seed', ...TRAIN_AXES];
  let kind: Axis['kind'];
  if (head === 'seed' && parts.length === 1) kind = 'seed';
  else if (TRAIN_AXES.includes(head)) kind = parts.length === 1 ? 'field' : 'nested';
  else {
    rep.report(gridMsg.unknownAxis(key, suggest(head, known), known.join(', ')), { file, span: parts[0]!.span });
    return undefined;
  }
  if (kind === 'nested') {
    const spec = NESTED_SPECS[head];
    const sub = parts[1]!;
    if (!spec || !blockNames(spec).includes(sub.text)) {
      const where = spec ? `${spec.what}` : `a ${head}`;
      rep.report(gridMsg.unknownAxisField(key, sub.text, where, spec ? suggest(sub.text, blockNames(spec)) : undefined), { file, span: sub.span });
      return undefined;
    }
  }
  const list = unparen(valuesExpr);
  if (list.kind !== 'List') {
    rep.report(types.typeMismatch(`the values of axis '${key}'`, 'a list [a, b, ...]', exprText(list)), { file, span: list.span });
    return undefined;
  }
  if (list.items.length === 0) {
    rep.report(gridMsg.emptyAxis(key), { file, span: list.span });
    return undefined;
  }
  const values: AxisValue[] = [];
  let ok = true;
  for (const item of list.items) {
    const text = exprText(unparen(item));
    const at = { file, span: item.span };
    if (values.some(v => v.text === text)) {
      rep.report(gridMsg.duplicateValue(key, text), at);
      continue;
    }
    let value: Json | DeclValue | undefined;
    if (kind === 'seed') value = resolver.checkValue(item, T.count(), scope, 'seed');
    else if (kind === 'field') value = resolver.checkValue(item, TRAIN.fields[head]!.type, scope, head);
    else value = null; // checked per cell, against the declaration the cell's train block uses
    if (value === undefined) ok = false;
    values.push({ text, expr: item, loc: at, value });
  }
  return ok ? { key, parts, kind, loc, values } : undefined;
}
