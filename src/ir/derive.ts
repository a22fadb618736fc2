// Derived fields of a cell config and the cross-field rules over them, as pure functions of the config.
// The checker lowers a spec with them (and reports their findings at the place a value was written);
// `--set` re-derives an overridden cell with the same functions, so the two cannot disagree.
import type { AlgorithmConfig, CellConfig, EvalConfig } from './cell.js';

type BatchShape = Pick<AlgorithmConfig, 'prompts_per_step' | 'group' | 'minibatch' | 'epochs'>;

/** rollouts_per_step = prompts × group; updates_per_step = epochs × rollouts / minibatch (0 while the minibatch does not divide). */
export function batchCounts(a: BatchShape): { rollouts_per_step: number; updates_per_step: number } {
  const rollouts = a.prompts_per_step * a.group;
  const divides = a.minibatch > 0 && rollouts % a.minibatch === 0 && a.minibatch <= rollouts;
  return { rollouts_per_step: rollouts, updates_per_step: divides ? (a.epochs * rollouts) / a.minibatch : 0 };
}

/** Why a step's rollouts cannot be split into minibatches, or null. */
export function batchShapeIssue(a: BatchShape): 'minibatch_too_large' | 'minibatch_not_divisor' | null {
  const rollouts = a.prompts_per_step * a.group;
  if (a.minibatch > rollouts) return 'minibatch_too_large';
  if (rollouts % a.minibatch !== 0) return 'minibatch_not_divisor';
  return null;
}

/** The KL estimator in force: none without a KL term. */
export function klEstimatorOf(kl: number, written: AlgorithmConfig['kl_estimator']): AlgorithmConfig['kl_estimator'] {
  return kl > 0 ? (written ?? 'k3') : null;
}

/** A warmup (in RL steps) that never ends inside the run. */
export function warmupTooLong(c: Pick<CellConfig, 'optimizer' | 'train'>): boolean {
  return c.optimizer.warmup > 0 && c.optimizer.warmup >= c.train.steps;
}

/** The eval's sampling fields that contradict each other, as [field, why] pairs. */
export function evalSamplingIssues(e: Pick<EvalConfig, 'greedy' | 'samples' | 'temperature' | 'k'>): Array<{ field: 'samples' | 'temperature' | 'k'; why: string }> {
  const out: Array<{ field: 'samples' | 'temperature' | 'k'; why: string }> = [];
  if (e.greedy && e.samples !== 1) out.push({ field: 'samples', why: 'greedy decoding draws one sample per problem' });
  if (e.greedy && e.temperature !== 0) out.push({ field: 'temperature', why: 'greedy decoding samples at temperature 0' });
  if (e.k > e.samples) out.push({ field: 'k', why: `k = ${e.k} exceeds samples = ${e.samples}` });
  return out;
}
