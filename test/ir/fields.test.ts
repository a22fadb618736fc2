// Every field of the cell config (src/ir/cell.ts, published as schema/cell-config.schema.json) must mean
// something to the engine that runs it: a field that the checker accepts and no engine reads is how
// `epochs` and `advantage_epsilon` once drifted into configs that described runs that did not happen.
// The TypeScript language service finds each property's references; a field read by no consumer fails
// here unless it is listed below with the reason it needs no reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Node, Project, SyntaxKind } from 'ts-morph';
import { REPO } from '../helpers/golden.js';

/** Fields no engine reads, each with why that is right. */
const NOT_READ_BY_ENGINES: Record<string, string> = {
  'CellConfig.format': 'the cell-config format version, for readers of artifacts',
  'CellConfig.language': 'the spec language version the cell was checked under',
  'CellConfig.experiment': 'identity: the program carries the experiment name itself',
  'CellConfig.axes': 'identity: the axis values the id names (--set refuses to change them)',
  'CellConfig.grid': 'identity: which grid the cell came from (reports group by it)',
  'DataConfig.labels': 'a fact for the checker\'s rules (RLVR5010: a labelled reward on unlabelled data)',
  'StageConfig.preset': 'provenance: the preset\'s values are in the other corpus fields, which are read',
  'ModelConfig.dropout': 'the checker accepts only 0 (no dropout layers yet), so there is nothing to honour',
  'RewardConfig.name': 'a label; the reward is compiled from its expression',
  'RewardConfig.binary': 'a fact for the checker\'s rules and explain',
  'RewardConfig.needs_labels': 'a fact for the checker\'s rules',
  'AlgorithmConfig.name': 'a label',
  'AlgorithmConfig.family': 'a label: Dr. GRPO acts through its advantage and loss defaults, which are read',
  'AlgorithmConfig.rollouts_per_step': 'derived (prompts_per_step × group), for explain and reports',
  'AlgorithmConfig.updates_per_step': 'derived (epochs × rollouts / minibatch), for explain and reports; the trainer makes exactly those updates from the fields it derives from',
  'AlgorithmConfig.low': 'read with clip as a whole, by the trainer\'s own clip type',
  'AlgorithmConfig.high': 'read with clip as a whole, by the trainer\'s own clip type',
  'OptimizerConfig.name': 'a label',
  'Range.min': 'read through the world\'s own Range type (toRuntimeWorld passes ranges whole)',
  'Range.max': 'read through the world\'s own Range type (toRuntimeWorld passes ranges whole)',
};

/** Fields explain needs not show: what the objective and update do not depend on. */
const NOT_IN_EXPLAIN = new Set(['AlgorithmConfig.name', 'AlgorithmConfig.family', 'AlgorithmConfig.low', 'AlgorithmConfig.high', 'OptimizerConfig.name']);

const project = new Project({ tsConfigFilePath: join(REPO, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
project.addSourceFilesAtPaths(join(REPO, 'src/**/*.ts'));
const ir = project.getSourceFileOrThrow(join(REPO, 'src/ir/cell.ts'));

interface Field { key: string; readers: string[] }
const fields: Field[] = ir.getDescendantsOfKind(SyntaxKind.PropertySignature).map(p => {
  const owner = p.getFirstAncestor(a => Node.isInterfaceDeclaration(a) || Node.isTypeAliasDeclaration(a));
  const name = owner && (Node.isInterfaceDeclaration(owner) || Node.isTypeAliasDeclaration(owner)) ? owner.getName() : '?';
  const nameNode = p.getNameNode();
  assert.ok(Node.isIdentifier(nameNode), `${name}: a quoted property name`);
  const readers = nameNode.findReferencesAsNodes().map(n => n.getSourceFile().getFilePath().slice(join(REPO, 'src').length + 1));
  return { key: `${name}.${p.getName()}`, readers };
});

// The tfjs engine: the runtime and the code generator (which compiles reward expressions into the program).
// --set's checks (overridable.ts) validate fields; they do not honour them.
const isEngine = (f: string) => (f.startsWith('runtime/') && f !== 'runtime/cell/overridable.ts') || f.startsWith('codegen/');

test('every cell-config field is read by the tfjs engine, or listed with the reason it needs no reader', () => {
  assert.ok(fields.length > 100, `only ${fields.length} fields found`);
  const unread = [...new Set(fields.filter(f => !f.readers.some(isEngine)).map(f => f.key))].filter(k => !(k in NOT_READ_BY_ENGINES));
  assert.deepEqual(unread, [], 'fields no engine reads: honour them in src/runtime, or refuse them in the checker');
  const known = new Set(fields.map(f => f.key));
  assert.deepEqual(Object.keys(NOT_READ_BY_ENGINES).filter(k => !known.has(k)), [], 'stale entries');
});

test('explain shows every algorithm and optimizer field: the objective it prints is the one that runs', () => {
  const missing = [...new Set(fields.filter(f => /^(AlgorithmConfig|OptimizerConfig)\./.test(f.key) && !NOT_IN_EXPLAIN.has(f.key) && !f.readers.includes('checker/explain.ts')).map(f => f.key))];
  assert.deepEqual(missing, []);
});
