// Issue 16: the cache of pretrained models and majority labels (cell/cache.ts) on a disk shared by several
// hosts. Its lock records {pid, host, started_at}; a lock of a dead process on this host is taken over, a lock
// from another host never is (its pid cannot be checked here): it is waited for, naming host and pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedDir } from '../../src/runtime/cell/cache.js';
import { processAlive } from '../../src/util/process-alive.js';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  assert.ok(pid > 0 && !processAlive(pid));
  return pid;
}

function lockFor(root: string, key: string, owner: { pid: number; host: string }): string {
  mkdirSync(root, { recursive: true });
  const lock = join(root, `${key}.lock`);
  writeFileSync(lock, JSON.stringify({ ...owner, started_at: '2026-01-01T00:00:00.000Z' }));
  return lock;
}

test('a cache lock of a dead process on this host is taken over', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rlvrc-cache-'));
  try {
    lockFor(root, 'k', { pid: deadPid(), host: hostname() });
    let waited = '';
    const dir = await cachedDir(root, 'k', d => writeFileSync(join(d, 'x'), '1'), h => (waited = h));
    assert.equal(readFileSync(join(dir, 'x'), 'utf8'), '1');
    assert.equal(waited, '', 'no waiting for a dead owner');
    assert.equal(existsSync(join(root, 'k.lock')), false, 'the lock is released');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a cache lock from another host is waited for, never taken over, even when its pid is not alive here', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rlvrc-cache-'));
  try {
    // A pid that is dead on this host (the old check, processAlive alone, took such a lock over) and one that
    // is alive here (this very process): on another host, both may be a live builder.
    for (const pid of [deadPid(), process.pid]) {
      const lock = lockFor(root, 'k', { pid, host: 'other-node.example' });
      let built = false;
      let holder = '';
      const p = cachedDir(root, 'k', d => { built = true; writeFileSync(join(d, 'x'), String(pid)); }, h => (holder = h));
      await sleep(2500);
      assert.equal(built, false, `pid ${pid} on another host: the lock must not be taken over`);
      assert.match(holder, new RegExp(`process ${pid} on host other-node\\.example`));
      assert.match(holder, /if that node is gone, remove .*k\.lock/);
      rmSync(lock); // the operator removes it (or the other node finishes)
      const dir = await p;
      assert.equal(built, true);
      assert.equal(readFileSync(join(dir, 'x'), 'utf8'), String(pid));
      rmSync(dir, { recursive: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a waiter returns the entry that the other process built', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rlvrc-cache-'));
  try {
    const lock = lockFor(root, 'k', { pid: process.pid + 0, host: 'other-node.example' });
    let built = false;
    const p = cachedDir(root, 'k', () => { built = true; });
    await sleep(300);
    mkdirSync(join(root, 'k'));
    writeFileSync(join(root, 'k', 'COMPLETE'), '');
    const dir = await p;
    assert.equal(dir, join(root, 'k'));
    assert.equal(built, false);
    rmSync(lock);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
