// One grid cell → its cell config: the train block with the cell's axis values applied (declarations
// swapped, fields of declarations overridden), then every part lowered with its defaults and the
// cross-field rules checked for this combination.
import type { Resolver } from './resolve.js';
import type { Axis, AxisValue } from './grid.js';
import { CELL_FORMAT_VERSION, type CellConfig, type DataConfig, type EvalConfig, type ModelConfig, type PromptConfig } from '../ir/index.js';
import { Fields, fieldsOf, lowerAlgorithm, type CheckEngine, lowerData, lowerEval, lowerModel, lowerOptimizer, lowerPrompt, lowerReward, type LowerContext } from './lower.js';
import { cellRules } from './rules.js';
import { TRAIN } from './schema/index.js';
import type { Scope } from './symbols.js';
import { cloneObj, isDecl, type DeclValue, type Loc } from './values.js';

export interface CellInput {
  experiment: string;
  language: number;
  seed: number;
  id: string;
  grid: string | null;
  axes: Axis[];
  values: AxisValue[];
  train: DeclValue;
  evals: DeclValue[];
  scope: Scope;
}

export function buildCell(input: CellInput, resolver: Resolver, ctx: LowerContext): CellConfig {
  const obj = cloneObj(input.train.obj);
  let seed = input.seed;
  const axes: Record<string, string> = {};
  input.axes.forEach((axis, i) => {
    const v = input.values[i]!;
    axes[axis.key] = v.text;
    if (axis.kind === 'seed') seed = v.value as number;
    else if (axis.kind === 'field' && v.value !== undefined) {
      obj.fields.set(axis.key, { value: v.value, loc: v.loc });
      obj.bad.delete(axis.key);
    }
  });
  // Nested axes after whole declarations, so `model in [a, b]` with `model.layers in [2, 4]` overrides each.
  input.axes.forEach((axis, i) => {
    if (axis.kind !== 'nested') return;
    const field = axis.parts[0]!.text;
    const entry = obj.fields.get(field);
    if (!entry || !isDecl(entry.value) || !entry.value.spec) return;
    const base = entry.value;
    const derived = base.derive(base.name, base.loc, base.declared);
    resolver.assign(derived.obj, base.spec!, axis.parts.slice(1), input.values[i]!.expr, input.scope, `${field} ${base.name}`, derived, new Map(), '');
    obj.fields.set(field, { value: derived, loc: entry.loc });
  });

  const train = new Fields(obj, TRAIN, input.train.loc, 'the train block', ctx);
  const modelDecl = train.decl('model');
  const dataDecl = train.decl('data');
  const rewardDecl = train.decl('reward');
  const algDecl = train.decl('algorithm');
  const optDecl = train.decl('optimizer');
  const promptEntry = obj.fields.get('prompt');
  const promptDecl = promptEntry && isDecl(promptEntry.value) ? promptEntry.value : undefined;

  const model = modelDecl ? lowerModel(modelDecl, ctx) : ({} as ModelConfig);
  const algorithm = algDecl ? lowerAlgorithm(algDecl, ctx) : undefined;
  const prompt: PromptConfig = lowerPrompt(promptDecl, modelDecl ? model : undefined, ctx);
  const evals: EvalConfig[] = input.evals.map(e => lowerEval(e, ctx, { algorithm, prompt }));
  const cell: CellConfig = {
    format: CELL_FORMAT_VERSION,
    language: input.language,
    experiment: input.experiment,
    id: input.id,
    grid: input.grid,
    axes,
    seed,
    model,
    data: dataDecl ? lowerData(dataDecl, ctx) : ({} as DataConfig),
    prompt,
    reward: rewardDecl ? lowerReward(rewardDecl, ctx) : ({} as CellConfig['reward']),
    algorithm: algorithm ?? ({} as CellConfig['algorithm']),
    optimizer: optDecl ? lowerOptimizer(optDecl, ctx) : ({} as CellConfig['optimizer']),
    train: { steps: train.num('steps'), checkpoint_every: train.num('checkpoint_every') },
    evals,
  };
  if (modelDecl && dataDecl && rewardDecl && algDecl && optDecl && !train.bad('steps')) {
    cellRules(cell, {
      data: train.loc('data'),
      reward: train.loc('reward'),
      prompt: promptDecl ? train.loc('prompt') : train.at,
      maxTokens: fieldsOf(algDecl, ctx).loc('max_tokens'),
      warmup: fieldsOf(optDecl, ctx).loc('warmup'),
    }, ctx.rep);
    if (ctx.engine && (!ctx.engineCells || ctx.engineCells(cell.id))) engineRules(ctx.engine, cell, placeOf, ctx);
  }
  return cell;

  /** Where the spec set a cell-config field: the field in its declaration when written there, else the declaration (or the train block). */
  function placeOf(path: string): Loc {
    const [part, key, sub] = path.split('.');
    const fieldOf = (d: DeclValue | undefined, k: string | undefined, fallback: Loc): Loc => (d && k ? d.obj.fields.get(k)?.loc ?? d.loc : d?.loc ?? fallback);
    switch (part) {
      case 'algorithm': return fieldOf(algDecl, key, train.loc('algorithm'));
      case 'optimizer': return fieldOf(optDecl, key, train.loc('optimizer'));
      case 'model': return fieldOf(modelDecl, key === 'stages' ? undefined : key, train.loc('model'));
      case 'data': return fieldOf(dataDecl, key, train.loc('data'));
      case 'prompt': return fieldOf(promptDecl, key, promptDecl ? train.loc('prompt') : train.at);
      case 'reward': return train.loc('reward');
      case 'train': return train.loc(key ?? 'steps');
      case 'evals': {
        const e = input.evals[Number(key)];
        return fieldOf(e, sub, train.at);
      }
      default: return train.at;
    }
  }
}

/** The engine's refusals (errors) and approximations (warnings) of this cell, each at the field that set it. */
function engineRules(engine: CheckEngine, cell: CellConfig, placeOf: (path: string) => Loc, ctx: LowerContext): void {
  for (const issue of engine.capabilities(cell)) {
    ctx.rep.report({
      code: issue.code,
      severity: issue.severity,
      summary: `${engine.name}: ${issue.message}`,
      label: issue.severity === 'error' ? `${engine.name} cannot run this as written` : `${engine.name} approximates this`,
      ...(issue.fix ? { fix: issue.fix } : {}),
    }, placeOf(issue.path));
  }
}

/** The config a cell would run, without its identity: two cells with the same one are the same run. */
export function runKey(c: CellConfig): string {
  const { id: _id, grid: _grid, axes: _axes, ...rest } = c;
  return JSON.stringify(rest);
}
