// The package's entry points resolve by name (as they do for a user with rlvrc installed) and export what
// their documentation says.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('rlvrc, rlvrc/runtime and rlvrc/grader resolve to the built package', async () => {
  const compiler = await import('rlvrc');
  for (const name of ['parse', 'format', 'check', 'compileExperiment', 'renderReport', 'slurmArrayScript']) assert.equal(typeof (compiler as Record<string, unknown>)[name], 'function', name);
  const parsed = compiler.parse('experiment e {\n  language = 1\n}\n');
  assert.deepEqual(parsed.diagnostics, []);
  const runtime = await import('rlvrc/runtime');
  assert.equal(typeof runtime.runProgram, 'function');
  assert.equal(typeof runtime.cell.buildModel, 'function');
  const grader = await import('rlvrc/grader');
  assert.equal(grader.isEquivalent('\\frac{1}{2}', '0.5'), true);
});
