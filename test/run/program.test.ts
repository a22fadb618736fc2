// The program's command line, run in this process on the fake program: listing, bad input, one cell
// with all its artifacts, skipping a finished cell, refusing a changed config, --set, --fresh, and
// what a corrupted or torn artifact does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram, type ProgramDefinition } from '../../src/runtime/run/index.js';
import { GRADER_BUDGET, GRADER_VERSION } from '../../src/grader/budget.js';
import { DEFINITION, type FakeCell } from './fixtures/fake-program.js';
import { captureIO, readJson, readLines, tmp, validateRunsDir } from './helpers.js';

const run = async (args: string[], def: ProgramDefinition<FakeCell> = DEFINITION) => {
  const io = captureIO();
  const code = await runProgram(def, args, io);
  return { code, out: io.out, err: io.err };
};
const ID = 'reward=random,seed=1';
const withoutTimings = (records: any[]) => records.map(({ timings: _t, ...rest }) => rest);

describe('listing and bad input', () => {
  test('--list prints one id per line; --list --json adds directory, seed, axes and status', async () => {
    const out = tmp();
    const plain = await run(['--list', '--out', out]);
    assert.equal(plain.code, 0);
    assert.equal(plain.out, 'reward=ground_truth,seed=1\nreward=random,seed=1\nreward=random,seed=2\n');
    const json = await run(['--list', '--json', '--only', 'reward=random', '--out', out]);
    const rows = JSON.parse(json.out);
    assert.deepEqual(rows.map((r: any) => [r.id, r.seed, r.axes.reward, r.status]), [
      ['reward=random,seed=1', 1, 'random', 'not started'],
      ['reward=random,seed=2', 2, 'random', 'not started'],
    ]);
    assert.equal(rows[0].dir, join(out, 'reward=random,seed=1'));
    assert.match(rows[0].config_hash, /^[0-9a-f]{64}$/);
  });

  test('--help describes every option and the exit codes', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const flag of ['--list', '--json', '--cell', '--jobs', '--only', '--out', '--backend', '--set', '--fresh']) assert.ok(r.out.includes(flag), flag);
    assert.match(r.out, /fake: 3 cells, compiled from test\/run\/fixtures\/fake.rlvr/);
    assert.match(r.out, /Exit codes: 0 .* 1 .* 2 .* 130/);
  });

  test('usage errors exit 2 with the reason and a suggestion', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--job', '2'], /unknown option '--job' \(did you mean --jobs\?\)/],
      [['--jobs', '0'], /--jobs needs a whole number >= 1, got '0'/],
      [['--cell'], /--cell needs a value/],
      [['--cell', 'reward=randon,seed=1'], /unknown cell 'reward=randon,seed=1'\n {2}no cell has reward=randon \(did you mean reward=random\?\)[\s\S]*closest ids: reward=random,seed=1/],
      [['--only', 'seed=3'], /--only 'seed=3' selects no cell\n {2}no cell has seed=3; seed is one of: 1, 2/],
      [['--backend', 'wsam'], /unknown backend 'wsam' \(did you mean 'wasm'\?\)/],
      [['--cell', ID, '--jobs', '2'], /--cell runs one cell in this process/],
      [['--json'], /--json goes with --list/],
      [['extra'], /unexpected argument 'extra'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
      assert.match(r.err, /Run with --help/);
      assert.equal(r.out, '');
    }
  });

  test('a program whose cells share a directory is refused before anything runs', async () => {
    const def = { ...DEFINITION, cells: [{ ...DEFINITION.cells[0]!, id: 'g/a=1' }, { ...DEFINITION.cells[0]!, id: 'g__a=1' }] };
    const r = await run(['--list'], def);
    assert.equal(r.code, 2);
    assert.match(r.err, /cells 'g\/a=1' and 'g__a=1' map to the same directory 'g__a=1'/);
  });
});

describe('one cell in this process', () => {
  const out = tmp();
  const dir = join(out, ID);

  test('--cell writes every artifact, each valid against its schema', async () => {
    const r = await run(['--cell', ID, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\[reward=random,seed=1\] starting at step 1\n/);
    assert.match(r.out, /\[reward=random,seed=1\] step 20\/20 reward \S+ loss \S+\n/);
    assert.deepEqual(readdirSync(out), [ID], 'only the chosen cell ran');
    assert.deepEqual(validateRunsDir(out), { manifest: 1, result: 1, metrics: 20, eval: 4, samples: 4 });

    const m = readJson(join(dir, 'manifest.json'));
    assert.equal(m.status, 'finished');
    assert.equal(m.cell_id, ID);
    assert.deepEqual(m.source, DEFINITION.source);
    assert.equal(m.compiler_version, '0.0.0-test');
    assert.equal(m.runtime_version, JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    assert.equal(m.node_version, process.version);
    assert.deepEqual(m.grader, { version: GRADER_VERSION, budget: { ...GRADER_BUDGET } }, 'the grader that decided every verdict (issue 16)');
    assert.deepEqual(m.cell_config, DEFINITION.cells[1]);
    assert.equal(m.seeds.root, 1);
    assert.equal(typeof m.seeds.derived.walk, 'number', 'derived seeds recorded through ctx.recordSeed');
    assert.equal(m.backend.name, 'fake');
    assert.deepEqual(m.dependencies, { 'fake-backend': '0.0.1' });
    assert.equal(m.attempts.length, 1);
    assert.ok(m.platform.cpu_cores >= 1);

    const res = readJson(join(dir, 'result.json'));
    assert.equal(res.status, 'finished');
    assert.equal(res.steps, 20);
    assert.equal(res.config_hash, m.config_hash);
    const evals = readLines(join(dir, 'eval.jsonl'));
    assert.deepEqual(res.final_metrics, { 'math.accuracy': evals.at(-1).accuracy, 'math.code_rate': evals.at(-1).code_rate });
    // Checkpoints every 3 steps, keepCheckpoints 2: only the two newest remain.
    assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['step-15', 'step-18']);
    assert.deepEqual(readLines(join(dir, 'metrics.jsonl')).map(x => x.step), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('a second run skips the finished cell and leaves its result alone', async () => {
    const before = readFileSync(join(dir, 'result.json'), 'utf8');
    const r = await run(['--cell', ID, '--out', out]);
    assert.equal(r.code, 0);
    assert.match(r.out, /already finished .*; skipped\. Pass --fresh to run it again/);
    assert.doesNotMatch(r.out, /starting at step/);
    assert.equal(readFileSync(join(dir, 'result.json'), 'utf8'), before);
    const listed = JSON.parse((await run(['--list', '--json', '--out', out])).out);
    assert.deepEqual(listed.map((c: any) => c.status), ['not started', 'finished', 'not started']);
  });

  test('a changed config is refused in a directory that holds the old one, with the way out', async () => {
    const r = await run(['--cell', ID, '--out', out, '--set', 'lr=0.2']);
    assert.equal(r.code, 2);
    assert.match(r.err, /holds cell 'reward=random,seed=1' run with a different config \(hash [0-9a-f]{12} in its manifest, [0-9a-f]{12} now\):\n {4}lr: 0.1 → 0.2\n/);
    assert.match(r.err, /Pass --fresh to discard that run and start over, or --out DIR/);
    assert.equal(readJson(join(dir, 'manifest.json')).cell_config.lr, 0.1, 'the old run is untouched');
    const listed = JSON.parse((await run(['--list', '--json', '--out', out, '--set', 'lr=0.2'])).out);
    assert.equal(listed[1].status, 'conflict');
  });

  test('--set with --fresh reruns the cell with the override recorded and a new hash', async () => {
    const oldHash = readJson(join(dir, 'manifest.json')).config_hash;
    const r = await run(['--cell', ID, '--out', out, '--set', 'lr=0.2', '--fresh']);
    assert.equal(r.code, 0, r.err);
    const m = readJson(join(dir, 'manifest.json'));
    assert.deepEqual(m.overrides, [{ path: 'lr', value: 0.2 }]);
    assert.equal(m.cell_config.lr, 0.2);
    assert.notEqual(m.config_hash, oldHash);
    assert.equal(readJson(join(dir, 'result.json')).config_hash, m.config_hash);
    assert.equal(m.attempts.length, 1, '--fresh starts over: no attempts carried from the discarded run');
  });

  test('an invalid --set is refused before anything is written', async () => {
    const fresh = tmp();
    const r = await run(['--out', fresh, '--set', 'lr=5', '--jobs', '2']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--set lr=5 makes cell 'reward=ground_truth,seed=1' invalid: \/lr must be <= 1/);
    const typo = await run(['--out', fresh, '--set', 'train.step=5']);
    assert.match(typo.err, /no field 'step' under train \(did you mean 'steps'\?\)/);
    assert.deepEqual(readdirSync(fresh), []);
  });
});

describe('broken and torn artifacts', () => {
  test('a corrupted manifest is refused, naming the file', async () => {
    const out = tmp();
    assert.equal((await run(['--cell', ID, '--out', out])).code, 0);
    const manifest = join(out, ID, 'manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').slice(0, 200));
    const r = await run(['--cell', ID, '--out', out]);
    assert.equal(r.code, 2);
    assert.ok(r.err.includes(`${manifest}: is not valid JSON`), r.err);
    assert.match(r.err, /restore it, or pass --fresh/);
    const schemaBroken = { ...JSON.parse(readFileSync(join(out, ID, 'result.json'), 'utf8')) };
    writeFileSync(manifest, JSON.stringify({ artifact_version: 1, cell_id: ID }));
    const r2 = await run(['--cell', ID, '--out', out]);
    assert.match(r2.err, /manifest.json: does not match schema\/manifest.schema.json: \(top level\) must have required property 'experiment'/);
    assert.equal(schemaBroken.status, 'finished');
  });

  test('a corrupted line in an unfinished cell names the file and line, and nothing is overwritten', async () => {
    const out = tmp();
    assert.equal((await run(['--cell', ID, '--out', out])).code, 0);
    unlinkSync(join(out, ID, 'result.json')); // as if the cell had died before finishing
    const metrics = join(out, ID, 'metrics.jsonl');
    const lines = readFileSync(metrics, 'utf8').split('\n');
    lines[6] = '{"step":7,"loss":';
    writeFileSync(metrics, lines.join('\n'));
    const r = await run(['--cell', ID, '--out', out]);
    assert.equal(r.code, 2);
    assert.ok(r.err.includes(`${metrics}:7: is not valid JSON`), r.err);
    assert.equal(readFileSync(metrics, 'utf8'), lines.join('\n'));
  });

  test('a torn last line is dropped on resume and the cell ends as an uninterrupted one', async () => {
    const ref = tmp();
    assert.equal((await run(['--cell', ID, '--out', ref])).code, 0);
    const out = tmp();
    assert.equal((await run(['--cell', ID, '--out', out])).code, 0);
    const dir = join(out, ID);
    // A crash after step 19 was logged: no result, manifest still running, half a line appended.
    unlinkSync(join(dir, 'result.json'));
    const m = readJson(join(dir, 'manifest.json'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, status: 'running', ended_at: null }));
    appendFileSync(join(dir, 'metrics.jsonl'), '{"step":21,"rew');
    rmSync(join(dir, 'checkpoints', 'step-18'), { recursive: true });
    const r = await run(['--cell', ID, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /resuming from checkpoint step 15 .*\n.*starting at step 16\n/);
    const res = readJson(join(dir, 'result.json'));
    assert.equal(res.resumed_from_step, 15);
    assert.equal(res.attempts, 2);
    assert.deepEqual(res.final_metrics, readJson(join(ref, ID, 'result.json')).final_metrics);
    assert.deepEqual(withoutTimings(readLines(join(dir, 'metrics.jsonl'))), withoutTimings(readLines(join(ref, ID, 'metrics.jsonl'))));
    assert.deepEqual(readLines(join(dir, 'eval.jsonl')), readLines(join(ref, ID, 'eval.jsonl')));
    assert.deepEqual(readLines(join(dir, 'samples.jsonl')), readLines(join(ref, ID, 'samples.jsonl')));
    assert.ok(!existsSync(join(dir, 'checkpoints', 'step-12')), 'pruned again after resuming');
    assert.deepEqual(validateRunsDir(out), { manifest: 1, result: 1, metrics: 20, eval: 4, samples: 4 });
  });
});
