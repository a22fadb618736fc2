// Fuzzing the front end: random bytes and random mutations of the experiment files never make parse()
// throw or hang, and whatever parses clean formats to an idempotent, clean-parsing layout.
// Seeded, so a failure reproduces; FUZZ_SEED and FUZZ_N override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/runtime/rng.js';
import { parse } from '../../src/language/parse.js';
import { format } from '../../src/language/format.js';
import { REPO } from '../helpers/golden.js';

const seed = Number(process.env.FUZZ_SEED ?? 20261122);
const N = Number(process.env.FUZZ_N ?? 2000);
const experiments = readdirSync(join(REPO, 'experiments')).filter(f => f.endsWith('.rlvr')).map(f => readFileSync(join(REPO, 'experiments', f), 'utf8'));
const alphabet = ' \n\t{}()[],;.=<>!+-*/"\\abcdefghijklmnopqrstuvwxyz_0123456789eE';
const fragments = ['experiment', 'model', 'reward', 'grid', 'with', 'in', 'exclude', 'only', '"""', '"', '/*', '*/', '//', '..', '{', '}', '(', ')', '[', ']', '=', ',', 'none', 'and', 'not', '1e-7', '\\u{', '\u0000', '\ufffd', '\r\n'];

function randomText(rng: Rng): string {
  const len = rng.int(300);
  let s = '';
  for (let i = 0; i < len; i++) {
    const r = rng.next();
    if (r < 0.1) s += String.fromCharCode(rng.int(0x10000));
    else if (r < 0.3) s += rng.pick(fragments);
    else s += alphabet[rng.int(alphabet.length)];
  }
  return s;
}

function randomBytesAsText(rng: Rng): string {
  const bytes = new Uint8Array(rng.int(400));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
  return new TextDecoder('utf-8').decode(bytes);
}

function mutate(rng: Rng, text: string): string {
  let s = text;
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(s.length + 1);
    const len = rng.int(12);
    switch (rng.int(4)) {
      case 0: s = s.slice(0, at) + s.slice(at + len); break; // delete
      case 1: s = s.slice(0, at) + rng.pick(fragments) + s.slice(at); break; // insert a fragment
      case 2: s = s.slice(0, at) + alphabet[rng.int(alphabet.length)] + s.slice(at + 1); break; // replace a char
      default: { const from = rng.int(s.length + 1); s = s.slice(0, at) + s.slice(from, from + len) + s.slice(at); } // duplicate a span
    }
  }
  return s;
}

function checkInput(text: string): void {
  const t0 = performance.now();
  const r = parse(text, 'fuzz.rlvr');
  const ms = performance.now() - t0;
  // A hang guard, not a speed assertion: a linear parser takes milliseconds here.
  assert.ok(ms < 5000, `parse took ${ms} ms`);
  for (const d of r.diagnostics) {
    assert.match(d.code, /^RLVR\d{4}$/);
    assert.ok(d.span.start.line >= 1 && d.span.start.column >= 1, `bad span ${JSON.stringify(d.span)}`);
  }
  if (r.diagnostics.length === 0) {
    const out = format(r);
    const again = parse(out, 'fuzz.rlvr');
    assert.deepEqual(again.diagnostics, [], `formatted output must parse clean:\n${out}`);
    assert.equal(format(again), out, 'formatting is idempotent');
  }
}

test(`fuzz: ${N} random texts and byte strings never make parse throw or hang`, () => {
  const rng = new Rng(seed, 'random');
  for (let i = 0; i < N; i++) {
    const text = i % 2 === 0 ? randomText(rng) : randomBytesAsText(rng);
    try { checkInput(text); } catch (e) { throw new Error(`input #${i} ${JSON.stringify(text)}: ${(e as Error).message}`); }
  }
});

test(`fuzz: ${N} mutations of the experiment files never make parse throw or hang`, () => {
  const rng = new Rng(seed, 'mutations');
  let cleanCount = 0;
  for (let i = 0; i < N; i++) {
    const text = mutate(rng, experiments[i % experiments.length]!);
    try { checkInput(text); } catch (e) { throw new Error(`mutation #${i} ${JSON.stringify(text)}: ${(e as Error).message}`); }
    if (parse(text).diagnostics.length === 0) cleanCount++;
  }
  // Some mutations stay valid (inside strings, comments, numbers): they exercise the formatter path too.
  assert.ok(cleanCount > 0);
});

test('fuzz: `rlvrc check` on random and mutated files exits 0 or 1, never crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-fuzz-'));
  const rng = new Rng(seed, 'cli');
  const files: string[] = [];
  for (let i = 0; i < 40; i++) {
    const f = join(dir, `f${i}.rlvr`);
    writeFileSync(f, i % 2 === 0 ? Buffer.from(randomBytesAsText(rng)) : mutate(rng, experiments[i % experiments.length]!));
    files.push(f);
  }
  // Batches of files per process keep this fast; each run must end with 0 or 1 and no internal error.
  for (let i = 0; i < files.length; i += 10) {
    const r = spawnSync(process.execPath, [join(REPO, 'dist/cli/main.js'), 'check', ...files.slice(i, i + 10)], { encoding: 'utf8', timeout: 60_000 });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr.slice(0, 2000)}`);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});
