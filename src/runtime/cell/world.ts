// The cell config writes the arithmetic world and its corpora in the spec's words (snake_case);
// the world module has its own names. These two functions are the one mapping between them, used by the
// checker (to validate with the world's own rules) and by the runtime (to build the world).
import { maxLengths, type FamilyConfig, type WorldConfig as RuntimeWorld } from '../world/index.js';
import type { ModelConfig, StageConfig, WorldConfig } from '../../ir/cell.js';

export function toRuntimeWorld(w: WorldConfig): RuntimeWorld {
  return { operandCount: w.operands, digits: w.digits, operators: w.operators, maxMul: w.max_mul, trainSize: w.train, testSize: w.test, ...(w.version !== undefined ? { version: w.version } : {}) };
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

/** BOS before the question and EOS after the response. */
export const SPECIAL_TOKENS = 2;

/**
 * The longest question, response and whole sequence of `world` under the corpora of the model's stages;
 * undefined when the world or a corpus is invalid (the checker reports that where it was written). One
 * definition for the checker's context rules and --set's re-check of them.
 */
export function worldLengths(world: WorldConfig, model: ModelConfig & { source: 'transformer' }): ReturnType<typeof maxLengths> | undefined {
  try {
    return maxLengths(toRuntimeWorld(world), model.stages.map(s => toRuntimeFamily(s.corpus, s.name ?? s.stage)));
  } catch {
    return undefined;
  }
}
