// What `--set` may change in a cell config, and the cell it makes. A spec decides more than numbers: a
// reward's text names a function compiled into the program, a model's name and data its cached
// pretraining, an axis value the cell's id. So --set takes only the free hyperparameters below; after it,
// derived fields are recomputed and the cross-field rules run again with the checker's own functions
// (src/ir/derive.ts). Anything else is refused with what to do instead.
import type { CellConfig } from '../../ir/cell.js';
import { batchCounts, batchShapeIssue, evalSamplingIssues, klEstimatorOf, warmupTooLong } from '../../ir/derive.js';
import { SPECIAL_TOKENS, worldLengths } from './world.js';

/** Dotted paths --set accepts; `N` stands for a list index. */
export const OVERRIDABLE: readonly string[] = [
  'train.steps', 'train.checkpoint_every',
  'algorithm.prompts_per_step', 'algorithm.group', 'algorithm.minibatch', 'algorithm.epochs',
  'algorithm.clip', 'algorithm.clip.low', 'algorithm.clip.high', 'algorithm.kl', 'algorithm.kl_estimator', 'algorithm.entropy',
  'algorithm.advantage', 'algorithm.advantage_epsilon', 'algorithm.whiten', 'algorithm.loss',
  'algorithm.temperature', 'algorithm.top_p', 'algorithm.top_k', 'algorithm.max_tokens',
  'optimizer.lr', 'optimizer.betas', 'optimizer.betas.N', 'optimizer.eps', 'optimizer.weight_decay', 'optimizer.grad_clip',
  'optimizer.schedule', 'optimizer.warmup',
  'evals.N.every', 'evals.N.samples', 'evals.N.temperature', 'evals.N.top_p', 'evals.N.max_tokens', 'evals.N.k',
  // Scale-downs for smoke runs: honoured as written (pretraining and labels are cached by their whole config).
  'model.stages.N.steps', 'model.stages.N.batch', 'model.stages.N.lr', 'model.stages.N.warmup', 'data.take', 'evals.N.data.take',
];

/** Derived fields: computed from others, never set. */
const DERIVED: Record<string, string> = {
  'algorithm.rollouts_per_step': 'prompts_per_step × group',
  'algorithm.updates_per_step': 'epochs × rollouts_per_step / minibatch',
};

const pattern = (path: string) => path.split('.').map(p => (/^(0|[1-9][0-9]*)$/.test(p) ? 'N' : p)).join('.');

function why(path: string): string {
  const top = path.split('.')[0]!;
  if (DERIVED[path]) return `it is derived (${DERIVED[path]}); set those instead`;
  switch (top) {
    case 'reward': return 'the reward is compiled into the program from its expression; change the spec and compile again';
    case 'model': case 'data': case 'prompt': return `the ${top} is part of what the spec declares (and of cached pretraining and labels); change the spec and compile again`;
    case 'seed': case 'id': case 'axes': case 'grid': case 'experiment': return `the ${top} identifies the cell; choose another cell with --cell or --only, or add a seed axis to the grid`;
    case 'evals': return 'an eval\'s data, prompt, metrics and name come from the spec; change the spec and compile again';
    default: return 'only the hyperparameters listed below can be set; change the spec and compile again';
  }
}

const valueAt = (cell: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), cell);

/** Refuses a path --set cannot honour, and a field that is one of the cell's grid axes. */
export function checkOverridePath(cell: CellConfig, path: string): void {
  if (!OVERRIDABLE.includes(pattern(path))) {
    throw new Error(`--set ${path}: not a field --set can change: ${why(path)}. --set changes ${OVERRIDABLE.join(', ')}`);
  }
  for (const [key, value] of Object.entries(cell.axes)) {
    // Axes name train-block fields: `steps in [...]` is train.steps; `model.layers in [...]` is model.layers.
    const axis = key === 'steps' || key === 'checkpoint_every' ? `train.${key}` : key;
    // A declaration axis (`model in [a, b]`) swaps a whole block: its fields may still be set.
    const swapsDeclaration = (() => { const v = valueAt(cell, axis); return v !== null && typeof v === 'object' && 'name' in v; })();
    if (path === axis || (path.startsWith(axis + '.') && !swapsDeclaration) || axis.startsWith(path + '.')) {
      throw new Error(`--set ${path}: cell '${cell.id}' is the grid's ${key} = ${value}; its id would name a value it does not run. Choose the cell with the value you want, or change the grid`);
    }
  }
}

/** The overridden cell with derived fields recomputed, refused with a message when the rules fail. */
export function reviseOverriddenCell(cell: CellConfig, paths: string[], original: CellConfig): CellConfig {
  for (const p of paths) checkOverridePath(original, p);
  const a = cell.algorithm;
  const shape = batchShapeIssue(a);
  if (shape) {
    const rollouts = a.prompts_per_step * a.group;
    throw new Error(shape === 'minibatch_too_large'
      ? `--set makes minibatch ${a.minibatch} larger than the ${rollouts} rollouts of a step`
      : `--set makes minibatch ${a.minibatch} not divide the ${rollouts} rollouts of a step (${a.prompts_per_step} prompts × ${a.group} samples)`);
  }
  const algorithm = { ...a, ...batchCounts(a), kl_estimator: klEstimatorOf(a.kl, a.kl_estimator) };
  const out: CellConfig = { ...cell, algorithm };
  if (warmupTooLong(out)) throw new Error(`--set makes the warmup of ${out.optimizer.warmup} steps not shorter than the ${out.train.steps} training steps`);
  out.evals.forEach((e, i) => {
    const issue = evalSamplingIssues(e)[0];
    if (issue) throw new Error(`--set makes eval ${i} (${e.name}) contradict itself: ${issue.field}: ${issue.why}`);
  });
  for (const [where, d] of [['data', out.data], ...out.evals.map((e, i) => [`evals.${i}.data`, e.data] as const)] as const) {
    if (d.source !== 'arithmetic' || d.take === null) continue;
    const size = d.split === 'train' ? d.world.train : d.split === 'test' ? d.world.test : d.world.train + d.world.test;
    if (d.take > size) throw new Error(`--set makes ${where}.take ${d.take} larger than the ${size} problems of ${d.name}`);
  }
  const m = out.model;
  if (m.source === 'transformer' && out.data.source === 'arithmetic') {
    const l = worldLengths(out.data.world, m);
    // The checker's RLVR5006: a rollout must fit the model's context.
    if (l && l.question + a.max_tokens + SPECIAL_TOKENS > m.context) throw new Error(`--set makes a rollout of ${a.max_tokens} tokens too long for context ${m.context} (question ${l.question} + max_tokens ${a.max_tokens} + BOS and EOS)`);
  }
  return out;
}
