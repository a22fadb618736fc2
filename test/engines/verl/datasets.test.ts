// The verl data phase (issue 17): a cell's data as verl's Parquet RL dataset. Files are written with
// hyparquet-writer and read back with an independent reader: parquet-wasm (the Rust arrow-rs `parquet`
// crate compiled to WebAssembly) decoded through apache-arrow, which gives the Arrow schema verl's
// datasets.load_dataset('parquet') (pyarrow) would see. The expected rows are built here from the JSON
// files directly, not through the engine's loader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParquet } from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { loadItems } from '../../../src/runtime/cell/data.js';
import { LABEL_SOURCE, needsLabels, verlParquet, verlRows, writeVerlDatasets, writeVerlParquet, type VerlRow } from '../../../src/engines/verl/datasets.js';
import { parquetFiles } from '../../../src/engines/verl/config.js';
import type { CellConfig } from '../../../src/ir/cell.js';
import { paperCell, ROOT } from './paper-cells.js';
import { compileRewards } from '../../helpers/compiled-rewards.js';

/** The cell's reward filter as the generated program compiles it. */
const filterOf = (c: CellConfig) => compileRewards([c])[c.reward.text]!.filter;

const MAIN = 'main/model=qwen_math_7b,reward=random';
const SPEC_DIR = join(ROOT, 'experiments');

const EXPECTED_SCHEMA = [
  'data_source: Utf8',
  'prompt: List<Struct<{role:Utf8, content:Utf8}>>',
  'ability: Utf8',
  'reward_model: Struct<{style:Utf8, ground_truth:Utf8}>',
  'extra_info: Struct<{split:Utf8, index:Int64, prompt_id:Utf8, example:Int64, has_label:Bool, majority_label:Utf8}>',
];

/** The file as the independent reader sees it: Arrow schema (name: type) and rows as plain JSON values. */
function readBack(path: string): { schema: string[]; rows: VerlRow[] } {
  const table = tableFromIPC(readParquet(readFileSync(path)).intoIPCStream());
  const schema = table.schema.fields.map(f => `${f.name}: ${String(f.type)}`);
  const rows = JSON.parse(JSON.stringify(table.toArray().map(r => r.toJSON()), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))) as VerlRow[];
  return { schema, rows };
}

/** The rows a JSON file of {prompt, answer, id?} records should give (chat, no system prompt, `{question}`). */
function expectedRows(file: string, source: string, split: 'train' | 'test'): VerlRow[] {
  const records = JSON.parse(readFileSync(join(ROOT, 'data', file), 'utf8')) as Array<{ prompt: string; answer: string | number; id?: unknown }>;
  return records.map((r, i) => ({
    data_source: source,
    prompt: [{ role: 'user', content: r.prompt }],
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: String(r.answer) },
    extra_info: { split, index: i, prompt_id: typeof r.id === 'string' ? r.id : String(i), example: i, has_label: true, majority_label: null },
  }));
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'rlvrc-verl-data-'));
}

const session = (dir: string) => ({ path: (rel: string) => join(dir, rel) });

test('the paper main cell: train.parquet and every val file read back with the schema and the rows of the vendored data', () => {
  const cell = paperCell(MAIN);
  const out = tmp();
  try {
    const written = writeVerlDatasets(cell, SPEC_DIR, out, filterOf(cell));
    const names = parquetFiles(cell);
    assert.deepEqual(names, { train: 'data/train.parquet', val: ['data/val-math.parquet', 'data/val-amc_avg8.parquet', 'data/val-aime_avg8.parquet'] });
    assert.deepEqual(written, { train: join(out, names.train), val: names.val.map(v => join(out, v)), label: null, trainWritten: true });
    const cases: Array<[string, string, string, 'train' | 'test', number]> = [
      [written.train, 'deepscaler-level1.json', 'deepscaler', 'train', 7961],
      [written.val[0]!, 'math500.json', 'math', 'test', 500],
      [written.val[1]!, 'amc23.json', 'amc_avg8', 'test', 83],
      [written.val[2]!, 'aime24.json', 'aime_avg8', 'test', 30],
    ];
    for (const [path, file, source, split, count] of cases) {
      const { schema, rows } = readBack(path);
      assert.deepEqual(schema, EXPECTED_SCHEMA, path);
      const expected = expectedRows(file, source, split);
      assert.equal(rows.length, count, `${file}: row count`);
      assert.equal(rows.length, expected.length);
      assert.deepEqual(rows[0], expected[0], `${file}: first row`);
      assert.deepEqual(rows.at(-1), expected.at(-1), `${file}: last row`);
      assert.deepEqual(rows, expected, `${file}: every row`);
      assert.equal(new Set(rows.map(r => r.extra_info.prompt_id)).size, rows.length, `${file}: prompt ids unique`);
      const labels = (JSON.parse(readFileSync(join(ROOT, 'data', file), 'utf8')) as Array<{ answer: unknown }>).map(r => String(r.answer));
      assert.deepEqual(rows.map(r => r.reward_model.ground_truth), labels, `${file}: ground truths are the labels`);
    }
    // One literal row, so a wrong expectation builder could not hide a wrong file.
    const first = readBack(written.train).rows[0]!;
    assert.equal(first.reward_model.ground_truth, '28');
    assert.equal(first.extra_info.prompt_id, '0');
    assert.match(first.prompt[0]!.content, /^At Euclid Middle School the mathematics teachers are Mrs\. Germain/);
    assert.deepEqual(readdirSync(join(out, 'data')).sort(), ['train.parquet', 'val-aime_avg8.parquet', 'val-amc_avg8.parquet', 'val-math.parquet'], 'no temp files left');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a system prompt becomes the first chat message; the user message is the filled template', () => {
  const cell = paperCell(MAIN);
  cell.prompt = { name: 'math_problem', template: 'chat', system: 'You are a helpful Assistant.', user: 'Math Problem: {question} $&', stop: [] };
  const items = loadItems(cell.data, session(SPEC_DIR)).slice(0, 100);
  const rows = verlRows(cell, items, 'train', filterOf(cell));
  assert.deepEqual(rows[0]!.prompt, [
    { role: 'system', content: 'You are a helpful Assistant.' },
    { role: 'user', content: `Math Problem: ${items[0]!.question} $&` },
  ]);
  const out = tmp();
  try {
    writeVerlParquet(join(out, 'x.parquet'), rows);
    assert.deepEqual(readBack(join(out, 'x.parquet')).rows, rows);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('one-shot RL (paper.rlvr: reward one_shot = correct(label) where example == 0, data pi1): the one example, repeated to fill a batch', () => {
  const cell = paperCell('headline_one_shot/model=qwen_math_7b,reward=one_shot,data=pi1');
  assert.deepEqual(cell.reward.filter, { op: '==', left: { var: 'example' }, right: { value: 0 } });
  assert.equal(cell.data.source === 'json' && cell.data.path, '../data/one-shot-pi1.json');
  // pi1 is not shipped (paper.rlvr): a stand-in record at the path the spec names.
  const dir = tmp();
  try {
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'experiments'));
    writeFileSync(join(dir, 'data', 'one-shot-pi1.json'), JSON.stringify([{ prompt: 'The pi1 problem.', answer: '12.8' }]));
    const rows = verlRows(cell, loadItems(cell.data, session(join(dir, 'experiments'))), 'train', filterOf(cell));
    const perStep = cell.algorithm.prompts_per_step;
    assert.equal(rows.length, perStep, 'one batch of the one example (verl drops an incomplete batch)');
    rows.forEach((r, i) => assert.deepEqual(r, {
      data_source: 'pi1', prompt: [{ role: 'user', content: 'The pi1 problem.' }], ability: 'math',
      reward_model: { style: 'rule', ground_truth: '12.8' },
      extra_info: { split: 'train', index: i, prompt_id: '0', example: 0, has_label: true, majority_label: null },
    }));
    writeVerlParquet(join(dir, 'train.parquet'), rows);
    assert.deepEqual(readBack(join(dir, 'train.parquet')).rows, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The same reward on DeepScaleR, at another position: exactly that example.
  const ds = paperCell(MAIN);
  ds.reward = { ...cell.reward, filter: { op: '==', left: { var: 'example' }, right: { value: 17 } } };
  const rows = verlRows(ds, loadItems(ds.data, session(SPEC_DIR)), 'train', filterOf(ds));
  const expected = expectedRows('deepscaler-level1.json', 'deepscaler', 'train')[17]!;
  assert.equal(rows.length, ds.algorithm.prompts_per_step);
  for (const r of rows) assert.deepEqual({ ...r, extra_info: { ...r.extra_info, index: 17 } }, expected);
  // A label condition is compared as an answer (the grader's equivalence), as in the generated program.
  const labelled = paperCell(MAIN);
  labelled.reward = { ...cell.reward, filter: { op: '==', left: { var: 'label' }, right: { value: '28' } } };
  const hits = verlRows(labelled, loadItems(labelled.data, session(SPEC_DIR)), 'train', filterOf(labelled));
  const exact = expectedRows('deepscaler-level1.json', 'deepscaler', 'train').filter(r => r.reward_model.ground_truth === '28');
  assert.deepEqual([...new Set(hits.map(r => r.reward_model.ground_truth))].sort(), ['28', '28\\%']);
  assert.equal(new Set(hits.map(r => r.extra_info.prompt_id)).size, 39);
  assert.equal(hits.length, 78, '39 prompts < 64 per step: repeated twice');
  for (const e of exact) assert.ok(hits.some(h => h.extra_info.prompt_id === e.extra_info.prompt_id));
});

test('take: the first n items of the training data and of an eval', () => {
  const cell = paperCell(MAIN);
  (cell.data as { take: number | null }).take = 100;
  (cell.evals[0]!.data as { take: number | null }).take = 5;
  const out = tmp();
  try {
    const written = writeVerlDatasets(cell, SPEC_DIR, out, filterOf(cell));
    assert.deepEqual(readBack(written.train).rows, expectedRows('deepscaler-level1.json', 'deepscaler', 'train').slice(0, 100));
    assert.deepEqual(readBack(written.val[0]!).rows, expectedRows('math500.json', 'math', 'test').slice(0, 5));
    assert.equal(readBack(written.val[1]!).rows.length, 83);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('unlabelled data: empty ground truth and has_label false, never a label; ids from the records or positions', () => {
  const cell: CellConfig = paperCell(MAIN);
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'q.jsonl'), [{ q: 'one?', id: 'a' }, { q: 'two?' }, { q: 'three?', id: 'c' }].map(r => JSON.stringify(r)).join('\n') + '\n');
    cell.evals[0]!.data = { name: 'unl', source: 'jsonl', path: 'q.jsonl', fields: { question: 'q', answer: null }, take: null, labels: false };
    const rows = verlRows(cell, loadItems(cell.evals[0]!.data, session(dir)), 0, null);
    writeVerlParquet(join(dir, 'val.parquet'), rows);
    const back = readBack(join(dir, 'val.parquet'));
    assert.deepEqual(back.schema, EXPECTED_SCHEMA);
    assert.deepEqual(back.rows.map(r => [r.extra_info.prompt_id, r.reward_model.ground_truth, r.extra_info.has_label, r.prompt[0]!.content]), [
      ['a', '', false, 'one?'], ['1', '', false, 'two?'], ['c', '', false, 'three?'],
    ]);
    assert.ok(back.rows.every(r => r.data_source === 'math' && r.extra_info.split === 'test'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('byte-determinism: the same rows give the same bytes, in memory and on disk', () => {
  const cell = paperCell(MAIN);
  const rows = verlRows(cell, loadItems(cell.evals[0]!.data, session(SPEC_DIR)), 0, null);
  const a = verlParquet(rows), b = verlParquet(structuredClone(rows));
  assert.ok(Buffer.from(a).equals(Buffer.from(b)));
  const dir = tmp();
  try {
    writeVerlParquet(join(dir, 'one.parquet'), rows);
    writeVerlParquet(join(dir, 'two.parquet'), rows);
    writeVerlParquet(join(dir, 'two.parquet'), rows); // replacing a file
    assert.ok(readFileSync(join(dir, 'one.parquet')).equals(readFileSync(join(dir, 'two.parquet'))));
    assert.deepEqual(readdirSync(dir).sort(), ['one.parquet', 'two.parquet']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rows verl could not run as specified are refused, never written differently', () => {
  const raw = paperCell('cross_model_base_llama/model=llama3_2_3b,reward=random,prompt=r1');
  assert.throws(() => verlRows(raw, loadItems(raw.data, session(SPEC_DIR)).slice(0, 3), 'train', filterOf(raw)), /raw template.*RLVR7021/);
  const forced = paperCell(MAIN);
  forced.prompt = { ...forced.prompt, response_prefix: "Let's solve this using Python." };
  assert.throws(() => verlRows(forced, loadItems(forced.data, session(SPEC_DIR)).slice(0, 3), 'train', filterOf(forced)), /RLVR7022/);
  const incorrect = paperCell('main/model=qwen_math_7b,reward=incorrect');
  assert.throws(() => verlRows(incorrect, loadItems(incorrect.data, session(SPEC_DIR)).slice(0, 3), 'train', filterOf(incorrect)), /reads offline majority labels; the label phase computes them before the training data is written/);
  const dup = paperCell(MAIN);
  const items = loadItems(dup.evals[0]!.data, session(SPEC_DIR)).slice(0, 2);
  assert.throws(() => verlRows(dup, [items[0]!, { ...items[1]!, id: items[0]!.id }], 0, null), /share the id/);
});

test('majority labels: the label phase\'s rows are every training problem; train rows carry the labels and the incorrect-label filter keeps the wrong ones', () => {
  const cell = paperCell('main/model=qwen_math_7b,reward=incorrect');
  const items = loadItems(cell.data, session(SPEC_DIR)).slice(0, 6);
  const label = verlRows(cell, items, 'label', null);
  assert.deepEqual(label.map(r => [r.extra_info.split, r.extra_info.prompt_id, r.data_source]), items.map(it => ['label', it.id, LABEL_SOURCE]));
  // Labels: right for the first two problems, wrong for the next three, none for the last (no majority is
  // not the label either: the program's compiled filter keeps it, on both engines).
  const labels = new Map(items.map((it, i) => [it.id, i < 2 ? it.label! : i < 5 ? `${it.label}0` : null]));
  const rows = verlRows(cell, items, 'train', filterOf(cell), labels);
  assert.deepEqual([...new Set(rows.map(r => r.extra_info.prompt_id))], items.slice(2).map(it => it.id));
  assert.equal(rows.length, 64, 'repeated to fill one step\'s 64 prompts');
  assert.ok(rows.every(r => r.extra_info.majority_label === labels.get(r.extra_info.prompt_id)));
  const majority = paperCell('main/model=qwen_math_7b,reward=majority');
  const all = verlRows(majority, items, 'train', null, labels);
  assert.deepEqual(all.slice(0, 6).map(r => r.extra_info.majority_label), items.map(it => labels.get(it.id) ?? null));
  assert.equal(needsLabels(majority)?.samples, 64);
  assert.equal(needsLabels(paperCell(MAIN)), null);
});
