// Golden files: test/fixtures/<area>/<case>/ holds an input beside its expected outputs.
// UPDATE_GOLDEN=1 rewrites the expected files from the current output (review the diff before committing).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
export const REPO = new URL('../../', import.meta.url).pathname;
const update = process.env.UPDATE_GOLDEN === '1';

/** The case folders of an area; throws when there are none, so a lost fixture folder cannot pass silently. */
export function goldenCases(area: string): Array<{ name: string; dir: string }> {
  const root = join(FIXTURES, area);
  const cases = existsSync(root) ? readdirSync(root).filter(n => statSync(join(root, n)).isDirectory()).sort() : [];
  if (cases.length === 0) throw new Error(`no golden cases under ${root}`);
  return cases.map(name => ({ name, dir: join(root, name) }));
}

export function expectGolden(path: string, actual: string): void {
  if (update) {
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden file ${path} (run with UPDATE_GOLDEN=1 to create it)`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${path} (UPDATE_GOLDEN=1 rewrites it)`);
}
