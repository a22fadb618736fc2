// The reward server and its Python module (issue 17, "one reward implementation"): Debian's python3 calls
// rlvrc_reward.py (stdlib only), which posts to the server that scores with the cell's compiled reward.
// For every distinct reward of experiments/paper.rlvr (and prompt style), the score Python gets equals the
// in-process TS reward on the same (response, label, extra_info), random rewards included; concurrent
// callers get the per-call results of sequential ones; a dead server or a malformed request raises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellConfig } from '../../../src/ir/cell.js';
import type { CellItem } from '../../../src/runtime/cell/data.js';
import { deriveSeed, Rng } from '../../../src/runtime/rng.js';
import { rewardNeeds, rewardRng, startRewardServer, type ScoreRequest } from '../../../src/engines/verl/reward-server.js';
import { DEBIAN_PYTHON, ROOT, paperCells } from './paper-cells.js';
import { compileRewards } from '../../helpers/compiled-rewards.js';
import { requires } from '../../helpers/requires.js';

const MODULE_DIR = join(ROOT, 'src', 'engines', 'verl', 'python');

// The driver: JOB (env) names what to run; prints one JSON object. A raised error is reported, not crashed on.
const DRIVER = String.raw`
import json, os, sys, threading, time
import rlvrc_reward as rr
with open(os.environ["JOB_FILE"]) as f:
    job = json.load(f)
reqs = job.get("requests", [])
out = {}
def single(rs):
    return [rr.compute_score(r["data_source"], r["solution_str"], r["ground_truth"], r["extra_info"]) for r in rs]
def batch(rs):
    return rr.compute_score_batch([r["data_source"] for r in rs], [r["solution_str"] for r in rs], [r["ground_truth"] for r in rs], [r["extra_info"] for r in rs])
try:
    for mode in job["modes"]:
        if mode == "single":
            out["single"] = single(reqs)
        elif mode == "batch":
            out["batch"] = batch(reqs)
        elif mode == "numpy":
            # As verl's non_tensor_batch holds them: numpy arrays of objects, numpy scalars inside.
            import numpy as np
            xs = np.array([dict(r["extra_info"], step=np.int64(r["extra_info"]["step"]), sample_index=np.int32(r["extra_info"]["sample_index"])) for r in reqs], dtype=object)
            out["batch"] = rr.compute_score_batch(np.array([r["data_source"] for r in reqs], dtype=object), [r["solution_str"] for r in reqs], np.array([np.str_(r["ground_truth"]) for r in reqs]), xs)
        elif mode == "verl_extras":
            # Keys verl's managers add to extra_info (not JSON, some of them): not sent, not needed.
            out["single"] = single([dict(r, extra_info=dict(r["extra_info"], num_turns=None, tool_state=object())) for r in reqs])
        elif mode == "raw":
            out["batch"] = rr.score_requests(reqs)
        elif mode == "threads":
            n = job["threads"]
            res = [None] * len(reqs)
            start = threading.Barrier(n)
            def work(t):
                start.wait()
                idx = [i for i in range(len(reqs)) if i % n == t][::-1]
                for i in idx:
                    res[i] = single([reqs[i]])[0]
            ts = [threading.Thread(target=work, args=(t,)) for t in range(n)]
            for th in ts: th.start()
            for th in ts: th.join()
            out["threads"] = res
        elif mode == "pause":
            print(json.dumps({"paused": True}), flush=True)
            sys.stdin.readline()
        elif mode == "bench":
            t0 = time.perf_counter(); single(reqs); t1 = time.perf_counter()
            out["single_s"] = t1 - t0
            t0 = time.perf_counter(); batch(reqs); t1 = time.perf_counter()
            out["batch_s"] = t1 - t0
            per = job.get("chunk", 256)
            t0 = time.perf_counter()
            for i in range(0, len(reqs), per): batch(reqs[i:i + per])
            out["chunked_s"] = time.perf_counter() - t0
except Exception as e:
    out["raised"] = {"type": type(e).__name__, "runtime_error": isinstance(e, RuntimeError), "message": str(e), "status": getattr(e, "status", None)}
print(json.dumps(out), flush=True)
`;

interface PyOut {
  single?: number[];
  batch?: number[];
  threads?: number[];
  single_s?: number;
  batch_s?: number;
  chunked_s?: number;
  raised?: { type: string; runtime_error: boolean; message: string; status: number | null };
}

/** Runs the driver under Debian's python3 (asynchronously: the server answers from this process's event loop). */
function python(url: string, job: object, env: Record<string, string> = {}, onPause?: () => Promise<void>): Promise<PyOut> {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-reward-job-'));
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const run = new Promise<PyOut>((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, ['-c', DRIVER], {
      env: { ...process.env, PYTHONPATH: MODULE_DIR, PYTHONDONTWRITEBYTECODE: '1', RLVRC_REWARD_URL: url, JOB_FILE: jobFile, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (onPause && stdout.includes('"paused": true')) {
        const go = onPause;
        onPause = undefined;
        stdout = stdout.slice(stdout.indexOf('\n') + 1);
        void go().then(() => child.stdin.write('go\n'), reject);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', code => {
      if (code !== 0) return reject(new Error(`python exited ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PyOut);
      } catch {
        reject(new Error(`python printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
  return run.finally(() => rmSync(dir, { recursive: true, force: true }));
}

const FAST_FAIL = { RLVRC_REWARD_RETRIES: '3', RLVRC_REWARD_BACKOFF: '0.05' };

// Crafted responses: boxed right and wrong answers, an equivalent form, python mentions, repetition, empty,
// an empty box, an R1-style answer region.
const RESPONSES = [
  'We add them up and get $\\boxed{42}$.',
  'So the answer is $\\boxed{41}$.',
  'The answer is \\boxed{42.0}',
  'Let me write Python code:\n```python\nprint(6 * 7)\n```\nSo \\boxed{42}',
  'I will reason in PYTHON style: \\boxed{41}',
  'so the answer is 42.' + ' so the answer is 42.'.repeat(20),
  '',
  '\\boxed{}',
  '<think>maybe \\boxed{3}</think> <answer>42</answer>',
];

/** Requests over the crafted responses with varied labels, majority labels, steps, prompts and samples. */
function requests(): ScoreRequest[] {
  const out: ScoreRequest[] = [];
  const majority = ['42', '41', null, '\\frac{84}{2}'];
  RESPONSES.forEach((solution_str, r) => {
    for (let v = 0; v < 4; v++) {
      out.push({
        data_source: 'math',
        solution_str,
        ground_truth: v === 3 ? '41' : '42',
        extra_info: { prompt_id: `p${(r + v) % 5}`, step: v * 7 + (r % 3), sample_index: (r * 4 + v) % 16, majority_label: majority[v]!, example: v % 2, index: r * 4 + v },
      });
    }
  });
  return out;
}

/** The in-process reference: the compiled reward called directly, with the rng derived the same way. */
function expected(rewards: ReturnType<typeof compileRewards>, cell: CellConfig, rs: ScoreRequest[]): number[] {
  const fn = rewards[cell.reward.text]!.reward;
  return rs.map(r => {
    const x = r.extra_info;
    const item: CellItem = { id: x.prompt_id, example: x.example ?? 0, question: 'q', prompt: 'q', label: r.ground_truth, majority_label: x.majority_label };
    // Spelled out rather than through rewardRng: the cell's 'reward' seed, then (step, prompt, sample).
    const rng = new Rng(deriveSeed(cell.seed, 'reward'), x.step!, x.prompt_id, x.sample_index!);
    return fn({ text: r.solution_str, r1Style: cell.prompt.r1_style === true }, item, rng);
  });
}

function distinctCells(): CellConfig[] {
  const byKey = new Map<string, CellConfig>();
  for (const c of paperCells()) {
    const key = `${c.reward.text} r1=${c.prompt.r1_style === true}`;
    if (!byKey.has(key)) byKey.set(key, c);
  }
  return [...byKey.values()];
}

test('python3 is Debian\'s', () => {
  assert.ok(existsSync(DEBIAN_PYTHON), `${DEBIAN_PYTHON} is missing`);
});

test('every distinct reward of paper.rlvr: Python\'s score (one at a time and batched) equals the in-process TS reward', async t => {
  const cells = distinctCells();
  const texts = new Set(paperCells().map(c => c.reward.text));
  assert.equal(new Set(cells.map(c => c.reward.text)).size, texts.size, 'every reward text is covered');
  assert.ok(cells.some(c => c.prompt.r1_style === true) && cells.some(c => c.prompt.r1_style !== true));
  const rewards = compileRewards(paperCells());
  const rs = requests();
  const random = new Set<string>();
  for (const cell of cells) {
    const server = await startRewardServer({ rewards, cell });
    try {
      const want = expected(rewards, cell, rs);
      const got = await python(server.url, { modes: ['single', 'batch'], requests: rs });
      assert.equal(got.raised, undefined, `${cell.id}: ${got.raised?.message}`);
      assert.deepEqual(got.single, want, `${cell.reward.text} (${cell.id}), one at a time`);
      assert.deepEqual(got.batch, want, `${cell.reward.text} (${cell.id}), batched`);
      if (rewardNeeds(cell.reward.expr).random) {
        random.add(cell.reward.text);
        const p = /random\(([\d.]+)\)/.exec(cell.reward.text)![1]!;
        if (p === '0.5') assert.ok(want.includes(0) && want.includes(1), 'random(0.5) gives both scores over 36 calls');
        if (p === '0') assert.ok(want.every(s => s === 0));
      }
    } finally {
      await server.close();
    }
  }
  assert.equal(random.size, 5, 'random(0.5), (0.7), (0.3), (0.001), (0)');
  t.diagnostic(`${cells.length} (reward, prompt style) pairs × ${rs.length} requests`);
});

test('the rewards discriminate: ground truth, format, python, no-repetition on the crafted responses', async () => {
  const rewards = compileRewards(paperCells());
  const rs = requests().filter((_, i) => i % 4 === 0); // ground truth '42', first variant of each response
  const by = (text: string, r1 = false) => distinctCells().find(c => c.reward.text === text && (c.prompt.r1_style === true) === r1)!;
  const scores = async (text: string, r1 = false) => {
    const server = await startRewardServer({ rewards, cell: by(text, r1) });
    try {
      return (await python(server.url, { modes: ['batch'], requests: rs })).batch;
    } finally {
      await server.close();
    }
  };
  // Without r1_style the last response's answer is its \\boxed{3}; with it, the <answer> region's 42 (a
  // response without an <answer> region is read whole, as the grader does).
  assert.deepEqual(await scores('correct(label)'), [1, 0, 1, 1, 0, 1, 0, 0, 0]);
  assert.deepEqual(await scores('correct(label)', true), [1, 0, 1, 1, 0, 1, 0, 0, 1]);
  assert.deepEqual(await scores('boxed_nonempty'), [1, 1, 1, 1, 1, 0, 0, 0, 1]);
  assert.deepEqual(await scores('contains("python")'), [0, 0, 0, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual(await scores('no_repetition'), [1, 1, 1, 1, 1, 0, 1, 1, 1]);
});

test('random rewards come from (cell seed, step, prompt id, sample index): fixed per call, and seeded by the cell', async () => {
  const cells = paperCells().filter(c => c.reward.text === 'random(0.5)');
  const a = cells[0]!;
  const b = cells.find(c => c.seed !== a.seed)!;
  assert.ok(b, 'two random(0.5) cells with different seeds');
  const ref = (cell: CellConfig, step: number, prompt: string, sample: number) => (rewardRng(cell, step, prompt, sample).next() < 0.5 ? 1 : 0);
  assert.equal(rewardRng(a, 3, 'p1', 2).next(), new Rng(deriveSeed(a.seed, 'reward'), 3, 'p1', 2).next());
  const rs: ScoreRequest[] = [];
  for (let step = 0; step < 4; step++) for (let s = 0; s < 16; s++) rs.push({ data_source: 'm', solution_str: 'x', ground_truth: '1', extra_info: { prompt_id: `q${s % 3}`, step, sample_index: s } });
  const rewards = compileRewards(paperCells());
  const server = await startRewardServer({ rewards, cell: a });
  const other = await startRewardServer({ rewards, cell: b });
  try {
    const got = (await python(server.url, { modes: ['batch'], requests: rs })).batch!;
    const x = rs.map(r => r.extra_info);
    assert.deepEqual(got, x.map(e => ref(a, e.step!, e.prompt_id, e.sample_index!)));
    const reversed = (await python(server.url, { modes: ['batch'], requests: [...rs].reverse() })).batch!;
    assert.deepEqual([...reversed].reverse(), got, 'a batch in another order: each request keeps its score (as on resume)');
    const otherGot = (await python(other.url, { modes: ['batch'], requests: rs })).batch!;
    assert.deepEqual(otherGot, x.map(e => ref(b, e.step!, e.prompt_id, e.sample_index!)));
    assert.notDeepEqual(otherGot, got, 'another seed, other coins');
  } finally {
    await server.close();
    await other.close();
  }
});

test('concurrent callers (16 threads in each of 3 processes) get exactly the sequential per-call scores', async () => {
  const rewards = compileRewards(paperCells());
  const cell = paperCells().find(c => c.reward.text === 'random(0.5)')!;
  const gt = paperCells().find(c => c.reward.text === 'ground_truth and not python')!;
  const rs: ScoreRequest[] = [];
  for (let i = 0; i < 300; i++) {
    rs.push({ data_source: 'm', solution_str: RESPONSES[i % RESPONSES.length]!, ground_truth: '42', extra_info: { prompt_id: `p${i % 17}`, step: i % 5, sample_index: i % 16 } });
  }
  for (const c of [cell, gt]) {
    const server = await startRewardServer({ rewards, cell: c });
    try {
      const sequential = (await python(server.url, { modes: ['single'], requests: rs })).single!;
      assert.deepEqual(sequential, expected(rewards, c, rs));
      const runs = await Promise.all([0, 1, 2].map(() => python(server.url, { modes: ['threads'], threads: 16, requests: rs })));
      for (const r of runs) {
        assert.equal(r.raised, undefined, r.raised?.message);
        assert.deepEqual(r.threads, sequential, c.reward.text);
      }
    } finally {
      await server.close();
    }
  }
});

test('a Unix socket serves the same scores', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-reward-'));
  const rewards = compileRewards(paperCells());
  const cell = paperCells().find(c => c.reward.text === 'random(0.3)')!;
  const server = await startRewardServer({ rewards, cell, socketPath: join(dir, 'reward.sock') });
  try {
    assert.match(server.url, /^unix:\/\//);
    const rs = requests();
    assert.deepEqual((await python(server.url, { modes: ['batch'], requests: rs })).batch, expected(rewards, cell, rs));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verl\'s numpy values (object arrays, numpy integers and strings) are sent as plain JSON', async t => {
  if (requires(t, 'torch')) return; // Debian's python3-torch brings numpy
  const rewards = compileRewards(paperCells());
  const cell = paperCells().find(c => c.reward.text === 'random(0.7)')!;
  const server = await startRewardServer({ rewards, cell });
  try {
    const rs = requests().map(r => ({ ...r, ground_truth: r.ground_truth! }));
    const out = await python(server.url, { modes: ['numpy'], requests: rs });
    assert.equal(out.raised, undefined, out.raised?.message);
    assert.deepEqual(out.batch, expected(rewards, cell, rs));
  } finally {
    await server.close();
  }
});

test('extra_info keys verl adds (num_turns, tool fields that are not JSON) are not sent and change nothing', async () => {
  const rewards = compileRewards(paperCells());
  const cell = paperCells().find(c => c.reward.text === 'random(0.5)')!;
  const server = await startRewardServer({ rewards, cell });
  try {
    const rs = requests();
    const out = await python(server.url, { modes: ['verl_extras'], requests: rs });
    assert.equal(out.raised, undefined, out.raised?.message);
    assert.deepEqual(out.single, expected(rewards, cell, rs));
  } finally {
    await server.close();
  }
});

test('binds to loopback by default', async () => {
  const rewards = compileRewards(paperCells());
  const server = await startRewardServer({ rewards, cell: paperCells()[0]! });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/score$/);
  } finally {
    await server.close();
  }
});

test('the server dies mid-run: the next Python call raises a RuntimeError naming the URL, never a score', async () => {
  const rewards = compileRewards(paperCells());
  const cell = paperCells().find(c => c.reward.text === 'correct(label)')!;
  const server = await startRewardServer({ rewards, cell });
  const rs = requests().slice(0, 8);
  // One process: scores, pauses (its kept-alive connection open) while the server closes, then calls again.
  const out = await python(server.url, { modes: ['single', 'pause', 'batch'], requests: rs }, FAST_FAIL, () => server.close());
  assert.deepEqual(out.single, expected(rewards, cell, rs));
  assert.equal(out.batch, undefined);
  assert.ok(out.raised, 'raised');
  assert.equal(out.raised.type, 'RewardServerError');
  assert.equal(out.raised.runtime_error, true);
  assert.ok(out.raised.message.includes(server.url), out.raised.message);
  assert.match(out.raised.message, /unreachable \(3 attempts\)/);
  // A fresh process against the closed port fails the same way.
  const fresh = await python(server.url, { modes: ['single'], requests: rs }, FAST_FAIL);
  assert.equal(fresh.raised?.runtime_error, true);
  assert.match(fresh.raised!.message, /unreachable/);
  // Nothing listening at all, and no URL set.
  const unset = await python('', { modes: ['single'], requests: rs });
  assert.match(unset.raised!.message, /RLVRC_REWARD_URL is not set/);
});

test('a malformed request: HTTP 400 with the reason, raised in Python as a RuntimeError', async () => {
  const rewards = compileRewards(paperCells());
  const random = paperCells().find(c => c.reward.text === 'random(0.5)')!;
  const majority = paperCells().find(c => c.reward.text.includes('online = true'))!;
  const gt = paperCells().find(c => c.reward.text === 'correct(label)')!;
  const ok: ScoreRequest = { data_source: 'm', solution_str: '\\boxed{1}', ground_truth: '1', extra_info: { prompt_id: 'p', step: 0, sample_index: 0 } };
  const cases: Array<[CellConfig, unknown, RegExp, Record<string, string>?]> = [
    [gt, { ...ok, solution_str: 7 }, /malformed request: \/requests\/0\/solution_str must be string/],
    [gt, { ...ok, extra_info: { step: 0, sample_index: 0 } }, /must have required property 'prompt_id'/],
    [gt, { ...ok, extra_info: { prompt_id: 'p', step: -1, sample_index: 0 } }, /step must be >= 0/],
    [gt, { ...ok, extra_info: { prompt_id: 'p', step: 1.5, sample_index: 0 } }, /step must be integer/],
    [gt, { ...ok, score: 1 }, /must NOT have additional properties \('score'\)/],
    [gt, { ...ok, ground_truth: null }, /reads the label, and ground_truth is null/],
    [random, { ...ok, extra_info: { prompt_id: 'p' } }, /draws random numbers, so extra_info needs step and sample_index/],
    [majority, ok, /reads the majority label, and extra_info has no majority_label and no group \(an online majority label is voted within the group: RlvrcRewardManager sends it\)/],
    [gt, ok, /this server scores cell '.*', the request is for cell 'another'/, { RLVRC_REWARD_CELL: 'another' }],
  ];
  for (const [cell, request, message, env] of cases) {
    const server = await startRewardServer({ rewards, cell });
    try {
      const out = await python(server.url, { modes: ['raw'], requests: [request] }, env);
      assert.ok(out.raised, `${JSON.stringify(request)} raised`);
      assert.equal(out.raised.type, 'RewardServerError');
      assert.equal(out.raised.runtime_error, true);
      assert.equal(out.raised.status, 400);
      assert.match(out.raised.message, /refused the request \(HTTP 400\)/);
      assert.match(out.raised.message, message);
      assert.ok(out.raised.message.includes(server.url));
    } finally {
      await server.close();
    }
  }
  // Straight HTTP: not JSON, a wrong method or path, and the health check.
  const server = await startRewardServer({ rewards, cell: gt });
  try {
    const notJson = await fetch(server.url, { method: 'POST', body: '{"requests": [' });
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: string }).error, /not JSON/);
    assert.equal((await fetch(server.url)).status, 405);
    assert.equal((await fetch(server.url.replace('/score', '/other'), { method: 'POST', body: '{}' })).status, 404);
    const health = await fetch(server.url.replace('/score', '/health'));
    assert.deepEqual(await health.json(), { cell: gt.id, reward: 'correct(label)' });
    const empty = await fetch(server.url, { method: 'POST', body: JSON.stringify({ requests: [] }) });
    assert.deepEqual(await empty.json(), { scores: [] });
  } finally {
    await server.close();
  }
});

test('latency and throughput from Python (2,000 samples; printed, not asserted)', async t => {
  const rewards = compileRewards(paperCells());
  const lines: string[] = [];
  for (const text of ['correct(label)', 'random(0.5)']) {
    const cell = paperCells().find(c => c.reward.text === text)!;
    const rs: ScoreRequest[] = [];
    for (let i = 0; i < 2000; i++) {
      rs.push({ data_source: 'm', solution_str: `Step by step we find ${i}.\nTherefore the answer is $\\boxed{${i % 97}}$.`, ground_truth: String(i % 89), extra_info: { prompt_id: `p${i >> 4}`, step: 1, sample_index: i % 16 } });
    }
    const server = await startRewardServer({ rewards, cell });
    try {
      const out = await python(server.url, { modes: ['bench'], requests: rs, chunk: 256 });
      assert.equal(out.raised, undefined, out.raised?.message);
      const n = rs.length;
      lines.push(`${text}: one per call ${(n / out.single_s!).toFixed(0)}/s (${((out.single_s! / n) * 1000).toFixed(2)} ms per call); one batch of ${n} ${(n / out.batch_s!).toFixed(0)}/s (${(out.batch_s! * 1000).toFixed(0)} ms); batches of 256 ${(n / out.chunked_s!).toFixed(0)}/s`);
    } finally {
      await server.close();
    }
  }
  for (const l of lines) t.diagnostic(l);
});
