// A new user's own npm project, met the way they meet it: the packed package installed from its tarball
// into `npm init -y`'s project (outside this repo, no "type": "module"), their own spec, and the
// commands word for word: `npx rlvrc compile mine.rlvr && node generated/mine.js`, then `npx rlvrc run`.
// And rlvrc installed globally, compiling in a folder with no node_modules at all.
// Dependencies come from npm's cache where it has them (--prefer-offline; npm ci filled it), from the
// registry otherwise; tfjs-node (optional, its install downloads libtensorflow) is left out.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO } from '../helpers/golden.js';

const MINE = `// My first experiment: one tiny cell.
experiment mine {
  language = 1
  seed = 11

  dataset sums = arithmetic { operands = 2..2, digits = 1..1, operators = ["+"], train = 60, test = 10 }

  model small = transformer {
    layers = 1
    d_model = 16
    heads = 2
    context = 40
    pretrain on sums.train { steps = 3, batch = 8, lr = 3e-3, family = qwen_math_like }
  }

  reward ground_truth = correct(label)

  algorithm grpo {
    prompts_per_step = 2
    group = 2
    minibatch = 2
    clip = 0.2
    kl = 0
    max_tokens = 32
  }
  optimizer adam { lr = 1e-3 }

  train {
    model = small
    data = sums.train
    reward = ground_truth
    algorithm = grpo
    optimizer = adam
    steps = 4
  }

  eval held_out {
    data = sums.test
    greedy
    metrics = [accuracy]
  }
}
`;

/** The environment of a user's shell: none of the npm_* settings `npm test` passes down (they name this repo). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !/^RLVRC_/.test(k) && k !== 'NODE_TEST_CONTEXT' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

function sh(command: string, cwd: string, extra: Record<string, string> = {}) {
  const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', env: userEnv(extra), timeout: 240_000 });
  return { status: r.status, out: `$ ${command}\n${r.stdout}${r.stderr}` };
}

const INSTALL_FLAGS = '--prefer-offline --no-audit --no-fund --omit=optional';

let packed: { root: string; tgz: string } | null = null;
/** `npm pack` of this repo (dist/ as npm test built it) into a temp folder outside it; once per file. */
function pack(): { root: string; tgz: string } {
  if (packed) return packed;
  const root = mkdtempSync(join(tmpdir(), 'rlvrc-fresh-'));
  const r = sh(`npm pack --ignore-scripts --pack-destination ${root} >/dev/null`, REPO);
  assert.equal(r.status, 0, r.out);
  packed = { root, tgz: join(root, readdirSync(root).find(f => f.endsWith('.tgz'))!) };
  return packed;
}

// Two installs with tfjs weigh about 800 MB: leave nothing behind.
after(() => {
  if (packed) rmSync(packed.root, { recursive: true, force: true });
});

test('npm init -y; npm i <tarball>; npx rlvrc compile mine.rlvr && node generated/mine.js runs; so does npx rlvrc run', { timeout: 300_000 }, () => {
  const { root, tgz } = pack();
  const proj = join(root, 'proj');
  mkdirSync(proj);
  for (const cmd of ['npm init -y >/dev/null', `npm i ${INSTALL_FLAGS} ${tgz}`]) {
    const r = sh(cmd, proj);
    assert.equal(r.status, 0, r.out);
  }
  assert.notEqual((JSON.parse(readFileSync(join(proj, 'package.json'), 'utf8')) as { type?: string }).type, 'module');
  writeFileSync(join(proj, 'mine.rlvr'), MINE);
  const run = sh('npx rlvrc compile mine.rlvr && node generated/mine.js --set train.steps=1', proj);
  assert.equal(run.status, 0, run.out);
  assert.match(run.out, /wrote generated\/package\.json \(\{"type": "module"\}/);
  assert.doesNotMatch(run.out, /note: rlvrc is not installed/);
  assert.match(readFileSync(join(proj, 'generated/mine.js'), 'utf8'), /from 'rlvrc\/runtime'/);
  const result = JSON.parse(readFileSync(join(proj, 'runs/mine/default/result.json'), 'utf8')) as { status: string };
  assert.equal(result.status, 'finished');
  // `npx rlvrc run`: compiles again (the package.json it wrote stays as it is) and runs; the cell is done.
  const again = sh('npx rlvrc run mine.rlvr --set train.steps=1', proj);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /already finished/);
  assert.doesNotMatch(again.out, /wrote generated\/package\.json/);
});

test('a global rlvrc (npm i -g) compiles where no node_modules has rlvrc, and the program runs', { timeout: 300_000 }, () => {
  const { root, tgz } = pack();
  const prefix = join(root, 'global');
  const g = sh(`npm i -g --prefix ${prefix} ${INSTALL_FLAGS} ${tgz}`, root);
  assert.equal(g.status, 0, g.out);
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'mine.rlvr'), MINE);
  const run = sh('rlvrc compile mine.rlvr --out out && node out/mine.js --set train.steps=1', elsewhere, { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });
  assert.equal(run.status, 0, run.out);
  assert.match(run.out, /note: rlvrc is not installed in this project .* npm i rlvrc in the project, then compile again/);
  assert.ok(readFileSync(join(elsewhere, 'out/mine.js'), 'utf8').includes(`from 'file://${join(prefix, 'lib/node_modules/rlvrc/dist/runtime/index.js')}'`));
  assert.ok(existsSync(join(elsewhere, 'runs/mine/default/result.json')), run.out);
});
