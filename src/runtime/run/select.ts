// Choosing cells: --cell ID (exactly one) and --only PATTERN (repeatable). A pattern is
//   - a glob over the whole id when it contains * or ?   (`*reward=random*`)
//   - a grid prefix when it ends with '/'                (`rewards/`)
//   - axis values `[grid/]k=v,k=v`: cells whose ids have all these pairs (`reward=random,seed=1`),
//     which includes the exact id of a cell
//   - otherwise an exact id (`default`).
// Several patterns can share one --only, separated by commas: since an axis appears once per cell, a key
// that comes again (or a part with a grid/ prefix, or a part without '=') starts the next pattern, so
// `--only reward=random,seed=1,reward=format,seed=1` means those two cells.
// A pattern that selects nothing is an error with suggestions, never an empty run.
import { closest } from '../../util/suggest.js';

export class SelectionError extends Error {
  override name = 'SelectionError';
}

export interface ParsedId {
  grid: string | null;
  pairs: Array<[string, string]>;
}

/** Splits `grid/k=v,k=v`; null when the id is not of that shape (e.g. `default`). */
export function parseCellId(id: string): ParsedId | null {
  const slash = id.lastIndexOf('/');
  const grid = slash >= 0 ? id.slice(0, slash) : null;
  const body = id.slice(slash + 1);
  if (body === '') return null;
  const pairs: Array<[string, string]> = [];
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    pairs.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return { grid, pairs };
}

function globRegex(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

export function matches(pattern: string, id: string): boolean {
  if (pattern === id) return true;
  if (/[*?]/.test(pattern)) return globRegex(pattern).test(id);
  if (pattern.endsWith('/')) return id.startsWith(pattern);
  const want = parseCellId(pattern);
  const have = parseCellId(id);
  if (!want || !have) return false;
  if (want.grid !== null && want.grid !== have.grid) return false;
  return want.pairs.every(([k, v]) => have.pairs.some(([hk, hv]) => hk === k && hv === v));
}

/** Why a pattern selects nothing, with the nearest ids or axis values. */
function explainMiss(pattern: string, ids: string[]): string {
  const hints: string[] = [];
  const want = parseCellId(pattern);
  if (want && !/[*?]/.test(pattern)) {
    const values = new Map<string, Set<string>>();
    for (const id of ids) for (const [k, v] of parseCellId(id)?.pairs ?? []) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(v);
    }
    for (const [k, v] of want.pairs) {
      const known = values.get(k);
      if (!known) {
        const near = closest(k, values.keys());
        hints.push(`no cell has an axis '${k}'${near.length ? ` (did you mean '${near[0]}'?)` : values.size ? ` (axes: ${[...values.keys()].join(', ')})` : ''}`);
      } else if (!known.has(v)) {
        const near = closest(v, known);
        hints.push(`no cell has ${k}=${v}${near.length ? ` (did you mean ${k}=${near[0]}?)` : ''}; ${k} is one of: ${[...known].join(', ')}`);
      }
    }
  }
  const near = closest(pattern, ids);
  if (near.length) hints.push(`closest ids: ${near.join('  ')}`);
  if (hints.length === 0) hints.push(`see the ids with --list`);
  return hints.join('\n  ');
}

/** One --only value → the patterns it holds (see the header). */
export function splitPatterns(value: string): string[] {
  if (/[*?]/.test(value)) return [value];
  const out: string[][] = [];
  let keys = new Set<string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(part.lastIndexOf('/', eq) + 1, eq) : null;
    const startsNew = out.length === 0 || key === null || part.includes('/') || keys.has(key) || out.at(-1)!.some(p => !p.includes('='));
    if (startsNew) {
      out.push([]);
      keys = new Set();
    }
    out.at(-1)!.push(part);
    if (key !== null) keys.add(key);
  }
  return out.map(parts => parts.join(','));
}

export function selectOne<C extends { id: string }>(cells: C[], id: string): C {
  const found = cells.find(c => c.id === id);
  if (found) return found;
  throw new SelectionError(`unknown cell '${id}'\n  ${explainMiss(id, cells.map(c => c.id))}`);
}

export function selectMany<C extends { id: string }>(cells: C[], patterns: string[]): C[] {
  if (patterns.length === 0) return cells;
  patterns = patterns.flatMap(splitPatterns);
  const ids = cells.map(c => c.id);
  for (const p of patterns) {
    if (!ids.some(id => matches(p, id))) throw new SelectionError(`--only '${p}' selects no cell\n  ${explainMiss(p, ids)}`);
  }
  return cells.filter(c => patterns.some(p => matches(p, c.id)));
}
