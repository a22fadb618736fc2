// Hover: a field's type, default and doc line from the field catalogue; a declared name's resolved value
// (its constructor and effective fields after `with`, a reward's expression); a grid's cell count.
import type { Hover } from 'vscode-languageserver';
import type { FieldSpec } from '../checker/schema/index.js';
import type { Sym } from '../checker/symbols.js';
import { describe, type FieldType } from '../checker/types.js';
import { DeclValue, isDecl, type Json } from '../checker/values.js';
import type { Analysis } from './analysis.js';
import { loadedFiles } from './analysis.js';
import { pathAt } from './ast-walk.js';
import { axisField, blockContext } from './blocks.js';
import { occurrenceAt } from './names.js';
import { toRange } from './paths.js';
import { rewardFunction } from './reward-functions.js';

const MAX_FIELDS = 40;

const isEnum = (ty: FieldType): boolean => ty.t === 'enum' || (ty.t === 'union' && ty.of.some(isEnum));
const enumValues = (ty: FieldType): string[] => (ty.t === 'enum' ? [...ty.values] : ty.t === 'union' || ty.t === 'tuple' ? ty.of.flatMap(enumValues) : ty.t === 'list' ? enumValues(ty.of) : []);

/** A value as the language writes it: `none`, `group_norm` (an enum word, unquoted), `2..3`, `"text"`. */
export function valueText(v: Json | DeclValue | undefined, ty?: FieldType): string {
  if (v === undefined) return '?';
  if (v === null) return 'none';
  if (isDecl(v)) return v.name;
  if (typeof v === 'string' && ty && isEnum(ty)) return v;
  if (Array.isArray(v) && ty?.t === 'list' && isEnum(ty.of)) return `[${v.join(', ')}]`;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.min === 'number' && typeof v.max === 'number' && Object.keys(v).length === 2) return `${v.min}..${v.max}`;
  return JSON.stringify(v);
}

export function fieldText(name: string, field: FieldSpec, owner: string): string {
  const def = field.required ? 'required' : field.defaultText ? `default ${field.defaultText}` : `default \`${valueText(field.default, field.type)}\``;
  return `**${name}** — field of ${owner}\n\n${describe(field.type)}; ${def}\n\n${field.doc}`;
}

/** The source text a declaration was written with (a reward's expression), trimmed to one screen. */
function sourceOf(a: Analysis, sym: Sym): string | undefined {
  const file = loadedFiles(a).find(f => f.display === sym.loc.file);
  const v = sym.decl.value;
  if (!file || !v) return undefined;
  const text = file.text.slice(v.span.start.offset, v.span.end.offset);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

export function symbolText(a: Analysis, sym: Sym): string {
  const lines = [`\`\`\`rlvr\n${sym.kind} ${sym.name}\n\`\`\``];
  const v = sym.value;
  if (sym.kind === 'reward') {
    const src = sourceOf(a, sym);
    if (src) lines.push(`\`\`\`rlvr\n${src}\n\`\`\``);
  } else if (v) {
    lines.push(`${v.spec?.what ?? v.kind} (\`${v.ctor}\`)${v.path ? ` from \`${v.path.value}\`` : ''}`);
    if (v.spec) {
      const rows: string[] = [];
      for (const [name, field] of Object.entries(v.spec.fields)) {
        const set = v.obj.fields.get(name);
        if (set) rows.push(`${name} = ${valueText(set.value, field.type)}`);
        else if (!field.required) rows.push(`${name} = ${field.defaultText ?? valueText(field.default, field.type)}  (default)`);
      }
      for (const [key, k] of v.obj.keyed) rows.push(`${key.replace('.', ' ')} { ${[...k.obj.fields].map(([n, e]) => `${n} = ${valueText(e.value)}`).join(', ')} }`);
      for (const s of v.obj.stages) rows.push(`${s.head}${s.name ? ` ${s.name}` : ''}${s.data ? ` on ${s.data.name}` : ''} { ${[...s.obj.fields].map(([n, e]) => `${n} = ${valueText(e.value)}`).join(', ')} }`);
      if (rows.length > 0) lines.push('```rlvr\n' + rows.slice(0, MAX_FIELDS).join('\n') + (rows.length > MAX_FIELDS ? '\n…' : '') + '\n```');
    }
  } else {
    lines.push('(no value: see its diagnostics)');
  }
  return lines.join('\n\n');
}

function gridText(a: Analysis, name: string | null): string | undefined {
  for (const e of a.result?.experiments ?? []) {
    const g = e.grids.find(x => x.name === name);
    if (!g) continue;
    const dups = e.duplicates.filter(d => g.cells.includes(d.id)).length;
    const axes = g.axes.map(x => `${x.path} (${x.values.length})`).join(' × ');
    return `**grid${name ? ` ${name}` : ''}**: ${g.cells.length} cell${g.cells.length === 1 ? '' : 's'}${axes ? ` = ${axes}` : ''}${dups ? `; ${dups} repeat another cell and run once` : ''}`;
  }
  return undefined;
}

export function hover(a: Analysis, offset: number): Hover | null {
  const occ = occurrenceAt(a, offset);
  const md = (value: string, span = occ?.span): Hover => ({ contents: { kind: 'markdown', value }, ...(span ? { range: toRange(span) } : {}) });
  if (occ?.sym) return md(symbolText(a, occ.sym));
  const path = pathAt(a.ast, offset);
  if (occ?.kind === 'field') {
    // The block the field is written in: the path up to (not including) the entry that names it.
    let owner = path.length - 1;
    while (owner > 0 && !['Assignment', 'Setting', 'Flag', 'SubBlock', 'GridAxis'].includes(path[owner]!.kind)) owner--;
    const ctx = blockContext(a.file, path.slice(0, owner));
    const entry = path[owner];
    if (ctx.grid && entry && (entry.kind === 'GridAxis' || entry.kind === 'Assignment')) {
      const parts = entry.path.parts.map(p => p.text);
      const axis = axisField(parts.slice(0, parts.indexOf(occ.name) + 1));
      if (!axis) return null;
      const count = entry.kind === 'GridAxis' && entry.values.kind === 'List' ? `\n\ngrid axis: ${entry.values.items.length} value${entry.values.items.length === 1 ? '' : 's'}` : '';
      return md(fieldText(parts.join('.'), axis.field, axis.owner) + count);
    }
    const field = ctx.spec?.fields[occ.name];
    if (field) return md(fieldText(occ.name, field, ctx.spec!.what));
    const sub = ctx.spec?.keyed?.[occ.name] ?? ctx.spec?.stages?.[occ.name];
    if (sub) return md(`**${occ.name}** — block of ${ctx.spec!.what}\n\n${sub.doc}`);
    return null;
  }
  if (occ?.kind === 'function') {
    const f = rewardFunction(occ.name);
    if (f) return md(`\`\`\`rlvr\n${f.signature}\n\`\`\`\n\n${f.doc}`);
    return null;
  }
  if (occ?.kind === 'grid') return (t => (t ? md(t) : null))(gridText(a, occ.name));
  // The `grid` keyword of an unnamed grid.
  const grid = [...path].reverse().find(n => n.kind === 'Grid');
  if (grid && grid.kind === 'Grid' && offset <= grid.span.start.offset + 4) return (t => (t ? md(t, grid.span) : null))(gridText(a, grid.name?.text ?? null));
  if (occ?.kind === 'word') {
    const f = rewardFunction(occ.name);
    if (f) return md(`\`\`\`rlvr\n${f.signature}\n\`\`\`\n\n${f.doc}`);
    // An enum value: the field it is a value of, and the other values allowed there.
    const i = path.map(n => n.kind).lastIndexOf('Assignment');
    const asg = path[i];
    if (asg?.kind === 'Assignment') {
      const ctx = blockContext(a.file, path.slice(0, i));
      const key = asg.path.parts.map(p => p.text);
      const field = ctx.grid ? axisField(key)?.field : ctx.spec?.fields[key.join('.')];
      const values = field ? enumValues(field.type) : [];
      if (values.includes(occ.name)) return md(`\`${occ.name}\` — a value of **${key.join('.')}**: one of ${values.join(', ')}\n\n${field!.doc}`);
    }
  }
  return null;
}
