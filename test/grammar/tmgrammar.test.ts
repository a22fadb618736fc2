// Runs the vscode-tmgrammar-test CLI on test/grammar/cases/*.rlvr against grammar/package.json, and checks
// that the harness really fails on a wrong assertion (so a passing run means something).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, grammarPath } from './tokenize.js';

const cli = join(repoRoot, 'node_modules', '.bin', 'vscode-tmgrammar-test');
const manifest = join(repoRoot, 'grammar', 'package.json');
const casesDir = join(repoRoot, 'test', 'grammar', 'cases');
const caseFiles = readdirSync(casesDir).filter(f => f.endsWith('.rlvr')).sort().map(f => join('test', 'grammar', 'cases', f));

function runCli(files: string[]): { status: number | null; out: string } {
  const r = spawnSync(cli, ['--config', manifest, ...files], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function withTempCases<T>(cases: Record<string, string>, fn: (paths: string[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'rlvr-tmgrammar-'));
  try {
    const paths = Object.entries(cases).map(([name, text]) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    });
    return fn(paths);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scopes a case file requires somewhere (left of ` - ` on its assertion lines). */
function requiredScopes(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^\/\/\s*(?:\^+|<~*-+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const required = m[1]!.startsWith('-') ? '' : m[1]!.split(/\s+-(?:\s|$)/)[0]!;
    for (const s of required.split(/\s+/)) if (s) out.add(s);
  }
  return out;
}

/** Every scope name the grammar can assign (rule names and capture names). */
function grammarScopes(): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'name' && typeof v === 'string' && node !== grammar) for (const s of v.split(/\s+/)) out.add(s);
        else visit(v);
      }
    }
  };
  const grammar = JSON.parse(readFileSync(grammarPath, 'utf8')) as Record<string, unknown>;
  visit(grammar.patterns);
  visit(grammar.repository);
  return out;
}

test('there are case files for every construct', () => {
  assert.deepEqual(
    caseFiles.map(f => f.split('/').pop()),
    ['comments.rlvr', 'expressions.rlvr', 'keywords.rlvr', 'numbers.rlvr', 'strings.rlvr'],
  );
  for (const f of caseFiles) {
    const text = readFileSync(join(repoRoot, f), 'utf8');
    assert.match(text.split('\n')[0]!, /^\/\/ SYNTAX TEST "source\.rlvr"/, `${f}: header`);
    assert.ok(requiredScopes(text).size >= 5, `${f}: has scope assertions`);
  }
});

test('every scope the grammar assigns is asserted by some case file', () => {
  const asserted = new Set(caseFiles.flatMap(f => [...requiredScopes(readFileSync(join(repoRoot, f), 'utf8'))]));
  const missing = [...grammarScopes()].filter(s => !asserted.has(s)).sort();
  assert.deepEqual(missing, [], `scopes without a positive assertion in test/grammar/cases: ${missing.join(', ')}`);
  // and the case files assert no scope the grammar cannot produce (a typo there could only be an exclusion)
  const unknown = [...asserted].filter(s => s !== 'source.rlvr' && !grammarScopes().has(s)).sort();
  assert.deepEqual(unknown, []);
});

test('vscode-tmgrammar-test passes on all case files', () => {
  const r = runCli(caseFiles);
  assert.equal(r.status, 0, r.out);
  for (const f of caseFiles) assert.ok(r.out.includes(`${f} run successfuly`), `${f} not reported as passing:\n${r.out}`);
  assert.doesNotMatch(r.out, /failed|missing required scopes/);
});

test('the harness fails on a wrong assertion (it cannot pass vacuously)', () => {
  const header = '// SYNTAX TEST "source.rlvr" "harness check"\n';
  const good = `${header}model m = x\n// <----- keyword.declaration.rlvr\n//    ^ entity.name.type.rlvr\n`;
  const wrongScope = `${header}model m = x\n// <----- constant.language.rlvr\n`;
  const prohibited = `${header}model m = x\n//    ^ - entity.name.type.rlvr\n`;
  withTempCases({ 'good.rlvr': good, 'wrong.rlvr': wrongScope, 'prohibited.rlvr': prohibited }, ([g, w, p]) => {
    assert.equal(runCli([g!]).status, 0, 'a correct assertion passes');
    const rw = runCli([w!]);
    assert.notEqual(rw.status, 0, rw.out);
    assert.match(rw.out, /missing required scopes: constant\.language\.rlvr/);
    const rp = runCli([p!]);
    assert.notEqual(rp.status, 0, rp.out);
    assert.match(rp.out, /prohibited scopes: entity\.name\.type\.rlvr/);
    assert.notEqual(runCli([g!, w!]).status, 0, 'one failing file fails the run');
  });
});

test('flipping one assertion in a real case file makes it fail', () => {
  const text = readFileSync(join(casesDir, 'keywords.rlvr'), 'utf8');
  const flipped = text.replace('keyword.operator.logical.rlvr', 'keyword.control.conditional.rlvr');
  assert.notEqual(flipped, text);
  withTempCases({ 'keywords.rlvr': text, 'flipped.rlvr': flipped }, ([same, bad]) => {
    assert.equal(runCli([same!]).status, 0);
    const r = runCli([bad!]);
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /missing required scopes: keyword\.control\.conditional\.rlvr/);
  });
});
