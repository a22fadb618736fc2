// Majority-vote labels (the paper's "majority vote" and "incorrect label" rewards): the policy's own most
// frequent extracted answer over N samples at temperature T. By default computed once per prompt from the
// model the cell starts with, and cached beside the pretrained models. With `online` (TTRL, test-time RL)
// they are recomputed from the current policy before every step, for that step's prompts only, and never
// cached.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellConfig } from '../../ir/cell.js';
import type { CellItem } from './data.js';
import { letSignalsThrough, type Session } from './session.js';
import type { BuiltModel } from './model.js';
import type { MajoritySpec } from './reward-tree.js';
import { numericsKey } from '../numerics.js';
import type { Rng } from '../rng.js';
import { sampleGroups } from './sample-groups.js';
import { responseText } from './prompts.js';
import { majorityLabel } from '../../grader/index.js';
import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';


function cacheFile(spec: MajoritySpec, cell: CellConfig, session: Session): string {
  const key = sha256Hex(canonicalJson({ model: cell.model, data: cell.data, spec, max_tokens: cell.algorithm.max_tokens, stop: cell.algorithm.stop, prompt: cell.prompt, backend: numericsKey(session.backend) })).slice(0, 32);
  return join(session.cacheDir, 'labels', `${key}.json`);
}

/** The majority answer of `spec.samples` samples of the policy for each item, in sampler calls of bounded size. */
function* sampleMajority(items: readonly CellItem[], spec: MajoritySpec, built: BuiltModel, cell: CellConfig, rngFor: (first: number, count: number) => Rng): Generator<{ first: number; labels: Array<string | null> }> {
  const chunks = sampleGroups(built.policy, items.map(it => it.prompt), spec.samples, {
    maxNewTokens: cell.algorithm.max_tokens,
    temperature: spec.temperature,
    stop: [...new Set([...cell.algorithm.stop, ...cell.prompt.stop])],
    rngFor,
  });
  for (const { first, groups } of chunks) yield { first, labels: groups.map(samples => majorityLabel(samples.map(s => responseText(cell.prompt, s.text))).answer) };
}

/** Sets `majority_label` on every item, sampling only for items not in the cache. */
export async function majorityLabels(items: CellItem[], spec: MajoritySpec, built: BuiltModel, cell: CellConfig, session: Session): Promise<void> {
  const file = cacheFile(spec, cell, session);
  const cache: Record<string, string | null> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>) : {};
  const todo = items.filter(it => !(it.id in cache));
  const started = performance.now();
  // Seeded by the ids of the prompts in the call: a label does not depend on what was sampled before it.
  const rngFor = (first: number, count: number) => session.rng('majority', todo.slice(first, first + count).map(it => it.id).join('|'));
  for (const { first, labels } of sampleMajority(todo, spec, built, cell, rngFor)) {
    labels.forEach((label, g) => {
      cache[todo[first + g]!.id] = label;
    });
    await letSignalsThrough();
    session.ctx.throwIfStopped();
  }
  if (todo.length > 0) {
    mkdirSync(join(session.cacheDir, 'labels'), { recursive: true });
    // Re-read and merge: another cell process may have added labels meanwhile.
    const merged = { ...(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>) : {}), ...cache };
    writeFileAtomic(file, JSON.stringify(merged));
    session.ctx.log(`majority labels: ${todo.length} prompt(s) × ${spec.samples} samples at temperature ${spec.temperature} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const it of items) it.majority_label = cache[it.id] ?? null;
}

/**
 * Online majority labels (TTRL): the label of each distinct prompt among `items`, sampled from the policy as it
 * is now, before training step `step`. Seeded by the step and the prompt ids of each sampler call, so a resumed
 * run (whose policy is restored from its checkpoint) computes the same labels. Nothing is read from or written
 * to the label cache.
 */
export function onlineMajorityLabels(items: readonly CellItem[], spec: MajoritySpec, built: BuiltModel, cell: CellConfig, session: Session, step: number): Map<string, string | null> {
  const distinct = [...new Map(items.map(it => [it.id, it])).values()];
  const rngFor = (first: number, count: number) => session.rng('majority-online', step, distinct.slice(first, first + count).map(it => it.id).join('|'));
  const out = new Map<string, string | null>();
  for (const { first, labels } of sampleMajority(distinct, spec, built, cell, rngFor)) {
    labels.forEach((label, g) => out.set(distinct[first + g]!.id, label));
  }
  return out;
}
