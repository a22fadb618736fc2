// rlvrc report: golden report.md / report.csv / cells.csv and figure specs (data and encodings) for
// committed runs directories, well-formed SVG with a PNG of twice its size beside each, means over seeds
// and gains computed independently, options, broken input, and a report of a runs directory the run layer
// itself wrote.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { reportCommand } from '../../src/cli/report.js';
import { buildReport, loadRuns } from '../../src/report/index.js';
import { curveFigure, gainFigure } from '../../src/report/figures.js';
import { varyingAxes } from '../../src/report/table.js';
import { runProgram } from '../../src/runtime/run/index.js';
import { expectGolden, goldenCases } from '../helpers/golden.js';
import { DEFINITION } from '../run/fixtures/fake-program.js';
import { captureIO, readJson, tmp } from '../run/helpers.js';
import { checkWellFormed } from './xml.js';

async function report(args: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await reportCommand(args, { stdout: s => { out += s; }, stderr: s => { err += s; }, cwd });
  return { code, out, err };
}

/** A copy of a fixture's runs directory, since the report is written inside it. */
function copyRuns(caseDir: string): string {
  const dir = join(tmp('rlvrc-report-'), 'runs');
  cpSync(join(caseDir, 'runs'), dir, { recursive: true });
  return dir;
}

/** Width and height of a PNG, read back with an independent decoder. */
function pngSize(file: string): { width: number; height: number } {
  const png = PNG.sync.read(readFileSync(file));
  return { width: png.width, height: png.height };
}

describe('golden reports', () => {
  for (const { name, dir: caseDir } of goldenCases('report')) {
    test(name, async () => {
      const runs = copyRuns(caseDir);
      const r = await report(['runs'], join(runs, '..'));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^wrote runs\/report\/report.md, report.html, report.csv, cells.csv and \d+ figures? \(SVG \+ PNG\): \d+ cells \([a-z0-9, ]+\) in \d+ groups(, \d+ grids)?\n$/);
      assert.equal(r.err, '', 'no progress lines for a small directory');
      const out = join(runs, 'report');
      for (const f of ['report.md', 'report.csv', 'cells.csv']) expectGolden(join(caseDir, 'expected', f), readFileSync(join(out, f), 'utf8'));
      const figures = readdirSync(out).filter(f => /\.(svg|png)$/.test(f)).sort();
      expectGolden(join(caseDir, 'expected', 'plots.txt'), figures.join('\n') + '\n');
      // The figure specs: their data and encodings, golden (what a figure shows, not its pixels).
      const specs = buildReport(loadRuns(runs)).figures;
      assert.deepEqual(specs.map(f => `${f.name}.svg`), figures.filter(f => f.endsWith('.svg')).sort((a, b) => specs.findIndex(s => `${s.name}.svg` === a) - specs.findIndex(s => `${s.name}.svg` === b)));
      mkdirSync(join(caseDir, 'expected', 'specs'), { recursive: true });
      for (const f of specs) expectGolden(join(caseDir, 'expected', 'specs', `${f.name}.vl.json`), JSON.stringify(f.spec, null, 1) + '\n');
      for (const svg of figures.filter(f => f.endsWith('.svg'))) {
        const text = readFileSync(join(out, svg), 'utf8');
        const xml = checkWellFormed(text);
        assert.equal(xml.root, 'svg');
        assert.ok(text.includes('>step</text>') || svg.endsWith('.gain.svg'), `${svg}: x axis title`);
        const [, w, h] = /^<svg[^>]* width="([\d.]+)" height="([\d.]+)"/.exec(text)!;
        // The PNG is the same picture at twice the size (Vega may size a picture to half pixels).
        assert.deepEqual(pngSize(join(out, svg.replace(/\.svg$/, '.png'))), { width: Math.ceil(2 * Number(w)), height: Math.ceil(2 * Number(h)) });
        const spec = specs.find(s => `${s.name}.svg` === svg)!;
        for (const label of spec.figure.legend.values()) assert.ok(text.includes(`>${label}</text>`), `${svg}: legend entry ${label}`);
      }
    });
  }
});

describe('what the report computes', () => {
  test('curves: the mean over seeds at each step, the min-max band and every seed; failed cells and torn lines are left out', () => {
    const runs = join(goldenCases('report').find(c => c.name === 'paper-mini')!.dir, 'runs');
    const cells = loadRuns(runs);
    assert.deepEqual(varyingAxes(cells).map(a => a.name), ['model', 'reward', 'seed']);
    const fig = curveFigure({ grid: null, cells }, 'math.accuracy', {})!;
    // The grid's declared axes decide: one panel per model, one line per reward.
    assert.deepEqual(fig.layout, { column: ['model'], row: [], color: ['reward'] });
    assert.deepEqual(fig.columns, ['no_code_like', 'qwen_math_like']);
    const line = (model: string, reward: string) => fig.means.filter(m => m.column === model && m.color === reward);
    // Independently from the files: the two seeds of qwen_math_like · random, averaged per step.
    const evalsOf = (id: string) => readFileSync(join(runs, id, 'eval.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l));
    const s1 = evalsOf('model=qwen_math_like,reward=random,seed=1');
    const s2 = evalsOf('model=qwen_math_like,reward=random,seed=2');
    assert.deepEqual(line('qwen_math_like', 'random').map(p => [p.step, p.mean, p.lo, p.hi, p.n]),
      s1.map((r, i) => [r.step, (r.accuracy + s2[i].accuracy) / 2, Math.min(r.accuracy, s2[i].accuracy), Math.max(r.accuracy, s2[i].accuracy), 2]));
    assert.deepEqual(fig.seeds.filter(p => p.column === 'qwen_math_like' && p.color === 'random' && p.seed === '2').map(p => p.value), s2.map(r => r.accuracy));
    // The running cell's torn third line is ignored: its group has seed 1 to step 20, both seeds before.
    const gt = line('qwen_math_like', 'ground_truth');
    const r1 = evalsOf('model=qwen_math_like,reward=ground_truth,seed=1');
    assert.deepEqual(gt.map(p => p.n), [2, 2, 1]);
    assert.equal(gt[2]!.mean, r1[2].accuracy);
    // The failed seed 2 of no_code_like · random does not enter the mean; the legend says so with n=1-2.
    assert.deepEqual(line('no_code_like', 'random').map(p => p.mean), evalsOf('model=no_code_like,reward=random,seed=1').map(r => r.accuracy));
    assert.equal(fig.legend.get('random'), 'random (n=1-2)');
    assert.equal(fig.legend.get('ground_truth'), 'ground_truth (n=2)');
  });

  test('gains: last evaluation minus step 0 per finished cell, then mean and sample std over seeds, figure and table alike', async () => {
    const runs = copyRuns(goldenCases('report').find(c => c.name === 'paper-mini')!.dir);
    const cells = loadRuns(runs);
    const fig = gainFigure({ grid: null, cells }, 'math.accuracy', {})!;
    const accuracies = (id: string) => readFileSync(join(runs, id, 'eval.jsonl'), 'utf8').trim().split('\n').flatMap(l => { try { return [JSON.parse(l).accuracy as number]; } catch { return []; } });
    const gain = (id: string) => { const a = accuracies(id); return a.at(-1)! - a[0]!; };
    const [g1, g2] = [gain('model=no_code_like,reward=ground_truth,seed=1'), gain('model=no_code_like,reward=ground_truth,seed=2')];
    const bar = fig.bars.find(b => b.column === 'no_code_like' && b.color === 'ground_truth')!;
    assert.ok(Math.abs(bar.mean - (g1 + g2) / 2) < 1e-12);
    assert.ok(Math.abs(bar.std! - Math.abs(g1 - g2) / Math.sqrt(2)) < 1e-12, 'sample std of two values is |a - b| / sqrt 2');
    // Only finished cells: the running seed 2 of qwen_math_like · ground_truth and the failed no_code_like · random seed 2 are out.
    assert.deepEqual(fig.bars.map(b => `${b.column}/${b.color}:${b.n}`), ['no_code_like/ground_truth:2', 'no_code_like/random:1', 'qwen_math_like/ground_truth:1', 'qwen_math_like/random:2']);
    assert.equal(fig.bars.find(b => b.n === 1)!.std, null);
    assert.equal((await report([runs], '/')).code, 0);
    const md = readFileSync(join(runs, 'report', 'report.md'), 'utf8');
    const row = md.split('\n').find(l => l.startsWith('| no_code_like | ') && md.indexOf(l) > md.indexOf('#### math.accuracy: last evaluation'))!;
    const m = /^\| no_code_like \| (\S+) ± (\S+) \(n=2\) \| (\S+) \(n=1\) \|$/.exec(row);
    assert.ok(m, row);
    const near = (shown: string, x: number) => assert.ok(Math.abs(Number(shown) - x) < 5e-4, `${shown} vs ${x}`);
    near(m[1]!, (g1 + g2) / 2);
    near(m[2]!, Math.abs(g1 - g2) / Math.sqrt(2));
    near(m[3]!, gain('model=no_code_like,reward=random,seed=1'));
  });
});

describe('options and bad input', () => {
  const paperMini = goldenCases('report').find(c => c.name === 'paper-mini')!.dir;

  test('--metric chooses the columns and the plots; --out the directory', async () => {
    const runs = copyRuns(paperMini);
    const r = await report([runs, '--metric', 'math.code_rate', '--out', join(runs, '..', 'elsewhere')], '/');
    assert.equal(r.code, 0, r.err);
    const out = join(runs, '..', 'elsewhere');
    assert.deepEqual(readdirSync(out).sort(), ['cells.csv', 'math.code_rate.gain.png', 'math.code_rate.gain.svg', 'math.code_rate.png', 'math.code_rate.svg', 'report.csv', 'report.html', 'report.md']);
    assert.equal(readFileSync(join(out, 'report.csv'), 'utf8').split('\n')[0], 'model,reward,cells,finished,math.code_rate_mean,math.code_rate_std,math.code_rate_n');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /## math.code_rate/);
    assert.doesNotMatch(md, /math.accuracy/);
  });

  test('--gain adds each eval metric\'s change from step 0, computed from eval.jsonl (checked here by hand)', async () => {
    const runs = copyRuns(paperMini);
    const r = await report([runs, '--gain', '--metric', 'math.accuracy.gain'], '/');
    assert.equal(r.code, 0, r.err);
    const csvLine = (l: string) => [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map(m => m[1]!.replace(/^"|"$/g, '').replaceAll('""', '"')).slice(0, -1);
    const rows = readFileSync(join(runs, 'report', 'cells.csv'), 'utf8').trim().split('\n').map(csvLine);
    assert.deepEqual(rows[0]!.slice(-1), ['math.accuracy.gain']);
    let checked = 0;
    for (const row of rows.slice(1)) {
      const cell = row[0]!;
      const evals = readFileSync(join(runs, cell, 'eval.jsonl'), 'utf8').trim().split('\n').flatMap(l => { try { return [JSON.parse(l) as { step: number; name: string; accuracy: number }]; } catch { return []; } }); // a torn last line is skipped, as the report does
      const math = evals.filter(e => e.name === 'math');
      if (row.at(-3) !== 'finished') continue;
      assert.ok(Math.abs(Number(row.at(-1)) - (math.at(-1)!.accuracy - math[0]!.accuracy)) < 1e-6, `${cell}: ${row.at(-1)}`);
      checked++;
    }
    assert.ok(checked >= 4, `${checked} finished cells checked`);
    assert.match(readFileSync(join(runs, 'report', 'report.md'), 'utf8'), /ending in `\.gain` is the change from step 0/);
    // Naming a gain metric implies --gain.
    assert.equal((await report([runs, '--metric', 'math.code_rate.gain'], '/')).code, 0);
  });

  test('usage errors exit 2, broken artifacts exit 1 naming the file and line', async () => {
    const runs = copyRuns(paperMini);
    const cwd = join(runs, '..');
    let r = await report(['runs', '--metric', 'math.acuracy'], cwd);
    assert.equal(r.code, 2);
    assert.match(r.err, /no cell has a metric 'math.acuracy' \(did you mean 'math.accuracy'\?\); final metrics: math.accuracy, math.code_rate/);
    r = await report([], cwd);
    assert.equal(r.code, 2);
    assert.match(r.err, /which runs directory\?[\s\S]*usage: rlvrc report DIR/);
    r = await report(['nowhere'], cwd);
    assert.equal(r.code, 2);
    assert.match(r.err, /nowhere is not a directory/);
    r = await report(['runs', '--plot'], cwd);
    assert.match(r.err, /unknown option '--plot'/);
    mkdirSync(join(cwd, 'empty'));
    r = await report(['empty'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.err, /no cell directories \(directories holding manifest.json\) under empty/);

    const evalFile = join(runs, 'model=no_code_like,reward=ground_truth,seed=1', 'eval.jsonl');
    const original = readFileSync(evalFile, 'utf8');
    writeFileSync(evalFile, original.replace(/("step":10,"name":"math","accuracy":)[\d.]+/, '$1"high"'));
    r = await report(['runs'], cwd);
    assert.equal(r.code, 1);
    assert.ok(r.err.startsWith(`rlvrc report: ${evalFile}:2: does not match schema/eval.schema.json: /accuracy must be`), r.err);
    writeFileSync(evalFile, original);

    const resultFile = join(runs, 'model=qwen_math_like,reward=random,seed=1', 'result.json');
    writeFileSync(resultFile, JSON.stringify({ ...readJson(resultFile), status: 'done' }));
    r = await report(['runs'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.err, /result.json: does not match schema\/result.schema.json: \/status must be equal to one of the allowed values \("finished", "failed"\)/);
  });
});

describe('plots worth drawing', () => {
  test('an eval metric that never changes gets no plot unless --metric asks for it', async () => {
    const runs = copyRuns(goldenCases('report').find(c => c.name === 'ids-only')!.dir);
    for (const cell of readdirSync(runs)) {
      const file = join(runs, cell, 'eval.jsonl');
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('{"step":', '{"problems":100,"step":'));
    }
    assert.equal((await report([runs], '/')).code, 0);
    // ids-only has two grids (clip, rewards): a curve and a gain figure per grid.
    const svgs = (dir: string) => readdirSync(dir).filter(f => f.endsWith('.svg')).sort();
    assert.deepEqual(svgs(join(runs, 'report')), ['clip.accuracy.gain.svg', 'clip.accuracy.svg', 'rewards.accuracy.gain.svg', 'rewards.accuracy.svg']);
    assert.equal((await report([runs, '--metric', 'problems', '--out', join(runs, 'asked')], '/')).code, 0);
    assert.deepEqual(svgs(join(runs, 'asked')), ['clip.problems.gain.svg', 'clip.problems.svg', 'rewards.problems.gain.svg', 'rewards.problems.svg']);
  });

  test('cells evaluated only once (evaluation-only cells) get a table but no plot', async () => {
    const runs = copyRuns(goldenCases('report').find(c => c.name === 'ids-only')!.dir);
    for (const cell of readdirSync(runs)) {
      const file = join(runs, cell, 'eval.jsonl');
      writeFileSync(file, readFileSync(file, 'utf8').split('\n')[0] + '\n');
    }
    const r = await report([runs], '/');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, / and 0 figures /);
    assert.deepEqual(readdirSync(join(runs, 'report')).filter(f => f.endsWith('.svg')), []);
  });
});

describe('what computed the cells', () => {
  test('the header names each backend, matmul library and OpenBLAS kernel with its cell count, and says when they differ', async () => {
    const runs = copyRuns(goldenCases('report').find(c => c.name === 'ids-only')!.dir);
    const cells = readdirSync(runs).sort();
    const setBackend = (cell: string, blas: unknown) => {
      const file = join(runs, cell, 'manifest.json');
      const m = readJson(file) as { backend: Record<string, unknown> };
      writeFileSync(file, JSON.stringify({ ...m, backend: { ...m.backend, blas } }));
    };
    const zen = { library: 'libopenblas.so.0', threads: 1, config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64' };
    for (const c of cells) setBackend(c, zen);
    assert.equal((await report([runs], '/')).code, 0);
    assert.match(readFileSync(join(runs, 'report', 'report.md'), 'utf8'), /\nComputed on `wasm\+openblas-0\.3\.21-Zen` \(5 cells\)\.\n/);
    setBackend(cells[0]!, { ...zen, config: zen.config.replace('Zen', 'Haswell') });
    setBackend(cells[1]!, null);
    setBackend(cells[2]!, null);
    assert.equal((await report([runs], '/')).code, 0);
    assert.match(readFileSync(join(runs, 'report', 'report.md'), 'utf8'),
      /\nComputed on `wasm` \(2 cells\), `wasm\+openblas-0\.3\.21-Zen` \(2 cells\), `wasm\+openblas-0\.3\.21-Haswell` \(1 cell\): not comparable bit for bit across these\.\n/);
  });
});

describe('a runs directory written by the run layer', () => {
  test('report of the fake program: final metrics and their mean over seeds', async () => {
    const out = join(tmp('rlvrc-report-'), 'runs');
    for (const c of DEFINITION.cells) assert.equal(await runProgram(DEFINITION, ['--cell', c.id, '--out', out], captureIO()), 0);
    const r = await report([out], '/');
    assert.equal(r.code, 0, r.err);
    const rows = readFileSync(join(out, 'report', 'report.csv'), 'utf8').trim().split('\n').map(l => l.split(','));
    assert.deepEqual(rows[0], ['reward', 'cells', 'finished', 'math.accuracy_mean', 'math.accuracy_std', 'math.accuracy_n', 'math.code_rate_mean', 'math.code_rate_std', 'math.code_rate_n']);
    const acc = (id: string) => readJson(join(out, id, 'result.json')).final_metrics['math.accuracy'];
    const random = rows.find(r => r[0] === 'random')!;
    const mean = (acc('reward=random,seed=1') + acc('reward=random,seed=2')) / 2;
    assert.equal(random[1], '2');
    assert.equal(Number(random[3]), Number(mean.toPrecision(6)));
    assert.equal(random[5], '2');
    const fig = curveFigure({ grid: null, cells: loadRuns(out) }, 'math.accuracy', {})!;
    assert.deepEqual([...fig.legend.values()], ['ground_truth (n=1)', 'random (n=2)'], 'one line per reward, with its number of seeds');
    assert.ok(existsSync(join(out, 'report', 'math.accuracy.svg')) && existsSync(join(out, 'report', 'math.accuracy.png')));
  });
});

describe('gains', () => {
  test('last minus step 0; none for a cell evaluated once or never at step 0', async () => {
    const { withGains } = await import('../../src/report/gains.js');
    const cell = (evals: Array<{ step: number; name: string; accuracy: number }>) => ({
      id: 'c', dir: 'c', status: 'finished' as const, coords: new Map(), manifest: {} as never, evals,
      result: { final_metrics: { 'e.accuracy': evals.at(-1)?.accuracy ?? null } } as never,
    });
    const gain = (c: ReturnType<typeof cell>) => (withGains([c])[0]!.result!.final_metrics as Record<string, number | null>)['e.accuracy.gain'];
    assert.ok(Math.abs(gain(cell([{ step: 0, name: 'e', accuracy: 0.25 }, { step: 20, name: 'e', accuracy: 0.5 }, { step: 40, name: 'e', accuracy: 0.75 }]))! - 0.5) < 1e-12);
    assert.equal(gain(cell([{ step: 0, name: 'e', accuracy: 0.25 }])), null);
    assert.equal(gain(cell([{ step: 10, name: 'e', accuracy: 0.25 }, { step: 20, name: 'e', accuracy: 0.5 }])), null);
  });
});
