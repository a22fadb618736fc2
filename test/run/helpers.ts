// Shared by the run-layer tests: temp dirs, an in-memory ProgramIO, the fake program as a child process,
// and an independent check that every artifact in a runs directory matches its published schema.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { execa, type ResultPromise } from 'execa';
import type { ProgramIO } from '../../src/runtime/run/index.js';

export const REPO = new URL('../../', import.meta.url).pathname;
export const FAKE_MAIN = new URL('./fixtures/fake-main.ts', import.meta.url).pathname;

export function tmp(prefix = 'rlvrc-run-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Captured extends ProgramIO { out: string; err: string }

export function captureIO(): Captured {
  const io: Captured = {
    out: '',
    err: '',
    isTTY: false,
    columns: 100,
    stdout: s => { io.out += s; },
    stderr: s => { io.err += s; },
  };
  return io;
}

/** The fake program as a real process: `node --import tsx fake-main.ts ...args`. */
export function spawnFake(args: string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; all: true; env: Record<string, string>; cwd: string }> {
  return execa(process.execPath, ['--import', 'tsx', FAKE_MAIN, ...args], { reject: false, all: true, env, cwd: REPO });
}

export const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
export const readLines = (path: string): any[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));

type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/**
 * Validates every artifact under `out` with a fresh ajv loading schema/*.schema.json directly (not
 * through the run layer's reader), and returns how many documents/lines it checked per kind.
 */
export function validateRunsDir(out: string): Record<string, number> {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const v = Object.fromEntries(['manifest', 'result', 'metrics', 'eval', 'samples'].map(k =>
    [k, ajv.compile(JSON.parse(readFileSync(join(REPO, 'schema', `${k}.schema.json`), 'utf8')))]));
  const counts: Record<string, number> = { manifest: 0, result: 0, metrics: 0, eval: 0, samples: 0 };
  const check = (kind: string, value: unknown, where: string): void => {
    if (!v[kind]!(value)) throw new Error(`${where} does not match ${kind}.schema.json: ${JSON.stringify(v[kind]!.errors)}`);
    counts[kind]!++;
  };
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) { if (name !== 'checkpoints') walk(p); continue; }
      const m = /^(manifest|result)\.json$/.exec(name);
      if (m) check(m[1]!, readJson(p), p);
      const l = /^(metrics|eval|samples)\.jsonl$/.exec(name);
      if (l) readLines(p).forEach((rec, i) => check(l[1]!, rec, `${p}:${i + 1}`));
    }
  };
  walk(out);
  return counts;
}
