// The compiled rewards of a set of cells, as a generated program holds them (rt.cell.CompiledRewards):
// each distinct reward text compiled by codegen's RewardCompiler, transpiled to JavaScript and bound to the
// runtime. test/runtime/rewards.test.ts and the verl engine tests use it.
import { ts } from 'ts-morph';
import { RewardCompiler, conditionExpr } from '../../src/codegen/rewards.js';
import { Names } from '../../src/codegen/literals.js';
import * as rt from '../../src/runtime/index.js';
import type { CellConfig } from '../../src/ir/cell.js';
import type { CompiledRewards } from '../../src/runtime/cell/run-cell.js';

export function compileRewards(cells: CellConfig[]): CompiledRewards {
  const names = new Names();
  const rc = new RewardCompiler(names);
  const entries: string[] = [];
  const filters: string[] = [];
  const seen = new Set<string>();
  for (const cell of cells) {
    if (seen.has(cell.reward.text)) continue;
    seen.add(cell.reward.text);
    const fn = rc.compile(cell.reward.name, cell.reward.text, cell.reward.expr);
    let filter = 'null';
    if (cell.reward.filter) {
      filter = names.take('filter', cell.reward.name);
      filters.push(`function ${filter}(item: rt.cell.CellItem): boolean { return ${conditionExpr(cell.reward.filter)}; }`);
    }
    entries.push(`${JSON.stringify(cell.reward.text)}: { reward: ${fn}, filter: ${filter} },`);
  }
  const source = [...rc.all().map(f => f.source), ...filters, `return {\n${entries.join('\n')}\n};`].join('\n');
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  return new Function('rt', js)(rt) as CompiledRewards;
}
