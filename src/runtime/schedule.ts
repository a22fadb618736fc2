// Learning-rate schedules as pure functions of a 0-based step index, so a resumed run continues on the same
// curve from a saved count: SFT indexes by update (the optimizer's step count), GRPO by RL step (the
// trainer's step), so all updates of an RL step share its rate.

export type LrSchedule =
  | { kind: 'constant'; lr: number; warmupSteps?: number }
  | { kind: 'linear' | 'cosine'; lr: number; warmupSteps?: number; totalSteps: number; minLr?: number };

/** The learning rate at `step` (0-based): linear warmup from 0, then constant / linear / cosine decay. */
export function learningRate(s: LrSchedule, step: number): number {
  const warm = s.warmupSteps ?? 0;
  if (step < warm) return (s.lr * (step + 1)) / warm;
  if (s.kind === 'constant') return s.lr;
  const min = s.minLr ?? 0;
  const span = Math.max(1, s.totalSteps - warm);
  const progress = Math.min(1, (step - warm) / span);
  if (s.kind === 'linear') return s.lr + (min - s.lr) * progress;
  return min + 0.5 * (s.lr - min) * (1 + Math.cos(Math.PI * progress));
}
