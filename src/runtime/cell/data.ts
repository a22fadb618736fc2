// Datasets of a cell config → items the trainer and the evaluator use. The arithmetic world is built
// from its config and seed (the same problems for every cell); json/jsonl files are read relative to
// the spec file, with the spec's field mapping.
import { readFileSync } from 'node:fs';
import type { DataConfig } from '../../ir/cell.js';
import type { Session } from './session.js';
import { createWorld, type World } from '../world/index.js';
import { toRuntimeWorld } from './world.js';
import { canonicalJson } from '../../util/canonical-json.js';

export interface CellItem {
  /** Stable id (the world's problem id, or the record's id field, or its position). */
  id: string;
  /** Position in the dataset (what `where example == N` refers to). */
  example: number;
  /** The bare question; prompts are rendered from it. */
  question: string;
  /** The rendered prompt the policy sees (set by the prompt stage). */
  prompt: string;
  /** The gold answer, when the data has labels. */
  label: string | null;
  /** The policy's own majority answer, when the reward needs it (computed once, cached). */
  majority_label?: string | null;
}

const worlds = new Map<string, World>();

/** The arithmetic world of a data config; built once per process and config. */
export function worldOf(data: DataConfig & { source: 'arithmetic' }): World {
  const key = canonicalJson(data.world);
  let w = worlds.get(key);
  if (!w) {
    w = createWorld(toRuntimeWorld(data.world), data.world.seed);
    worlds.set(key, w);
  }
  return w;
}

export class DataError extends Error {}

function readRecords(path: string, format: 'json' | 'jsonl'): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read dataset ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DataError(`dataset ${path} is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new DataError(`dataset ${path} must hold a JSON array of records`);
    return parsed;
  }
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as unknown];
    } catch (e) {
      throw new DataError(`dataset ${path}, line ${i + 1}: not valid JSON: ${(e as Error).message}`);
    }
  });
}

function field(record: unknown, name: string, where: string): string {
  if (typeof record !== 'object' || record === null) throw new DataError(`${where}: a record must be a JSON object`);
  const v = (record as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new DataError(`${where}: field '${name}' is ${v === undefined ? 'missing' : `a ${typeof v}, not a string`}`);
}

export function loadItems(data: DataConfig, session: Pick<Session, 'path'>): CellItem[] {
  let items: CellItem[];
  if (data.source === 'arithmetic') {
    const w = worldOf(data);
    const split = data.split === 'test' ? w.test : data.split === 'train' ? w.train : [...w.train, ...w.test];
    items = split.map((p, i) => ({ id: p.id, example: i, question: p.question, prompt: p.question, label: p.answer }));
  } else {
    const path = session.path(data.path);
    const records = readRecords(path, data.source);
    items = records.map((r, i) => {
      const where = `dataset ${data.path}, record ${i + 1}`;
      const question = field(r, data.fields.question, where);
      const label = data.fields.answer === null ? null : field(r, data.fields.answer, where);
      const id = typeof (r as Record<string, unknown>).id === 'string' ? (r as { id: string }).id : String(i);
      return { id, example: i, question, prompt: question, label };
    });
  }
  if (items.length === 0) throw new DataError(`dataset ${data.name} has no items`);
  return data.take === null ? items : items.slice(0, data.take);
}
