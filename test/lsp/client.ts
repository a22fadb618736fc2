// A minimal LSP client for the tests: spawns `rlvrc lsp --stdio` and speaks JSON-RPC with Content-Length
// framing over its stdin/stdout, byte for byte as an editor does. It is written here, not taken from the
// server's own library, so that the tests check the wire format too.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
export const uriOf = (path: string) => pathToFileURL(resolve(ROOT, path)).href;

interface Message { jsonrpc: '2.0'; id?: number; method?: string; params?: any; result?: any; error?: { code: number; message: string } }

export class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly notifications: Message[] = [];
  stderr = '';
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void }>();
  private waiters: Array<{ test: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[] = ['lsp', '--stdio']) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (b: Buffer) => this.onData(b));
    this.proc.stderr.on('data', (b: Buffer) => { this.stderr += b.toString(); });
    this.exited = new Promise(res => this.proc.on('exit', code => res(code)));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (!Number.isFinite(length)) throw new Error(`bad header from the server: ${header}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined && m.method === undefined) {
      this.pending.get(m.id)?.resolve(m);
      this.pending.delete(m.id);
      return;
    }
    if (m.id !== undefined && m.method !== undefined) {
      // A request from the server (e.g. workspace/configuration): answer null, as a minimal client does.
      this.write({ jsonrpc: '2.0', id: m.id, result: null });
      return;
    }
    this.notifications.push(m);
    this.waiters = this.waiters.filter(w => (w.test(m) ? (w.resolve(m), false) : true));
  }

  write(m: object): void {
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Sends a request; resolves with the whole response (result or error). */
  request(method: string, params: unknown, timeoutMs = 30_000): Promise<Message> {
    const id = this.nextId++;
    const reply = new Promise<Message>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no answer to ${method} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.pending.set(id, { resolve: m => { clearTimeout(t); res(m); } });
    });
    this.write({ jsonrpc: '2.0', id, method, params });
    return reply;
  }

  /** A request whose answer must not be an error: its result. */
  async call(method: string, params: unknown): Promise<any> {
    const r = await this.request(method, params);
    if (r.error) throw new Error(`${method} failed: ${r.error.message}`);
    return r.result;
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** The next notification (arriving from now on) that passes the test. */
  next(test: (m: Message) => boolean, timeoutMs = 30_000): Promise<Message> {
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no matching notification within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ test, resolve: m => { clearTimeout(t); res(m); } });
    });
  }

  /** The next publishDiagnostics for a URI (optionally for a given document version). */
  diagnostics(uri: string, version?: number): Promise<{ uri: string; version?: number; diagnostics: any[] }> {
    return this.next(m => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && (version === undefined || m.params.version === version)).then(m => m.params);
  }

  async initialize(options: Record<string, unknown> = { debounceMs: 50 }): Promise<any> {
    const r = await this.call('initialize', { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {}, initializationOptions: options });
    this.notify('initialized', {});
    return r;
  }

  open(uri: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'rlvr', version, text } });
  }

  openFile(path: string): { uri: string; text: string } {
    const uri = uriOf(path);
    const text = readFileSync(resolve(ROOT, path), 'utf8');
    this.open(uri, text);
    return { uri, text };
  }

  async shutdown(): Promise<number | null> {
    await this.call('shutdown', null);
    this.notify('exit', null);
    return this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/** The 0-based LSP position of the n-th occurrence (0-based) of `needle` in `text`, plus `shift` characters. */
export function positionOf(text: string, needle: string, n = 0, shift = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${n + 1} times`);
  }
  const offset = at + shift;
  const line = text.slice(0, offset).split('\n').length - 1;
  return { line, character: offset - (text.lastIndexOf('\n', offset - 1) + 1) };
}
