// The code generator: golden programs for small specs, determinism, a type-check of every generated
// program against the runtime's published types, the injection promise, and committed generated/ outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Node, Project, ts, SyntaxKind, type SourceFile } from 'ts-morph';
import { goldenCases, expectGolden, FIXTURES, REPO } from '../helpers/golden.js';
import { check } from '../../src/checker/check.js';
import { compileExperiment, programDiagnostics, programName } from '../../src/codegen/compile.js';
import { compilerVersion } from '../../src/cli/version.js';

function compileIn(dir: string, file: string, outDir: string, write = true) {
  const result = check([file], { cwd: dir });
  const errors = result.diagnostics.filter(d => d.severity === 'error');
  assert.deepEqual(errors.map(d => `${d.code} ${d.summary}`), []);
  return result.experiments.map(ir => ({ ir, program: compileExperiment(ir, { outDir, cwd: dir, compilerVersion: compilerVersion(), name: programName(ir, result.experiments.length), write }) }));
}

/** Type-checks programs as a user's project would: `rlvrc` resolved from node_modules to this repo's dist. */
function typeCheck(files: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rlvrc-tc-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'rlvrc'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  const project = new Project({
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')], skipLibCheck: true, noEmit: true },
  });
  files.forEach((f, i) => {
    // .mts: always an ES module, as the generated .js is (it uses import.meta and top-level await).
    cpSync(f, join(dir, `p${i}.mts`));
    project.addSourceFileAtPath(join(dir, `p${i}.mts`));
  });
  return project.getPreEmitDiagnostics().map(d => `${d.getSourceFile()?.getBaseName() ?? ''}:${d.getLineNumber() ?? 0} ${ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, '\n')}`);
}

for (const c of goldenCases('codegen')) {
  test(`codegen golden: ${c.name}`, () => {
    // As if compiled to <case>/generated/, so that the output does not depend on where the repo lives.
    const { program } = compileIn(c.dir, 'input.rlvr', join(c.dir, 'generated'), false)[0]!;
    expectGolden(join(c.dir, 'out.ts'), program.ts);
    const again = compileIn(c.dir, 'input.rlvr', join(c.dir, 'generated'), false)[0]!.program;
    assert.equal(again.ts, program.ts, 'same input, same bytes');
    assert.equal(again.js, program.js, 'same input, same bytes');
  });
}

test('every generated program type-checks against the runtime with no diagnostics', () => {
  const files = [
    ...goldenCases('codegen').map(c => join(c.dir, 'out.ts')),
    ...readdirSync(join(REPO, 'generated')).filter(f => f.endsWith('.ts')).map(f => join(REPO, 'generated', f)),
  ];
  assert.ok(files.length >= 4);
  assert.deepEqual(typeCheck(files), []);
});

test('the type-check is real: a program misusing the runtime gets diagnostics', () => {
  const bad = join(mkdtempSync(join(tmpdir(), 'rlvrc-bad-')), 'bad.ts');
  writeFileSync(bad, "import * as rt from 'rlvrc/runtime';\nconst n: number = rt.cell.evalDue(1, 2);\nrt.cell.reward.correct(42, null);\n");
  const diags = typeCheck([bad]).join('\n');
  assert.match(diags, /Type 'boolean' is not assignable to type 'number'/);
  assert.match(diags, /Argument of type 'number' is not assignable to parameter of type 'string'/);
});

test('compile type-checks the program against the runtime: duplicate names and misused runtime calls are diagnostics', () => {
  const ok = readFileSync(join(FIXTURES, 'codegen/filter-names/out.ts'), 'utf8');
  assert.deepEqual(programDiagnostics(ok, 'filter-names'), []);
  // What the program was before names were allocated once: two filters with one name.
  const dup = ok.replace(/filter_correct_label_where_example_1_2/g, 'filter_correct_label_where_example_1');
  assert.match(programDiagnostics(dup, 'dup').join('\n'), /Duplicate function implementation/);
  const misuse = ok.replace('rewards: REWARDS,', 'rewards: 42,');
  assert.match(programDiagnostics(misuse, 'misuse').join('\n'), /Type 'number' is not assignable to type 'CompiledRewards'/);
});

/** Reads CELLS back: each field is a JSON literal, a shared constant (itself a JSON literal) or a list of them. */
function embeddedCells(sf: SourceFile): unknown[] {
  const constants = new Map<string, unknown>();
  for (const v of sf.getVariableDeclarations()) {
    const init = v.getInitializer();
    if (init?.getKind() === SyntaxKind.ObjectLiteralExpression && /^rt\.cell\.\w+Config$/.test(v.getTypeNode()?.getText() ?? '')) constants.set(v.getName(), JSON.parse(init.getText()));
  }
  const value = (node: Node): unknown => {
    if (Node.isIdentifier(node)) {
      assert.ok(constants.has(node.getText()), `unknown constant ${node.getText()}`);
      return constants.get(node.getText());
    }
    if (Node.isArrayLiteralExpression(node) && node.getElements().every(Node.isIdentifier)) return node.getElements().map(value);
    return JSON.parse(node.getText());
  };
  return sf.getVariableDeclarationOrThrow('CELLS').getInitializerIfKindOrThrow(SyntaxKind.ArrayLiteralExpression).getElements()
    .map(el => Object.fromEntries(el.asKindOrThrow(SyntaxKind.ObjectLiteralExpression).getProperties()
      .map(p => { const a = p.asKindOrThrow(SyntaxKind.PropertyAssignment); return [JSON.parse(a.getName()) as string, value(a.getInitializerOrThrow())]; })));
}

test('the committed paper-mini program embeds exactly the checker\'s cells', () => {
  const ir = check(['experiments/paper-mini.rlvr'], { cwd: REPO }).experiments[0]!;
  const sf = new Project({ useInMemoryFileSystem: true }).createSourceFile('p.ts', readFileSync(join(REPO, 'generated/paper-mini.ts'), 'utf8'));
  assert.deepEqual(embeddedCells(sf), ir.cells);
});

test('injection: strings full of quotes, backslashes, ${}, */ and newlines stay strings equal to the originals', () => {
  const dir = goldenCases('codegen').find(c => c.name === 'injection')!.dir;
  const { ir, program } = compileIn(dir, 'input.rlvr', mkdtempSync(join(tmpdir(), 'rlvrc-gen-')))[0]!;
  const project = new Project({ useInMemoryFileSystem: true });
  const sf = project.createSourceFile('p.ts', program.ts);
  // The embedded cells are data: JSON literals and references to JSON constants give the checker's cells exactly.
  assert.deepEqual(embeddedCells(sf), ir.cells);
  const cell = ir.cells[0]!;
  assert.equal(cell.prompt.system, '*/ process.exit(1); /* " \' ` ${1+1} \\ \u2028 end');
  assert.ok(cell.data.source === 'json' && cell.data.path === 'data/"quoted" \\back ${x} */ `tick`.json');
  assert.deepEqual(cell.algorithm.stop, ['*/', '"\n']);
  // The reward's strings reach the call as literals with the original values.
  const literals = sf.getDescendantsOfKind(SyntaxKind.CallExpression)
    .filter(call => call.getExpression().getText() === 'rt.cell.reward.contains')
    .map(call => JSON.parse(call.getArguments()[1]!.getText()) as string);
  assert.deepEqual(literals, ['"); process.exit(1); ("', '*/\n//${}\\`']);
  // Nothing from the spec became a statement: the program has exactly the statements the generator writes.
  assert.ok(!/^\s*process\.exit\(1\)/m.test(program.ts));
  const kinds = sf.getStatements().map(s => s.getKindName());
  assert.deepEqual([...new Set(kinds)].sort(), ['ExpressionStatement', 'FunctionDeclaration', 'ImportDeclaration', 'VariableStatement']);
});

test('the committed generated/ programs are current (regenerate with rlvrc compile experiments/<name>.rlvr)', () => {
  const specs = readdirSync(join(REPO, 'experiments')).filter(f => f.endsWith('.rlvr'));
  for (const spec of specs) {
    for (const { program } of compileIn(REPO, `experiments/${spec}`, join(REPO, 'generated'), false)) {
      const committedTs = readFileSync(join(REPO, 'generated', `${program.name}.ts`), 'utf8');
      const committedJs = readFileSync(join(REPO, 'generated', `${program.name}.js`), 'utf8');
      assert.equal(committedTs, program.ts, `generated/${program.name}.ts is stale`);
      assert.equal(committedJs, program.js, `generated/${program.name}.js is stale`);
    }
  }
});
