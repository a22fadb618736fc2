// A session is what one cell's run shares across its stages: the run layer's context, the backend that
// was chosen, where relative paths resolve, where pretrained models are cached, and the seed streams.
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CellConfig } from '../../ir/cell.js';
import type { CellContext } from '../run/types.js';
import { selectBackend, type BackendChoice, type BackendInfo } from '../backend.js';
import { installGradientFixes } from '../kernels.js';
import { deriveSeed, Rng } from '../rng.js';

export interface SessionOptions {
  /** The directory of the spec file: relative paths in the cell config resolve against it. */
  specDir: string;
  /** Where pretrained models are cached (default `<out>/.pretrained`, shared by the experiment's cells). */
  cacheDir?: string;
}

export interface Session {
  readonly cell: CellConfig;
  readonly ctx: CellContext;
  readonly backend: BackendInfo;
  readonly specDir: string;
  readonly cacheDir: string;
  /** A path from the cell config, resolved against the spec file's directory. */
  path(relative: string): string;
  /** A seed derived from the cell's root seed, recorded in the manifest. */
  seed(label: string): number;
  /** A fresh random stream for `label` (derived from the root seed, recorded). */
  rng(label: string, ...more: Array<string | number>): Rng;
}

const BACKENDS: readonly string[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export async function openSession(cell: CellConfig, ctx: CellContext, opts: SessionOptions): Promise<Session> {
  if (!BACKENDS.includes(ctx.backend)) throw new Error(`unknown backend '${ctx.backend}' (expected one of ${BACKENDS.join(', ')})`);
  const backend = await selectBackend(ctx.backend as BackendChoice);
  installGradientFixes();
  ctx.setBackend({ ...backend });
  ctx.recordDependency('@tensorflow/tfjs-core', tf.version_core);
  const recorded = new Set<string>();
  const seed = (label: string): number => {
    const s = deriveSeed(cell.seed, label);
    if (!recorded.has(label)) {
      recorded.add(label);
      ctx.recordSeed(label, s);
    }
    return s;
  };
  return {
    cell,
    ctx,
    backend,
    specDir: opts.specDir,
    cacheDir: opts.cacheDir ?? join(dirname(ctx.dir), '.pretrained'),
    path: relative => resolve(opts.specDir, relative),
    seed,
    rng: (label, ...more) => new Rng(seed(label), ...more),
  };
}

/**
 * Lets the event loop run once. A training step is synchronous (tfjs on wasm), so a loop of them never
 * reaches the SIGINT/SIGTERM handlers that set ctx.signal: without a turn of the loop between steps, a stop
 * request would wait for the whole run (and the pool's grace period would end in SIGKILL).
 */
export function letSignalsThrough(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve));
}
