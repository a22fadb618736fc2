// The language server: wiring of LSP requests to the modules that answer them. Diagnostics are computed
// after the client stops typing for `debounceMs` (initializationOptions.debounceMs, default 200); any
// request that needs an analysis computes it at once for the document's current version, and caches it.
// Every handler is guarded: an exception becomes an empty answer and a log line, never a dead server.
import type { Readable, Writable } from 'node:stream';
import { existsSync, readFileSync, statSync } from 'node:fs';
import {
  CodeActionKind, createConnection, ResponseError, StreamMessageReader, StreamMessageWriter, TextDocumentSyncKind,
  type Connection, type Diagnostic as LspDiagnostic, type InitializeResult, type Location, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver/node.js';
import type { Position } from 'vscode-languageserver';
import { KEYWORDS } from '../language/tokens.js';
import { compilerVersion } from '../cli/version.js';
import { analyze, MAX_CHECKED_CHARS, type Analysis } from './analysis.js';
import { codeActions } from './code-actions.js';
import { complete } from './completion.js';
import { diagnosticsByFile } from './diagnostics.js';
import { Documents } from './documents.js';
import { formatDocument } from './formatting.js';
import { hover } from './hover.js';
import { declarationOf, occurrenceAt, symKey, usesOf } from './names.js';
import { documentSymbols, foldingRanges } from './outline.js';
import { pathToUri, toRange, uriToPath } from './paths.js';
import { LEGEND, semanticTokens } from './semantic-tokens.js';

/** Files on disk larger than this are not read for a request about an unopened file. */
const MAX_DISK_BYTES = 4 * 1024 * 1024;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(KEYWORDS.map(k => k.word));

export interface Server {
  connection: Connection;
  /** Resolves with the exit status when the client closes the input without the exit notification: 0 after shutdown, else 1. */
  closed: Promise<number>;
}

export function startServer(input: Readable, output: Writable): Server {
  const connection = createConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  const docs = new Documents();
  const analyses = new Map<string, Analysis>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** What each open document's analysis published, per target URI: a file imported by two open documents gets the union. */
  const published = new Map<string, Map<string, LspDiagnostic[]>>();
  let root: string | undefined;
  let debounceMs = 200;

  const log = (msg: string) => connection.console.error(`rlvrc lsp: ${msg}`);
  function guard<P extends unknown[], R>(name: string, fallback: R, fn: (...args: P) => R): (...args: P) => R {
    return (...args: P) => {
      try {
        return fn(...args);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        log(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return fallback;
      }
    };
  }

  function overlay(abs: string): string | undefined {
    for (const d of docs.all()) if (uriToPath(d.uri) === abs) return d.getText();
    return undefined;
  }

  /** The analysis of a document's current text; an unopened file is read from disk (and not cached). */
  function analysisOf(uri: string): Analysis | undefined {
    const doc = docs.get(uri);
    const abs = uriToPath(uri);
    if (!doc) {
      if (!uri.startsWith('file:') || !existsSync(abs) || !statSync(abs).isFile() || statSync(abs).size > MAX_DISK_BYTES) return undefined;
      return analyze({ uri, abs, text: readFileSync(abs, 'utf8'), version: -1, root, overlay });
    }
    const cached = analyses.get(uri);
    if (cached && cached.version === doc.version) return cached;
    const a = analyze({ uri, abs, text: doc.getText(), version: doc.version, root, overlay });
    if (a.internalError) log(`the checker failed on ${uri}: ${a.internalError}`);
    analyses.set(uri, a);
    return a;
  }

  function publish(target: string): void {
    const all = new Map<string, LspDiagnostic>();
    for (const list of published.get(target)?.values() ?? []) for (const d of list) all.set(JSON.stringify([d.range, d.code, d.message]), d);
    const doc = docs.get(target);
    void connection.sendDiagnostics({ uri: target, diagnostics: [...all.values()], ...(doc ? { version: doc.version } : {}) });
  }

  function setPublished(owner: string, byUri: Map<string, LspDiagnostic[]>): void {
    const targets = new Set([...byUri.keys()]);
    for (const [target, owners] of published) if (owners.has(owner)) targets.add(target);
    for (const target of targets) {
      const owners = published.get(target) ?? new Map<string, LspDiagnostic[]>();
      const list = byUri.get(target);
      if (list) owners.set(owner, list);
      else owners.delete(owner);
      if (owners.size === 0) published.delete(target);
      else published.set(target, owners);
      publish(target);
    }
  }

  const diagnose = guard('diagnostics', undefined, (uri: string) => {
    timers.delete(uri);
    if (!docs.get(uri)) return;
    const a = analysisOf(uri);
    if (!a) return;
    const byUri = new Map([...diagnosticsByFile(a)].map(([abs, list]) => [abs === a.abs ? uri : pathToUri(abs), list]));
    setPublished(uri, byUri);
  });

  function schedule(uri: string): void {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => diagnose(uri), debounceMs));
  }

  /** A changed file changes the diagnostics of every open document that imports it. */
  function scheduleDependents(abs: string): void {
    for (const [uri, a] of analyses) {
      if (a.abs !== abs && a.result && [...a.result.program.files.keys()].includes(abs)) {
        analyses.delete(uri);
        schedule(uri);
      }
    }
  }

  connection.onInitialize((params): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    root = folder ? uriToPath(folder) : params.rootPath ?? undefined;
    const opts = params.initializationOptions as { debounceMs?: unknown } | undefined;
    if (typeof opts?.debounceMs === 'number' && opts.debounceMs >= 0 && opts.debounceMs <= 10_000) debounceMs = opts.debounceMs;
    return {
      serverInfo: { name: 'rlvrc', version: compilerVersion() },
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', '(', '[', ','] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        semanticTokensProvider: { legend: LEGEND, full: true },
      },
    };
  });

  connection.onDidOpenTextDocument(guard('didOpen', undefined, p => {
    docs.open(p.textDocument.uri, p.textDocument.text, p.textDocument.version);
    analyses.delete(p.textDocument.uri);
    schedule(p.textDocument.uri);
    scheduleDependents(uriToPath(p.textDocument.uri));
  }));
  connection.onDidChangeTextDocument(guard('didChange', undefined, p => {
    const doc = docs.change(p.textDocument.uri, p.textDocument.version, p.contentChanges);
    if (!doc) {
      log(`ignored a change to ${p.textDocument.uri} (version ${p.textDocument.version}): ${docs.get(p.textDocument.uri) ? `not newer than ${docs.get(p.textDocument.uri)!.version}` : 'not open'}`);
      return;
    }
    schedule(doc.uri);
    scheduleDependents(uriToPath(doc.uri));
  }));
  connection.onDidCloseTextDocument(guard('didClose', undefined, p => {
    const uri = p.textDocument.uri;
    docs.close(uri);
    analyses.delete(uri);
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    setPublished(uri, new Map());
    scheduleDependents(uriToPath(uri));
  }));
  // Files created, changed or deleted on disk: imports may have appeared or gone.
  connection.onDidChangeWatchedFiles(guard('didChangeWatchedFiles', undefined, () => {
    analyses.clear();
    for (const d of docs.all()) schedule(d.uri);
  }));

  const at = (uri: string, pos: Position): { a: Analysis; offset: number } | undefined => {
    const a = analysisOf(uri);
    if (!a) return undefined;
    const doc = docs.get(uri);
    const offset = doc ? doc.offsetAt(pos) : offsetIn(a.text, pos);
    return { a, offset };
  };

  connection.onHover(guard('hover', null, p => {
    const x = at(p.textDocument.uri, p.position);
    return x ? hover(x.a, x.offset) : null;
  }));
  connection.onCompletion(guard('completion', [], p => {
    const x = at(p.textDocument.uri, p.position);
    return x ? complete(x.a, x.offset) : [];
  }));
  connection.onDefinition(guard('definition', null, (p): Location | null => {
    const x = at(p.textDocument.uri, p.position);
    const sym = x && occurrenceAt(x.a, x.offset)?.sym;
    const d = sym && declarationOf(x.a, sym);
    return d ? { uri: d.abs === x.a.abs ? p.textDocument.uri : pathToUri(d.abs), range: toRange(d.span) } : null;
  }));

  /** Every use of the symbol at a position, in the document's files and every open document's. */
  function uses(uri: string, pos: Position): Array<{ uri: string; range: ReturnType<typeof toRange>; declaration: boolean }> | null {
    const x = at(uri, pos);
    const sym = x && occurrenceAt(x.a, x.offset)?.sym;
    const key = sym && symKey(x.a, sym);
    if (!key) return null;
    const seen = new Map<string, { uri: string; range: ReturnType<typeof toRange>; declaration: boolean }>();
    const sources = [x.a, ...docs.all().filter(d => d.uri !== uri).map(d => analysisOf(d.uri)).filter((a): a is Analysis => a !== undefined)];
    for (const a of sources) {
      for (const u of usesOf(a, key)) {
        const target = docs.all().find(d => uriToPath(d.uri) === u.abs)?.uri ?? pathToUri(u.abs);
        seen.set(`${u.abs}:${u.span.start.offset}`, { uri: target, range: toRange(u.span), declaration: u.declaration });
      }
    }
    return [...seen.values()].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character));
  }

  connection.onReferences(guard('references', [], p => {
    const all = uses(p.textDocument.uri, p.position) ?? [];
    return all.filter(u => p.context.includeDeclaration || !u.declaration).map(u => ({ uri: u.uri, range: u.range }));
  }));
  connection.onPrepareRename(guard('prepareRename', null, p => {
    const x = at(p.textDocument.uri, p.position);
    const occ = x && occurrenceAt(x.a, x.offset);
    return occ?.sym ? { range: toRange(occ.span), placeholder: occ.name } : null;
  }));
  connection.onRenameRequest(guard('rename', null, (p): WorkspaceEdit | null => {
    if (!IDENTIFIER.test(p.newName) || RESERVED.has(p.newName)) throw new ResponseError(-32602, `'${p.newName}' is not a valid name: use letters, digits and _, not starting with a digit, and not a keyword`);
    const all = uses(p.textDocument.uri, p.position);
    if (!all) return null;
    const changes: Record<string, TextEdit[]> = {};
    for (const u of all) (changes[u.uri] ??= []).push({ range: u.range, newText: p.newName });
    return { changes };
  }));
  connection.onDocumentSymbol(guard('documentSymbol', [], p => {
    const a = analysisOf(p.textDocument.uri);
    return a ? documentSymbols(a.ast) : [];
  }));
  connection.onFoldingRanges(guard('foldingRange', [], p => {
    const a = analysisOf(p.textDocument.uri);
    return a ? foldingRanges(a.ast, a.text) : [];
  }));
  connection.onDocumentFormatting(guard('formatting', [], p => {
    const doc = docs.get(p.textDocument.uri);
    return doc && doc.getText().length <= MAX_CHECKED_CHARS ? formatDocument(doc.getText()) : [];
  }));
  connection.onCodeAction(guard('codeAction', [], p => {
    const a = analysisOf(p.textDocument.uri);
    return a ? codeActions(a, p.range) : [];
  }));
  connection.languages.semanticTokens.on(guard('semanticTokens', { data: [] }, p => {
    const a = analysisOf(p.textDocument.uri);
    return a?.file ? semanticTokens(a.file) : { data: [] };
  }));

  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  });
  // A client that dies closes our stdin: end then, instead of waiting for an exit notification that never comes.
  const closed = new Promise<number>(resolve => input.once('end', () => {
    for (const t of timers.values()) clearTimeout(t);
    resolve(shutdown ? 0 : 1);
  }));

  connection.listen();
  return { connection, closed };
}

function offsetIn(text: string, pos: Position): number {
  let offset = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(offset + pos.character, text.length);
}
