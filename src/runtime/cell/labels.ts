// Majority-vote labels (the paper's "majority vote" and "incorrect label" rewards): the policy's own most
// frequent extracted answer over N samples at temperature T, computed once per prompt from the model the
// cell starts with, and cached beside the pretrained models.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellConfig } from './config.js';
import type { CellItem } from './data.js';
import type { Session } from './session.js';
import type { BuiltModel } from './model.js';
import { sample } from '../sampler.js';
import { majorityLabel } from '../../grader/index.js';
import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';

export interface MajoritySpec { samples: number; temperature: number }

/** Sequences per sampler call: bounds the KV cache's memory. */
const MAX_SEQUENCES = 512;

function cacheFile(spec: MajoritySpec, cell: CellConfig, session: Session): string {
  const key = sha256Hex(canonicalJson({ model: cell.model, data: cell.data, spec, max_tokens: cell.algorithm.max_tokens, stop: cell.algorithm.stop, prompt: cell.prompt, backend: session.backend.name })).slice(0, 32);
  return join(session.cacheDir, 'labels', `${key}.json`);
}

/** Sets `majority_label` on every item, sampling only for items not in the cache. */
export async function majorityLabels(items: CellItem[], spec: MajoritySpec, built: BuiltModel, cell: CellConfig, session: Session): Promise<void> {
  const file = cacheFile(spec, cell, session);
  const cache: Record<string, string | null> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>) : {};
  const todo = items.filter(it => !(it.id in cache));
  const perCall = Math.max(1, Math.floor(MAX_SEQUENCES / spec.samples));
  for (let i = 0; i < todo.length; i += perCall) {
    session.ctx.throwIfStopped();
    const group = todo.slice(i, i + perCall);
    const prompts = group.flatMap(it => Array<string>(spec.samples).fill(it.prompt));
    const samples = sample(built.policy, prompts, {
      maxNewTokens: cell.algorithm.max_tokens,
      temperature: spec.temperature,
      stop: [...new Set([...cell.algorithm.stop, ...cell.prompt.stop])],
      // One stream per prompt id: a label does not depend on which other prompts shared its batch.
      rng: session.rng('majority', group.map(g => g.id).join('|')),
    });
    group.forEach((it, g) => {
      cache[it.id] = majorityLabel(samples.slice(g * spec.samples, (g + 1) * spec.samples).map(s => s.text)).answer;
    });
    await new Promise(r => setImmediate(r));
  }
  if (todo.length > 0) {
    mkdirSync(join(session.cacheDir, 'labels'), { recursive: true });
    // Re-read and merge: another cell process may have added labels meanwhile.
    const merged = { ...(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>) : {}), ...cache };
    writeFileAtomic(file, JSON.stringify(merged));
    session.ctx.log(`majority labels: ${todo.length} prompt(s) × ${spec.samples} samples at temperature ${spec.temperature}`);
  }
  for (const it of items) it.majority_label = cache[it.id] ?? null;
}
