// The Slurm job-array script, checked as text and run on a real single-machine Slurm cluster
// (scripts/slurm-up.sh starts slurmctld + slurmd; scripts/install-system-deps.sh installs slurm-wlm and
// munge; without them the real-Slurm test skips and says so, and fails under RLVRC_REQUIRE_ALL_TESTS=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { shellQuote, slurmArrayScript } from '../../src/cluster/slurm.js';
import { REPO } from '../helpers/golden.js';
import { requires } from '../helpers/requires.js';

test('shellQuote survives quotes, $(), backticks and newlines', () => {
  const nasty = `a'b"c $(touch /tmp/pwned) \`x\` \n ; rm -rf /`;
  const out = execFileSync('bash', ['-c', `printf %s ${shellQuote(nasty)}`], { encoding: 'utf8' });
  assert.equal(out, nasty);
});

test('the script maps array task i to cell i and refuses option values Slurm cannot carry', () => {
  const s = slurmArrayScript({ program: 'generated/x.js', cellIds: ['a=1', "b='2'"], jobName: 'x', workdir: '/w', logDir: '/w/logs', out: 'runs/x', partition: 'debug', time: '01:00:00', cpus: 2, mem: '4G' });
  assert.match(s, /^#SBATCH --array=0-1$/m);
  assert.match(s, /^#SBATCH --partition=debug$/m);
  assert.match(s, /^#SBATCH --cpus-per-task=2$/m);
  assert.match(s, /^ {2}'a=1' # 0$/m);
  assert.match(s, /^ {2}'b='\\''2'\\''' # 1$/m);
  assert.match(s, /^exec 'node' 'generated\/x.js' --cell "\$cell" '--out' 'runs\/x'$/m);
  assert.throws(() => slurmArrayScript({ program: 'p', cellIds: ['a'], jobName: 'x y', workdir: '/w', logDir: '/l' }), /--job-name 'x y'/);
  assert.throws(() => slurmArrayScript({ program: 'p', cellIds: [], jobName: 'x', workdir: '/w', logDir: '/l' }), /no cells/);
});

function waitForJob(jobId: string, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const q = spawnSync('squeue', ['-h', '-j', jobId], { encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') return;
    spawnSync('sleep', ['1']);
  }
  throw new Error(`job ${jobId} still queued after ${timeoutMs} ms: ${spawnSync('squeue', [], { encoding: 'utf8' }).stdout}`);
}

test('a two-cell array runs both cells on a real Slurm', t => {
  if (requires(t, 'slurm')) return;
  const up = spawnSync('bash', [join(REPO, 'scripts/slurm-up.sh')], { encoding: 'utf8' });
  assert.equal(up.status, 0, `slurm-up failed: ${up.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-slurm-'));
  chmodSync(dir, 0o755);
  const ids = ['model=a,seed=1', "model=b's,seed=2"];
  const script = slurmArrayScript({
    program: join(REPO, 'test/cluster/fixtures/echo-cell.mjs'), cellIds: ids, jobName: 'rlvrc-test',
    workdir: dir, logDir: dir, out: join(dir, 'runs'), node: process.execPath, time: '00:05:00',
  });
  writeFileSync(join(dir, 'job.sbatch'), script);
  const sub = spawnSync('sbatch', ['--parsable', join(dir, 'job.sbatch')], { encoding: 'utf8' });
  assert.equal(sub.status, 0, sub.stderr);
  const jobId = sub.stdout.trim().split(';')[0]!;
  waitForJob(jobId, 90_000);
  for (const [i, id] of ids.entries()) {
    const f = join(dir, 'runs', `task-${i}.json`);
    assert.ok(existsSync(f), `task ${i} did not run; its log: ${existsSync(join(dir, `rlvrc-test-${i}.err`)) ? readFileSync(join(dir, `rlvrc-test-${i}.err`), 'utf8') : '(none)'}`);
    assert.equal((JSON.parse(readFileSync(f, 'utf8')) as { cell: string }).cell, id);
  }
});
