// One process per cell directory. Two runs of the same cell (the pool started twice, or a cluster job and a
// local run on a shared disk) would interleave their appends and checkpoints, so a running cell holds
// <dir>/.lock: {pid, host, started_at}, created exclusively and touched every 30 s. A lock is stale, and
// taken over, when its process is gone (same host) or it has not been touched for 5 minutes (another host,
// where the pid cannot be checked) — so a killed run never blocks its own resume for long.
// `lockOwner` / `ownerState` are the one place that decides whether a lock's owner is alive; the cache of
// pretrained models and majority labels (cell/cache.ts) uses them too, with a stricter rule for other hosts.
import { processAlive } from '../../util/process-alive.js';
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
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

type LockInfo = LockOwner;


/** Who holds the cell's lock, as a sentence, or null when nobody live does. */
export function lockHolder(dir: string, now = Date.now()): string | null {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return null;
  let info: LockInfo;
  let touched: number;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
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
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify(lockOwner()));
        closeSync(fd);
        return { lock: new CellLock(path) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = lockHolder(dir);
        if (holder) return { holder };
        try { unlinkSync(path); } catch { /* another process took it over first; the next open says so */ }
      }
    }
    return { holder: lockHolder(dir) ?? `another process took ${path} at the same moment` };
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}
