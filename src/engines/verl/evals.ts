// A cell's evals on verl (issue 17: "the paper's evals"). verl validates every val file with one sampling
// config (actor_rollout_ref.rollout.val_kwargs) at one interval (trainer.test_freq). So the evals are split by
// sampling: group 0, the first eval's sampling, is validated during training as verl does; every other group
// runs after training as validation-only verl runs (trainer.val_only) on the checkpoints verl saved
// (trainer.resume_mode resume_path), plus the base model at step 0. The paper's MATH-500 greedy eval is then
// group 0, and its AMC/AIME avg@8 at T = 0.6 run post hoc on the checkpoints (every 50 steps in paper.rlvr).
import type { CellConfig, EvalConfig } from '../../ir/cell.js';
import { evalDue } from '../../runtime/cell/evaluate.js';
import { verlSteps, type VerlProfile } from './config.js';

export interface EvalGroup {
  /** 0: validated during training; > 0: run post hoc on checkpoints. */
  index: number;
  /** Indices into cell.evals, in the cell's order. */
  evals: number[];
  sampling: Pick<EvalConfig, 'greedy' | 'samples' | 'temperature' | 'top_p'>;
}

const samplingKey = (e: EvalConfig) => JSON.stringify([e.greedy, e.samples, e.temperature, e.top_p]);

/** The cell's evals grouped by sampling; group 0 holds the first eval's. Empty when the cell has no evals. */
export function evalGroups(cell: Pick<CellConfig, 'evals'>): EvalGroup[] {
  const groups = new Map<string, EvalGroup>();
  cell.evals.forEach((e, i) => {
    const key = samplingKey(e);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { index: groups.size, evals: [], sampling: { greedy: e.greedy, samples: e.samples, temperature: e.temperature, top_p: e.top_p } }));
    g.evals.push(i);
  });
  return [...groups.values()];
}

/** The steps at which verl saves a checkpoint (trainer.save_freq, and always the last step), ascending. */
export function checkpointSteps(cell: CellConfig, profile: Pick<VerlProfile, 'max_steps'>): number[] {
  const total = verlSteps(cell, profile);
  const every = cell.train.checkpoint_every;
  if (total === 0 || every <= 0) return [];
  const steps: number[] = [];
  for (let s = every; s <= total; s += every) steps.push(s);
  if (steps.at(-1) !== total) steps.push(total);
  return steps;
}

/**
 * The steps a post-hoc group runs at: step 0 (the base model), then each checkpoint step at which one of its
 * evals is due by its `every` (the last step always is). With no checkpoints, only step 0.
 */
export function posthocSteps(cell: CellConfig, group: EvalGroup, profile: Pick<VerlProfile, 'max_steps'>): number[] {
  const total = verlSteps(cell, profile);
  const due = (s: number) => group.evals.some(i => evalDue(s, cell.evals[i]!.every, total));
  return [0, ...checkpointSteps(cell, profile).filter(due)];
}

/** The steps the spec asks an eval to run at (evalDue over 0..total), for the diagnostic that compares. */
export function specEvalSteps(cell: CellConfig, e: EvalConfig, profile: Pick<VerlProfile, 'max_steps'>): number[] {
  const total = verlSteps(cell, profile);
  const out: number[] = [];
  for (let s = 0; s <= total; s++) if (evalDue(s, e.every, total)) out.push(s);
  return out;
}
