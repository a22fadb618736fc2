// Learning-rate schedules as pure functions of the update index (0-based), so a resumed run needs only
// the optimizer's step count to continue on the same curve.

export type LrSchedule =
  | { kind: 'constant'; lr: number; warmupSteps?: number }
  | { kind: 'linear' | 'cosine'; lr: number; warmupSteps?: number; totalSteps: number; minLr?: number };

/** The learning rate of update `step` (0-based): linear warmup from 0, then constant / linear / cosine decay. */
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
