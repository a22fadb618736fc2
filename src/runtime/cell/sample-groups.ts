// Sampling `perPrompt` responses for each of many prompts, in sampler calls of bounded size (the KV cache
// of one call holds every sequence of it). Evaluations and online (TTRL) majority labels sample this way;
// cached majority labels sample each prompt in a call of its own (labels.ts).
import type { Policy } from '../policy.js';
import { sample, type Sample, type SampleOptions } from '../sampler.js';

/** Sequences per sampler call: bounds the KV cache's memory. */
export const MAX_SEQUENCES = 512;

/**
 * One sampler call per chunk of prompts; yields the chunk's first index and, for each of its prompts, the
 * prompt's `perPrompt` samples. `rngFor(first, count)` gives each call its random stream.
 */
export function* sampleGroups(
  policy: Policy,
  prompts: readonly string[],
  perPrompt: number,
  opts: Omit<SampleOptions, 'rng'> & { rngFor: (first: number, count: number) => SampleOptions['rng'] },
): Generator<{ first: number; groups: Sample[][] }> {
  const { rngFor, ...sampleOpts } = opts;
  const perCall = Math.max(1, Math.floor(MAX_SEQUENCES / perPrompt));
  for (let first = 0; first < prompts.length; first += perCall) {
    const part = prompts.slice(first, first + perCall);
    const samples = sample(policy, part.flatMap(p => Array<string>(perPrompt).fill(p)), { ...sampleOpts, rng: rngFor(first, part.length) });
    yield { first, groups: part.map((_, j) => samples.slice(j * perPrompt, (j + 1) * perPrompt)) };
  }
}
