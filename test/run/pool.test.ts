// The program as users run it, in real processes: the local pool with a failing cell, a re-run that
// skips and resumes, a cell killed with SIGKILL that resumes from its checkpoint to the same result as
// an uninterrupted run, and Ctrl-C (SIGINT) on the pool leaving every running cell resumable.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { latestCheckpoint, runProgram } from '../../src/runtime/run/index.js';
import { DEFINITION } from './fixtures/fake-program.js';
import { captureIO, readJson, readLines, spawnFake, tmp, validateRunsDir } from './helpers.js';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const withoutTimings = (records: any[]) => records.map(({ timings: _t, ...rest }) => rest);

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('the local pool', () => {
  const out = tmp();
  const FAIL = 'reward=random,seed=2';

  test('--jobs 2: a failing cell keeps its error and log, the others finish, exit 1', async () => {
    const r = await spawnFake(['--jobs', '2', '--out', out], { FAKE_FAIL: FAIL });
    assert.equal(r.exitCode, 1, r.all);
    assert.match(r.stdout, /^Summary: 2 finished, 1 failed, 0 skipped \(3 cells, [\d.]+s\)$/m);
    assert.ok(r.stdout.includes(`Failed:\n  ${FAIL}\n    simulated divergence: loss is NaN at step 4\n    the guard keeps the last good checkpoint\n    log: ${join(out, FAIL, 'log.txt')}`), r.stdout);
    // Not a terminal: plain progress lines, about ten per cell.
    assert.match(r.stdout, /^\[reward=ground_truth,seed=1\] step 10\/20 reward \S+ loss \S+$/m);
    assert.match(r.stdout, /^\[reward=random,seed=1\] finished in [\d.]+s$/m);

    const failed = join(out, FAIL);
    const result = readJson(join(failed, 'result.json'));
    assert.equal(result.status, 'failed');
    assert.match(result.error.message, /^simulated divergence: loss is NaN at step 4/);
    assert.match(result.error.stack, /fake-program\.ts/);
    assert.equal(readJson(join(failed, 'manifest.json')).status, 'failed');
    const log = readFileSync(join(failed, 'log.txt'), 'utf8');
    assert.match(log, /^==> rlvrc: \S+ running cell 'reward=random,seed=2'/);
    assert.match(log, /starting at step 1\n/, "the child's stdout");
    assert.match(log, /loss guard: non-finite loss\n/, "the child's stderr");
    for (const ok of ['reward=ground_truth,seed=1', 'reward=random,seed=1']) {
      assert.equal(readJson(join(out, ok, 'result.json')).status, 'finished');
      assert.match(readFileSync(join(out, ok, 'log.txt'), 'utf8'), /step 20\/20/);
    }
    assert.deepEqual(validateRunsDir(out), { manifest: 3, result: 3, metrics: 43, eval: 8, samples: 8 });
  });

  test('a re-run skips finished cells and resumes the failed one from its checkpoint', async () => {
    const finishedBefore = readFileSync(join(out, 'reward=random,seed=1', 'result.json'), 'utf8');
    const r = await spawnFake(['--jobs', '2', '--out', out]);
    assert.equal(r.exitCode, 0, r.all);
    assert.match(r.stdout, /^2 of 3 cells already finished; skipping them/m);
    assert.match(r.stdout, /^\[reward=random,seed=2\] started \(resuming from step 3\)$/m);
    assert.match(r.stdout, /^Summary: 1 finished, 0 failed, 2 skipped \(3 cells, [\d.]+s\)$/m);
    assert.equal(readFileSync(join(out, 'reward=random,seed=1', 'result.json'), 'utf8'), finishedBefore);
    const result = readJson(join(out, FAIL, 'result.json'));
    assert.deepEqual([result.status, result.resumed_from_step, result.attempts, result.steps], ['finished', 3, 2, 20]);
    const manifest = readJson(join(out, FAIL, 'manifest.json'));
    assert.deepEqual(manifest.attempts.map((a: any) => [a.status, a.resumed_from_step]), [['failed', null], ['finished', 3]]);
    const log = readFileSync(join(out, FAIL, 'log.txt'), 'utf8');
    assert.equal(log.match(/^==> rlvrc:/gm)?.length, 2, 'the log keeps both attempts');
    assert.match(log, /resuming from checkpoint step 3 .*\n.*starting at step 4\n/);
    assert.deepEqual(readLines(join(out, FAIL, 'metrics.jsonl')).map(x => x.step), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(validateRunsDir(out), { manifest: 3, result: 3, metrics: 60, eval: 12, samples: 12 });
  });
});

describe('killed and resumed', () => {
  const ID = 'reward=ground_truth,seed=1';

  test('SIGKILL mid-run: the re-run continues from the latest checkpoint and ends exactly like an uninterrupted run', async () => {
    const ref = tmp();
    assert.equal(await runProgram(DEFINITION, ['--cell', ID, '--out', ref], captureIO()), 0);

    const out = tmp();
    const ckpts = join(out, ID, 'checkpoints');
    const child = spawnFake(['--cell', ID, '--out', out], { FAKE_STEP_MS: '60' });
    await waitFor('checkpoint step 6', () => (latestCheckpoint(ckpts)?.step ?? 0) >= 6);
    child.kill('SIGKILL');
    const killed = await child;
    assert.equal(killed.signal, 'SIGKILL');
    const at = latestCheckpoint(ckpts)!.step;
    assert.ok(at >= 6 && at < 20, `killed mid-run (latest checkpoint ${at})`);
    assert.ok(!existsSync(join(out, ID, 'result.json')), 'no result: the cell did not end');
    assert.equal(readJson(join(out, ID, 'manifest.json')).status, 'running');

    const r = await spawnFake(['--cell', ID, '--out', out]);
    assert.equal(r.exitCode, 0, r.all);
    assert.ok(r.stdout.includes(`resuming from checkpoint step ${at} (${join(ckpts, `step-${at}`)})`), r.stdout);
    assert.ok(r.stdout.includes(`[${ID}] starting at step ${at + 1}\n`), 'resumed, not restarted');
    const res = readJson(join(out, ID, 'result.json'));
    const refRes = readJson(join(ref, ID, 'result.json'));
    assert.deepEqual([res.status, res.resumed_from_step, res.attempts], ['finished', at, 2]);
    assert.deepEqual(res.final_metrics, refRes.final_metrics);
    assert.equal(res.config_hash, refRes.config_hash);
    assert.deepEqual(withoutTimings(readLines(join(out, ID, 'metrics.jsonl'))), withoutTimings(readLines(join(ref, ID, 'metrics.jsonl'))));
    assert.deepEqual(readLines(join(out, ID, 'eval.jsonl')), readLines(join(ref, ID, 'eval.jsonl')));
    assert.deepEqual(readLines(join(out, ID, 'samples.jsonl')), readLines(join(ref, ID, 'samples.jsonl')));
    const m = readJson(join(out, ID, 'manifest.json'));
    assert.deepEqual(m.attempts.map((a: any) => [a.status, a.resumed_from_step]), [['running', null], ['finished', at]]);
  });

  test('SIGINT to the pool stops its running cells resumably (exit 130), and the re-run finishes them', async () => {
    const out = tmp();
    const pool = spawnFake(['--jobs', '2', '--only', 'seed=1', '--out', out], { FAKE_STEP_MS: '80' });
    const metricsOf = (id: string) => join(out, id, 'metrics.jsonl');
    const started = (id: string) => existsSync(metricsOf(id)) && readFileSync(metricsOf(id), 'utf8').split('\n').length > 4;
    await waitFor('both cells past step 3', () => started('reward=ground_truth,seed=1') && started('reward=random,seed=1'));
    pool.kill('SIGINT');
    const r = await pool;
    assert.equal(r.exitCode, 130, r.all);
    assert.match(r.stdout, /SIGINT: stopping 2 running cells after their current step/);
    assert.match(r.stdout, /^Summary: 0 finished, 0 failed, 0 skipped, 2 interrupted, 0 not started \(2 cells/m);
    assert.match(r.stdout, /run the same command again to resume/);
    const stoppedAt: Record<string, number> = {};
    for (const id of ['reward=ground_truth,seed=1', 'reward=random,seed=1']) {
      const m = readJson(join(out, id, 'manifest.json'));
      assert.equal(m.status, 'interrupted', id);
      assert.equal(m.error, null);
      assert.ok(!existsSync(join(out, id, 'result.json')));
      stoppedAt[id] = readLines(metricsOf(id)).at(-1).step;
      assert.ok(stoppedAt[id]! < 20, `${id} stopped early`);
    }
    assert.deepEqual(readdirSync(out).sort(), ['reward=ground_truth,seed=1', 'reward=random,seed=1']);

    const again = await spawnFake(['--jobs', '2', '--only', 'seed=1', '--out', out]);
    assert.equal(again.exitCode, 0, again.all);
    assert.match(again.stdout, /^Summary: 2 finished, 0 failed, 0 skipped \(2 cells/m);
    for (const id of Object.keys(stoppedAt)) {
      const res = readJson(join(out, id, 'result.json'));
      assert.equal(res.status, 'finished');
      assert.equal(res.attempts, 2);
      assert.ok(res.resumed_from_step !== null && res.resumed_from_step <= stoppedAt[id]!, `${id} resumed from a checkpoint`);
    }
  });
});
