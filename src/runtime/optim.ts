// Adam / AdamW with global grad-norm clipping, the PyTorch semantics: bias-corrected moments,
// eps added to √v̂, L2 weight decay folded into the gradient for Adam, decoupled (p ← p − lr·wd·p) for AdamW,
// clip coefficient max_norm / (norm + 1e-6) applied only when it is below 1.
import * as tf from '@tensorflow/tfjs';
import { learningRate, type LrSchedule } from './schedule.js';
import type { WeightMap } from './policy.js';
import { fusedAdam, fusedKernels } from './native-kernels.js';

export interface AdamConfig {
  schedule: LrSchedule;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** true: AdamW (decoupled decay); false: Adam with L2 decay in the gradient. Default true. */
  decoupled?: boolean;
  /** Global grad-norm clip; 0 or undefined = off. */
  maxGradNorm?: number;
}

export interface UpdateResult {
  /** Global norm of the gradients before clipping. */
  gradNorm: number;
  lr: number;
}

export class Adam {
  readonly config: Required<AdamConfig>;
  private readonly params: Array<{ name: string; variable: tf.Variable }>;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  /** Updates applied so far. */
  step = 0;

  constructor(params: Array<{ name: string; variable: tf.Variable }>, config: AdamConfig) {
    this.config = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true, maxGradNorm: 0, ...config };
    this.params = params;
    this.m = params.map(p => tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
    this.v = params.map(p => tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
  }

  /** Global L2 norm of `grads` (one number; a single download). */
  static globalNorm(grads: tf.Tensor[]): number {
    return tf.tidy(() => tf.sqrt(tf.addN(grads.map(g => tf.sum(tf.square(g))))).dataSync()[0]!);
  }

  /**
   * Clips and applies `grads` (by parameter name). `check` runs on the grad norm before anything changes,
   * so a guard can refuse a non-finite update. `lrOverride` replaces the schedule's rate for this update (GRPO
   * schedules by RL step, not by update; see grpo/trainer.ts).
   */
  apply(grads: tf.NamedTensorMap, check?: (gradNorm: number) => void, lrOverride?: number): UpdateResult {
    const gs = this.params.map(p => {
      const g = grads[p.name];
      if (!g) throw new Error(`Adam: no gradient for parameter '${p.name}'`);
      return g;
    });
    const gradNorm = Adam.globalNorm(gs);
    check?.(gradNorm);
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, decoupled, maxGradNorm } = this.config;
    const lr = lrOverride ?? learningRate(this.config.schedule, this.step);
    this.step++;
    const t = this.step;
    const clip = maxGradNorm > 0 ? Math.min(1, maxGradNorm / (gradNorm + 1e-6)) : 1;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    if (fusedKernels()) {
      // One native kernel per parameter, the same operations as below (native-kernels.ts fusedAdam).
      const mode = wd > 0 ? (decoupled ? 2 : 1) : 0;
      tf.tidy(() => {
        this.params.forEach((p, i) => {
          const [np, nm, nv] = fusedAdam(p.variable, this.m[i]!, this.v[i]!, gs[i]!, { clip, b1, b2, c1, c2, eps, lr, wd, mode });
          this.m[i]!.assign(nm);
          this.v[i]!.assign(nv);
          p.variable.assign(np);
        });
      });
      return { gradNorm, lr };
    }
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        let g: tf.Tensor = clip < 1 ? tf.mul(gs[i]!, clip) : gs[i]!;
        if (wd > 0 && !decoupled) g = tf.add(g, tf.mul(p.variable, wd));
        const m = tf.add(tf.mul(this.m[i]!, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i]!, b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        let update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        if (wd > 0 && decoupled) update = tf.add(update, tf.mul(p.variable, wd));
        p.variable.assign(tf.sub(p.variable, tf.mul(update, lr)));
      });
    });
    return { gradNorm, lr };
  }

  /** Moments by 'm/<param>' and 'v/<param>', plus the step count. */
  getState(): { step: number; tensors: WeightMap } {
    const tensors: WeightMap = {};
    this.params.forEach((p, i) => {
      tensors[`m/${p.name}`] = { shape: p.variable.shape.slice(), data: this.m[i]!.dataSync() as Float32Array };
      tensors[`v/${p.name}`] = { shape: p.variable.shape.slice(), data: this.v[i]!.dataSync() as Float32Array };
    });
    return { step: this.step, tensors };
  }

  setState(state: { step: number; tensors: WeightMap }): void {
    this.params.forEach((p, i) => {
      for (const [key, target] of [[`m/${p.name}`, this.m[i]!], [`v/${p.name}`, this.v[i]!]] as const) {
        const w = state.tensors[key];
        if (!w) throw new Error(`Adam.setState: missing optimizer tensor '${key}'`);
        if (w.data.length !== target.size) throw new Error(`Adam.setState: '${key}' has ${w.data.length} values, expected ${target.size}`);
        tf.tidy(() => target.assign(tf.tensor(w.data, target.shape, 'float32')));
      }
    });
    this.step = state.step;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
