// Majority-vote labels (the paper's "majority vote" and "incorrect label" rewards): the policy's own most
// frequent extracted answer over N samples at temperature T. By default computed once per prompt from the
// model the cell starts with, and cached beside the pretrained models. With `online` (TTRL, test-time RL)
// they are recomputed from the current policy before every step, for that step's prompts only, and never
// cached.
//
// Issue 16: a cached label is a pure function of its key and the prompt's id. The key is everything that
// decides it (the model config, which holds its seed, the data, N and T, max_tokens, stop strings, the
// prompt, the numerics); each prompt's N samples come from one sampler call of its own (N copies of the
// prompt: no padding or other prompts in the batch to change its float results) with a stream seeded by
// (key, prompt id) alone. So a label does not depend on the cell's seed, its data order, how its prompts
// were chunked, which labels were already cached, or which of several concurrent cells computed it; the
// file is merged under the cache's lock (cache.ts), so no label is lost to a concurrent writer either.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellConfig } from '../../ir/cell.js';
import type { CellItem } from './data.js';
import { letSignalsThrough, type Session } from './session.js';
import type { BuiltModel } from './model.js';
import type { MajoritySpec } from './reward-tree.js';
import { numericsKey } from '../numerics.js';
import { Rng } from '../rng.js';
import { sample } from '../sampler.js';
import { sampleGroups } from './sample-groups.js';
import { responseText } from './prompts.js';
import { majorityLabel } from '../../grader/index.js';
import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { acquireCacheLock } from './cache.js';

/** Bumped whenever the labels of a key change (2: seeded per prompt by the key, issue 16). */
export const LABELS_VERSION = 2;

type LabelFile = Record<string, string | null>;

/** The cache key of the offline labels: everything a label depends on besides the prompt. */
export function labelKey(spec: MajoritySpec, cell: CellConfig, session: Pick<Session, 'backend'>): string {
  const { samples, temperature } = spec;
  return sha256Hex(canonicalJson({
    v: LABELS_VERSION, model: cell.model, data: cell.data, spec: { samples, temperature }, max_tokens: cell.algorithm.max_tokens,
    stop: cell.algorithm.stop, prompt: cell.prompt, backend: numericsKey(session.backend),
  })).slice(0, 32);
}

function stopStrings(cell: CellConfig): string[] {
  return [...new Set([...cell.algorithm.stop, ...cell.prompt.stop])];
}

/** The majority label of one prompt: N samples in a call of their own, from the stream of (key, id). */
export function promptLabel(item: Pick<CellItem, 'id' | 'prompt'>, key: string, spec: MajoritySpec, built: BuiltModel, cell: CellConfig): string | null {
  const samples = sample(built.policy, Array<string>(spec.samples).fill(item.prompt), {
    maxNewTokens: cell.algorithm.max_tokens,
    temperature: spec.temperature,
    stop: stopStrings(cell),
    rng: new Rng(`majority-labels/${key}`, item.id),
  });
  return majorityLabel(samples.map(s => responseText(cell.prompt, s.text))).answer;
}

function readLabels(file: string): LabelFile {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LabelFile) : {};
}

/** Sets `majority_label` on every item, sampling only for items not in the cache. */
export async function majorityLabels(items: CellItem[], spec: MajoritySpec, built: BuiltModel, cell: CellConfig, session: Session): Promise<void> {
  const key = labelKey(spec, cell, session);
  session.ctx.recordSeed('majority-labels', key);
  const root = join(session.cacheDir, 'labels');
  const file = join(root, `${key}.json`);
  const cache = readLabels(file);
  const todo = [...new Map(items.filter(it => !(it.id in cache)).map(it => [it.id, it])).values()];
  const started = performance.now();
  const fresh: LabelFile = {};
  for (let i = 0; i < todo.length; i++) {
    fresh[todo[i]!.id] = promptLabel(todo[i]!, key, spec, built, cell);
    if (i % 8 === 7) {
      await letSignalsThrough();
      session.ctx.throwIfStopped();
    }
  }
  if (todo.length > 0) {
    mkdirSync(root, { recursive: true });
    // Merge under the lock: a concurrent cell may have added labels meanwhile (the same ones, where both
    // computed a prompt: a label is a function of its key and id, which this checks).
    const unlock = (await acquireCacheLock(root, key, () => false, holder => session.ctx.log(`majority labels: waiting for the label cache: ${holder}`)))!;
    try {
      const merged = readLabels(file);
      for (const [id, label] of Object.entries(fresh)) {
        if (id in merged && merged[id] !== label)
          throw new Error(`majority labels: the cache ${file} holds ${JSON.stringify(merged[id])} for ${id}, this run computed ${JSON.stringify(label)}: the labels of one key differ between runs`);
        merged[id] = label;
      }
      writeFileAtomic(file, canonicalJson(merged));
    } finally {
      unlock();
    }
    session.ctx.log(`majority labels: ${todo.length} prompt(s) × ${spec.samples} samples at temperature ${spec.temperature} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const it of items) it.majority_label = (it.id in cache ? cache[it.id] : fresh[it.id]) ?? null;
}

/**
 * Online majority labels (TTRL): the label of each distinct prompt among `items`, sampled from the policy as it
 * is now, before training step `step`. Seeded by the step and the prompt ids of each sampler call, so a resumed
 * run (whose policy is restored from its checkpoint) computes the same labels. The prompts of a step, and so
 * the sampler calls, are a function of the step alone (the cell's batch(step)): nothing here depends on
 * timing or on other cells. Nothing is read from or written to the label cache.
 */
export function onlineMajorityLabels(items: readonly CellItem[], spec: MajoritySpec, built: BuiltModel, cell: CellConfig, session: Session, step: number): Map<string, string | null> {
  const distinct = [...new Map(items.map(it => [it.id, it])).values()];
  const rngFor = (first: number, count: number) => session.rng('majority-online', step, distinct.slice(first, first + count).map(it => it.id).join('|'));
  const out = new Map<string, string | null>();
  const chunks = sampleGroups(built.policy, distinct.map(it => it.prompt), spec.samples, {
    maxNewTokens: cell.algorithm.max_tokens,
    temperature: spec.temperature,
    stop: stopStrings(cell),
    rngFor,
  });
  for (const { first, groups } of chunks) {
    groups.forEach((samples, g) => out.set(distinct[first + g]!.id, majorityLabel(samples.map(s => responseText(cell.prompt, s.text))).answer));
  }
  return out;
}
