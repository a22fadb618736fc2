// The cell config writes the arithmetic world and its corpora in the spec's words (snake_case);
// the world module has its own names. These two functions are the one mapping between them, used by the
// checker (to validate with the world's own rules) and by the runtime (to build the world).
import type { FamilyConfig, WorldConfig as RuntimeWorld } from '../world/index.js';
import type { StageConfig, WorldConfig } from '../../ir/cell.js';

export function toRuntimeWorld(w: WorldConfig): RuntimeWorld {
  return { operandCount: w.operands, digits: w.digits, operators: w.operators, maxMul: w.max_mul, trainSize: w.train, testSize: w.test };
}

export function toRuntimeFamily(c: StageConfig['corpus'], name: string): FamilyConfig {
  const s = (x: StageConfig['corpus']['strategies']['code']) => ({ share: x.share, accuracy: x.accuracy, nearMiss: x.near_miss });
  return {
    name,
    strategies: { code: s(c.strategies.code), language: s(c.strategies.language) },
    boxedShare: c.boxed,
    preference: c.preference,
    goodAccuracy: c.good_accuracy,
    badAccuracy: c.bad_accuracy,
  };
}
