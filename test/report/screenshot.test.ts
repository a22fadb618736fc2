// report.html in a real browser: headless Chromium (Debian's chromium) opens the page from disk, with no
// server, and screenshots it; the PNG is read back with an independent decoder (pngjs) and must have the
// window's size, not be blank, and show the figures' colours (the tables alone are black, grey and white).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { reportCommand } from '../../src/cli/report.js';
import { goldenCases } from '../helpers/golden.js';
import { CHROMIUM, requires } from '../helpers/requires.js';
import { tmp } from '../run/helpers.js';

const [W, H] = [1100, 1600];

test('a headless Chromium screenshot of report.html has the window\'s size and shows tables and figures', async t => {
  if (requires(t, 'chromium')) return;
  const dir = tmp('rlvrc-screenshot-');
  const runs = join(dir, 'runs');
  cpSync(join(goldenCases('report').find(c => c.name === 'paper-mini')!.dir, 'runs'), runs, { recursive: true });
  const code = await reportCommand([runs], { stdout: () => {}, stderr: () => {} });
  assert.equal(code, 0);
  const shot = join(dir, 'report.png');
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  const r = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`,
    `--window-size=${W},${H}`, `--screenshot=${shot}`, pathToFileURL(join(runs, 'report', 'report.html')).href], { encoding: 'utf8', timeout: 120_000 });
  assert.ok(existsSync(shot), `no screenshot: exit ${r.status}\n${r.stderr}`);
  const png = PNG.sync.read(readFileSync(shot));
  assert.deepEqual([png.width, png.height], [W, H]);
  let ink = 0;
  let colour = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [red, green, blue] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    if (red < 200 || green < 200 || blue < 200) ink++;
    if (Math.max(red, green, blue) - Math.min(red, green, blue) > 80) colour++;
  }
  const pixels = W * H;
  assert.ok(ink > pixels * 0.01, `not blank: ${ink} of ${pixels} pixels inked`);
  assert.ok(ink < pixels * 0.6, `not a solid block: ${ink} of ${pixels} pixels inked`);
  assert.ok(colour > 500, `the figures are drawn: ${colour} coloured pixels`);
});
