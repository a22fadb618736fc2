// The multithreaded wasm backend under Node. tfjs switches threads off in Node (its worker script is
// handed over as a `blob:` URL, which Node's Worker cannot start). Here the same Emscripten build is
// started with its main script and worker script as real files, then registered as the 'wasm' backend
// so every wasm kernel is reused unchanged.
import * as tf from '@tensorflow/tfjs';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: Array<{ unref(): void }>; unusedWorkers: Array<{ unref(): void }> };
}

let registered: number | null = null;

/** Writes `content` to `path` unless it is already there (temp + rename: concurrent processes are safe). */
function materialise(path: string, content: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/**
 * Registers the threaded SIMD wasm build as the 'wasm' backend with `threads` compute threads (capped by
 * the build's pool of 8 workers). Returns the thread count the backend reports. Call before setBackend('wasm').
 */
export async function registerThreadedWasm(threads: number): Promise<number> {
  if (registered !== null) return registered;
  const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const version = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  const mainJs = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const wasmFile = join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.wasm');
  const { wasmWorkerContents } = require(join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // .cjs: the worker must run as CommonJS whatever package.json surrounds it.
  const dir = join(tmpdir(), `rlvrc-tfjs-wasm-${version}`);
  mkdirSync(dir, { recursive: true });
  const workerFile = join(dir, 'worker.cjs');
  const mainFile = join(dir, 'threaded-simd.cjs');
  // The exported string holds literal newlines inside "…\n" string literals; re-escape them as tfjs does.
  materialise(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  materialise(mainFile, readFileSync(mainJs, 'utf8'));

  const factory = require(mainJs) as (cfg: Record<string, unknown>) => Promise<EmscriptenModule>;
  // Emscripten assigns globalThis.Worker = worker_threads.Worker and starts its pool right away. Its workers
  // must not inherit our execArgv (a TypeScript loader such as tsx would re-parse the worker script and
  // stall it), so the global is pinned to a subclass that starts them with a clean execArgv.
  const { Worker: NodeWorker } = require('node:worker_threads') as typeof import('node:worker_threads');
  class PlainWorker extends NodeWorker {
    constructor(file: string | URL, options: import('node:worker_threads').WorkerOptions = {}) {
      super(file, { ...options, execArgv: [] });
    }
  }
  // The wasm side caps its pool at half the logical cores, which Emscripten reads from os.cpus() (on a
  // 2-core machine: 1 thread). Report enough cores for `threads` until the pool exists, then restore.
  const os = require('node:os') as typeof import('node:os');
  const cpus = os.cpus;
  const g = globalThis as Record<string, unknown>;
  const previousWorker = Object.getOwnPropertyDescriptor(g, 'Worker');
  os.cpus = () => Array.from({ length: Math.max(2 * threads, cpus().length) }, (_, i) => cpus()[i % cpus().length]!);
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PlainWorker, set: () => undefined });
  let module: EmscriptenModule;
  try {
    module = await new Promise<EmscriptenModule>((resolve, reject) => {
      factory({
        mainScriptUrlOrBlob: mainFile,
        locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? wasmFile : prefix + path),
        onAbort: (what: unknown) => reject(new Error(`threaded wasm aborted: ${String(what)}`)),
      }).then(resolve, reject);
    });
    // The same bridge tfjs's own init() builds.
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    wasmBackend.setThreadsCount(threads);
    tf.removeBackend('wasm');
    const m = module;
    tf.registerBackend('wasm', () => new wasmBackend.BackendWasm(m as never), 2);
    if (!(await tf.setBackend('wasm'))) throw new Error('threaded wasm backend did not initialise');
  } finally {
    os.cpus = cpus;
    if (previousWorker) Object.defineProperty(g, 'Worker', previousWorker);
    else delete g.Worker;
  }
  // A running pthread holds a ref on its worker; without unref the process would never exit.
  for (const w of module.PThread?.runningWorkers ?? []) w.unref();
  for (const w of module.PThread?.unusedWorkers ?? []) w.unref();
  registered = wasmBackend.getThreadsCount();
  return registered;
}
