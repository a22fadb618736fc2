// Lowering checked declarations to the cell config's parts: defaults filled, derived values computed,
// and the rules of each part checked (rules.ts) with the places its values were written.
import { posix, relative, resolve, sep } from 'node:path';
import type { Reporter } from './report.js';
import { types } from '../diagnostics/catalogue.js';
import type {
  AlgorithmConfig, DataConfig, EvalConfig, ModelConfig, OptimizerConfig, PromptConfig, RewardConfig, StageConfig, WorldConfig,
} from '../ir/index.js';
import { batchCounts, klEstimatorOf } from '../ir/derive.js';
import type { Engine } from '../engines/engine.js';
import { DR_GRPO_DEFAULTS, type BlockSpec } from './schema/index.js';
import * as R from './rules.js';
import { DeclValue, isDecl, type Json, type Loc, type Obj } from './values.js';

export interface LowerContext {
  rep: Reporter;
  /** Directory of the experiment's spec file: data and model paths are stored relative to it. */
  rootDir: string;
  /** The engine the cells are checked for: what it cannot express is reported where the field was set. */
  engine?: CheckEngine;
  /** Only these cells are checked for the engine (compile --only); default all. */
  engineCells?: (id: string) => boolean;
}

/** What the checker needs of an execution engine (src/engines/engine.ts). */
export type CheckEngine = Pick<Engine<unknown, unknown>, 'name' | 'capabilities'>;

/** Reads fields of one block, filling defaults, and reporting required fields that are missing. */
export class Fields {
  constructor(readonly obj: Obj, readonly spec: BlockSpec, readonly at: Loc, readonly what: string, readonly ctx: LowerContext) {}

  has(key: string): boolean {
    return this.obj.fields.has(key);
  }
  bad(key: string): boolean {
    return this.obj.bad.has(key);
  }
  loc(key: string): Loc {
    return this.obj.fields.get(key)?.loc ?? this.at;
  }
  raw(key: string): Json | DeclValue | undefined {
    return this.obj.fields.get(key)?.value;
  }
  /** The value or its default; a missing required field is reported once and reads as null. */
  get(key: string): Json {
    const e = this.obj.fields.get(key);
    if (e && !isDecl(e.value)) return e.value;
    const f = this.spec.fields[key]!;
    if (f.required) {
      if (!this.obj.bad.has(key) && !this.obj.incomplete) this.ctx.rep.report(types.missingField(key, this.what, f.doc), this.at);
      return null;
    }
    return f.default ?? null;
  }
  num(key: string): number {
    return this.get(key) as number;
  }
  decl(key: string): DeclValue | undefined {
    const e = this.obj.fields.get(key);
    if (e && isDecl(e.value)) return e.value;
    const f = this.spec.fields[key]!;
    if (f.required && !this.obj.bad.has(key) && !this.obj.incomplete) this.ctx.rep.report(types.missingField(key, this.what, f.doc), this.at);
    return undefined;
  }
}

export const fieldsOf = (d: DeclValue, ctx: LowerContext, what = d.declared ? `${d.kind} ${d.name}` : `this ${d.kind}`) =>
  new Fields(d.obj, d.spec!, d.loc, what, ctx);

function storedPath(d: DeclValue, ctx: LowerContext): string {
  const p = d.path!;
  return relative(ctx.rootDir, resolve(p.dir, p.value)).split(sep).join(posix.sep) || '.';
}

// ---- datasets -------------------------------------------------------------------------------------------

export function lowerData(d: DeclValue, ctx: LowerContext): DataConfig {
  if (d.ctor === 'arithmetic') {
    const f = fieldsOf(d, ctx);
    const world: WorldConfig = {
      operands: f.get('operands') as unknown as WorldConfig['operands'],
      digits: f.get('digits') as unknown as WorldConfig['digits'],
      operators: f.get('operators') as WorldConfig['operators'],
      max_mul: f.num('max_mul'),
      train: f.num('train'),
      test: f.num('test'),
      seed: f.num('seed'),
      // Absent for version 1, so version-1 cells (their goldens, hashes and caches) are what they were.
      ...(f.num('version') !== 1 ? { version: f.num('version') } : {}),
    };
    const cfg: DataConfig = { name: d.name, source: 'arithmetic', world, split: d.split, take: d.take, labels: true };
    R.worldRules(cfg, f, d, ctx.rep);
    return cfg;
  }
  const f = fieldsOf(d, ctx);
  const answer = f.get('answer') as string | null;
  return {
    name: d.name,
    source: d.ctor as 'json' | 'jsonl',
    path: storedPath(d, ctx),
    fields: { question: f.get('question') as string, answer },
    take: d.take,
    labels: answer !== null,
  };
}

// ---- models ---------------------------------------------------------------------------------------------

export function lowerModel(d: DeclValue, ctx: LowerContext): ModelConfig {
  if (d.ctor !== 'transformer') return { name: d.name, source: d.ctor as 'hf' | 'checkpoint', path: storedPath(d, ctx) };
  const f = fieldsOf(d, ctx);
  const dModel = f.num('d_model');
  const stages: StageConfig[] = [];
  for (const s of d.obj.stages) {
    const sf = new Fields(s.obj, d.spec!.stages![s.head]!.block, s.loc, `the ${s.head} stage of ${d.name}`, ctx);
    const data = s.data && lowerData(s.data, ctx);
    if (data && data.source !== 'arithmetic') R.stageDataNotWorld(s, ctx.rep);
    stages.push({
      stage: s.head as StageConfig['stage'],
      name: s.name,
      data: data ?? ({} as DataConfig),
      steps: sf.num('steps'),
      batch: sf.num('batch'),
      lr: sf.num('lr'),
      warmup: sf.num('warmup'),
      corpus: R.corpusOf(s, sf, ctx),
    });
    if (data?.source === 'arithmetic') R.stageWorldRules(data, stages[stages.length - 1]!, s, ctx.rep);
  }
  const cfg: ModelConfig = {
    name: d.name,
    source: 'transformer',
    layers: f.num('layers'),
    d_model: dModel,
    heads: f.num('heads'),
    context: f.num('context'),
    d_ff: f.has('d_ff') ? f.num('d_ff') : 4 * dModel,
    dropout: f.num('dropout'),
    seed: f.num('seed'),
    stages,
  };
  R.modelRules(cfg, f, d, ctx.rep);
  return cfg;
}

// ---- prompts, rewards, algorithms, optimizers -----------------------------------------------------------

export function lowerPrompt(d: DeclValue | undefined, model: ModelConfig | undefined, ctx: LowerContext): PromptConfig {
  if (!d) {
    // No prompt: the question as it is for models without a chat template, the chat template for hf models.
    return { name: null, template: model?.source === 'hf' ? 'chat' : 'raw', system: null, user: '{question}', stop: [] };
  }
  const f = fieldsOf(d, ctx);
  const cfg: PromptConfig = {
    name: d.name,
    template: f.get('template') as PromptConfig['template'],
    system: f.get('system') as string | null,
    user: f.get('user') as string,
    stop: f.get('stop') as string[],
  };
  // Written only when set, so the configs (and hashes) of cells that do not use them are unchanged.
  const prefix = f.get('response_prefix') as string;
  if (prefix !== '') cfg.response_prefix = prefix;
  if (f.get('r1_style') === true) cfg.r1_style = true;
  R.promptRules(cfg, f, ctx.rep);
  return cfg;
}

export function lowerReward(d: DeclValue, ctx: LowerContext): RewardConfig {
  const ir = d.reward!;
  R.rewardRules(d, ctx.rep);
  return { name: d.name, text: ir.text, expr: ir.expr, filter: ir.filter, binary: ir.binary, needs_labels: ir.needsLabels };
}

export function lowerAlgorithm(d: DeclValue, ctx: LowerContext): AlgorithmConfig {
  const f = fieldsOf(d, ctx);
  const dr = d.ctor === 'dr_grpo';
  const pick = (key: 'advantage' | 'loss') => (dr && !f.has(key) ? DR_GRPO_DEFAULTS[key] : f.get(key));
  const clip = f.get('clip');
  const kl = f.num('kl');
  const P = f.num('prompts_per_step');
  const G = f.num('group');
  const M = f.num('minibatch');
  const E = f.num('epochs');
  const cfg: AlgorithmConfig = {
    name: d.name,
    family: dr ? 'dr_grpo' : 'grpo',
    prompts_per_step: P,
    group: G,
    minibatch: M,
    epochs: E,
    ...batchCounts({ prompts_per_step: P, group: G, minibatch: M, epochs: E }),
    clip: clip === null ? null : Array.isArray(clip) ? { low: clip[0] as number, high: clip[1] as number } : { low: clip as number, high: clip as number },
    kl,
    kl_estimator: klEstimatorOf(kl, f.get('kl_estimator') as AlgorithmConfig['kl_estimator']),
    entropy: f.num('entropy'),
    advantage: pick('advantage') as AlgorithmConfig['advantage'],
    advantage_epsilon: f.num('advantage_epsilon'),
    whiten: f.get('whiten') as boolean,
    loss: pick('loss') as AlgorithmConfig['loss'],
    ...(pick('loss') === 'micro_token_mean' ? { micro_batch: f.num('micro_batch') } : {}),
    temperature: f.num('temperature'),
    top_p: f.num('top_p'),
    top_k: f.get('top_k') as number | null,
    max_tokens: f.num('max_tokens'),
    stop: f.get('stop') as string[],
  };
  R.algorithmRules(cfg, f, ctx.rep);
  return cfg;
}

export function lowerOptimizer(d: DeclValue, ctx: LowerContext): OptimizerConfig {
  const f = fieldsOf(d, ctx);
  const betas = f.get('betas') as number[];
  return {
    name: d.name,
    type: (f.has('type') ? f.get('type') : d.ctor === 'adamw' ? 'adamw' : 'adam') as OptimizerConfig['type'],
    lr: f.num('lr'),
    betas: [betas[0]!, betas[1]!],
    eps: f.num('eps'),
    weight_decay: f.num('weight_decay'),
    grad_clip: f.get('grad_clip') as number | null,
    schedule: f.get('schedule') as OptimizerConfig['schedule'],
    warmup: f.num('warmup'),
  };
}

// ---- evals ----------------------------------------------------------------------------------------------

/** An eval; `train` supplies the defaults that come from the train block (max_tokens, prompt). */
export function lowerEval(d: DeclValue, ctx: LowerContext, train?: { algorithm: AlgorithmConfig | undefined; prompt: PromptConfig }): EvalConfig {
  const f = fieldsOf(d, ctx);
  const greedy = f.get('greedy') as boolean;
  const samples = f.has('samples') ? f.num('samples') : 1;
  const dataDecl = f.decl('data');
  const promptDecl = f.decl('prompt');
  const cfg: EvalConfig = {
    name: d.name,
    data: dataDecl ? lowerData(dataDecl, ctx) : ({} as DataConfig),
    every: f.num('every'),
    greedy,
    samples,
    temperature: f.has('temperature') ? f.num('temperature') : greedy ? 0 : 1,
    top_p: f.num('top_p'),
    max_tokens: f.has('max_tokens') ? f.num('max_tokens') : (train?.algorithm?.max_tokens ?? 0),
    metrics: f.get('metrics') as string[],
    k: f.has('k') ? f.num('k') : samples,
    prompt: promptDecl ? lowerPrompt(promptDecl, undefined, ctx) : (train?.prompt ?? lowerPrompt(undefined, undefined, ctx)),
  };
  if (f.get('grader') === 'math_verify') cfg.grader = 'math_verify';
  R.evalRules(cfg, f, dataDecl, ctx.rep);
  return cfg;
}
