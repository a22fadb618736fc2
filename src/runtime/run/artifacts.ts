// Reading and writing a cell's artifacts, every one validated against its schema both ways.
//
// Whole files (manifest.json, result.json) are written with writeFileAtomic (temp file, fsync, rename).
// JSONL files (metrics, eval, samples) are appended one record at a time: the whole line, newline
// included, goes down in a single write() followed by fsync(). A crash can therefore only leave the
// *last* line torn (no trailing newline). Readers ignore such a torn last line; when a cell resumes,
// its JSONL files are rewritten atomically with the records it keeps (steps up to the checkpoint), which
// also drops the torn line. Any other bad line (not JSON, or not matching the schema) is corruption and
// an ArtifactError naming the file and line.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { ArtifactError, validateArtifact, type ArtifactKind } from './schemas.js';
import type { EvalRecord, Manifest, ResultFile, SamplesRecord, StepRecord } from './types.js';

export const FILES = {
  manifest: 'manifest.json',
  result: 'result.json',
  metrics: 'metrics.jsonl',
  eval: 'eval.jsonl',
  samples: 'samples.jsonl',
  log: 'log.txt',
  checkpoints: 'checkpoints',
} as const;

export type JsonlKind = 'metrics' | 'eval' | 'samples';
export interface JsonlRecordOf { metrics: StepRecord; eval: EvalRecord; samples: SamplesRecord }

function writeJson(kind: ArtifactKind, path: string, value: unknown): void {
  validateArtifact(kind, value, path);
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

function readJson(kind: ArtifactKind, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ArtifactError(path, null, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ArtifactError(path, null, `is not valid JSON (${(e as Error).message}); the file is corrupted`);
  }
  validateArtifact(kind, value, path);
  return value;
}

export const writeManifest = (path: string, m: Manifest): void => writeJson('manifest', path, m);
export const readManifest = (path: string): Manifest => readJson('manifest', path) as Manifest;
export const writeResult = (path: string, r: ResultFile): void => writeJson('result', path, r);
export const readResult = (path: string): ResultFile => readJson('result', path) as ResultFile;

export interface JsonlRead<T> {
  records: T[];
  /** The torn last line a crash left (no trailing newline), ignored; null when the file ends cleanly. */
  tornTail: string | null;
}

/** Reads a JSONL artifact; a missing file reads as empty. */
export function readJsonl<K extends JsonlKind>(kind: K, path: string): JsonlRead<JsonlRecordOf[K]> {
  if (!existsSync(path)) return { records: [], tornTail: null };
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // After the last '\n' comes either nothing (a clean end) or a torn line.
  const last = lines.pop()!;
  const records: Array<JsonlRecordOf[K]> = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') throw new ArtifactError(path, i + 1, 'is empty; every line of a JSONL artifact is one JSON record (the file is corrupted)');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new ArtifactError(path, i + 1, `is not valid JSON (${(e as Error).message}); the file is corrupted`);
    }
    validateArtifact(kind, value, path, i + 1);
    records.push(value as JsonlRecordOf[K]);
  });
  return { records, tornTail: last === '' ? null : last };
}

/** Rewrites a JSONL artifact atomically with exactly these records (used to cut a resumed cell back). */
export function rewriteJsonl<K extends JsonlKind>(kind: K, path: string, records: Array<JsonlRecordOf[K]>): void {
  records.forEach((r, i) => validateArtifact(kind, r, path, i + 1));
  writeFileAtomic(path, records.map(r => JSON.stringify(r) + '\n').join(''));
}

/** Appends validated records to a JSONL artifact: one write() of the whole line, then fsync(). */
export class JsonlWriter<K extends JsonlKind> {
  private fd: number | null;
  private lines: number;

  constructor(readonly kind: K, readonly path: string, existingLines: number) {
    this.fd = openSync(path, 'a');
    this.lines = existingLines;
  }

  append(record: JsonlRecordOf[K]): void {
    if (this.fd === null) throw new Error(`${this.path} is closed: the cell has ended`);
    // JSON.stringify turns NaN and ±Infinity into null; the schema allows null so the line stays valid.
    const line = JSON.stringify(record);
    validateArtifact(this.kind, JSON.parse(line), this.path, this.lines + 1);
    const bytes = Buffer.from(line + '\n', 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    fsyncSync(this.fd);
    this.lines++;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
