// `rlvrc explain`: a cell's resolved configuration, and the exact objective it optimises written out as
// math, so nobody has to guess how advantages are normalised, where clipping and KL enter, or how the
// loss is averaged (the complaint most often made about the big trainers).
import type { AlgorithmConfig, CellConfig } from '../ir/index.js';
import { conditionText } from './rewards.js';

/** Small magnitudes in exponent form (3e-5 reads better than 0.00003). */
const n = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));

function advantageLines(a: AlgorithmConfig): string[] {
  const G = a.group;
  const lines =
    a.advantage === 'group_norm'
      ? [
          `A_i = (r_i − mean(r_1..r_${G})) / (std(r_1..r_${G}) + ${n(a.advantage_epsilon)})`,
          `      over the ${G} responses to the same prompt; std is the unbiased sample std (divides by ${G} − 1)`,
        ]
      : [`A_i = r_i − mean(r_1..r_${G})   (group_center, Dr. GRPO: no division by the std)`, `      over the ${G} responses to the same prompt`];
  lines.push('      every token t of response i gets the same advantage A_i');
  if (a.whiten) lines.push(`then  A ← (A − mean(A)) / std(A) over every token of the ${a.rollouts_per_step} rollouts of the step (whiten)`);
  return lines;
}

function surrogateLines(a: AlgorithmConfig): string[] {
  const ratio = 'ρ_i,t = πθ(y_i,t | x, y_i,<t) / πold(y_i,t | x, y_i,<t)';
  if (a.clip === null) return [ratio, 'ℓ_i,t = ρ_i,t · A_i   (no clipping)'];
  const { low, high } = a.clip;
  return [ratio, `ℓ_i,t = min(ρ_i,t · A_i, clip(ρ_i,t, ${n(1 - low)}, ${n(1 + high)}) · A_i)   (clip ε_low = ${n(low)}, ε_high = ${n(high)})`];
}

function klLines(a: AlgorithmConfig): string[] {
  if (a.kl === 0 || a.kl_estimator === null) return ['no KL term, no reference model (kl = 0)'];
  const est = {
    k1: 'KL_i,t = log πθ(y_i,t) − log πref(y_i,t)   (k1)',
    k2: 'KL_i,t = ½ (log πθ(y_i,t) − log πref(y_i,t))²   (k2)',
    k3: 'KL_i,t = q − 1 − log q,  q = πref(y_i,t) / πθ(y_i,t)   (k3, unbiased and non-negative)',
  }[a.kl_estimator];
  return [est, `β = ${n(a.kl)}; πref is the policy before RL, frozen`];
}

function lossLine(a: AlgorithmConfig, term: string): string[] {
  switch (a.loss) {
    case 'token_mean':
      return [`L(θ) = −(1 / Σ_i |y_i|) Σ_i Σ_t ${term}`, '      a mean over every token of the minibatch (token_mean): long responses weigh more'];
    case 'seq_mean_token_mean':
      return [`L(θ) = −(1 / |B|) Σ_i (1 / |y_i|) Σ_t ${term}`, '      a mean over tokens within each response, then over the responses of the minibatch (seq_mean_token_mean)'];
    case 'seq_mean_token_sum_norm':
      return [`L(θ) = −(1 / |B|) Σ_i (1 / ${a.max_tokens}) Σ_t ${term}`, `      token sums divided by the constant max_tokens = ${a.max_tokens}, then a mean over responses (seq_mean_token_sum_norm, Dr. GRPO)`];
    case 'micro_token_mean':
      return [`L(θ) = −(1 / |M|) Σ_m (1 / Σ_{i∈m} |y_i|) Σ_{i∈m} Σ_t ${term}`, `      a token mean within each micro-batch m of ${a.micro_batch ?? 1} consecutive rollouts, then a mean over the minibatch's micro-batches M (micro_token_mean: OpenRLHF's packed samples)`];
  }
}

/** The objective of a cell as readable math-like text. */
export function explainObjective(c: CellConfig): string {
  const a = c.algorithm;
  const o = c.optimizer;
  const kl = a.kl > 0 && a.kl_estimator !== null;
  const term = `[ℓ_i,t${kl ? ' − β·KL_i,t' : ''}${a.entropy > 0 ? ' + c·H_i,t' : ''}]`;
  const section = (title: string, lines: string[]) => [`  ${title.padEnd(10)} ${lines[0]}`, ...lines.slice(1).map(l => `  ${' '.repeat(10)} ${l}`)];
  const sampling = `temperature ${n(a.temperature)}, top_p ${n(a.top_p)}${a.top_k === null ? '' : `, top_k ${a.top_k}`}, at most ${a.max_tokens} tokens${a.stop.length ? `, stop at ${a.stop.map(s => JSON.stringify(s)).join(', ')}` : ''}`;
  const filter = c.reward.filter ? `, only on prompts where ${conditionText(c.reward.filter)}` : '';
  const updates =
    a.updates_per_step === 1
      ? `1 gradient update per rollout step: πθ = πold at the update, so ρ = 1 and ${a.clip ? 'the clip never acts' : 'there is nothing to clip'}`
      : a.epochs > 1
        ? `${a.updates_per_step} gradient updates per rollout step: ${a.epochs} epochs × (${a.rollouts_per_step} rollouts / minibatch ${a.minibatch}), each epoch in its own shuffled order; πold is the policy that sampled them, so ρ = 1 only at the first update`
        : `${a.updates_per_step} gradient updates per rollout step (${a.rollouts_per_step} rollouts / minibatch ${a.minibatch}); πold is the policy that sampled them`;
  // The schedule counts RL steps (the runtime sets the rate once per step), so say so whenever it varies.
  const schedule =
    o.schedule === 'constant' && o.warmup === 0
      ? 'constant'
      : o.schedule === 'constant'
        ? `constant after ${o.warmup} warmup RL steps, one rate per RL step`
        : `${o.schedule} schedule over ${c.train.steps} RL steps${o.warmup ? `, the first ${o.warmup} a linear warmup` : ''}, one rate per RL step`;
  const lines = [
    `Each step samples ${a.prompts_per_step} prompts × ${a.group} responses = ${a.rollouts_per_step} rollouts (${sampling})${filter}.`,
    '',
    ...section('reward', [`r_i = ${c.reward.text}${c.reward.text === c.reward.name ? '' : `   (${c.reward.name})`}`]),
    ...section('advantage', advantageLines(a)),
    ...section('surrogate', surrogateLines(a)),
    ...section('KL', klLines(a)),
    ...section('entropy', a.entropy > 0 ? [`H_i,t = entropy of πθ(· | x, y_i,<t), bonus c = ${n(a.entropy)}`] : ['no entropy bonus (entropy = 0)']),
    ...section('loss', lossLine(a, term)),
    ...section('updates', [updates, `each minimises L(θ) with ${o.type} (lr ${n(o.lr)}, ${schedule}; betas (${o.betas.map(n).join(', ')}), eps ${n(o.eps)}, weight decay ${n(o.weight_decay)}, ${o.grad_clip === null ? 'no gradient clipping' : `gradient norm clipped to ${n(o.grad_clip)}`})`]),
  ];
  return lines.join('\n');
}

/** Scalar leaves of a JSON value as `path = value` lines, in the config's own order. */
export function flatten(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    if (value.every(v => v === null || typeof v !== 'object')) return [`${path} = ${JSON.stringify(value)}`];
    return value.flatMap((v, i) => flatten(v, `${path}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return [`${path} = {}`];
    return entries.flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k));
  }
  return [`${path} = ${JSON.stringify(value)}`];
}

/** The whole explanation of one cell: identity, objective, then every resolved value. */
export function explainCell(c: CellConfig, file: string): string {
  const { expr: _expr, filter: _filter, ...reward } = c.reward;
  const config = { ...c, reward };
  const header = [`cell ${c.id}`, `experiment ${c.experiment} (${file}), language ${c.language}, root seed ${c.seed}`];
  return [
    ...header,
    '',
    'Objective',
    c.train.steps === 0 ? `No training (steps = 0): the evals (${c.evals.map(e => e.name).join(', ') || 'none'}) run once, on the starting model.` : explainObjective(c),
    '',
    'Resolved configuration',
    ...flatten(config).filter(l => !/^(id|experiment|language|format) = /.test(l)).map(l => `  ${l}`),
    '',
  ].join('\n');
}
