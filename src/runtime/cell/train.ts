// GRPO for one cell: the trainer built from the cell's algorithm and optimizer, resumed from the run
// layer's latest checkpoint when there is one, and checkpointed with every random stream it uses
// (the trainer's own and the reward's), so a resumed run continues with identical numbers.
import type { AlgorithmConfig, CellConfig, OptimizerConfig } from '../../ir/cell.js';
import type { CellItem } from './data.js';
import type { Session } from './session.js';
import type { BuiltModel } from './model.js';
import type { Sample } from '../sampler.js';
import { responseText } from './prompts.js';
import type { Rng } from '../rng.js';
import type { AdamConfig } from '../optim.js';
import type { LrSchedule } from '../schedule.js';
import { GrpoTrainer, type GrpoConfig, type StepStats } from '../grpo/trainer.js';
import { strategyPositions, TOKEN_CLASSES } from '../grpo/token-classes.js';
import type { StepRecord } from '../run/types.js';

/** One response as rewards read it: the text (forced prefix included) and how to extract its answer. */
export interface CellResponse {
  text: string;
  /** Extract the answer from the text after the last `<answer>` only (the prompt's r1_style). */
  r1Style: boolean;
}

/** A compiled reward: a number for one sampled response to one item. */
export type CellReward = (response: CellResponse, item: CellItem, rng: Rng) => number;

/** `totalSteps`: the schedule's length in RL steps (train.steps); warmup is in RL steps too (see GrpoConfig). */
export function adamConfigOf(o: OptimizerConfig, totalSteps: number): AdamConfig {
  const schedule: LrSchedule = o.schedule === 'constant'
    ? { kind: 'constant', lr: o.lr, warmupSteps: o.warmup }
    : { kind: o.schedule, lr: o.lr, warmupSteps: o.warmup, totalSteps };
  return {
    schedule,
    beta1: o.betas[0],
    beta2: o.betas[1],
    eps: o.eps,
    weightDecay: o.weight_decay,
    decoupled: o.type === 'adamw',
    maxGradNorm: o.grad_clip ?? 0,
  };
}

/** `promptStop`: the prompt's own stop strings, which add to the algorithm's. */
export function grpoConfigOf(a: AlgorithmConfig, o: OptimizerConfig, steps: number, seed: number, promptStop: readonly string[] = []): GrpoConfig {
  return {
    groupSize: a.group,
    minibatchSize: a.minibatch,
    epochs: a.epochs,
    sampling: { maxNewTokens: a.max_tokens, temperature: a.temperature, topP: a.top_p, topK: a.top_k ?? 0, stop: [...new Set([...a.stop, ...promptStop])] },
    clip: a.clip,
    klCoef: a.kl,
    klEstimator: a.kl_estimator ?? 'k3',
    entropyCoef: a.entropy,
    advantage: a.advantage,
    advantageEpsilon: a.advantage_epsilon,
    whitenBatch: a.whiten,
    aggregation: a.loss,
    microBatch: a.micro_batch ?? 1,
    optimizer: adamConfigOf(o, steps),
    seed,
  };
}

/** The metrics.jsonl record of a training step (snake_case, as the artifacts are). */
export function stepRecord(s: StepStats): StepRecord {
  return {
    step: s.step,
    reward_mean: s.rewardMean,
    reward_std: s.rewardStd,
    advantage_mean: s.advantageMean,
    advantage_std: s.advantageStd,
    advantage_min: s.advantageMin,
    advantage_max: s.advantageMax,
    loss: s.loss,
    clip_frac_low: s.clipFracLow,
    clip_frac_high: s.clipFracHigh,
    approx_kl: s.approxKl,
    ref_kl: s.refKl,
    entropy: s.entropy,
    grad_norm: s.gradNorm,
    lr: s.lr,
    response_length: s.responseLengthMean,
    updates: s.updates,
    sample_seconds: s.sampleSeconds,
    update_seconds: s.updateSeconds,
    ...(s.byClass ? classRecord(s.byClass) : {}),
  };
}

/** strategy_clip_frac_low, …, other_mean_prob: the per-token-class statistics of a step. */
function classRecord(byClass: NonNullable<StepStats['byClass']>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of TOKEN_CLASSES) {
    const x = byClass[c];
    out[`${c}_tokens`] = x.tokens;
    out[`${c}_clip_frac_low`] = x.clipFracLow;
    out[`${c}_clip_frac_high`] = x.clipFracHigh;
    out[`${c}_entropy`] = x.entropy;
    out[`${c}_mean_prob`] = x.meanProb;
  }
  return out;
}

/**
 * Which response tokens decide the strategy, for world-version-2 cells: their transformers read characters,
 * so token j is character j of the response (the EOS after it is 'other'). Other cells log no classes, so
 * their artifacts are what they were.
 */
export function tokenClassesOf(cell: CellConfig): GrpoConfig['tokenClasses'] {
  if (cell.model.source !== 'transformer' || cell.data.source !== 'arithmetic' || cell.data.world.version !== 2) return undefined;
  return s => strategyPositions(s.text).map(b => (b ? 1 : 0));
}

export class CellTrainer {
  readonly trainer: GrpoTrainer<CellItem>;
  private readonly rewardRng: Rng;

  constructor(built: BuiltModel, private readonly cell: CellConfig, private readonly session: Session, private readonly reward: CellReward) {
    const classes = tokenClassesOf(cell);
    this.trainer = new GrpoTrainer<CellItem>(built.policy, {
      ...grpoConfigOf(cell.algorithm, cell.optimizer, cell.train.steps, session.seed('grpo'), cell.prompt.stop),
      ...(classes ? { tokenClasses: classes } : {}),
    });
    this.rewardRng = session.rng('reward');
    const resume = session.ctx.resume;
    if (resume) {
      const rngs = this.trainer.loadCheckpoint(resume.path);
      if (rngs.reward) this.rewardRng.setState(rngs.reward);
      session.ctx.log(`resumed from ${resume.path} (step ${resume.step})`);
    }
  }

  /** Steps already done (0, or the resumed checkpoint's step). */
  get step(): number {
    return this.trainer.step;
  }

  trainStep(items: CellItem[]): StepStats {
    const prompt = this.cell.prompt;
    const response = (s: Sample): CellResponse => ({ text: responseText(prompt, s.text), r1Style: prompt.r1_style === true });
    return this.trainer.trainStep(items, (s, it) => this.reward(response(s), it, this.rewardRng));
  }

  /** Writes the state after the current step where the run layer wants it. */
  checkpoint(): void {
    const step = this.trainer.step;
    this.trainer.saveCheckpoint(this.session.ctx.checkpointPath(step), { reward: this.rewardRng.getState() });
    this.session.ctx.checkpointSaved(step);
  }

  /** Whether the state after `step` should be checkpointed. */
  checkpointDue(step: number): boolean {
    const every = this.cell.train.checkpoint_every;
    return step === this.cell.train.steps || (every > 0 && step % every === 0);
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
