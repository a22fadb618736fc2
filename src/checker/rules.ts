// Rules across fields: what no single field's type can say. Each rule reports at the place the offending
// value was written (a field, an override, a grid axis value), so the user sees the line to change.
// The arithmetic world's own validation (src/runtime/world) is reused, so the checker and the runtime
// can never disagree about what a valid world or corpus is.
import { SPECIAL_TOKENS, toRuntimeFamily, toRuntimeWorld, worldLengths } from '../runtime/cell/world.js';
import {
  FAMILY_DEFAULTS, v2FamilyIssues, validateFamilyConfig, validateWorldConfig, withFamilyDefaults,
  type FamilyInput, type FamilyPresetName,
} from '../runtime/world/index.js';
import { rules, types } from '../diagnostics/catalogue.js';
import type { Reporter } from './report.js';
import type { AlgorithmConfig, CellConfig, DataConfig, EvalConfig, ModelConfig, PromptConfig, StageConfig } from '../ir/index.js';
import type { Fields, LowerContext } from './lower.js';
import { batchShapeIssue, evalSamplingIssues, warmupTooLong } from '../ir/derive.js';
import { AT_K_METRICS, LABELLED_METRICS } from './schema/index.js';
import type { DeclValue, Loc, Stage } from './values.js';

const fmt = (n: number) => String(Number.isInteger(n) ? n : Number(n.toPrecision(12)));

// ---- the arithmetic world -------------------------------------------------------------------------------


const WORLD_FIELDS: Record<string, string> = { operandCount: 'operands', digits: 'digits', operators: 'operators', maxMul: 'max_mul', trainSize: 'train', testSize: 'test', version: 'version' };
const specWords = (message: string) => message.replace(/\b(operandCount|maxMul|trainSize|testSize)\b/g, w => WORLD_FIELDS[w]!);

export function worldRules(cfg: DataConfig & { source: 'arithmetic' }, f: Fields, d: DeclValue, rep: Reporter): void {
  if (f.obj.bad.size > 0) return;
  const issues = validateWorldConfig(toRuntimeWorld(cfg.world));
  for (const issue of issues) {
    const field = WORLD_FIELDS[issue.path.split('.')[0]!] ?? issue.path;
    const message = specWords(issue.message);
    rep.report(rules.worldInvalid(message.startsWith('must') ? `${field} ${message}` : message), f.loc(field));
  }
  if (issues.length > 0 || cfg.take === null) return;
  const size = cfg.split === 'train' ? cfg.world.train : cfg.split === 'test' ? cfg.world.test : cfg.world.train + cfg.world.test;
  if (cfg.take > size) rep.report(rules.takeTooLarge(String(cfg.take), `${size}${cfg.split ? ` ${cfg.split}` : ''}`), d.loc);
}


// ---- pretraining corpora --------------------------------------------------------------------------------

const FAMILY_FIELDS: Record<string, string> = { boxedShare: 'boxed', preference: 'preference', goodAccuracy: 'good_accuracy', badAccuracy: 'bad_accuracy' };

const familyWords = (m: string) => m.replace(/\b(goodAccuracy|badAccuracy|boxedShare)\b/g, w => FAMILY_FIELDS[w]!);

/** A family that world version 2 cannot calibrate (its code accuracy needs a step accuracy out of range). */
export function stageWorldRules(data: DataConfig & { source: 'arithmetic' }, stage: StageConfig, s: Stage, rep: Reporter): void {
  if (data.world.version !== 2) return;
  const world = toRuntimeWorld(data.world);
  if (validateWorldConfig(world).length > 0) return;
  const family = toRuntimeFamily(stage.corpus, stage.name ?? stage.stage);
  if (validateFamilyConfig(family).length > 0) return;
  for (const m of v2FamilyIssues(world, family)) rep.report(rules.familyInvalid(m), s.loc);
}

export function stageDataNotWorld(s: Stage, rep: Reporter): void {
  rep.report(rules.notWorldData(`the data of the ${s.head} stage`), s.loc);
}

/** The corpus a stage trains on: the world's family config, from a preset and the fields written. */
export function corpusOf(s: Stage, sf: Fields, ctx: LowerContext): StageConfig['corpus'] {
  const preset = (sf.get('family') as FamilyPresetName | null) ?? undefined;
  const strat = (name: 'code' | 'language') => s.obj.keyed.get(`strategy.${name}`)?.obj;
  const input: FamilyInput = { extends: preset, name: s.name ?? s.head, strategies: {} };
  for (const name of ['code', 'language'] as const) {
    const o = strat(name);
    const get = (k: string) => o?.fields.get(k)?.value as number | undefined;
    input.strategies![name] = { share: get('share'), accuracy: get('accuracy'), nearMiss: get('near_miss') };
    if (!preset && get('accuracy') === undefined && !o?.bad.has('accuracy') && !s.obj.incomplete) {
      ctx.rep.report(types.missingField(`strategy ${name} { accuracy }`, `the ${s.head} stage`, 'how often this strategy writes the right answer (or start from a preset: family = qwen_math_like)'), s.loc);
    }
    if (!preset && get('share') === undefined && (strat(name === 'code' ? 'language' : 'code')?.fields.get('share') === undefined) && !s.obj.incomplete) {
      ctx.rep.report(types.missingField(`strategy ${name} { share }`, `the ${s.head} stage`, 'how often the corpus uses this strategy'), s.loc);
    }
  }
  for (const [runtime, spec] of Object.entries(FAMILY_FIELDS)) {
    const v = s.obj.fields.get(spec)?.value;
    if (typeof v === 'number') (input as Record<string, unknown>)[runtime] = v;
  }
  const family = withFamilyDefaults(input);
  const fieldLoc = (strategy: 'code' | 'language' | undefined, field: string): Loc => {
    if (!strategy) return s.obj.fields.get(field)?.loc ?? s.loc;
    const k = s.obj.keyed.get(`strategy.${strategy}`);
    return k?.obj.fields.get(field)?.loc ?? k?.loc ?? s.loc;
  };
  const anyBad = s.obj.bad.size > 0 || [...s.obj.keyed.values()].some(k => k.obj.bad.size > 0);
  if (!anyBad && !Number.isNaN(family.strategies.code.share + family.strategies.language.share)) {
    const sum = family.strategies.code.share + family.strategies.language.share;
    if (Math.abs(sum - 1) > 1e-9) ctx.rep.report(rules.sharesSum(fmt(sum)), fieldLoc(s.obj.keyed.has('strategy.code') ? 'code' : 'language', 'share'));
    for (const issue of validateFamilyConfig(family)) {
      const parts = issue.path.split('.');
      if (issue.path === 'strategies' || issue.path === 'name' || issue.message.includes('NaN')) continue;
      if (parts[0] === 'strategies') {
        const field = parts[2] === 'nearMiss' ? 'near_miss' : parts[2]!;
        ctx.rep.report(rules.familyInvalid(`strategy ${parts[1]} ${field} ${familyWords(issue.message)}`), fieldLoc(parts[1] as 'code' | 'language', field));
      } else {
        const field = FAMILY_FIELDS[parts[0]!] ?? parts[0]!;
        ctx.rep.report(rules.familyInvalid(`${field} ${familyWords(issue.message)}`), fieldLoc(undefined, field));
      }
    }
  }
  const strategy = (name: 'code' | 'language') => ({
    share: family.strategies[name].share,
    accuracy: family.strategies[name].accuracy,
    near_miss: family.strategies[name].nearMiss ?? FAMILY_DEFAULTS.nearMiss[name],
  });
  return {
    preset: preset ?? null,
    strategies: { code: strategy('code'), language: strategy('language') },
    boxed: family.boxedShare,
    preference: family.preference,
    good_accuracy: family.goodAccuracy,
    bad_accuracy: family.badAccuracy,
  };
}

// ---- models ---------------------------------------------------------------------------------------------

export function modelRules(m: ModelConfig & { source: 'transformer' }, f: Fields, _d: DeclValue, report: Reporter): void {
  if (!f.bad('heads') && !f.bad('d_model') && m.heads > 0 && m.d_model > 0 && m.d_model % m.heads !== 0) {
    report.report(rules.headsDivide(String(m.heads), String(m.d_model)), f.loc('heads'));
  }
  if (f.bad('context') || !(m.context > 0)) return;
  for (const s of m.stages) {
    if (s.data?.source !== 'arithmetic') continue;
    const l = worldLengths(s.data.world, m);
    if (!l) continue;
    const needed = l.sequence + SPECIAL_TOKENS;
    if (needed > m.context) {
      report.report(rules.contextTooShort(String(m.context), String(needed), `the longest pretraining sequence (question ${l.question} + response ${l.response} + BOS and EOS)`), f.loc('context'));
      return;
    }
  }
}

// ---- prompts and rewards --------------------------------------------------------------------------------

export function promptRules(p: PromptConfig, f: Fields, report: Reporter): void {
  if (typeof p.user === 'string' && !p.user.includes('{question}') && !f.bad('user')) report.report(types.badPlaceholder('user'), f.loc('user'));
}

export function rewardRules(d: DeclValue, report: Reporter): void {
  const ir = d.reward!;
  if (ir.constant !== null) report.report(rules.constantReward(d.declared ? d.name : ir.text, fmt(ir.constant)), d.loc);
}

// ---- algorithms -----------------------------------------------------------------------------------------

export function algorithmRules(a: AlgorithmConfig, f: Fields, report: Reporter): void {
  const batchBad = ['prompts_per_step', 'group', 'minibatch', 'epochs'].some(k => f.bad(k));
  if (!batchBad) {
    const shape = batchShapeIssue(a);
    if (shape === 'minibatch_too_large') {
      report.report(rules.minibatchTooLarge(String(a.minibatch), String(a.rollouts_per_step)), f.loc('minibatch'));
    } else if (shape === 'minibatch_not_divisor') {
      report.report(rules.minibatchDivides(String(a.minibatch), String(a.rollouts_per_step), String(a.prompts_per_step), String(a.group)), f.loc('minibatch'));
    }
  }
  if (f.has('kl_estimator') && a.kl === 0 && !f.bad('kl')) report.report(rules.klEstimatorUnused(), f.loc('kl_estimator'));
  if (f.bad('clip')) return;
  if (a.clip === null) {
    report.report(rules.clippingInert('clip = none'), f.loc('clip'));
  } else if (!batchBad && a.updates_per_step === 1) {
    report.report(rules.clippingInert(`one update per rollout step (minibatch ${a.minibatch} = ${a.prompts_per_step} prompts × ${a.group} samples)`), f.loc('minibatch'));
  }
}

// ---- evals ----------------------------------------------------------------------------------------------

export function evalRules(e: EvalConfig, f: Fields, dataDecl: DeclValue | undefined, report: Reporter): void {
  // The same rule --set re-runs (src/ir/derive.ts); fields left out take defaults that never conflict.
  const conflicts = evalSamplingIssues(e).filter(i => !f.bad(i.field) && !f.bad('samples'));
  for (const i of conflicts) if (i.field !== 'k') report.report(rules.greedyConflict(i.field), f.loc(i.field));
  const atK = e.metrics.filter(m => AT_K_METRICS.includes(m));
  if (conflicts.some(i => i.field === 'k')) report.report(rules.kExceedsSamples(String(e.k), String(e.samples)), f.loc('k'));
  else if (atK.length > 0 && e.samples === 1 && !f.has('k') && !e.greedy) {
    report.report(rules.metricUnsupported(atK[0]!, 'it needs several samples per problem, and this eval draws one', 'set samples = 8 (or more)'), f.loc('metrics'));
  }
  if (e.greedy && atK.length > 0) report.report(rules.metricUnsupported(atK[0]!, 'greedy decoding draws a single sample per problem', 'drop greedy and set samples = 8'), f.loc('metrics'));
  if (dataDecl && e.data.source) {
    if (!e.data.labels) {
      const needs = e.metrics.filter(m => LABELLED_METRICS.includes(m));
      if (needs.length > 0) report.report(rules.metricUnsupported(needs[0]!, `${e.data.name} has no labels`, 'map the label field (answer = "...") on the dataset, or measure code_rate, boxed_rate or mean_length only'), f.loc('metrics'));
    }
    if (e.data.source === 'arithmetic' && e.data.split === null) report.report(rules.needsSplit(e.data.name), f.loc('data'));
  }
}

// ---- a whole cell ---------------------------------------------------------------------------------------

export interface CellPlaces {
  data: Loc;
  reward: Loc;
  prompt: Loc;
  maxTokens: Loc;
  warmup: Loc;
}

export function cellRules(c: CellConfig, at: CellPlaces, report: Reporter): void {
  if (c.data.source === 'arithmetic' && c.data.split === null) report.report(rules.needsSplit(c.data.name), at.data);
  if (c.reward.needs_labels && !c.data.labels) report.report(rules.needsLabels(`reward ${c.reward.name}`, c.data.name), at.reward);
  if (c.prompt.template === 'chat' && c.model.source === 'transformer') report.report(rules.chatWithoutTemplate(c.model.name), at.prompt);
  if (warmupTooLong(c)) report.report(rules.warmupTooLong(String(c.optimizer.warmup), String(c.train.steps)), at.warmup);
  if (c.model.source === 'transformer' && c.data.source === 'arithmetic' && c.model.context > 0) {
    const l = worldLengths(c.data.world, c.model);
    if (!l) return;
    const needed = l.question + c.algorithm.max_tokens + SPECIAL_TOKENS;
    if (needed > c.model.context) {
      report.report(rules.contextTooShort(String(c.model.context), String(needed), `a rollout (question ${l.question} + max_tokens ${c.algorithm.max_tokens} + BOS and EOS)`), at.maxTokens);
    } else if (c.model.stages.length > 0 && c.algorithm.max_tokens < l.response) {
      report.report(rules.maxTokensShort(String(c.algorithm.max_tokens), String(l.response)), at.maxTokens);
    }
  }
}
