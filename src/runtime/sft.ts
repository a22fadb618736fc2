// Pretraining / supervised fine-tuning: next-token cross-entropy on a text corpus. An example is either
// a document (every token is a target) or a prompt/response pair whose loss may be restricted to the
// response ("prompt-masked").
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng.js';
import { Adam, type AdamConfig } from './optim.js';
import { assertFinite } from './guards.js';
import { tokenLogprobs } from './logprobs.js';
import type { Policy, TokenBatch } from './policy.js';
import { loadCheckpoint, prefixed, saveCheckpoint, unprefixed } from './checkpoint.js';

export type SftExample = string | { prompt: string; response: string };

export interface SftOptions {
  batchSize: number;
  optimizer: AdamConfig;
  /** Loss on response tokens only (examples with a prompt). Default false. */
  promptMasked?: boolean;
  seed: number | string;
}

export interface SftStepStats {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokens: number;
  seconds: number;
}

/** Inputs, targets and loss mask for a batch of examples (right-padded). */
export function sftBatch(policy: Policy, examples: readonly SftExample[], promptMasked: boolean, rng?: Rng): { batch: TokenBatch; targets: Int32Array; lossMask: Float32Array } {
  const tok = policy.tokenizer;
  const maxLen = policy.contextLength + 1; // inputs are seq[:-1], targets seq[1:]
  const seqs: number[][] = [];
  const firstTarget: number[] = [];
  for (const ex of examples) {
    let seq: number[];
    let first = 0; // index (into targets) of the first token that carries loss
    if (typeof ex === 'string') {
      seq = tok.encode(ex, { bos: true, eos: true });
      if (seq.length > maxLen) {
        // A long document contributes a random window.
        const at = rng ? rng.int(seq.length - maxLen + 1) : 0;
        seq = seq.slice(at, at + maxLen);
      }
    } else {
      const p = tok.encode(ex.prompt, { bos: true });
      seq = [...p, ...tok.encode(ex.response, { eos: true })].slice(0, maxLen);
      if (promptMasked) first = p.length - 1;
    }
    seqs.push(seq);
    firstTarget.push(first);
  }
  const B = seqs.length;
  const T = Math.max(...seqs.map(s => s.length)) - 1;
  const ids = new Int32Array(B * T).fill(tok.pad);
  const mask = new Float32Array(B * T);
  const targets = new Int32Array(B * T).fill(tok.pad);
  const lossMask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length - 1; t++) {
      ids[b * T + t] = s[t]!;
      mask[b * T + t] = 1;
      targets[b * T + t] = s[t + 1]!;
      lossMask[b * T + t] = t >= firstTarget[b]! ? 1 : 0;
    }
  });
  return { batch: { ids, mask, batch: B, length: T }, targets, lossMask };
}

/** Mean cross-entropy (nats per target token) of `examples`. */
export function sftLoss(policy: Policy, examples: readonly SftExample[], promptMasked = false, rng?: Rng): tf.Scalar {
  const { batch, targets, lossMask } = sftBatch(policy, examples, promptMasked, rng);
  return tf.tidy(() => {
    const { logp } = tokenLogprobs(policy, batch, 0, batch.length, targets);
    const m = tf.tensor2d(lossMask, [batch.batch, batch.length]);
    return tf.neg(tf.div(tf.sum(tf.mul(logp, m)), tf.maximum(tf.sum(m), 1))) as tf.Scalar;
  });
}

export class SftTrainer {
  readonly optimizer: Adam;
  private readonly rng: Rng;
  step = 0;

  constructor(
    readonly policy: Policy,
    readonly corpus: readonly SftExample[],
    readonly opts: SftOptions,
  ) {
    if (corpus.length === 0) throw new Error('SftTrainer: empty corpus');
    this.optimizer = new Adam(policy.trainableVariables(), opts.optimizer);
    this.rng = new Rng(opts.seed, 'sft');
  }

  /** One gradient update on a batch drawn (with replacement) from the corpus. */
  trainStep(): SftStepStats {
    const t0 = performance.now();
    const examples = Array.from({ length: this.opts.batchSize }, () => this.corpus[this.rng.int(this.corpus.length)]!);
    const { batch, targets, lossMask } = sftBatch(this.policy, examples, this.opts.promptMasked ?? false, this.rng);
    const step = this.step + 1;
    const vars = this.policy.trainableVariables();
    const tokens = lossMask.reduce((a, b) => a + b, 0);
    const { value, grads } = tf.variableGrads(() => {
      const { logp } = tokenLogprobs(this.policy, batch, 0, batch.length, targets);
      const m = tf.tensor2d(lossMask, [batch.batch, batch.length]);
      return tf.neg(tf.div(tf.sum(tf.mul(logp, m)), Math.max(tokens, 1))) as tf.Scalar;
    }, vars.map(v => v.variable));
    try {
      const loss = assertFinite(value.dataSync()[0]!, step, 'SFT loss');
      const named: tf.NamedTensorMap = {};
      vars.forEach(v => (named[v.name] = grads[v.variable.name]!));
      const { gradNorm, lr } = this.optimizer.apply(named, n => assertFinite(n, step, 'SFT grad norm'));
      this.step = step;
      return { step, loss, gradNorm, lr, tokens, seconds: (performance.now() - t0) / 1000 };
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  saveCheckpoint(dir: string): void {
    const opt = this.optimizer.getState();
    saveCheckpoint(dir, {
      step: this.step,
      tensors: { ...prefixed('model/', this.policy.getWeights()), ...prefixed('optim/', opt.tensors) },
      rng: { sft: this.rng.getState() },
      meta: { kind: 'sft', optimizerStep: opt.step },
    });
  }

  loadCheckpoint(dir: string): void {
    const c = loadCheckpoint(dir);
    if (c.meta.kind !== 'sft') throw new Error(`checkpoint ${dir} is a ${String(c.meta.kind)} checkpoint, not an SFT one`);
    this.policy.setWeights(unprefixed('model/', c.tensors));
    this.optimizer.setState({ step: Number(c.meta.optimizerStep), tensors: unprefixed('optim/', c.tensors) });
    this.rng.setState(c.rng.sft!);
    this.step = c.step;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Runs `steps` SFT updates; returns the per-step stats. */
export function sft(policy: Policy, corpus: readonly SftExample[], opts: SftOptions & { steps: number; onStep?: (s: SftStepStats) => void }): SftStepStats[] {
  const trainer = new SftTrainer(policy, corpus, opts);
  try {
    const out: SftStepStats[] = [];
    for (let i = 0; i < opts.steps; i++) {
      const s = trainer.trainStep();
      opts.onStep?.(s);
      out.push(s);
    }
    return out;
  } finally {
    trainer.dispose();
  }
}
