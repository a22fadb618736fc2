// Checkpoints: a directory with meta.json (step, RNG states, tensor index, sha256 of the weights) and
// weights.bin (all float32 tensors back to back, little-endian). Written into a temp directory and renamed
// into place, so a crash leaves either the old checkpoint or the new one, never a torn one.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RngState } from './rng.js';
import type { Policy, WeightMap } from './policy.js';

export const CHECKPOINT_FORMAT = 'rlvrc-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  step: number;
  /** Model weights ('model/…'), optimizer moments ('optim/…'), anything else float32. */
  tensors: WeightMap;
  rng: Record<string, RngState>;
  /** Any JSON data the trainer needs to resume (optimizer step, config, …). */
  meta: Record<string, unknown>;
}

interface MetaFile {
  format: string;
  version: number;
  step: number;
  rng: Record<string, RngState>;
  meta: Record<string, unknown>;
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
  weightsBytes: number;
  weightsSha256: string;
}

function writeSynced(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data);
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function saveCheckpoint(dir: string, ckpt: Checkpoint): void {
  const names = Object.keys(ckpt.tensors).sort();
  const index: MetaFile['tensors'] = [];
  let total = 0;
  for (const name of names) {
    const t = ckpt.tensors[name]!;
    index.push({ name, shape: t.shape, offset: total, length: t.data.length });
    total += t.data.length;
  }
  const all = new Float32Array(total);
  for (const e of index) all.set(ckpt.tensors[e.name]!.data, e.offset);
  const bytes = new Uint8Array(all.buffer);
  const meta: MetaFile = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: ckpt.step,
    rng: ckpt.rng,
    meta: ckpt.meta,
    tensors: index,
    weightsBytes: bytes.length,
    weightsSha256: createHash('sha256').update(bytes).digest('hex'),
  };
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    writeSynced(join(tmp, 'weights.bin'), bytes);
    writeSynced(join(tmp, 'meta.json'), JSON.stringify(meta, null, 1));
    if (existsSync(dir)) {
      // rename() cannot replace a non-empty directory: move the old one aside first, drop it after.
      const old = `${tmp}.old`;
      renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, dir);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export class CheckpointError extends Error {
  constructor(dir: string, problem: string) {
    super(`checkpoint ${dir} cannot be loaded: ${problem}`);
    this.name = 'CheckpointError';
  }
}

export function loadCheckpoint(dir: string): Checkpoint {
  const fail = (problem: string): never => {
    throw new CheckpointError(dir, problem);
  };
  if (!existsSync(join(dir, 'meta.json'))) fail('meta.json is missing');
  let meta: MetaFile;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as MetaFile;
  } catch (e) {
    return fail(`meta.json is not valid JSON (${(e as Error).message})`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) fail(`meta.json is not an rlvrc checkpoint (format ${JSON.stringify(meta.format)})`);
  if (meta.version !== CHECKPOINT_VERSION) fail(`unsupported checkpoint version ${meta.version} (this runtime reads ${CHECKPOINT_VERSION})`);
  if (!existsSync(join(dir, 'weights.bin'))) fail('weights.bin is missing');
  const bytes = readFileSync(join(dir, 'weights.bin'));
  if (bytes.length !== meta.weightsBytes) fail(`weights.bin has ${bytes.length} bytes, meta.json says ${meta.weightsBytes} (truncated or corrupted)`);
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (hash !== meta.weightsSha256) fail(`weights.bin is corrupted: sha256 ${hash} does not match ${meta.weightsSha256} recorded in meta.json`);
  // Copy into an aligned buffer: Buffer views may start at any byte offset.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const tensors: WeightMap = {};
  for (const e of meta.tensors) tensors[e.name] = { shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
  return { step: meta.step, tensors, rng: meta.rng, meta: meta.meta };
}

/** Saves a policy's weights alone (e.g. a pretrained model organism), in the checkpoint format. */
export function savePolicyWeights(dir: string, policy: Policy, meta: Record<string, unknown> = {}): void {
  saveCheckpoint(dir, { step: 0, tensors: prefixed('model/', policy.getWeights()), rng: {}, meta: { kind: 'weights', ...meta } });
}

/** Loads weights written by savePolicyWeights or by a trainer's checkpoint into `policy`. */
export function loadPolicyWeights(dir: string, policy: Policy): Checkpoint {
  const c = loadCheckpoint(dir);
  policy.setWeights(unprefixed('model/', c.tensors));
  return c;
}

/** Prefixes every tensor name (e.g. 'model/'), to put model and optimizer tensors in one checkpoint. */
export function prefixed(prefix: string, w: WeightMap): WeightMap {
  const out: WeightMap = {};
  for (const [k, v] of Object.entries(w)) out[prefix + k] = v;
  return out;
}

/** The tensors under `prefix`, with the prefix removed. */
export function unprefixed(prefix: string, w: WeightMap): WeightMap {
  const out: WeightMap = {};
  for (const [k, v] of Object.entries(w)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}
