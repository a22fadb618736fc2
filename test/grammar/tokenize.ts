// Loads grammar/syntaxes/rlvr.tmLanguage.json into vscode-textmate (with the oniguruma wasm from node_modules)
// and tokenizes whole texts into flat, line-aware tokens. Shared by the grammar tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate') as typeof import('vscode-textmate');
const onig = require('vscode-oniguruma') as {
  loadWASM(data: ArrayBuffer | Uint8Array): Promise<void>;
  OnigScanner: new (patterns: string[]) => import('vscode-textmate').OnigScanner;
  OnigString: new (s: string) => import('vscode-textmate').OnigString;
};

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const grammarPath = fileURLToPath(new URL('../../grammar/syntaxes/rlvr.tmLanguage.json', import.meta.url));
export const SCOPE = 'source.rlvr';

export interface Token {
  line: number; // 0-based
  start: number; // column, inclusive
  end: number; // column, exclusive
  offset: number; // offset of `start` in the whole text
  text: string;
  scopes: string[];
}

let grammarPromise: Promise<import('vscode-textmate').IGrammar> | undefined;

export function loadGrammar(): Promise<import('vscode-textmate').IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await onig.loadWASM(wasm);
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
        createOnigString: (s: string) => new onig.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) =>
        scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
    });
    const grammar = await registry.loadGrammar(SCOPE);
    if (!grammar) throw new Error(`could not load ${SCOPE}`);
    return grammar;
  })();
  return grammarPromise;
}

/** Tokenizes `text` line by line (carrying the rule stack across lines, as an editor does). */
export async function tokenize(text: string): Promise<Token[]> {
  const grammar = await loadGrammar();
  const out: Token[] = [];
  let stack = vsctm.INITIAL;
  let lineOffset = 0;
  text.split('\n').forEach((line, n) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, line.length);
      if (end <= t.startIndex) continue;
      out.push({ line: n, start: t.startIndex, end, offset: lineOffset + t.startIndex, text: line.slice(t.startIndex, end), scopes: t.scopes });
    }
    stack = r.ruleStack;
    lineOffset += line.length + 1;
  });
  return out;
}

/** The tokens of the first line, without whitespace-only tokens. */
export async function tokenizeLine(line: string): Promise<Token[]> {
  return (await tokenize(line)).filter(t => t.text.trim() !== '');
}

/** Whether some scope of `t` equals `prefix` or starts with `prefix + '.'`. */
export function hasScope(t: Token, prefix: string): boolean {
  return t.scopes.some(s => s === prefix || s.startsWith(prefix + '.'));
}

export function describe(t: Token): string {
  return `${JSON.stringify(t.text)} at ${t.line + 1}:${t.start + 1} [${t.scopes.join(' ')}]`;
}
