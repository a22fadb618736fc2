// One cell's run on tfjs, and the command line of a compiled program. The phases (model, data, evaluations,
// the GRPO loop) live here rather than in each generated program, so a fix to the loop (stopping on a
// signal, say) reaches every compiled program without compiling it again; a program holds only what its
// spec decides: the cell configs and the reward and filter functions compiled from its expressions.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import type { CellConfig } from '../../ir/cell.js';
import { runProgram } from '../run/program.js';
import type { CellContext, CellResult } from '../run/types.js';
import { openSession, letSignalsThrough } from './session.js';
import { buildModel } from './model.js';
import { loadItems } from './data.js';
import { renderPrompt } from './prompts.js';
import { TrainingPrompts, type ItemFilter } from './batches.js';
import { evalDue, evaluate, prepareEval } from './evaluate.js';
import { CellTrainer, stepRecord, type CellReward } from './train.js';
import { reviseOverriddenCell } from './overridable.js';

/** A program's compiled rewards, by the reward's canonical text (`cell.reward.text`). */
export type CompiledRewards = Record<string, { reward: CellReward; filter: ItemFilter | null }>;

export interface CellProgram {
  experiment: string;
  /** The spec file the program was compiled from, and its sha256 (hex). */
  source: { file: string; sha256: string };
  compilerVersion: string;
  cells: CellConfig[];
  rewards: CompiledRewards;
  /** The spec file's directory: relative paths in cell configs resolve against it. A path, a file: URL, or a relative URL with programUrl. */
  specDir: string | URL;
  /** The program's own URL (import.meta.url), against which a relative specDir resolves. */
  programUrl?: string;
  /** The engine the program was compiled for (rlvrc compile --engine); absent: the tfjs runtime. */
  engine?: 'verl';
}

/** Runs one cell: pretrained (or loaded) model, evaluations at step 0, the GRPO steps, evaluations as due. */
export async function runCell(cell: CellConfig, ctx: CellContext, program: Pick<CellProgram, 'rewards' | 'specDir' | 'programUrl'>): Promise<CellResult> {
  const compiled = program.rewards[cell.reward.text];
  if (!compiled) throw new Error(`the program has no compiled reward for '${cell.reward.text}' (cell '${cell.id}'); compile the spec again`);
  const specDir = specDirOf(program);
  const session = await openSession(cell, ctx, { specDir });
  const model = await buildModel(cell.model, session);
  const data = loadItems(cell.data, session).map(item => ({ ...item, prompt: renderPrompt(cell.prompt, item.question, model.chat) }));
  const prompts = await TrainingPrompts.select(data, cell, model, session, compiled.filter);
  const evals = cell.evals.map(e => prepareEval(e, loadItems(e.data, session), model));
  const trainer = new CellTrainer(model, cell, session, compiled.reward);
  ctx.setTotalSteps(cell.train.steps);
  try {
    if (trainer.step === 0) for (const ev of evals) evaluate(ev, model, session, 0);
    for (let step = trainer.step + 1; step <= cell.train.steps; step++) {
      await letSignalsThrough(); // steps are synchronous: let a stop request in between them
      ctx.throwIfStopped();
      const stats = trainer.trainStep(prompts.batch(step));
      ctx.logStep(stepRecord(stats));
      for (const ev of evals) if (evalDue(step, ev.config.every, cell.train.steps)) evaluate(ev, model, session, step);
      if (trainer.checkpointDue(step)) trainer.checkpoint();
    }
  } finally {
    trainer.dispose();
    model.policy.dispose();
  }
  return {};
}

/** The program's spec directory as a path. */
export function specDirOf(p: Pick<CellProgram, 'specDir' | 'programUrl'>): string {
  if (p.specDir instanceof URL) return fileURLToPath(p.specDir);
  if (p.programUrl !== undefined) return fileURLToPath(new URL(p.specDir, p.programUrl));
  return p.specDir;
}

// src/runtime/cell and dist/runtime/cell are both three levels below the package root.
const CELL_SCHEMA_PATH = new URL('../../../schema/cell-config.schema.json', import.meta.url);
let cellSchema: object | undefined;

/** The JSON Schema of one cell config (schema/cell-config.schema.json), read once. */
export function cellConfigSchema(): object {
  cellSchema ??= JSON.parse(readFileSync(CELL_SCHEMA_PATH, 'utf8')) as object;
  return cellSchema;
}

/** The command line of a compiled program (see run/program.ts): --list, --cell, --jobs, --only, --set, --out, ... */
export async function runCellProgram(program: CellProgram, argv: string[] = process.argv.slice(2)): Promise<number> {
  if (program.engine !== undefined) {
    // Loaded only here: a tfjs program never imports an external engine (verl: Parquet writer, reward server).
    const { loadEngine } = await import('../../engines/index.js');
    const engine = await loadEngine(program.engine);
    if (!engine) throw new Error(`this program names engine '${program.engine}', which this rlvrc does not have`);
    return engine.runProgram(program, argv);
  }
  return runProgram({
    experiment: program.experiment,
    source: program.source,
    compilerVersion: program.compilerVersion,
    cells: program.cells,
    runCell: (cell, ctx) => runCell(cell, ctx, program),
    cellSchema: cellConfigSchema(),
    reviseCell: reviseOverriddenCell,
    progressMetrics: ['reward_mean', 'response_length'],
  }, argv);
}

/** A compiled program's entry point: runs the command line of process.argv and sets the exit code. */
export async function main(program: CellProgram): Promise<void> {
  process.exitCode = await runCellProgram(program);
}
