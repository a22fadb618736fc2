// One process per cell directory. Two runs of the same cell (the pool started twice, or a cluster job and a
// local run on a shared disk) would interleave their appends and checkpoints, so a running cell holds
// <dir>/.lock: {pid, host, started_at}, created exclusively and touched every 30 s. A lock is stale, and
// taken over, when its process is gone (same host) or it has not been touched for 5 minutes (another host,
// where the pid cannot be checked) — so a killed run never blocks its own resume for long.
// `createLockFile` (never torn: written, then linked into place) and `ownerState` (is the owner alive?) are the
// one implementation of both; the cache of pretrained models and majority labels (cell/cache.ts) uses them
// too, with a stricter rule for other hosts.
import { processAlive } from '../../util/process-alive.js';
import { existsSync, linkSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.lock';
const HEARTBEAT_MS = 30_000;
const FOREIGN_STALE_MS = 5 * 60_000;

/** Who holds a lock: written into the lock when it is taken. */
export interface LockOwner { pid: number; host: string; started_at: string }

/** This process, as a lock's owner. */
export function lockOwner(): LockOwner {
  return { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
}

/**
 * What can be said of a lock's owner from here: `self` (this process, or a dead one whose pid it reuses),
 * `dead` (this host, no such process), `live` (this host, running), `foreign` (another host: its pid means
 * nothing here, so whether it lives cannot be checked).
 */
export function ownerState(owner: Pick<LockOwner, 'pid' | 'host'>): 'self' | 'dead' | 'live' | 'foreign' {
  if (owner.host !== hostname()) return 'foreign';
  if (owner.pid === process.pid) return 'self';
  return processAlive(owner.pid) ? 'live' : 'dead';
}

/**
 * Creates the lock file at `path` holding this process as owner, or returns false when it exists. The owner
 * is written to a private file first and linked into place, so a lock is never seen empty or half-written
 * (a reader of a torn lock would take it for a dead one and remove a live lock).
 */
export function createLockFile(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(lockOwner()));
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  } finally {
    try { unlinkSync(tmp); } catch { /* gone */ }
  }
}

/** Who holds the cell's lock, as a sentence, or null when nobody live does. */
export function lockHolder(dir: string, now = Date.now()): string | null {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return null;
  let info: LockOwner;
  let touched: number;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    touched = statSync(path).mtimeMs;
  } catch {
    return null; // torn or vanished: whoever wrote it did not get far
  }
  const state = ownerState(info);
  if (state === 'self' || state === 'dead') return null;
  if (state === 'foreign' && now - touched > FOREIGN_STALE_MS) return null;
  return `process ${info.pid} on ${info.host} has been running it since ${info.started_at} (${path})`;
}

export class CellLock {
  private timer: NodeJS.Timeout | null;

  private constructor(private readonly path: string) {
    this.timer = setInterval(() => {
      try {
        const t = new Date();
        utimesSync(this.path, t, t);
      } catch { /* removed under us: release() copes */ }
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Takes the lock, replacing a stale one; returns null with `holder` set when a live process has it. */
  static acquire(dir: string): { lock: CellLock } | { holder: string } {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (createLockFile(path)) return { lock: new CellLock(path) };
      const holder = lockHolder(dir);
      if (holder) return { holder };
      try { unlinkSync(path); } catch { /* another process took it over first; the next attempt says so */ }
    }
    return { holder: lockHolder(dir) ?? `another process took ${path} at the same moment` };
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}
