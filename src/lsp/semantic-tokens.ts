// Semantic tokens from the checker's scopes: declared names and their uses, fields, reward functions and
// constructors, enum-like words, experiment names; coloured by what they are, not by a regex.
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import type { LoadedFile } from '../checker/program.js';
import { REWARD_BUILTINS } from '../checker/rewards.js';
import { occurrences, type OccurrenceKind } from './names.js';

export const TOKEN_TYPES = ['namespace', 'variable', 'property', 'function', 'enumMember', 'parameter'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;
export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE_OF: Record<OccurrenceKind, (typeof TOKEN_TYPES)[number]> = {
  experiment: 'namespace',
  grid: 'namespace',
  declaration: 'variable',
  reference: 'variable',
  field: 'property',
  function: 'function',
  argument: 'parameter',
  word: 'enumMember',
};
const builtins = new Set<string>(REWARD_BUILTINS);

export function semanticTokens(file: LoadedFile): SemanticTokens {
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const o of occurrences(file)) {
    if (o.span.start.line !== o.span.end.line) continue;
    const l = o.span.start.line - 1;
    const c = o.span.start.column - 1;
    if (data.length > 0 && (l < line || (l === line && c <= char))) continue; // overlapping: keep the first
    let mods = 0;
    if (o.kind === 'declaration' || o.kind === 'experiment' || o.kind === 'grid') mods |= 1;
    if ((o.kind === 'function' || o.kind === 'word') && builtins.has(o.name)) mods |= 2;
    const type = (o.kind === 'word' && builtins.has(o.name)) ? 'function' : TYPE_OF[o.kind];
    data.push(l - line, l === line ? c - char : c, o.span.end.column - o.span.start.column, TOKEN_TYPES.indexOf(type), mods);
    line = l;
    char = c;
  }
  return { data };
}
