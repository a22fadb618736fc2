// Shared by the hf tests: the wasm backend, the tiny checkpoints written once per test process, and the
// committed PyTorch reference outputs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../src/runtime/backend.js';
import { SPECS, writeTinyCheckpoint, type TinySpec } from './helpers.js';

export interface RefModel {
  files: Record<string, string>;
  loss: number;
  logits: Array<number[] | null>;
  greedy: number[];
  greedyMargins: number[];
  grads: Record<string, { norm: number; maxabs: number; idx: number[]; vals: number[] }>;
}
export const REFERENCE = JSON.parse(readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8')) as { torch: string; models: Record<string, RefModel> };

let root: string | null = null;
const hashes: Record<string, Record<string, string>> = {};

/** Activates wasm and writes every tiny checkpoint (once); returns spec name → directory. */
export async function fixtures(): Promise<{ dirOf: (name: string) => string; hashes: typeof hashes; specs: TinySpec[] }> {
  if (!root) {
    await selectBackend('wasm');
    root = mkdtempSync(join(tmpdir(), 'rlvrc-hf-'));
    for (const s of SPECS) hashes[s.name] = writeTinyCheckpoint(join(root, s.name), s);
    const r = root;
    process.on('exit', () => rmSync(r, { recursive: true, force: true }));
  }
  const r = root;
  return { dirOf: (name: string) => join(r, name), hashes, specs: SPECS };
}

/** max |a − b| / max |b| over the entries present in both. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}
