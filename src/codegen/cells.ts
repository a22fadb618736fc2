// The embedded grid, written so a reader can follow it: each distinct model, dataset, prompt, reward,
// algorithm, optimizer and eval config becomes one named constant, and every cell is a short literal that
// refers to them. Values are JSON literals (user strings escaped by JSON.stringify), so nothing from a spec
// can become code; names come from spec identifiers, made safe by identifier().
import type { CellConfig } from '../ir/cell.js';
import type { Names } from './literals.js';

/** Cell fields hoisted into named constants, with the runtime type each constant has. */
const HOISTED = {
  model: 'ModelConfig',
  data: 'DataConfig',
  prompt: 'PromptConfig',
  reward: 'RewardConfig',
  algorithm: 'AlgorithmConfig',
  optimizer: 'OptimizerConfig',
} as const;

interface Constant { name: string; type: string; json: string }

export interface GridText {
  /** `const model_base: rt.cell.ModelConfig = {...};` declarations, in first-use order. */
  constants: string[];
  /** The `[...]` initializer of CELLS. */
  cells: string;
}

function indentJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).split('\n').join(`\n${indent}`);
}

/** `names`: the program's one allocator, which already holds its reward and filter functions. */
export function gridText(cells: readonly CellConfig[], names: Names): GridText {
  const byJson = new Map<string, Constant>();
  const constants: string[] = [];
  const constant = (kind: string, type: string, name: string | null, value: unknown): string => {
    const json = JSON.stringify(value);
    const known = byJson.get(`${kind}:${json}`);
    if (known) return known.name;
    const id = names.take(kind, name ?? 'default');
    byJson.set(`${kind}:${json}`, { name: id, type, json });
    constants.push(`const ${id}: rt.cell.${type} = ${indentJson(value, '')};`);
    return id;
  };
  const literals = cells.map(cell => {
    const fields = Object.entries(cell).map(([key, value]) => {
      const type = HOISTED[key as keyof typeof HOISTED];
      let text: string;
      if (type) text = constant(key === 'reward' ? 'reward_config' : key, type, (value as { name: string | null }).name, value);
      else if (key === 'evals') text = `[${(value as CellConfig['evals']).map(e => constant('eval', 'EvalConfig', e.name, e)).join(', ')}]`;
      else text = indentJson(value, '    ');
      return `    ${JSON.stringify(key)}: ${text},`;
    });
    return `  {\n${fields.join('\n')}\n  },`;
  });
  return { constants, cells: `[\n${literals.join('\n')}\n]` };
}
