// A directory cache shared by the cells of an experiment (and by concurrent cell processes, possibly on
// several nodes of a cluster sharing the disk): an entry is built once under an exclusive lock and published
// by rename, so readers never see a half-written entry.
//
// The lock `<root>/<key>.lock` records its owner ({pid, host, started_at}, lock.ts's LockOwner), written
// whole before the lock appears (a hard link of a finished file), so it is never seen empty. A lock whose
// owner is a dead process of this host is taken over. A lock from another host is never taken over: its pid
// cannot be checked from here, and a live builder there must not be raced. It is waited for, with a message
// naming the host and pid and saying to remove the lock if that node is gone.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createLockFile, ownerState, type LockOwner } from '../run/lock.js';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** How often a waiting process looks at the lock again (ms). */
export const LOCK_POLL_MS = 1000;

/**
 * Returns `<root>/<key>`, building it with `build(tmpDir)` first if it does not exist. Another process
 * building the same key is waited for (`onWait(holder)` says who, once); a lock left by a dead process of
 * this host is taken over.
 */
export async function cachedDir(root: string, key: string, build: (dir: string) => Promise<void> | void, onWait?: (holder: string) => void): Promise<string> {
  const dir = join(root, key);
  if (existsSync(join(dir, 'COMPLETE'))) return dir;
  mkdirSync(root, { recursive: true });
  const ready = () => existsSync(join(dir, 'COMPLETE'));
  const unlock = await acquireCacheLock(root, key, ready, onWait);
  if (!unlock) return dir; // built by the process we waited for
  try {
    if (ready()) return dir;
    const tmp = join(root, `${key}.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await build(tmp);
    writeFileSync(join(tmp, 'COMPLETE'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return dir;
  } finally {
    unlock();
  }
}

/**
 * Takes `<root>/<name>.lock`, waiting while another live process holds it. Resolves to the release function,
 * or to null when `done()` became true while waiting (the holder finished the work).
 */
export async function acquireCacheLock(root: string, name: string, done: () => boolean, onWait?: (holder: string) => void): Promise<(() => void) | null> {
  const lock = join(root, `${name}.lock`);
  let waited = false;
  for (;;) {
    if (createLockFile(lock)) return () => rmSync(lock, { recursive: true, force: true });
    if (done()) return null;
    const owner = readOwner(lock);
    if (owner === 'vanished') continue;
    const state = owner ? ownerState(owner) : null;
    if (owner && (state === 'dead' || state === 'self')) {
      takeOver(lock, owner);
      continue;
    }
    if (!waited) {
      waited = true;
      onWait?.(holderText(lock, owner, state));
    }
    await sleep(LOCK_POLL_MS);
  }
}

function holderText(lock: string, owner: LockOwner | null, state: string | null): string {
  if (!owner) return `${lock} is being taken by another process`;
  const who = `process ${owner.pid} on host ${owner.host} (since ${owner.started_at})`;
  if (state === 'foreign')
    return `${who} holds ${lock}; it is on another host, so it is never taken over from here: if that node is gone, remove ${lock}`;
  return `${who} holds ${lock}`;
}

/** The lock's owner; null when it cannot be read yet; 'vanished' when the lock went away meanwhile. */
function readOwner(lock: string): LockOwner | null | 'vanished' {
  try {
    // Before issue 16 the lock was a directory holding `pid` (this host only, as then assumed).
    if (statSync(lock).isDirectory()) {
      const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      return pid > 0 ? { pid, host: hostname(), started_at: 'unknown' } : null;
    }
    const o = JSON.parse(readFileSync(lock, 'utf8')) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(lock)) return 'vanished';
    return null;
  }
}

// Removes a dead owner's lock, unless another process replaced it meanwhile (then the next round decides).
function takeOver(lock: string, owner: LockOwner): void {
  const now = readOwner(lock);
  if (now && now !== 'vanished' && now.pid === owner.pid && now.host === owner.host && now.started_at === owner.started_at)
    rmSync(lock, { recursive: true, force: true });
}
