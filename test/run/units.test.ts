// The run layer's pieces on their own: directory names, config hashes, checkpoint discovery and pruning,
// JSONL reading after a crash, schema checks on write, cell selection and --set.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  cellDirName, configHash, canonicalJson, latestCheckpoint, listCheckpoints, pruneCheckpoints, removeIncompleteCheckpoints, readJsonl, ArtifactError,
} from '../../src/runtime/run/index.js';
import { JsonlWriter } from '../../src/runtime/run/artifacts.js';
import { applyOverride, applyOverrides, compileCellSchema, parseSet } from '../../src/runtime/run/overrides.js';
import { selectMany, selectOne, splitPatterns } from '../../src/runtime/run/select.js';
import { ProgressView } from '../../src/runtime/run/progress.js';
import { CellLock, LOCK_FILE, lockHolder } from '../../src/runtime/run/lock.js';
import { runProgram, type ProgramDefinition } from '../../src/runtime/run/index.js';
import { configDiff, finalEvalMetrics } from '../../src/runtime/run/cell.js';
import { CELLS, CELL_SCHEMA, DEFINITION } from './fixtures/fake-program.js';
import { captureIO, tmp } from './helpers.js';

describe('cellDirName', () => {
  test('a grid prefix becomes __ and readable ids stay as they are', () => {
    assert.equal(cellDirName('rewards/model=qwen_math_like,reward=random,seed=2'), 'rewards__model=qwen_math_like,reward=random,seed=2');
    assert.equal(cellDirName('default'), 'default');
    // The checker's own %XX escapes pass through untouched.
    assert.equal(cellDirName('clip=%5B0.2%5D'), 'clip=%5B0.2%5D');
  });
  test('unsafe characters are %-escaped and a name is never hidden, . or ..', () => {
    assert.equal(cellDirName('a b:c'), 'a%20b%3Ac');
    assert.equal(cellDirName('.'), '%2E');
    assert.equal(cellDirName('..'), '%2E.');
    assert.equal(cellDirName('é'), '%C3%A9');
  });
  test('long ids are cut with a hash, stay distinct and fit a file name', () => {
    const a = cellDirName('x='.padEnd(400, 'a'));
    const b = cellDirName('x='.padEnd(400, 'a') + 'b');
    assert.ok(Buffer.byteLength(a) <= 200);
    assert.match(a, /~[0-9a-f]{16}$/);
    assert.notEqual(a, b);
  });
});

describe('configHash', () => {
  test('ignores key order, not values', () => {
    const a = { id: 'x', seed: 1, algorithm: { clip: 0.2, group: 16 } };
    const b = { algorithm: { group: 16, clip: 0.2 }, seed: 1, id: 'x' };
    assert.equal(canonicalJson(b), '{"algorithm":{"clip":0.2,"group":16},"id":"x","seed":1}');
    assert.equal(configHash(a), configHash(b));
    assert.notEqual(configHash(a), configHash({ ...a, algorithm: { clip: 0.3, group: 16 } }));
    assert.match(configHash(a), /^[0-9a-f]{64}$/);
  });
  test('configDiff names the fields that changed', () => {
    assert.deepEqual(configDiff({ a: { b: 1, c: 2 }, d: 'x' }, { a: { b: 1, c: 3 }, d: 'x', e: true }), ['a.c: 2 → 3', 'e: absent → true']);
  });
});

describe('checkpoints', () => {
  const make = (dir: string, name: string, meta: string | null): void => {
    mkdirSync(join(dir, name), { recursive: true });
    if (meta !== null) writeFileSync(join(dir, name, 'meta.json'), meta);
  };
  test('the latest complete step-<n> wins; temp, partial and torn ones are ignored', () => {
    const dir = tmp();
    make(dir, 'step-3', '{"step":3}');
    make(dir, 'step-10', '{"step":10}');
    make(dir, 'step-12', null); // a writer that died before meta.json
    make(dir, 'step-15', '{"step":1'); // torn meta.json
    make(dir, 'step-16', '{"step":4}'); // meta.json of another step: not this checkpoint
    make(dir, '.step-20.tmp-123-abcd', '{"step":20}'); // still being written
    make(dir, 'step-007', '{}'); // not a name the writer makes
    assert.deepEqual(listCheckpoints(dir).map(c => c.step), [3, 10]);
    assert.deepEqual(latestCheckpoint(dir), { step: 10, path: join(dir, 'step-10') });
    assert.equal(latestCheckpoint(join(dir, 'missing')), null);
    assert.deepEqual(removeIncompleteCheckpoints(dir).sort(), ['.step-20.tmp-123-abcd', 'step-12', 'step-15', 'step-16']);
    assert.deepEqual(listCheckpoints(dir).map(c => c.step), [3, 10]);
  });
  test('pruning keeps the newest keepLast complete checkpoints (by step, not by name)', () => {
    const dir = tmp();
    for (const s of [2, 9, 10, 100]) make(dir, `step-${s}`, `{"step":${s}}`);
    assert.deepEqual(pruneCheckpoints(dir, 2), [2, 9]);
    assert.deepEqual(listCheckpoints(dir).map(c => c.step), [10, 100]);
    assert.throws(() => pruneCheckpoints(dir, 0), /keepLast/);
  });
});

describe('JSONL artifacts', () => {
  test('a torn last line (a crash mid-append) is ignored and reported', () => {
    const path = join(tmp(), 'metrics.jsonl');
    writeFileSync(path, '{"step":1,"loss":0.5}\n{"step":2,"loss":0.4}\n{"step":3,"lo');
    const r = readJsonl('metrics', path);
    assert.deepEqual(r.records.map(x => x.step), [1, 2]);
    assert.equal(r.tornTail, '{"step":3,"lo');
  });
  test('a bad complete line is an error naming the file and line', () => {
    const path = join(tmp(), 'eval.jsonl');
    writeFileSync(path, '{"step":5,"accuracy":0.5}\nnot json\n{"step":10,"accuracy":0.6}\n');
    assert.throws(() => readJsonl('eval', path), (e: Error) => e instanceof ArtifactError && e.message.startsWith(`${path}:2: is not valid JSON`));
    writeFileSync(path, '{"step":5,"accuracy":0.5}\n{"step":"ten","accuracy":0.6}\n');
    assert.throws(() => readJsonl('eval', path), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: does not match schema/eval.schema.json: /step must be integer`));
  });
  test('the writer validates each record before it touches the file, and appends whole lines', () => {
    const path = join(tmp(), 'metrics.jsonl');
    const w = new JsonlWriter('metrics', path, 0);
    w.append({ step: 1, loss: Number.NaN, timings: { gen: 0.1 } });
    assert.throws(() => w.append({ step: -1 }), /metrics.jsonl:2: does not match schema\/metrics.schema.json: \/step must be >= 0/);
    assert.throws(() => w.append({ step: 2, nested: { deep: { er: 1 } } } as never), /does not match/);
    w.close();
    assert.equal(readFileSync(path, 'utf8'), '{"step":1,"loss":null,"timings":{"gen":0.1}}\n');
  });
  test('final metrics default to the last eval step, named <eval>.<metric>', () => {
    assert.deepEqual(finalEvalMetrics([
      { step: 5, name: 'math', accuracy: 0.1 },
      { step: 10, name: 'math', accuracy: 0.2, by: { code: 0.3, language: null } },
      { step: 10, name: 'aime', accuracy: 0 },
    ]), { 'math.accuracy': 0.2, 'math.by.code': 0.3, 'math.by.language': null, 'aime.accuracy': 0 });
  });
});

describe('selecting cells', () => {
  const cells = ['rewards/model=a,reward=random,seed=1', 'rewards/model=a,reward=format,seed=1', 'rewards/model=b,reward=random,seed=2', 'clip/model=a,clip=none,seed=1'].map(id => ({ id }));
  const ids = (patterns: string[]): string[] => selectMany(cells, patterns).map(c => c.id);
  test('axis values, grid prefixes, globs and exact ids', () => {
    assert.deepEqual(ids(['reward=random']), [cells[0]!.id, cells[2]!.id]);
    assert.deepEqual(ids(['model=a,seed=1']), [cells[0]!.id, cells[1]!.id, cells[3]!.id]);
    assert.deepEqual(ids(['clip/']), [cells[3]!.id]);
    assert.deepEqual(ids(['*seed=2']), [cells[2]!.id]);
    assert.deepEqual(ids(['clip/model=a', 'reward=format']), [cells[1]!.id, cells[3]!.id]);
    assert.deepEqual(ids([]), cells.map(c => c.id));
  });
  test('one --only value can hold several ids or filters: a repeated axis starts the next', () => {
    assert.deepEqual(splitPatterns('reward=random,seed=1,reward=format,seed=1'), ['reward=random,seed=1', 'reward=format,seed=1']);
    assert.deepEqual(splitPatterns('rewards/model=a,reward=random,seed=1,clip/model=a,clip=none,seed=1'), ['rewards/model=a,reward=random,seed=1', 'clip/model=a,clip=none,seed=1']);
    assert.deepEqual(splitPatterns('default,other'), ['default', 'other']);
    assert.deepEqual(splitPatterns('*seed=1,*'), ['*seed=1,*']);
    assert.deepEqual(ids(['rewards/model=a,reward=random,seed=1,rewards/model=b,reward=random,seed=2']), [cells[0]!.id, cells[2]!.id]);
  });
  test('a pattern that selects nothing says why', () => {
    assert.throws(() => ids(['reward=randm']), /--only 'reward=randm' selects no cell\n {2}no cell has reward=randm \(did you mean reward=random\?\); reward is one of: random, format/);
    assert.throws(() => ids(['rewrd=random']), /no cell has an axis 'rewrd' \(did you mean 'reward'\?\)/);
    assert.throws(() => selectOne(cells, 'rewards/model=a,reward=random,seed=3'), /unknown cell 'rewards\/model=a,reward=random,seed=3'\n.*no cell has seed=3[\s\S]*closest ids: rewards\/model=a,reward=random,seed=1/);
  });
});

describe('--set', () => {
  test('values parse as JSON, else as strings; lists index by number', () => {
    assert.deepEqual(parseSet('algorithm.clip=0.3'), { path: 'algorithm.clip', value: 0.3 });
    assert.deepEqual(parseSet('reward=random'), { path: 'reward', value: 'random' });
    assert.deepEqual(parseSet('tags=["a",1]'), { path: 'tags', value: ['a', 1] });
    assert.deepEqual(parseSet('x=a=b'), { path: 'x', value: 'a=b' });
    const c = applyOverride({ id: 'c', seed: 1, evals: [{ every: 10 }, { every: 20 }] }, { path: 'evals.1.every', value: 5 });
    assert.deepEqual(c.evals, [{ every: 10 }, { every: 5 }]);
  });
  test('a misspelt path is an error, never a new field', () => {
    assert.throws(() => applyOverride(CELLS[0]!, { path: 'train.stepz', value: 5 }), /cell 'reward=ground_truth,seed=1' has no field 'stepz' under train \(did you mean 'steps'\?\)/);
    assert.throws(() => applyOverride(CELLS[0]!, { path: 'lr.x', value: 5 }), /lr is a number, which has no field 'x'/);
    assert.throws(() => applyOverride(CELLS[0]!, { path: 'id', value: 'y' }), /cannot be overridden/);
    assert.throws(() => parseSet('=3'), /PATH=VALUE/);
    assert.throws(() => parseSet('a..b=3'), /not a field path/);
  });
  test('the overridden cells must match the cell schema; the error names the --set', () => {
    const validate = compileCellSchema(CELL_SCHEMA);
    const ok = applyOverrides(CELLS, [{ path: 'lr', value: 0.5 }], validate);
    assert.deepEqual(ok.map(c => c.lr), [0.5, 0.5, 0.5]);
    assert.equal(CELLS[0]!.lr, 0.1, 'the embedded cells are not modified');
    assert.throws(() => applyOverrides(CELLS, [{ path: 'lr', value: 5 }], validate), /--set lr=5 makes cell 'reward=ground_truth,seed=1' invalid: \/lr must be <= 1/);
    assert.throws(() => applyOverrides(CELLS, [{ path: 'train.steps', value: 'many' }], validate), /--set train.steps="many" makes cell .* invalid: \/train\/steps must be integer/);
  });
});

describe('progress display', () => {
  test('on a terminal: a bar per running cell, redrawn in place, with finished lines above', async () => {
    const io = Object.assign(captureIO(), { isTTY: true, columns: 120 });
    const view = new ProgressView(io);
    view.start('a=1', null, 20);
    view.start('a=2', 10, 20);
    view.step('a=1', 10, 20, { reward: 0.5 });
    await new Promise(r => setTimeout(r, 150)); // redraws are throttled to 10 a second
    view.end('a=1', '[a=1] finished in 1.0s');
    view.close();
    assert.match(io.out, /a=1 ██████████░░░░░░░░░░ 10\/20 \d+s reward 0.5\n/);
    assert.match(io.out, /a=2 ██████████░░░░░░░░░░ 10\/20 \d+s\n/, 'the resumed cell starts at its checkpoint step');
    assert.ok(io.out.includes('\x1b[2A\x1b[J[a=1] finished in 1.0s\n'), 'bars are erased before a lasting line');
    assert.ok(io.out.endsWith('\x1b[1A\x1b[J'), 'close erases the last bar');
    assert.doesNotMatch(io.out, /step 10\/20/, 'no plain lines on a terminal');
  });
  test('elsewhere: plain lines, about ten per cell', () => {
    const io = captureIO();
    const view = new ProgressView(io);
    view.start('a=1', null, 30);
    for (let s = 1; s <= 30; s++) view.step('a=1', s, 30, { loss: 1 / s });
    view.end('a=1', '[a=1] finished in 1.0s');
    const lines = io.out.trimEnd().split('\n');
    assert.equal(lines.length, 12);
    assert.equal(lines[1], '[a=1] step 3/30 loss 0.3333');
    assert.equal(lines[10], '[a=1] step 30/30 loss 0.03333');
  });
});

describe('one process per cell directory', () => {
  const lockOf = (dir: string, pid: number, host: string): void =>
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host, started_at: '2025-01-01T00:00:00.000Z' }));

  test('a live process on this host holds the cell; once it is gone the lock is taken over', async () => {
    const dir = tmp();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    lockOf(dir, other.pid!, hostname());
    assert.match(lockHolder(dir)!, new RegExp(`^process ${other.pid} on ${hostname()} has been running it since 2025-01-01`));
    const refused = CellLock.acquire(dir);
    assert.ok('holder' in refused);
    other.kill('SIGKILL');
    await new Promise(r => other.once('exit', r));
    assert.equal(lockHolder(dir), null, 'a dead pid holds nothing');
    const taken = CellLock.acquire(dir);
    assert.ok('lock' in taken);
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
    taken.lock.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
  });

  test('on another host the lock holds while it is touched, and goes stale after 5 minutes', () => {
    const dir = tmp();
    lockOf(dir, 1, 'elsewhere.example');
    assert.match(lockHolder(dir)!, /^process 1 on elsewhere.example/);
    const old = new Date(Date.now() - 6 * 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    assert.equal(lockHolder(dir), null);
  });

  test('the program refuses to run, or --fresh to delete, a cell that is running', async () => {
    const out = tmp();
    const dir = join(out, 'reward=random,seed=1');
    mkdirSync(dir);
    lockOf(dir, process.ppid, hostname()); // the test runner: alive for the whole test
    const io = captureIO();
    assert.equal(await runProgram(DEFINITION, ['--cell', 'reward=random,seed=1', '--out', out], io), 2);
    assert.match(io.err, /reward=random,seed=1 is in use: process \d+ on .* has been running it since/);
    const fresh = captureIO();
    assert.equal(await runProgram(DEFINITION, ['--only', 'seed=1', '--fresh', '--out', out], fresh), 2);
    assert.match(fresh.err, /--fresh would delete cells that are running:\n {2}process \d+/);
    assert.ok(existsSync(join(dir, LOCK_FILE)), 'nothing was deleted');
  });
});

describe('program definitions', () => {
  test('a cell type without an index signature (like the runtime\'s CellConfig interface) is accepted', async () => {
    interface StrictCell { id: string; seed: number; lr: number }
    const seen: number[] = [];
    const def: ProgramDefinition<StrictCell> = {
      experiment: 'strict', source: { file: 'x.rlvr', sha256: 'b'.repeat(64) }, compilerVersion: '0',
      cells: [{ id: 'lr=0.1', seed: 1, lr: 0.1 }],
      runCell: async cell => { seen.push(cell.lr); },
    };
    const io = captureIO();
    assert.equal(await runProgram(def, ['--cell', 'lr=0.1', '--out', tmp()], io), 0, io.err);
    assert.deepEqual(seen, [0.1]);
  });
});
