// The verl reward server seen from Python (issue 17): rewards per second and latency of rlvrc_reward.py
// against the server, printed as JSON.
//   node --import tsx bench/reward-server.ts [--samples 2000] [--rounds 3] [--threads 8]
// The workload is MATH-500: each gold answer in "... \boxed{gold}" responses, graded against its gold by
// paper.rlvr's ground-truth reward (the grader's work) and by random(0.5) (almost none: the transport's
// cost). Measured in Debian's python3 (/usr/bin/python3), one process:
//   single      compute_score, one request per call (verl's naive reward manager), sequentially
//   threads     compute_score from N threads at once (one kept-alive connection each)
//   batch_all   compute_score_batch of all samples in one request
//   batch_256   compute_score_batch in requests of 256 samples
// Rates are medians over the rounds; latency is single's mean time per call.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { check } from '../src/checker/check.js';
import { startRewardServer, type ScoreRequest } from '../src/engines/verl/reward-server.js';
import { compileRewards } from '../test/helpers/compiled-rewards.js'; // codegen's RewardCompiler, as the generated program holds them

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const samples = arg('--samples', 2000);
const rounds = arg('--rounds', 3);
const threads = arg('--threads', 8);
const ROOT = new URL('..', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3';

const DRIVER = String.raw`
import json, sys, threading, time
import rlvrc_reward as rr
job = json.load(sys.stdin)
reqs, rounds, nthreads = job["requests"], job["rounds"], job["threads"]
def single(rs):
    for r in rs: rr.compute_score(r["data_source"], r["solution_str"], r["ground_truth"], r["extra_info"])
def batch(rs, per):
    for i in range(0, len(rs), per):
        c = rs[i:i + per]
        rr.compute_score_batch([r["data_source"] for r in c], [r["solution_str"] for r in c], [r["ground_truth"] for r in c], [r["extra_info"] for r in c])
def threaded(rs):
    ts = [threading.Thread(target=single, args=(rs[t::nthreads],)) for t in range(nthreads)]
    for t in ts: t.start()
    for t in ts: t.join()
modes = {"single": single, "threads": threaded, "batch_all": lambda rs: batch(rs, len(rs)), "batch_256": lambda rs: batch(rs, 256)}
single(reqs[:50])  # warm-up: connection, server JIT and grader caches
out = {}
for name, fn in modes.items():
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter(); fn(reqs); times.append(time.perf_counter() - t0)
    out[name] = sorted(times)
print(json.dumps(out))
`;

function python(url: string, job: object): Promise<Record<string, number[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', DRIVER], { env: { ...process.env, PYTHONPATH: join(ROOT, 'src/engines/verl/python'), PYTHONDONTWRITEBYTECODE: '1', RLVRC_REWARD_URL: url }, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', code => (code === 0 ? resolve(JSON.parse(out) as Record<string, number[]>) : reject(new Error(`python exited ${code}`))));
    child.stdin.end(JSON.stringify(job));
  });
}

const checked = check(['experiments/paper.rlvr'], { cwd: ROOT });
const cells = checked.experiments[0]!.cells;
const rewards = compileRewards(cells);
const golds = (JSON.parse(readFileSync(join(ROOT, 'data/math500.json'), 'utf8')) as { answer: string }[]).map(i => i.answer);
const requests: ScoreRequest[] = Array.from({ length: samples }, (_, i) => {
  const p = i % golds.length;
  return { data_source: 'math500', solution_str: `Step by step we find the result.\nTherefore the answer is $\\boxed{${golds[p]}}$.`, ground_truth: golds[p]!, extra_info: { prompt_id: `math500/${p}`, step: 1, sample_index: Math.floor(i / golds.length) } };
});

const results = [];
for (const text of ['correct(label)', 'random(0.5)']) {
  const cell = cells.find(c => c.reward.text === text && c.prompt.r1_style !== true)!;
  const server = await startRewardServer({ rewards, cell });
  try {
    const t = await python(server.url, { requests, rounds, threads });
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
    const rate = (name: string) => Math.round(samples / median(t[name]!));
    results.push({
      reward: text,
      single_per_s: rate('single'),
      single_latency_ms: +((median(t.single!) / samples) * 1000).toFixed(3),
      threads_per_s: rate('threads'),
      batch_all_per_s: rate('batch_all'),
      batch_all_ms: Math.round(median(t.batch_all!) * 1000),
      batch_256_per_s: rate('batch_256'),
    });
  } finally {
    await server.close();
  }
}
console.log(JSON.stringify({ benchmark: 'reward-server', samples, rounds, threads, python: PYTHON, node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, results }, null, 2));
