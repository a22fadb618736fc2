// Cell ids: readable, stable, and safe as directory names (runs/<experiment>/<cell-id>/).
//
//   [grid/]axis=value,axis=value,...      e.g.  rewards/model=qwen_math_like,reward=random,seed=2
//
// - Axes appear in the order the grid writes them; a grid's name prefixes the id (as a sub-directory)
//   when the experiment has more than one grid. An experiment without a grid has the one cell `default`.
// - Values are written canonically (numbers shortest form, no spaces after commas: random(0.3), (0.1,0.28)).
// - Escaping: every byte of a value outside [A-Za-z0-9._()+-] is written %XX (uppercase hex of its UTF-8
//   bytes), so '/', '=', ',', '%', spaces and quotes never appear raw inside a value and ids never clash.
// - An id longer than 200 bytes keeps its first 180 characters, then '~' and 16 hex digits of its sha256.
import { createHash } from 'node:crypto';
import type { Block, Expr } from '../language/ast.js';

const SAFE = /[A-Za-z0-9._()+-]/;

export function escapeIdValue(text: string): string {
  let out = '';
  for (const ch of text) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function cellId(grid: string | null, parts: Array<[string, string]>): string {
  const body = parts.length === 0 ? 'default' : parts.map(([k, v]) => `${k}=${escapeIdValue(v)}`).join(',');
  const id = grid ? `${grid}/${body}` : body;
  if (Buffer.byteLength(id) <= 200) return id;
  return `${id.slice(0, 180)}~${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}

const num = (n: number) => String(n);

/** Canonical compact text of an expression: equal values written differently (0.50, 5e-1) read the same. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'Number': return num(e.value);
    case 'String': return JSON.stringify(e.value);
    case 'Bool': return e.value ? 'true' : 'false';
    case 'None': return 'none';
    case 'Reference': return e.name;
    case 'Member': return `${exprText(e.object)}.${e.name.text}`;
    case 'Call': return `${exprText(e.callee)}(${e.args.map(a => (a.name ? `${a.name.text}=${exprText(a.value)}` : exprText(a.value))).join(',')})`;
    case 'Construct': return `${exprText(e.callee)}${blockText(e.body)}`;
    case 'List': return `[${e.items.map(exprText).join(',')}]`;
    case 'Tuple': return `(${e.items.map(exprText).join(',')})`;
    case 'Record': return blockText(e.body);
    case 'Unary': return e.op === '-' ? `-${exprText(e.operand)}` : `not ${exprText(e.operand)}`;
    case 'Binary': return `${exprText(e.left)}${/^[a-z]/.test(e.op) ? ` ${e.op} ` : e.op}${exprText(e.right)}`;
    case 'Range': return `${exprText(e.from)}..${exprText(e.to)}`;
    case 'With': return `${exprText(e.base)} with ${blockText(e.overrides)}`;
    case 'Where': return `${exprText(e.value)} where ${exprText(e.condition)}`;
    case 'If': return `if ${exprText(e.condition)} then ${exprText(e.then)} else ${exprText(e.else)}`;
    case 'Paren': return `(${exprText(e.inner)})`;
    case 'Hole': return '?';
  }
}

function blockText(b: Block): string {
  const entries = b.entries.map(en => {
    switch (en.kind) {
      case 'Assignment': return `${en.path.parts.map(p => p.text).join('.')}=${exprText(en.value)}`;
      case 'Flag': return en.name.text;
      case 'SubBlock': return `${en.head.text}${en.name ? ` ${en.name.text}` : ''}${en.on ? ` on ${en.on.parts.map(p => p.text).join('.')}` : ''} ${blockText(en.body)}`;
      case 'Hole': return '?';
    }
  });
  return `{${entries.join(',')}}`;
}
