// `rlvrc explain`: golden output for cells whose objectives differ in every switch, and the command's
// behaviour without --cell and with an unknown cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expectGolden, FIXTURES, REPO } from '../helpers/golden.js';
import { explainCommand } from '../../src/cli/explain.js';

const DIR = join(FIXTURES, 'checker/explain');

async function run(args: string[], cwd = REPO): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await explainCommand(args, { stdout: s => (out += s), stderr: s => (err += s), cwd });
  return { code, out, err };
}

const CASES: Array<[string, string, string]> = [
  ['incorrect-label', 'experiments/paper-mini.rlvr', 'rewards/model=qwen_math_like,reward=incorrect,seed=1'],
  ['no-clip', 'experiments/paper-mini.rlvr', 'clipping/model=qwen_math_like,reward=random,algorithm=no_clip,seed=2'],
  ['one-update', 'experiments/paper-mini.rlvr', 'clipping/model=qwen_math_like,reward=random,algorithm=one_update,seed=1'],
  ['kl-entropy-whiten', 'test/fixtures/checker/explain/variants.rlvr', 'algorithm=kl_entropy'],
  ['dr-grpo', 'test/fixtures/checker/explain/variants.rlvr', 'algorithm=dr'],
];

for (const [name, file, cell] of CASES) {
  test(`explain ${name}: ${cell}`, async () => {
    const r = await run([file, '--cell', cell]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    expectGolden(join(DIR, `${name}.txt`), r.out);
  });
}

test('explain names the objective exactly: clip range, KL estimator, aggregation', async () => {
  const kl = (await run(['test/fixtures/checker/explain/variants.rlvr', '--cell', 'algorithm=kl_entropy'])).out;
  assert.match(kl, /clip\(ρ_i,t, 0\.8, 1\.28\)/);
  assert.match(kl, /KL_i,t = log πθ\(y_i,t\) − log πref\(y_i,t\)\s+\(k1\)/);
  assert.match(kl, /L\(θ\) = −\(1 \/ Σ_i \|y_i\|\) Σ_i Σ_t \[ℓ_i,t − β·KL_i,t \+ c·H_i,t\]/);
  const noClip = (await run(['experiments/paper-mini.rlvr', '--cell', 'clipping/model=qwen_math_like,reward=random,algorithm=no_clip,seed=2'])).out;
  assert.match(noClip, /\(no clipping\)/);
  assert.match(noClip, /no KL term, no reference model/);
  assert.match(noClip, /\(std\(r_1\.\.r_8\) \+ 1e-9\)/);
});

test('explain without --cell prints the count and every id', async () => {
  const r = await run(['experiments/paper-mini.rlvr']);
  assert.equal(r.code, 0);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines[0], 'paper_mini (experiments/paper-mini.rlvr): 85 cells');
  assert.equal(lines.filter(l => /^ {2}\S+$/.test(l)).length, 85);
  assert.ok(lines.includes('  clipping/model=qwen_math_like,reward=random,algorithm=grpo,seed=1  (same run as rewards/model=qwen_math_like,reward=random,seed=1)'));
});

test('explain with an unknown cell fails and lists the closest ids', async () => {
  const r = await run(['experiments/paper-mini.rlvr', '--cell', 'rewards/model=qwen_math_like,reward=formt,seed=2']);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  const listed = r.err.split('\n').filter(l => l.startsWith('  ')).map(l => l.trim());
  assert.equal(listed[0], 'rewards/model=qwen_math_like,reward=format,seed=2');
  assert.equal(listed.length, 5);
});

test('explain of a file with errors prints its diagnostics and fails', async () => {
  const r = await run(['input.rlvr'], join(FIXTURES, 'checker/cases/heads-divide'));
  assert.equal(r.code, 1);
  assert.match(r.err, /error\[RLVR5004\]/);
});
