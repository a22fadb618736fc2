// One GRPO-family step: sample a group of completions per prompt, score them with the caller's reward,
// turn rewards into advantages, then take epochs × prompts×group/minibatch gradient updates on the clipped
// surrogate (`epochs` passes over the rollouts, each in its own shuffled order). The learning rate is a
// function of the RL step (verl's unit): every update of a step uses that step's rate. The loss itself
// lives in loss.ts.
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../rng.js';
import { Adam, type AdamConfig } from '../optim.js';
import { learningRate } from '../schedule.js';
import { assertFinite, NonFiniteError } from '../guards.js';
import { tokenLogprobs } from '../logprobs.js';
import { sample, type Sample, type SampleOptions } from '../sampler.js';
import type { Policy, TokenBatch } from '../policy.js';
import { loadCheckpoint, prefixed, saveCheckpoint, unprefixed } from '../checkpoint.js';
import { groupAdvantages, whitenOverTokens, type AdvantageMode } from './advantages.js';
import { ClassAccumulator, type ClassStats, type TokenClass } from './token-classes.js';
import { grpoLoss, type Aggregation, type KlEstimator } from './loss.js';

/** A training item: at least a prompt; anything else is passed to the reward function untouched. */
export interface Item {
  prompt: string;
}
export type RewardFn<I extends Item = Item> = (sample: Sample, item: I) => number;

export interface GrpoConfig {
  /** Samples per prompt (G). */
  groupSize: number;
  /** Rollouts per gradient update; prompts × groupSize must be a multiple of it. */
  minibatchSize: number;
  /** Passes over each step's rollouts (default 1); πold stays the sampling policy throughout. */
  epochs?: number;
  sampling: Omit<SampleOptions, 'rng'>;
  /** Symmetric ε, {low, high}, or null for the unclipped ratio·A surrogate. */
  clip: number | { low: number; high: number } | null;
  klCoef: number;
  klEstimator: KlEstimator;
  entropyCoef: number;
  advantage: AdvantageMode;
  /** ε of group_norm's (r − mean) / (std + ε); default 1e-9. */
  advantageEpsilon?: number;
  /** Re-normalise advantages over all response tokens of the rollout batch (OpenRLHF). */
  whitenBatch: boolean;
  aggregation: Aggregation;
  /** L of seq_mean_token_sum_norm; default sampling.maxNewTokens. */
  lengthNorm?: number;
  /** Rows per micro-batch of micro_token_mean (default 1). */
  microBatch?: number;
  /** Its schedule counts RL steps (trainStep calls), not updates: warmupSteps and totalSteps are RL steps. */
  optimizer: AdamConfig;
  seed: number | string;
  /** 1 for each response token (EOS included) that decides the strategy, else 0; absent: no per-class stats. */
  tokenClasses?: (sample: Sample) => ArrayLike<number>;
}

export interface StepStats {
  step: number;
  rewardMean: number;
  /** Population std over all rollouts of the step (the group std inside group_norm is the unbiased one). */
  rewardStd: number;
  advantageMean: number;
  advantageStd: number;
  advantageMin: number;
  advantageMax: number;
  /** Means over the step's updates (all epochs). */
  loss: number;
  clipFracLow: number;
  clipFracHigh: number;
  /** k3 estimate of KL(policy ‖ sampling policy), token mean. */
  approxKl: number;
  /** KL to the reference with the configured estimator (0 when klCoef = 0). */
  refKl: number;
  entropy: number;
  gradNorm: number;
  lr: number;
  responseLengthMean: number;
  updates: number;
  /** Wall time of sampling, of the reward calls (and advantages), and of the reference pass + updates. */
  sampleSeconds: number;
  rewardSeconds: number;
  updateSeconds: number;
  /** Clip shares, entropy and sampled-token probability per token class, over all the step's updates
   *  (token-weighted); present when the config has tokenClasses. */
  byClass?: Record<TokenClass, ClassStats>;
}

const meanOf = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const popStd = (xs: readonly number[]) => {
  const m = meanOf(xs);
  return Math.sqrt(meanOf(xs.map(x => (x - m) ** 2)));
};

interface Rollouts {
  batch: TokenBatch;
  promptWidth: number;
  width: number;
  targets: Int32Array;
  mask: Float32Array;
  oldLogp: Float32Array;
  adv: Float32Array;
  /** 1 where tokenClasses marks a strategy token (only with tokenClasses). */
  cls?: Float32Array;
}

export class GrpoTrainer<I extends Item = Item> {
  readonly optimizer: Adam;
  readonly config: GrpoConfig;
  /** Frozen copy of the initial policy; exists only when klCoef > 0. */
  readonly reference: Policy | null;
  private readonly rng: Rng;
  step = 0;
  /** Where the last checkpoint was written (quoted by the NaN guard). */
  lastCheckpoint: string | null = null;

  constructor(
    readonly policy: Policy,
    config: GrpoConfig,
  ) {
    this.config = config;
    const { groupSize: G, minibatchSize: M } = config;
    if (!(G >= 1 && M >= 1)) throw new Error('GrpoTrainer: groupSize and minibatchSize must be ≥ 1');
    const E = config.epochs ?? 1;
    if (!(Number.isInteger(E) && E >= 1)) throw new Error(`GrpoTrainer: epochs must be a whole number ≥ 1, got ${E}`);
    if (config.advantage === 'group_norm' && G < 2) throw new Error('GrpoTrainer: group_norm needs groupSize ≥ 2 (std of one sample)');
    this.optimizer = new Adam(policy.trainableVariables(), config.optimizer);
    this.reference = config.klCoef > 0 ? policy.clone() : null;
    this.rng = new Rng(config.seed, 'grpo');
  }

  private clipRange(): { low: number; high: number } | null {
    const c = this.config.clip;
    return c === null ? null : typeof c === 'number' ? { low: c, high: c } : c;
  }

  /** Samples groupSize completions per item (group by group). */
  rollout(items: readonly I[]): Sample[] {
    const prompts = items.flatMap(it => Array<string>(this.config.groupSize).fill(it.prompt));
    return sample(this.policy, prompts, { ...this.config.sampling, rng: this.rng.fork('sample') });
  }

  private buildRollouts(samples: Sample[], advantages: number[]): Rollouts {
    const tok = this.policy.tokenizer;
    const N = samples.length;
    const P = Math.max(...samples.map(s => s.promptTokens.length));
    const W = Math.max(1, ...samples.map(s => s.tokens.length));
    // Row = left-padded prompt + response[:-1] (the last token is only a target), as the sampler saw it.
    const L = P + W - 1;
    const ids = new Int32Array(N * L).fill(tok.pad);
    const inMask = new Float32Array(N * L);
    const targets = new Int32Array(N * W).fill(tok.pad);
    const mask = new Float32Array(N * W);
    const oldLogp = new Float32Array(N * W);
    const adv = new Float32Array(N * W);
    const cls = this.config.tokenClasses ? new Float32Array(N * W) : undefined;
    samples.forEach((s, n) => {
      if (cls) {
        const c = this.config.tokenClasses!(s);
        for (let j = 0; j < s.tokens.length; j++) cls[n * W + j] = c[j] === 1 ? 1 : 0;
      }
      const p = s.promptTokens;
      for (let i = 0; i < p.length; i++) {
        ids[n * L + P - p.length + i] = p[i]!;
        inMask[n * L + P - p.length + i] = 1;
      }
      s.tokens.forEach((t, j) => {
        if (j < W - 1) {
          ids[n * L + P + j] = t;
          inMask[n * L + P + j] = 1;
        }
        targets[n * W + j] = t;
        mask[n * W + j] = 1;
        oldLogp[n * W + j] = s.logprobs[j]!;
        adv[n * W + j] = advantages[n]!;
      });
    });
    return { batch: { ids, mask: inMask, batch: N, length: L }, promptWidth: P, width: W, targets, mask, oldLogp, adv, ...(cls ? { cls } : {}) };
  }

  /** Rows `rows` of the rollouts as a minibatch. */
  private slice(r: Rollouts, rows: number[]): Rollouts {
    const { length: L } = r.batch;
    const W = r.width;
    const pick = <A extends Int32Array | Float32Array>(src: A, w: number): A => {
      const out = new (src.constructor as new (n: number) => A)(rows.length * w);
      rows.forEach((row, i) => out.set(src.subarray(row * w, (row + 1) * w), i * w));
      return out;
    };
    return {
      batch: { ids: pick(r.batch.ids, L), mask: pick(r.batch.mask, L), batch: rows.length, length: L },
      promptWidth: r.promptWidth,
      width: W,
      targets: pick(r.targets, W),
      mask: pick(r.mask, W),
      oldLogp: pick(r.oldLogp, W),
      adv: pick(r.adv, W),
      ...(r.cls ? { cls: pick(r.cls, W) } : {}),
    };
  }

  private logprobsOf(policy: Policy, r: Rollouts, entropy: boolean) {
    return tokenLogprobs(policy, r.batch, r.promptWidth - 1, r.width, r.targets, { temperature: this.samplingTemperature(), entropy });
  }

  private samplingTemperature(): number {
    const s = this.config.sampling;
    return s.greedy || s.temperature === 0 ? 1 : s.temperature ?? 1;
  }

  /** One RL step on `items` (the prompts of this step). */
  trainStep(items: readonly I[], reward: RewardFn<I>): StepStats {
    const c = this.config;
    const step = this.step + 1;
    const N = items.length * c.groupSize;
    if (N === 0 || N % c.minibatchSize !== 0) throw new Error(`GrpoTrainer: ${items.length} prompts × group ${c.groupSize} = ${N} rollouts, not a positive multiple of minibatchSize ${c.minibatchSize}`);
    const t0 = performance.now();
    const samples = this.rollout(items);
    const tSampled = performance.now();
    const rewards = samples.map((s, i) => {
      const item = items[Math.floor(i / c.groupSize)]!;
      return assertFinite(reward(s, item), step, 'reward', ` (rollout ${i}, prompt ${JSON.stringify(item.prompt)})`);
    });
    let adv = groupAdvantages(rewards, c.groupSize, c.advantage, c.advantageEpsilon);
    if (c.whitenBatch) adv = whitenOverTokens(adv, samples.map(s => s.tokens.length));
    const t1 = performance.now();

    const all = this.buildRollouts(samples, adv);
    // One fork per step, as before epochs existed; later epochs continue its stream, so epochs = 1 draws
    // exactly what it always drew and the trainer's own stream is the same for every epochs.
    const shuffle = this.rng.fork('shuffle');
    const epochs = c.epochs ?? 1;
    const perEpoch = N / c.minibatchSize;
    const orders = Array.from({ length: epochs }, () => shuffle.shuffle(Array.from({ length: N }, (_, i) => i)));
    // The schedule's index is the RL step (0-based), so the rate is the same for all of this step's updates.
    const stepLr = learningRate(c.optimizer.schedule, this.step);
    const W = all.width;
    const refLogp = this.reference ? this.referenceLogprobs(all) : null;
    const lossCfg = { clip: this.clipRange(), klCoef: c.klCoef, klEstimator: c.klEstimator, entropyCoef: c.entropyCoef, aggregation: c.aggregation, lengthNorm: c.lengthNorm ?? c.sampling.maxNewTokens, microBatch: c.microBatch ?? 1 };
    const vars = this.policy.trainableVariables();
    const per: number[][] = [];
    const classes = all.cls ? { strategy: new ClassAccumulator(), other: new ClassAccumulator() } : null;
    let lr = 0;
    for (let u = 0; u < epochs * perEpoch; u++) {
      const order = orders[Math.floor(u / perEpoch)]!;
      const k = u % perEpoch;
      const rows = order.slice(k * c.minibatchSize, (k + 1) * c.minibatchSize);
      const mb = this.slice(all, rows);
      const B = rows.length;
      let stats: tf.Tensor1D | null = null;
      let perToken: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const { logp, entropy } = this.logprobsOf(this.policy, mb, true);
        if (classes) perToken = tf.keep(tf.stack([logp, entropy!]));
        const ref = refLogp ? tf.tensor2d(this.pickRows(refLogp, rows, W), [B, W]) : undefined;
        const out = grpoLoss(
          { logp, oldLogp: tf.tensor2d(mb.oldLogp, [B, W]), advantages: tf.tensor2d(mb.adv, [B, W]), mask: tf.tensor2d(mb.mask, [B, W]), refLogp: ref, entropy },
          lossCfg,
        );
        const s = out.stats;
        stats = tf.keep(tf.stack([s.clipLow, s.clipHigh, s.approxKl, s.refKl, s.entropy]) as tf.Tensor1D);
        return out.loss;
      }, vars.map(v => v.variable));
      try {
        const where = ` (update ${u + 1} of ${epochs * perEpoch})`;
        const loss = value.dataSync()[0]!;
        const st = Array.from((stats as unknown as tf.Tensor1D).dataSync());
        assertFinite(loss, step, 'loss', where + this.checkpointNote());
        const named: tf.NamedTensorMap = {};
        vars.forEach(v => (named[v.name] = grads[v.variable.name]!));
        const upd = this.optimizer.apply(named, n => assertFinite(n, step, 'grad norm', where + this.checkpointNote()), stepLr);
        lr = upd.lr;
        per.push([loss, ...st, upd.gradNorm]);
        if (classes && perToken) {
          // The log-probs the loss saw (before this update), as grpoLoss's clip indicators use them.
          const both = (perToken as tf.Tensor).dataSync();
          const n = B * W;
          const base = { logp: both.subarray(0, n), entropy: both.subarray(n, 2 * n), oldLogp: mb.oldLogp, adv: mb.adv, mask: mb.mask, clip: lossCfg.clip };
          classes.strategy.add({ ...base, member: mb.cls! });
          classes.other.add({ ...base, member: mb.cls!.map(x => 1 - x) });
        }
      } finally {
        tf.dispose([value, ...Object.values(grads), ...(stats ? [stats] : []), ...(perToken ? [perToken as tf.Tensor] : [])]);
      }
    }
    this.step = step;
    const t2 = performance.now();
    const col = (k: number) => meanOf(per.map(p => p[k]!));
    return {
      step,
      rewardMean: meanOf(rewards),
      rewardStd: popStd(rewards),
      advantageMean: meanOf(adv),
      advantageStd: popStd(adv),
      advantageMin: Math.min(...adv),
      advantageMax: Math.max(...adv),
      loss: col(0),
      clipFracLow: col(1),
      clipFracHigh: col(2),
      approxKl: col(3),
      refKl: col(4),
      entropy: col(5),
      gradNorm: col(6),
      lr,
      responseLengthMean: meanOf(samples.map(s => s.tokens.length)),
      updates: per.length,
      sampleSeconds: (tSampled - t0) / 1000,
      rewardSeconds: (t1 - tSampled) / 1000,
      updateSeconds: (t2 - t1) / 1000,
      ...(classes ? { byClass: { strategy: classes.strategy.finish(), other: classes.other.finish() } } : {}),
    };
  }

  private checkpointNote(): string {
    return this.lastCheckpoint ? ` (last checkpoint: ${this.lastCheckpoint})` : '';
  }

  private pickRows(src: Float32Array, rows: number[], w: number): Float32Array {
    const out = new Float32Array(rows.length * w);
    rows.forEach((r, i) => out.set(src.subarray(r * w, (r + 1) * w), i * w));
    return out;
  }

  /** Reference log-probs of every rollout, computed once per step in minibatch-sized chunks. */
  private referenceLogprobs(all: Rollouts): Float32Array {
    const N = all.batch.batch;
    const W = all.width;
    const out = new Float32Array(N * W);
    for (let s = 0; s < N; s += this.config.minibatchSize) {
      const rows = Array.from({ length: Math.min(this.config.minibatchSize, N - s) }, (_, i) => s + i);
      const mb = this.slice(all, rows);
      const lp = tf.tidy(() => this.logprobsOf(this.reference!, mb, false).logp);
      out.set(lp.dataSync(), s * W);
      lp.dispose();
    }
    return out;
  }

  /** Weights, optimizer moments, RNG state and step, atomically (see checkpoint.ts). */
  saveCheckpoint(dir: string, extraRng: Record<string, RngState> = {}): void {
    const opt = this.optimizer.getState();
    const tensors = { ...prefixed('model/', this.policy.getWeights()), ...prefixed('optim/', opt.tensors) };
    if (this.reference) Object.assign(tensors, prefixed('reference/', this.reference.getWeights()));
    saveCheckpoint(dir, { step: this.step, tensors, rng: { ...extraRng, grpo: this.rng.getState() }, meta: { kind: 'grpo', optimizerStep: opt.step } });
    this.lastCheckpoint = dir;
  }

  /** Restores a checkpoint written by saveCheckpoint; returns its RNG states (the caller's own included). */
  loadCheckpoint(dir: string): Record<string, RngState> {
    const c = loadCheckpoint(dir);
    if (c.meta.kind !== 'grpo') throw new Error(`checkpoint ${dir} is a ${String(c.meta.kind)} checkpoint, not a GRPO one`);
    this.policy.setWeights(unprefixed('model/', c.tensors));
    if (this.reference) this.reference.setWeights(unprefixed('reference/', c.tensors));
    this.optimizer.setState({ step: Number(c.meta.optimizerStep), tensors: unprefixed('optim/', c.tensors) });
    this.rng.setState(c.rng.grpo!);
    this.step = c.step;
    this.lastCheckpoint = dir;
    return c.rng;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.reference?.dispose();
  }
}

export { NonFiniteError };
