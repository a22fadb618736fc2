// check(files): the checker's entry point. Parse every file and its imports, bind names, evaluate and check
// every declaration (used or not), expand each experiment's grids into cells, and validate every cell
// against the published schema. Stages run in order, each adding diagnostics of the one shape.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { compareDiagnostics, countBySeverity } from '../diagnostics/diagnostic.js';
import { grid as gridMsg, names, rules, types } from '../diagnostics/catalogue.js';
import { buildCell, runKey } from './cells.js';
import { planGrid, type GridPlan } from './grid.js';
import { cellId } from './ids.js';
import type { CellConfig, ExperimentIR, GridIR } from '../ir/index.js';
import { lowerAlgorithm, lowerData, lowerEval, lowerModel, lowerOptimizer, lowerPrompt, lowerReward, type CheckEngine, type LowerContext } from './lower.js';
import { nodeHost, Program, type LoadedFile, type SourceHost } from './program.js';
import { Reporter } from './report.js';
import { nodeFiles, Resolver, type FileAccess } from './resolve.js';
import { LANGUAGE_VERSIONS, SETTINGS } from './schema/index.js';
import { suggest } from '../util/suggest.js';
import { declLoc, type ExperimentParts, type Sym } from './symbols.js';
import { assertValidCell } from './validate.js';
import type { DeclValue, Loc } from './values.js';

export interface CheckOptions {
  /** Root of relative file names and of the file names diagnostics print (default: process.cwd()). */
  cwd?: string;
  host?: SourceHost;
  fs?: FileAccess;
  /** Check every cell for this execution engine too (default: the tfjs runtime, which runs every valid cell). */
  engine?: CheckEngine;
  /** Check only the cells whose id this accepts for the engine (compile --engine E --only P); default all. */
  engineCells?: (id: string) => boolean;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** Text of every file read (by display name), for rendering code frames. */
  sources: Map<string, string>;
  /** The experiments of the files given (not of imported files), with their cells when there are no errors. */
  experiments: ExperimentIR[];
  /** The loaded files, their ASTs and bound scopes (symbols evaluated): what the language server navigates. */
  program: Program;
}


export function check(files: ReadonlyArray<string | { file: string; text: string }>, options: CheckOptions = {}): CheckResult {
  const rep = new Reporter();
  const program = new Program(options.cwd ?? process.cwd(), options.host ?? nodeHost, rep);
  const roots: LoadedFile[] = [];
  for (const f of files) {
    const loaded = typeof f === 'string' ? program.loadRoot(f) : program.loadRoot(f.file, f.text);
    if (!loaded) throw new Error(`cannot read '${typeof f === 'string' ? f : f.file}'`);
    if (!roots.includes(loaded)) roots.push(loaded);
  }
  program.bindAll();
  const resolver = new Resolver(rep, options.fs ?? nodeFiles);

  // Every declaration is checked, used or not, in the context of its own file.
  for (const file of program.files.values()) {
    const ctx: LowerContext = { rep, rootDir: dirname(file.abs) };
    const syms = [...file.scope.symbols.values(), ...file.experiments.flatMap(e => [...e.scope.symbols.values()])].filter(s => s.home.file === file.display);
    for (const sym of syms) {
      const v = resolver.symbolValue(sym, sym.loc);
      if (v) lowerStandalone(v, ctx);
    }
  }

  const experiments: ExperimentIR[] = [];
  const unevaluated: Unevaluated[] = [];
  for (const file of program.files.values()) {
    for (const parts of file.experiments) {
      const ir = checkExperiment(file, parts, program, resolver, rep, unevaluated, options.engine, options.engineCells);
      if (roots.includes(file)) experiments.push(ir);
    }
  }

  // A file with syntax errors gets only those: recovery can re-attach what follows an error to the wrong
  // block, and checking that would report mistakes the user never made. Its checks run once it parses.
  const broken = new Set(program.syntaxDiagnostics().map(d => d.file));
  let diagnostics = [...program.syntaxDiagnostics(), ...rep.diagnostics.filter(d => !broken.has(d.file))].sort(compareDiagnostics);
  if (countBySeverity(diagnostics).errors > 0) {
    for (const e of experiments) e.cells = [];
  } else {
    for (const e of experiments) for (const c of e.cells) assertValidCell(c);
    // Only on specs that would run: it is about what a run records, and would bury the errors otherwise.
    const before = rep.diagnostics.length;
    for (const u of unevaluated) rep.report(rules.noEval(u.experiment), u.at);
    diagnostics = [...diagnostics, ...rep.diagnostics.slice(before)].sort(compareDiagnostics);
  }
  const sources = new Map([...program.files.values()].map(f => [f.display, f.text]));
  return { diagnostics, sources, experiments, program };
}

function lowerStandalone(v: DeclValue, ctx: LowerContext): void {
  switch (v.kind) {
    case 'dataset': lowerData(v, ctx); break;
    case 'model': lowerModel(v, ctx); break;
    case 'prompt': lowerPrompt(v, undefined, ctx); break;
    case 'reward': lowerReward(v, ctx); break;
    case 'algorithm': lowerAlgorithm(v, ctx); break;
    case 'optimizer': lowerOptimizer(v, ctx); break;
    case 'eval': lowerEval(v, ctx); break;
    case 'train': break; // checked per cell, with the grid's values in place
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An experiment that trains (some cell has steps > 0) with no eval block, located at its train block. */
interface Unevaluated { experiment: string; at: Loc }

function checkExperiment(file: LoadedFile, parts: ExperimentParts, program: Program, resolver: Resolver, rep: Reporter, unevaluated: Unevaluated[], engine?: CheckEngine, engineCells?: (id: string) => boolean): ExperimentIR {
  const nameLoc: Loc = { file: file.display, span: parts.node.name.span };
  const ctx: LowerContext = engine ? { rep, rootDir: dirname(file.abs), engine, ...(engineCells ? { engineCells } : {}) } : { rep, rootDir: dirname(file.abs) };

  // Settings: language (required) and seed.
  const settings = new Map<string, number>();
  const seenSettings = new Map<string, Loc>();
  for (const s of parts.settings) {
    const key = s.key.text;
    const at = { file: file.display, span: s.key.span };
    const spec = SETTINGS.fields[key];
    if (!spec) {
      const known = Object.keys(SETTINGS.fields);
      rep.report(names.unknownField(key, 'the experiment settings', suggest(key, known), known.join(', ')), at);
      continue;
    }
    const first = seenSettings.get(key);
    if (first) {
      rep.report(names.duplicateField(key), at, [{ file: first.file, span: first.span, message: `'${key}' is first set here` }]);
      continue;
    }
    seenSettings.set(key, at);
    const v = resolver.checkValue(s.value, spec.type, parts.scope, key);
    if (typeof v !== 'number') continue;
    if (key === 'language' && !(LANGUAGE_VERSIONS as readonly number[]).includes(v)) {
      rep.report(types.unsupportedLanguage(String(v), LANGUAGE_VERSIONS.join(', ')), { file: file.display, span: s.value.span });
      continue;
    }
    settings.set(key, v);
  }
  if (!seenSettings.has('language')) rep.report(types.missingLanguage(parts.name), nameLoc);
  const language = settings.get('language') ?? LANGUAGE_VERSIONS[0];
  const seed = settings.get('seed') ?? (SETTINGS.fields.seed!.default as number);

  // The train block, the evals and the grids.
  const trainNode = parts.trains[0];
  let train: DeclValue | undefined;
  if (!trainNode) rep.report(rules.missingTrain(parts.name), nameLoc);
  else {
    const sym: Sym = { kind: 'train', name: trainNode.name?.text ?? 'train', decl: trainNode, home: parts.scope, loc: declLoc(file.display, trainNode), state: 'todo', value: undefined };
    train = resolver.symbolValue(sym, sym.loc);
  }
  const evals = parts.evals.flatMap(e => {
    const sym = e.name ? parts.scope.symbols.get(e.name.text) : undefined;
    const v = sym && sym.decl === e ? sym.value : undefined;
    return v ? [v] : [];
  });

  const plans: GridPlan[] = [];
  const gridNames = new Map<string, Loc>();
  for (const g of parts.grids) {
    if (parts.grids.length > 1 && !g.name) rep.report(gridMsg.unnamedGrid(), { file: file.display, span: g.span.start.line === g.span.end.line ? g.span : { start: g.span.start, end: { ...g.span.start, column: g.span.start.column + 4, offset: g.span.start.offset + 4 } } });
    if (g.name) {
      const first = gridNames.get(g.name.text);
      const at = { file: file.display, span: g.name.span };
      if (first) rep.report(names.duplicateDeclaration(g.name.text), at, [{ file: first.file, span: first.span, message: `grid '${g.name.text}' is first declared here` }]);
      gridNames.set(g.name.text, at);
    }
    const plan = planGrid(g, parts.scope, resolver, rep);
    if (plan) plans.push(plan);
  }

  const cells: CellConfig[] = [];
  const duplicates: ExperimentIR['duplicates'] = [];
  const grids: GridIR[] = [];
  const byRun = new Map<string, string>();
  const prefixed = parts.grids.length > 1;
  const runPlans: Array<GridPlan | null> = parts.grids.length === 0 ? [null] : plans;
  for (const plan of runPlans) {
    const ids: string[] = [];
    for (const values of plan ? plan.cells : [[]]) {
      const id = cellId(prefixed ? plan!.name : null, (plan?.axes ?? []).map((a, i) => [a.key, values[i]!.text]));
      ids.push(id);
      if (!train) continue;
      const cell = buildCell({ experiment: parts.name, language, seed, id, grid: plan?.name ?? null, axes: plan?.axes ?? [], values, train, evals, scope: parts.scope }, resolver, ctx);
      const key = runKey(cell);
      const same = byRun.get(key);
      if (same) duplicates.push({ id, sameAs: same });
      else {
        byRun.set(key, id);
        cells.push(cell);
      }
    }
    grids.push({ name: plan?.name ?? null, axes: (plan?.axes ?? []).map(a => ({ path: a.key, values: a.values.map(v => v.text) })), cells: ids });
  }
  if (trainNode && parts.evals.length === 0 && cells.some(c => c.train.steps > 0)) unevaluated.push({ experiment: parts.name, at: declLoc(file.display, trainNode) });

  return {
    name: parts.name,
    file: file.display,
    sourceSha256: sha256(file.text),
    sources: dependencies(file, program).map(f => ({ file: f.display, sha256: sha256(f.text) })),
    language,
    seed,
    grids,
    cells,
    duplicates,
  };
}

/** The file and everything it imports, transitively, the file first. */
function dependencies(root: LoadedFile, program: Program): LoadedFile[] {
  const out: LoadedFile[] = [];
  const visit = (f: LoadedFile) => {
    if (out.includes(f)) return;
    out.push(f);
    for (const abs of f.imports) {
      const g = program.files.get(abs);
      if (g) visit(g);
    }
  };
  visit(root);
  return out;
}
