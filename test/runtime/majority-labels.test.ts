// Issue 16: a cached majority label is a pure function of its key and the prompt's id. The same prompts
// labelled in one call, in other chunks and orders, on top of a partial cache, by a cell with another seed,
// and by two processes at once into one cache directory give the same labels, bit for bit, and the same file.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { label, model } from './fixtures/labels-harness.js';

before(() => model());

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const fresh = () => mkdtempSync(join(tmpdir(), 'rlvrc-labels-'));
function labelFile(cacheDir: string): string {
  const files = readdirSync(join(cacheDir, 'labels'));
  assert.deepEqual(files.filter(f => !f.endsWith('.json')), [], `only label files are left: ${files.join(', ')}`);
  assert.equal(files.length, 1);
  return readFileSync(join(cacheDir, 'labels', files[0]!), 'utf8');
}

test('labels do not depend on chunking, order, a partial cache or the cell seed', async () => {
  const dirs = [fresh(), fresh(), fresh()];
  try {
    // One call for all 24 prompts.
    const whole = await label(dirs[0]!, 1, [range(0, 24)]);
    assert.ok(new Set(Object.values(whole)).size > 3, `labels vary: ${JSON.stringify(whole)}`);
    // A partial cache first (prompts 9-14), then the rest in reversed chunks of 5.
    const reversed = range(0, 24).reverse();
    const chunked = await label(dirs[1]!, 1, [range(9, 15), ...[0, 5, 10, 15, 20].map(k => reversed.slice(k, k + 5))]);
    assert.deepEqual(chunked, whole);
    // Another cell (another seed, so another data order) of the same model, interleaved.
    const other = await label(dirs[2]!, 2, [[23, 0, 17, 5], range(0, 24)]);
    assert.deepEqual(other, whole);
    // The files are the same, byte for byte.
    assert.equal(labelFile(dirs[1]!), labelFile(dirs[0]!));
    assert.equal(labelFile(dirs[2]!), labelFile(dirs[0]!));
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('two processes labelling overlapping prompts into one cache at once get the labels of one process alone', async () => {
  const alone = fresh();
  const shared = fresh();
  try {
    const reference = await label(alone, 1, [range(0, 40)]);
    const harness = fileURLToPath(new URL('./fixtures/labels-harness.ts', import.meta.url));
    const run = (seed: number, chunks: number[][]) => new Promise<Record<string, string | null>>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', harness, shared, String(seed), JSON.stringify(chunks)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', d => (out += d));
      child.stderr.on('data', d => (err += d));
      child.on('exit', code => (code === 0 ? resolve(JSON.parse(out) as Record<string, string | null>) : reject(new Error(`worker exited ${code}: ${err}`))));
    });
    // Seed 1 labels 0-29 in chunks of 6; seed 2 labels 10-39 backwards in chunks of 4, at the same time.
    const back = range(10, 40).reverse();
    const [a, b] = await Promise.all([
      run(1, [0, 6, 12, 18, 24].map(k => range(k, k + 6))),
      run(2, [0, 4, 8, 12, 16, 20, 24, 28].map(k => back.slice(k, k + 4))),
    ]);
    for (const [id, l] of Object.entries(a)) assert.equal(l, reference[id], `process 1, ${id}`);
    for (const [id, l] of Object.entries(b)) assert.equal(l, reference[id], `process 2, ${id}`);
    // No label lost to the other writer: the shared file holds all 40, as the lone run's does.
    assert.equal(labelFile(shared), labelFile(alone));
  } finally {
    rmSync(alone, { recursive: true, force: true });
    rmSync(shared, { recursive: true, force: true });
  }
});
