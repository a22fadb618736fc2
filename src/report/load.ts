// Reading a runs directory: every cell directory (one holding manifest.json) below it, with its manifest,
// result and eval records, each validated against its schema. A broken artifact is an ArtifactError
// naming the file and line; a torn last line of eval.jsonl (a cell still running, or killed) is ignored.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FILES, parseCellId, readJsonl, readManifest, readResult } from '../runtime/run/index.js';
import type { EvalRecord, Manifest, ResultFile } from '../runtime/run/index.js';

export interface LoadedCell {
  id: string;
  /** The directory, relative to the runs directory. */
  dir: string;
  manifest: Manifest;
  /** result.json when it belongs to the manifest's config; null while running, interrupted, or stale. */
  result: ResultFile | null;
  status: 'running' | 'finished' | 'failed' | 'interrupted';
  evals: EvalRecord[];
  /** The cell's grid coordinates: axis → value (a grid name too, when the id has one). */
  coords: Map<string, string>;
}

const SKIP = new Set(['report', FILES.checkpoints, 'node_modules']);

function findCellDirs(root: string, depth: number): string[] {
  if (existsSync(join(root, FILES.manifest))) return [root];
  if (depth === 0) return [];
  const found: string[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.') || SKIP.has(name)) continue;
    const p = join(root, name);
    if (statSync(p).isDirectory()) found.push(...findCellDirs(p, depth - 1));
  }
  return found;
}

/**
 * Grid coordinates: the `axes` record the checker puts into every cell config when there is one, else
 * the `k=v` pairs of the id; the grid name from the config's `grid` field or the id's `grid/` prefix.
 */
export function coordinatesOf(id: string, config: Record<string, unknown>): Map<string, string> {
  const coords = new Map<string, string>();
  const parsed = parseCellId(id);
  const grid = typeof config.grid === 'string' ? config.grid : parsed?.grid ?? null;
  if (grid !== null) coords.set('grid', grid);
  const axes = config.axes;
  if (axes && typeof axes === 'object' && !Array.isArray(axes) && Object.keys(axes).length > 0) {
    for (const [k, v] of Object.entries(axes as Record<string, unknown>)) coords.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  } else {
    for (const [k, v] of parsed?.pairs ?? []) coords.set(k, v);
  }
  return coords;
}

/** Every cell under `root`, sorted by id; `progress` is told after each cell read. */
export function loadRuns(root: string, progress?: (done: number, total: number) => void): LoadedCell[] {
  const dirs = findCellDirs(root, 4);
  return dirs.map((dir, i) => {
    const manifest = readManifest(join(dir, FILES.manifest));
    const resultPath = join(dir, FILES.result);
    const result = existsSync(resultPath) ? readResult(resultPath) : null;
    const current = result !== null && result.config_hash === manifest.config_hash ? result : null;
    const cell: LoadedCell = {
      id: manifest.cell_id,
      dir: relative(root, dir) || '.',
      manifest,
      result: current,
      status: current?.status ?? manifest.status,
      evals: readJsonl('eval', join(dir, FILES.eval)).records,
      coords: coordinatesOf(manifest.cell_id, manifest.cell_config),
    };
    progress?.(i + 1, dirs.length);
    return cell;
  }).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
