// The report's figures: which axis goes where (defaults from the grid's declared axes, --facet/--color),
// their errors, report.html being self-contained, the font's measured widths against what resvg draws,
// and the largest grid (spurious-search's 168 cells): progress, a summary line, and every text element
// of every figure inside the picture.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { Resvg } from '@resvg/resvg-js';
import { reportCommand } from '../../src/cli/report.js';
import { buildReport, loadRuns } from '../../src/report/index.js';
import { chooseLayout } from '../../src/report/layout.js';
import { groupedBarStep } from '../../src/report/specs.js';
import { reportHtml } from '../../src/report/html.js';
import { renderSvg } from '../../src/report/render.js';
import { FONT_FAMILY, FONT_FILE, textWidth } from '../../src/report/font.js';
import { goldenCases } from '../helpers/golden.js';
import { readJson, tmp } from '../run/helpers.js';
import { writeSyntheticRuns } from './synthetic-runs.js';

async function report(args: string[], cwd = '/') {
  let out = '';
  let err = '';
  const code = await reportCommand(args, { stdout: s => { out += s; }, stderr: s => { err += s; }, cwd });
  return { code, out, err };
}

function paperMini(): string {
  const dir = join(tmp('rlvrc-figures-'), 'runs');
  cpSync(join(goldenCases('report').find(c => c.name === 'paper-mini')!.dir, 'runs'), dir, { recursive: true });
  return dir;
}

/** A picture decoded: its size and a predicate for "this pixel is not white". */
function decode(png: Buffer) {
  const img = PNG.sync.read(png);
  const inked = (x: number, y: number): boolean => {
    const i = (y * img.width + x) * 4;
    return img.data[i]! < 250 || img.data[i + 1]! < 250 || img.data[i + 2]! < 250;
  };
  return { width: img.width, height: img.height, inked };
}

/**
 * Only the SVG's text, drawn by resvg with the report's font on a canvas M px larger on every side: any ink
 * outside the middle W × H is text that the picture cuts off.
 */
function assertTextInside(svg: string, name: string): void {
  const M = 150;
  // Vega may size a picture to half pixels (an axis label's overhang); the canvas rounds up.
  const [, w, h] = /^<svg[^>]* width="([\d.]+)" height="([\d.]+)" viewBox="0 0 [\d.]+ [\d.]+"/.exec(svg)!.map(Number).map(Math.ceil);
  const textOnly = svg
    .replace(/<(path|rect|line|circle)\b[^>]*\/>/g, '')
    .replace(/^<svg([^>]*) width="[\d.]+" height="[\d.]+" viewBox="0 0 [\d.]+ [\d.]+"/, `<svg$1 width="${w! + 2 * M}" height="${h! + 2 * M}" viewBox="${-M} ${-M} ${w! + 2 * M} ${h! + 2 * M}"`);
  const img = decode(new Resvg(textOnly, { font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY }, background: 'white' }).render().asPng());
  assert.deepEqual([img.width, img.height], [w! + 2 * M, h! + 2 * M]);
  let inside = 0;
  const outside: string[] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (!img.inked(x, y)) continue;
      if (x >= M && x < M + w! && y >= M && y < M + h!) inside++;
      else if (outside.length < 3) outside.push(`${x - M},${y - M}`);
    }
  }
  assert.deepEqual(outside, [], `${name} (${w}×${h}): text ink outside the picture at ${outside.join(' ')}`);
  assert.ok(inside > 2000, `${name}: its text is drawn (${inside} px of ink)`);
}

/**
 * Horizontal axis labels side by side never run into each other: within each axis's label group, the
 * extents of level, centred labels on one line (measured in the drawn font) do not overlap.
 */
function assertAxisLabelsApart(svg: string, name: string): void {
  let groups = 0;
  for (const [, group] of svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/g)) {
    const byLine = new Map<string, Array<[number, number, string]>>();
    for (const [, x, y, size, text] of group!.matchAll(/<text text-anchor="middle" transform="translate\(([-\d.e]+),([-\d.e]+)\)"[^>]*font-size="([\d.]+)px"[^>]*>([^<]*)<\/text>/g)) {
      const w = textWidth(text!, Number(size));
      const line = byLine.get(y!) ?? [];
      line.push([Number(x) - w / 2, Number(x) + w / 2, text!]);
      byLine.set(y!, line);
    }
    for (const line of byLine.values()) {
      line.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < line.length; i++) {
        assert.ok(line[i]![0] >= line[i - 1]![1], `${name}: axis labels '${line[i - 1]![2]}' and '${line[i]![2]}' overlap`);
      }
      groups++;
    }
  }
  assert.ok(groups > 0, `${name}: has level axis labels`);
}

describe('layout', () => {
  test('defaults follow the declared axis order: first across the panels, second as colour, the rest as rows', () => {
    assert.deepEqual(chooseLayout(['model', 'reward']), { column: ['model'], row: [], color: ['reward'] });
    assert.deepEqual(chooseLayout(['model', 'reward', 'optimizer.lr']), { column: ['model'], row: ['optimizer.lr'], color: ['reward'] });
    assert.deepEqual(chooseLayout(['algorithm']), { column: [], row: [], color: ['algorithm'] }, 'one axis: one panel, a line per value');
    assert.deepEqual(chooseLayout([]), { column: [], row: [], color: [] });
  });

  test('--facet and --color take their axes; the others fill the remaining places; axes a grid lacks are skipped', () => {
    assert.deepEqual(chooseLayout(['model', 'reward'], { facet: ['reward'], color: ['model'] }), { column: ['reward'], row: [], color: ['model'] });
    assert.deepEqual(chooseLayout(['model', 'reward', 'optimizer.lr'], { color: ['optimizer.lr'] }), { column: ['model'], row: ['reward'], color: ['optimizer.lr'] });
    assert.deepEqual(chooseLayout(['model', 'reward', 'optimizer.lr'], { facet: ['optimizer.lr'] }), { column: ['optimizer.lr'], row: ['reward'], color: ['model'] });
    assert.deepEqual(chooseLayout(['algorithm'], { facet: ['model'], color: ['reward'] }), { column: [], row: [], color: ['algorithm'] });
  });

  test('paper-mini\'s declared grid alone gives the paper\'s layout: one panel per model, one line (bar) per reward', () => {
    const runs = join(tmp('rlvrc-figures-'), 'runs');
    assert.equal(writeSyntheticRuns(runs, 'experiments/paper-mini.rlvr'), 85);
    const figures = buildReport(loadRuns(runs)).figures;
    // code_forcing is evaluated at step 0 only: no curves and no gains.
    assert.deepEqual(figures.map(f => f.name), [
      'clipping.held_out.accuracy', 'clipping.held_out.code_rate', 'gamma.held_out.accuracy', 'gamma.held_out.code_rate',
      'rewards.held_out.accuracy', 'rewards.held_out.code_rate',
      'clipping.held_out.accuracy.gain', 'clipping.held_out.code_rate.gain', 'gamma.held_out.accuracy.gain', 'gamma.held_out.code_rate.gain',
      'rewards.held_out.accuracy.gain', 'rewards.held_out.code_rate.gain',
    ]);
    const rewards = ['format', 'ground_truth', 'incorrect', 'majority', 'one_shot', 'python', 'random'];
    for (const name of ['rewards.held_out.accuracy', 'rewards.held_out.accuracy.gain']) {
      const { figure, spec } = figures.find(f => f.name === name)!;
      assert.deepEqual(figure.layout, { column: ['model'], row: [], color: ['reward'] });
      assert.deepEqual(figure.columns, ['bad_code', 'no_code', 'qwen_math_like']);
      assert.deepEqual([...figure.legend.values()], rewards.map(r => `${r} (n=3)`));
      const json = JSON.stringify(spec);
      assert.ok(json.includes('"title":"model"') && json.includes('"title":"reward"'), name);
    }
    // One-axis grids: one panel, a line per value.
    assert.deepEqual(figures.find(f => f.name === 'gamma.held_out.accuracy')!.figure.layout, { column: [], row: [], color: ['reward'] });
    assert.deepEqual(figures.find(f => f.name === 'clipping.held_out.accuracy')!.figure.layout, { column: [], row: [], color: ['algorithm'] });
  });

  test('21 colours (--color reward,model): a two-column legend and slanted bar labels, all inside the picture', async () => {
    const runs = join(tmp('rlvrc-figures-'), 'runs');
    writeSyntheticRuns(runs, 'experiments/paper-mini.rlvr');
    const { figure, spec } = buildReport(loadRuns(runs), { color: ['reward', 'model'] }).figures.find(f => f.name === 'rewards.held_out.accuracy.gain')!;
    assert.equal(figure.legend.size, 21);
    assert.deepEqual(figure.layout, { column: [], row: [], color: ['reward', 'model'] });
    const json = JSON.stringify(spec);
    assert.ok(json.includes('"columns":2') && json.includes('"labelAngle":-40'), 'legend in two columns, x labels slanted');
    const svg = await renderSvg(spec);
    assert.ok(svg.includes('>python · qwen_math_like (n=3)</text>'));
    assertTextInside(svg, figure.name);
  });

  test('the CLI swaps panels and colours: one panel per reward, one line per model', async () => {
    const runs = paperMini();
    const r = await report([runs, '--facet', 'reward', '--color=model']);
    assert.equal(r.code, 0, r.err);
    const fig = buildReport(loadRuns(runs), { facet: ['reward'], color: ['model'] }).figures.find(f => f.name === 'math.accuracy')!;
    const spec = fig.spec as { facet: { column: { title: string; sort: string[] } } };
    assert.equal(spec.facet.column.title, 'reward');
    assert.deepEqual(spec.facet.column.sort, ['ground_truth', 'random']);
    assert.deepEqual([...fig.figure.legend.values()], ['no_code_like (n=1-2)', 'qwen_math_like (n=2)']);
    const svg = readFileSync(join(runs, 'report', 'math.accuracy.svg'), 'utf8');
    assert.ok(svg.includes('>qwen_math_like (n=2)</text>') && svg.includes('>reward</text>'), 'legend and panel header in the picture');
  });
});

describe('--no-png', () => {
  test('figures as SVG only; report.html the same', async () => {
    const runs = paperMini();
    const r = await report([runs, '--no-png']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /and 4 figures \(SVG\): /);
    const files = readdirSync(join(runs, 'report'));
    assert.deepEqual(files.filter(f => f.endsWith('.png')), []);
    assert.equal(files.filter(f => f.endsWith('.svg')).length, 4);
    assert.equal(readFileSync(join(runs, 'report', 'report.html'), 'utf8').match(/<svg /g)?.length, 4);
  });
});

describe('errors', () => {
  test('an axis that is not one: --facet seed, a misspelt axis, one axis twice', async () => {
    const runs = paperMini();
    let r = await report([runs, '--facet', 'seed']);
    assert.equal(r.code, 2);
    assert.match(r.err, /rlvrc report: --facet seed: figures show the mean over seeds and each seed faint; choose another axis \(model, reward\)/);
    r = await report([runs, '--color', 'rewrd']);
    assert.equal(r.code, 2);
    assert.match(r.err, /rlvrc report: --color rewrd: no axis 'rewrd' varies in these cells \(did you mean 'reward'\?\); axes: model, reward\nusage: rlvrc report DIR/);
    r = await report([runs, '--facet', 'model', '--color', 'model']);
    assert.equal(r.code, 2);
    assert.match(r.err, /axis 'model' is given to both --facet and --color/);
    r = await report([runs, '--facet']);
    assert.match(r.err, /--facet needs a value/);
  });

  test('cells of different experiments are named, with a cell of each', async () => {
    const runs = paperMini();
    const file = join(runs, 'model=no_code_like,reward=random,seed=1', 'manifest.json');
    writeFileSync(file, JSON.stringify({ ...(readJson(file) as object), experiment: 'other' }));
    const r = await report([runs]);
    assert.equal(r.code, 1);
    assert.equal(r.err, "rlvrc report: cells of different experiments: 'spurious_mini' (7 cells, e.g. model=no_code_like,reward=ground_truth,seed=1), " +
      "'other' (1 cell, e.g. model=no_code_like,reward=random,seed=1); report one experiment's runs directory at a time\n");
  });

  test('a manifest that fails its schema is named', async () => {
    const runs = paperMini();
    const file = join(runs, 'model=qwen_math_like,reward=random,seed=2', 'manifest.json');
    const { cell_id: _, ...broken } = readJson(file) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(broken));
    const r = await report([runs]);
    assert.equal(r.code, 1);
    assert.ok(r.err.startsWith(`rlvrc report: ${file}: does not match schema/manifest.schema.json: (top level) must have required property 'cell_id'`), r.err);
  });
});

describe('report.html', () => {
  test('one page with every figure inline, nothing fetched, ids unique across figures', async () => {
    const runs = paperMini();
    assert.equal((await report([runs])).code, 0);
    const html = readFileSync(join(runs, 'report', 'report.html'), 'utf8');
    const svgs = readdirSync(join(runs, 'report')).filter(f => f.endsWith('.svg'));
    assert.equal(html.match(/<svg /g)?.length, svgs.length);
    assert.doesNotMatch(html, /<script|<link|<img|src=|@import|url\((?!#)/, 'no scripts and no outside resources');
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map(m => m[1]!);
    assert.equal(new Set(ids).size, ids.length, 'ids do not collide between figures');
    // The tables come along: report.md's gain table, as HTML.
    assert.match(html, /<h4>math\.accuracy: last evaluation − step 0<\/h4>\n<table>\n<thead><tr><th>model \\ reward<\/th><th class="num">ground_truth<\/th>/);
  });

  test('two figures that both number a clip path clip1 keep their own on the page', () => {
    const fig = '<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="clip1"><rect width="5" height="5"/></clipPath></defs><g clip-path="url(#clip1)"/></svg>';
    const html = reportHtml('# T\n\n![a](a.svg)\n\n![b](b.svg)\n', new Map([['a.svg', fig], ['b.svg', fig]]));
    assert.deepEqual([...html.matchAll(/\bid="([^"]+)"/g)].map(m => m[1]), ['f1-clip1', 'f2-clip1']);
    assert.deepEqual([...html.matchAll(/url\(#([^)]+)\)/g)].map(m => m[1]), ['f1-clip1', 'f2-clip1']);
  });
});

describe('text measurement', () => {
  test('textWidth agrees with the ink resvg draws for the same font, within the side bearings', () => {
    for (const text of ['held_out.accuracy', 'WWW mmm', 'qwen_math_like (n=3)', '0.0001']) {
      const size = 40;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="80"><text x="10" y="55" font-family="${FONT_FAMILY}" font-size="${size}">${text}</text></svg>`;
      const img = decode(new Resvg(svg, { font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY }, background: 'white' }).render().asPng());
      let [left, right] = [Infinity, -Infinity];
      for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (img.inked(x, y)) { left = Math.min(left, x); right = Math.max(right, x + 1); }
      const measured = textWidth(text, size);
      // Ink is narrower than the advances by the first and last glyphs' side bearings (a few px at 40 px).
      assert.ok(right - left <= measured + 1 && right - left >= measured - 0.25 * size, `${text}: ink ${right - left} px, measured ${measured.toFixed(1)} px`);
    }
  });
});

test('a group of bars is as wide as its panel label: 18 px a bar, more where the label is longer', () => {
  // 'qwen_math_like' is 80.6 px at 10 px: over 2 bars, (80.6 + 8) / 2 → 45 px; over 4, 23; short labels keep 18.
  assert.equal(textWidth('qwen_math_like', 10), 80.64453125);
  assert.equal(groupedBarStep(['no_code', 'qwen_math_like'], 2), 45);
  assert.equal(groupedBarStep(['qwen_math_like'], 4), 23);
  assert.equal(groupedBarStep(['a', 'b'], 3), 18);
  assert.equal(groupedBarStep([], 2), 18);
});

describe('the largest grid: spurious-search, 168 cells', () => {
  test('progress, a summary line, and every text element of every figure inside the picture', async () => {
    const runs = join(tmp('rlvrc-figures-'), 'runs');
    assert.equal(writeSyntheticRuns(runs, 'experiments/spurious-search.rlvr'), 168);
    const r = await report([runs]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^rlvrc report: read 17\/168 cells\n/);
    assert.match(r.err, /rlvrc report: read 168\/168 cells\nrlvrc report: rendered 4\/32 figures\n[\s\S]*rlvrc report: rendered 32\/32 figures\n$/);
    assert.match(r.out, /and 32 figures \(SVG \+ PNG\): 168 cells \(168 finished\) in 56 groups, 8 grids\n$/);
    const out = join(runs, 'report');
    const svgs = readdirSync(out).filter(f => f.endsWith('.svg')).sort();
    assert.equal(svgs.length, 32, '8 grids × 2 eval metrics × (curves + gains)');
    for (const name of svgs) {
      const svg = readFileSync(join(out, name), 'utf8');
      assertTextInside(svg, name);
      assertAxisLabelsApart(svg, name);
      // Nothing shortened either: every legend entry is in the picture whole.
      for (const label of ['format (n=3)', 'random (n=3)']) assert.ok(svg.includes(`>${label}</text>`), `${name}: legend ${label}`);
    }
  });
});
