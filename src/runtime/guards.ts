// NaN/Inf guards: training stops with an error that names the step and the quantity, before the bad
// numbers reach the weights, so the last checkpoint written stays the last good one.

export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly quantity: string,
    readonly value: number,
    where = '',
  ) {
    super(`non-finite ${quantity} (${value}) at step ${step}${where}; the update was not applied, the last checkpoint written is the last good one`);
    this.name = 'NonFiniteError';
  }
}

export function assertFinite(value: number, step: number, quantity: string, where = ''): number {
  if (!Number.isFinite(value)) throw new NonFiniteError(step, quantity, value, where);
  return value;
}
