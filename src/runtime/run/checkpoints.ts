// Checkpoint discovery and pruning. The runtime's checkpoint writer puts step n into
// <checkpointDir>/step-<n>/ by writing a temp directory beside it (a name starting with '.') and renaming
// it into place, with meta.json inside. So:
//   - a complete checkpoint is a directory named exactly step-<n> holding a meta.json that parses as JSON
//     (and, if it records a step, records n);
//   - anything else (temp directories, a step-<n> without meta.json or with a torn one) is ignored by
//     discovery, and temp leftovers of dead writers are removed when a cell starts.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResumePoint } from './types.js';

const STEP_DIR = /^step-(0|[1-9][0-9]*)$/;

export function checkpointPath(dir: string, step: number): string {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`a checkpoint step must be an integer >= 0, got ${step}`);
  return join(dir, `step-${step}`);
}

function isComplete(path: string, step: number): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    const meta = JSON.parse(readFileSync(join(path, 'meta.json'), 'utf8')) as unknown;
    if (meta === null || typeof meta !== 'object') return false;
    const recorded = (meta as { step?: unknown }).step;
    return recorded === undefined || recorded === step;
  } catch {
    return false;
  }
}

/** Complete checkpoints, oldest first. */
export function listCheckpoints(dir: string): ResumePoint[] {
  if (!existsSync(dir)) return [];
  const found: ResumePoint[] = [];
  for (const name of readdirSync(dir)) {
    const m = STEP_DIR.exec(name);
    if (!m) continue;
    const step = Number(m[1]);
    const path = join(dir, name);
    if (isComplete(path, step)) found.push({ step, path });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** The latest complete checkpoint, or null. */
export function latestCheckpoint(dir: string): ResumePoint | null {
  return listCheckpoints(dir).at(-1) ?? null;
}

/** Deletes complete checkpoints older than the newest `keepLast`; returns the steps deleted. */
export function pruneCheckpoints(dir: string, keepLast: number): number[] {
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new RangeError(`keepLast must be an integer >= 1, got ${keepLast}`);
  const all = listCheckpoints(dir);
  const drop = all.slice(0, Math.max(0, all.length - keepLast));
  for (const c of drop) rmSync(c.path, { recursive: true, force: true });
  return drop.map(c => c.step);
}

/** Removes what dead writers left: hidden temp entries and step-<n> directories that never completed. */
export function removeIncompleteCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const m = STEP_DIR.exec(name);
    const stale = name.startsWith('.') || (m !== null && !isComplete(path, Number(m[1])));
    if (stale) {
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
