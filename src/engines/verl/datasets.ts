// The data phase of the verl engine (issue 17): a cell's training and evaluation data as verl's RL dataset,
// one Parquet file per split (names: parquetFiles in config.ts). verl (RLHFDataset, pinned commit in
// README.md) reads `prompt` (a chat list it renders with the model's chat template), `data_source` (the
// reward function's key and the name validation metrics are grouped by), `reward_model.ground_truth`
// (passed to the reward function) and `extra_info` (passed to the reward function; `index` also becomes
// the row's `index`). rlvrc's reward server keys its work by `extra_info.prompt_id`.
// Items come from the tfjs runtime's own loader (loadItems), so both engines see the same questions, ids,
// labels and example positions.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { CellConfig, PromptConfig } from '../../ir/cell.js';
import { loadItems, DataError, type CellItem } from '../../runtime/cell/data.js';
import { fillTemplate } from '../../runtime/cell/prompts.js';
import type { ItemFilter } from '../../runtime/cell/batches.js';
import { conditionReadsMajority, majoritySpecOf, type MajoritySpec } from '../../runtime/cell/reward-tree.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { parquetFiles } from './config.js';

export interface VerlMessage { role: 'system' | 'user'; content: string }

export interface VerlRow {
  /** Training: the data config's name; an eval: the eval's name (verl groups validation metrics by it). */
  data_source: string;
  /** The chat messages before the model's turn; verl applies the model's chat template. */
  prompt: VerlMessage[];
  ability: 'math';
  /** ground_truth: the item's label; '' when the data has none (extra_info.has_label false). */
  reward_model: { style: 'rule'; ground_truth: string };
  extra_info: {
    /** 'label': the training problems as the label phase's validation-only run samples them (labels.ts). */
    split: 'train' | 'test' | 'label';
    /** Position of the row in its file. */
    index: number;
    /** The item's stable id (the record's `id`, else its position): the reward server's key. */
    prompt_id: string;
    /** Position in the dataset (what `where example == N` refers to). */
    example: number;
    has_label: boolean;
    /** The base model's majority answer (offline majority rewards, from the label phase); null without one. */
    majority_label: string | null;
  };
}

/** Which split of a cell: its training data, the label phase's prompts (all training problems), or its eval number `which`. */
export type VerlSplit = 'train' | 'label' | number;

function chatMessages(prompt: PromptConfig, question: string, where: string): VerlMessage[] {
  // The capabilities refuse both (RLVR7021, RLVR7022); never write rows that would silently differ.
  if (prompt.template !== 'chat') throw new DataError(`${where}: prompt ${prompt.name ?? '(default)'} is a raw template; verl always applies the chat template (RLVR7021)`);
  if (prompt.response_prefix !== undefined) throw new DataError(`${where}: prompt ${prompt.name ?? '(default)'} forces a response prefix, which verl cannot (RLVR7022)`);
  const out: VerlMessage[] = prompt.system === null ? [] : [{ role: 'system', content: prompt.system }];
  out.push({ role: 'user', content: fillTemplate(prompt.user, question) });
  return out;
}

/**
 * The verl rows of a cell's split, from its data items (loadItems: `take` already applied). Training rows are
 * the items that pass the reward's `where` filter, in data order (verl shuffles them with data.seed). When fewer
 * pass than a step's prompts (one-shot RL), they are repeated to fill one batch, as One-Shot-RLVR's
 * pi1_r128.parquet does: verl's dataloader drops an incomplete last batch (drop_last), so a smaller file would
 * yield no step at all, while rlvrc repeats the chosen prompts across epochs. Repeats keep their prompt_id.
 * `filter` is the program's compiled filter of the cell's reward (CompiledRewards[reward.text].filter): the
 * one the tfjs engine runs, so both engines train on the same prompts.
 */
export function verlRows(cell: CellConfig, items: readonly CellItem[], which: VerlSplit, filter: ItemFilter | null, labels?: ReadonlyMap<string, string | null>): VerlRow[] {
  const train = which === 'train';
  const label = which === 'label';
  const ev = train || label ? null : cell.evals[which];
  if (!train && !label && !ev) throw new RangeError(`cell ${cell.id} has no eval ${String(which)}`);
  const prompt = ev ? ev.prompt : cell.prompt;
  const source = ev ? ev.name : label ? LABEL_SOURCE : cell.data.name;
  const where = `cell ${cell.id}, ${ev ? `eval ${ev.name}` : label ? 'label phase' : 'training data'}`;
  if (train && needsLabels(cell) && !labels) throw new DataError(`${where}: the reward reads offline majority labels; the label phase computes them before the training data is written`);
  if (train && labels) items = items.map(it => ({ ...it, majority_label: labels.has(it.id) ? labels.get(it.id)! : null }));
  if (train && cell.reward.filter !== null) {
    if (!filter) throw new Error(`${where}: the reward has a 'where' filter; pass the program's compiled filter`);
    if (conditionReadsMajority(cell.reward.filter) && !labels) throw new DataError(`${where}: the training filter reads majority labels, which the label phase computes (RLVR7014)`);
  }
  let chosen = train && filter ? items.filter(filter) : [...items];
  const seen = new Set<string>();
  for (const it of chosen) {
    if (seen.has(it.id)) throw new DataError(`${where}: two items share the id '${it.id}' (prompt ids must be unique)`);
    seen.add(it.id);
  }
  if (chosen.length === 0) throw new DataError(`${where}: no item satisfies the reward's condition (${cell.reward.text})`);
  const batch = cell.algorithm.prompts_per_step;
  if (train && chosen.length < batch) {
    const copies = Math.ceil(batch / chosen.length);
    chosen = Array.from({ length: copies }, () => chosen).flat();
  }
  return chosen.map((it, index) => ({
    data_source: source,
    prompt: chatMessages(prompt, it.question, where),
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: it.label ?? '' },
    extra_info: {
      split: train ? 'train' : label ? 'label' : 'test',
      index,
      prompt_id: it.id,
      example: it.example,
      has_label: it.label !== null,
      majority_label: it.majority_label ?? null,
    },
  }));
}

/** The data_source of the label phase's rows (not an eval: the reward server answers them with the answer rate). */
export const LABEL_SOURCE = '__rlvrc_majority_labels__';

/** The offline majority labels a cell's reward reads (samples, temperature), or null. */
export function needsLabels(cell: CellConfig): MajoritySpec | null {
  const spec = majoritySpecOf(cell.reward.expr);
  return spec && spec.online !== true ? spec : null;
}

/**
 * Every split of a cell: its data loaded relative to `specDir` (the directory of the spec file). A cell whose
 * reward reads offline majority labels gets its training rows only with `labels` (train: null without them),
 * and its label-phase rows (every training problem) in `label`.
 */
export function verlDatasets(cell: CellConfig, specDir: string, filter: ItemFilter | null, labels?: ReadonlyMap<string, string | null>): { train: VerlRow[] | null; val: VerlRow[][]; label: VerlRow[] | null } {
  const session = { path: (relative: string) => resolve(specDir, relative) };
  const items = loadItems(cell.data, session);
  const needs = needsLabels(cell) !== null;
  return {
    train: needs && !labels ? null : verlRows(cell, items, 'train', filter, labels),
    val: cell.evals.map((e, i) => verlRows(cell, loadItems(e.data, session), i, null)),
    label: needs ? verlRows(cell, items, 'label', null) : null,
  };
}

// The Parquet schema, as pandas/pyarrow would write it (every field optional; lists in the standard three-level
// LIST layout), so verl's datasets.load_dataset('parquet') reads the same Arrow types as for its own examples:
// prompt list<struct<role, content>>, reward_model struct<style, ground_truth>, extra_info struct<...>.
const str = (name: string) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
const i64 = (name: string) => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' }) as const;
const group = (name: string, n: number) => ({ name, repetition_type: 'OPTIONAL', num_children: n }) as const;
export const VERL_PARQUET_SCHEMA = [
  { name: 'schema', num_children: 5 },
  str('data_source'),
  { name: 'prompt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  group('element', 2), str('role'), str('content'),
  str('ability'),
  group('reward_model', 2), str('style'), str('ground_truth'),
  group('extra_info', 6), str('split'), i64('index'), str('prompt_id'), i64('example'),
  { name: 'has_label', type: 'BOOLEAN', repetition_type: 'OPTIONAL' }, str('majority_label'),
] as const;

/** The Parquet bytes of rows (deterministic: no timestamps; the same rows give the same bytes). */
export function verlParquet(rows: readonly VerlRow[]): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'data_source', data: rows.map(r => r.data_source) },
      { name: 'prompt', data: rows.map(r => r.prompt.map(m => ({ role: m.role, content: m.content }))) },
      { name: 'ability', data: rows.map(r => r.ability) },
      { name: 'reward_model', data: rows.map(r => ({ style: r.reward_model.style, ground_truth: r.reward_model.ground_truth })) },
      {
        name: 'extra_info',
        data: rows.map(r => ({
          split: r.extra_info.split,
          index: BigInt(r.extra_info.index),
          prompt_id: r.extra_info.prompt_id,
          example: BigInt(r.extra_info.example),
          has_label: r.extra_info.has_label,
          majority_label: r.extra_info.majority_label,
        })),
      },
    ],
    schema: VERL_PARQUET_SCHEMA.map(e => ({ ...e })),
    createdBy: 'rlvrc (hyparquet-writer)',
  });
  return new Uint8Array(buf);
}

/** Writes rows as verl's Parquet dataset at `path`, atomically (a temp file beside it, then a rename). */
export function writeVerlParquet(path: string, rows: readonly VerlRow[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, verlParquet(rows));
}

/**
 * Writes only train.parquet, with the label phase's labels (the other files were written before the phase):
 * its path. The rows are the ones writeVerlDatasets writes with the same labels.
 */
export function writeLabelledTrain(cell: CellConfig, specDir: string, outDir: string, filter: ItemFilter | null, labels: ReadonlyMap<string, string | null>): string {
  const items = loadItems(cell.data, { path: (relative: string) => resolve(specDir, relative) });
  const path = join(outDir, parquetFiles(cell).train);
  writeVerlParquet(path, verlRows(cell, items, 'train', filter, labels));
  return path;
}

/** The label phase's Parquet file, beside the others. */
export const LABEL_FILE = 'data/label.parquet';

/**
 * Writes a cell's train and val files under `outDir` (names: parquetFiles), and the label phase's prompts;
 * returns their paths. A cell that needs majority labels gets train.parquet only once `labels` are given
 * (`train` is then the path it will have).
 */
export function writeVerlDatasets(cell: CellConfig, specDir: string, outDir: string, filter: ItemFilter | null, labels?: ReadonlyMap<string, string | null>): { train: string; val: string[]; label: string | null; trainWritten: boolean } {
  const rows = verlDatasets(cell, specDir, filter, labels);
  const files = parquetFiles(cell);
  const train = join(outDir, files.train);
  if (rows.train) writeVerlParquet(train, rows.train);
  const label = rows.label ? join(outDir, LABEL_FILE) : null;
  if (label) writeVerlParquet(label, rows.label!);
  const val = files.val.map((f, i) => {
    const p = join(outDir, f);
    writeVerlParquet(p, rows.val[i]!);
    return p;
  });
  return { train, val, label, trainWritten: rows.train !== null };
}
