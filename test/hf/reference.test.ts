// Reruns the independent PyTorch reference (test/hf/reference/reference.py) on freshly written
// checkpoints and checks that it reproduces the committed outputs the other tests compare against, so
// fixtures/reference.json cannot silently drift from the script. Needs Debian's /usr/bin/python3 with
// torch (requires('torch'): skipped without it, naming the install command); on such a machine the
// committed outputs still serve model.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { REFERENCE_PYTHON, requires } from '../helpers/requires.js';
import { fixtures, REFERENCE, relErr, type RefModel } from './setup.js';

const PY = REFERENCE_PYTHON;

test('reference.py reproduces the committed reference outputs', async t => {
  if (requires(t, 'torch')) return;
  const { dirOf, specs } = await fixtures();
  const script = new URL('./reference/reference.py', import.meta.url).pathname;
  const raw = execFileSync(PY, [script, ...specs.map(s => dirOf(s.name))], { maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: '1' } }).toString();
  const fresh = JSON.parse(raw) as { models: Record<string, Omit<RefModel, 'files'>> };
  for (const s of specs) {
    const a = fresh.models[s.name]!;
    const b = REFERENCE.models[s.name]!;
    assert.deepEqual(a.greedy, b.greedy, s.name);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-9 * Math.abs(b.loss), `${s.name} loss`);
    const flat = (m: { logits: Array<number[] | null> }) => m.logits.flatMap(r => r ?? []);
    assert.ok(relErr(flat(a), flat(b)) < 1e-7, `${s.name} logits`);
    for (const [name, g] of Object.entries(b.grads)) assert.ok(Math.abs(a.grads[name]!.norm - g.norm) <= 1e-9 * g.norm + 1e-15, `${s.name} ${name}`);
  }
});
