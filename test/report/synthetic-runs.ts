// A runs directory shaped like a real experiment's (its checked cells: ids, grids, declared axes, steps and
// eval schedule) with made-up but deterministic eval values, for tests that need a large grid: the run
// artifacts of the committed results are not in the repository (runs/ is not committed), and running
// spurious-search's 168 cells takes hours. Artifacts follow the fixture's manifest, so they pass the schemas.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, type CellConfig } from '../../src/checker/index.js';
import { FIXTURES, REPO } from '../helpers/golden.js';

const TEMPLATE = join(FIXTURES, 'report', 'paper-mini', 'runs', 'model=qwen_math_like,reward=random,seed=1', 'manifest.json');

export function experimentCells(spec: string): CellConfig[] {
  const r = check([spec], { cwd: REPO });
  const errors = r.diagnostics.filter(d => d.severity === 'error');
  if (errors.length) throw new Error(`${spec}: ${errors[0]!.summary}`);
  return r.experiments[0]!.cells;
}

/** A number in [0, 1) from a string: the same made-up value for the same cell, step and metric. */
function unit(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The cells of the experiment in `spec` (a path from the repository root), with held_out accuracy and
 * code rate at every eval step, drifting from a per-model start. Returns the number of cells.
 */
export function writeSyntheticRuns(dir: string, spec: string): number {
  const cells = experimentCells(spec);
  const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as Record<string, unknown>;
  for (const cell of cells) {
    const c = cell as unknown as { id: string; experiment: string; axes: Record<string, string>; train: { steps: number }; evals: Array<{ every: number }> };
    const cellDir = join(dir, c.id);
    mkdirSync(cellDir, { recursive: true });
    const hash = createHash('sha256').update(c.id).digest('hex');
    const steps = c.train.steps;
    const every = c.evals[0]?.every ?? steps;
    const model = c.axes.model ?? '';
    const lines: string[] = [];
    let last = { accuracy: 0, code_rate: 0 };
    for (let step = 0; step <= steps; step += every) {
      const t = step / Math.max(steps, 1);
      const accuracy = Number((0.3 + 0.3 * unit(model) + t * (unit(c.id) - 0.4) * 0.3 + 0.02 * unit(`${c.id}/${step}`)).toFixed(6));
      const code_rate = Number((0.5 * unit(`${model}/code`) + t * 0.2 * unit(`${c.id}/code`)).toFixed(6));
      lines.push(JSON.stringify({ step, name: 'held_out', accuracy, code_rate }));
      last = { accuracy, code_rate };
      if (step + every > steps && step !== steps) step = steps - every;
    }
    writeFileSync(join(cellDir, 'eval.jsonl'), lines.join('\n') + '\n');
    writeFileSync(join(cellDir, 'manifest.json'), JSON.stringify({ ...template, experiment: c.experiment, source: { ...(template.source as object), file: spec }, cell_id: c.id, cell_config: cell, config_hash: hash }, null, 2));
    writeFileSync(join(cellDir, 'result.json'), JSON.stringify({
      artifact_version: 1, cell_id: c.id, config_hash: hash, status: 'finished', error: null, steps,
      final_metrics: { 'held_out.accuracy': last.accuracy, 'held_out.code_rate': last.code_rate },
      started_at: '2025-06-01T10:00:00.000Z', ended_at: '2025-06-01T10:05:00.000Z', wall_seconds: 300, attempts: 1, resumed_from_step: null,
    }, null, 2));
  }
  return cells.length;
}
