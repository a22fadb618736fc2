// Evaluations: sample the eval prompts (greedily, or `samples` times at a temperature), grade every
// response with the paper's grader against the item's label, and compute the metrics the spec asked for.
import type { EvalConfig } from '../../ir/cell.js';
import type { CellItem } from './data.js';
import type { Session } from './session.js';
import type { BuiltModel } from './model.js';
import { renderPrompt, responseText } from './prompts.js';
import { sampleGroups } from './sample-groups.js';
import { accuracyByCode, avgAtK, boxedRate, codeRate, gradeSample, greedyPassAt1, majAtK, meanLength, meanPassAtK, type GradedSample } from '../../grader/index.js';
import type { EvalRecord } from '../run/types.js';

export interface PreparedEval {
  config: EvalConfig;
  items: CellItem[];
}

/** Renders the eval's prompts once. */
export function prepareEval(config: EvalConfig, items: CellItem[], built: BuiltModel): PreparedEval {
  return { config, items: items.map(it => ({ ...it, prompt: renderPrompt(config.prompt, it.question, built.chat) })) };
}

/** Whether step `step` (0 = before training) is an evaluation step: every `every` steps, the first and the last. */
export function evalDue(step: number, every: number, lastStep: number): boolean {
  return step === 0 || step === lastStep || (every > 0 && step % every === 0);
}

export function metricsOf(config: EvalConfig, groups: GradedSample[][]): Record<string, number | null> {
  const all = groups.flat();
  const split = accuracyByCode(all);
  const k = Math.min(config.k, groups[0]?.length ?? 1);
  const values: Record<string, () => number | null> = {
    accuracy: () => greedyPassAt1(groups.map(g => g[0]!)),
    pass_at_k: () => meanPassAtK(groups, k),
    avg_at_k: () => avgAtK(groups),
    maj_at_k: () => majAtK(groups, k),
    code_rate: () => codeRate(all),
    accuracy_code: () => split.code.accuracy,
    accuracy_language: () => split.noCode.accuracy,
    boxed_rate: () => boxedRate(all),
    mean_length: () => meanLength(all),
  };
  const out: Record<string, number | null> = {};
  for (const m of config.metrics) {
    const f = values[m];
    if (!f) throw new Error(`eval ${config.name}: unknown metric '${m}'`);
    out[m] = f();
  }
  return out;
}

/** Runs one evaluation at `step` and logs it (eval.jsonl) with a few of its samples (samples.jsonl). */
export function evaluate(ev: PreparedEval, built: BuiltModel, session: Session, step: number): EvalRecord {
  const c = ev.config;
  const started = performance.now();
  const perItem = c.greedy ? 1 : c.samples;
  const rng = session.rng(`eval-${c.name}`, step);
  const groups: GradedSample[][] = [];
  const shown: Array<Record<string, unknown>> = [];
  const opts = { maxNewTokens: c.max_tokens, greedy: c.greedy, temperature: c.greedy ? 0 : c.temperature, topP: c.top_p, stop: c.prompt.stop, rngFor: () => rng };
  for (const { first, groups: sampled } of sampleGroups(built.policy, ev.items.map(it => it.prompt), perItem, opts)) {
    sampled.forEach((samples, j) => {
      const it = ev.items[first + j]!;
      const group = samples.map(s => gradeSample(responseText(c.prompt, s.text), it.label ?? '', { tokens: s.tokens.length, r1Style: c.prompt.r1_style === true, ...(c.grader ? { grader: c.grader } : {}) }));
      groups.push(group);
      if (shown.length < 8) shown.push({ id: it.id, prompt: it.prompt, label: it.label, response: group[0]!.response, extracted: group[0]!.extracted, correct: group[0]!.correct });
    });
  }
  const record: EvalRecord = { step, name: c.name, ...metricsOf(c, groups) };
  session.ctx.logEval(record);
  session.ctx.logSamples(step, shown.map(s => ({ eval: c.name, ...s })));
  session.ctx.log(`eval ${c.name} at step ${step}: ${ev.items.length} prompt(s) × ${perItem} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return record;
}
