// Side by side: the same metric of the same cell groups in several `rlvrc report` outputs (report.csv), as a
// markdown table of mean ± std in points, one column per report. Used to put paper-mini's runs next to each other.
// Usage: node --import tsx scripts/compare-reports.ts [--metric held_out.accuracy.gain] NAME=DIR/report.csv ...
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const mi = args.indexOf('--metric');
const metric = mi >= 0 ? args.splice(mi, 2)[1]! : 'held_out.accuracy.gain';
const inputs = args.map(a => {
  const at = a.indexOf('=');
  if (at < 1) throw new Error(`expected NAME=FILE, not '${a}'`);
  return { name: a.slice(0, at), file: a.slice(at + 1) };
});
if (inputs.length === 0) throw new Error('usage: compare-reports.ts [--metric M] NAME=report.csv ...');

/** RFC 4180 enough for report.csv: quoted fields may hold commas. */
function parseCsv(text: string): Record<string, string>[] {
  const rows = text.trim().split('\n').map(line => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) (out.push(cur), (cur = ''));
      else cur += ch;
    }
    out.push(cur);
    return out;
  });
  const [head, ...body] = rows;
  return body.map(r => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

const keyCols = ['grid', 'model', 'reward', 'algorithm', 'prompt', 'steps'];
const tables = inputs.map(({ file }) => new Map(parseCsv(readFileSync(file, 'utf8')).map(r => [keyCols.map(c => r[c]).join('|'), r])));
const keys = [...new Set(tables.flatMap(t => [...t.keys()]))].sort();
const cell = (r: Record<string, string> | undefined) => {
  if (!r || r[`${metric}_mean`] === '' || r[`${metric}_mean`] === undefined) return '—';
  const m = 100 * Number(r[`${metric}_mean`]);
  const s = r[`${metric}_std`] ? ` ± ${(100 * Number(r[`${metric}_std`])).toFixed(1)}` : '';
  return `${m >= 0 ? '+' : '−'}${Math.abs(m).toFixed(1)}${s}`;
};
console.log(`| ${keyCols.join(' | ')} | ${inputs.map(i => i.name).join(' | ')} |`);
console.log(`| ${keyCols.map(() => '---').join(' | ')} | ${inputs.map(() => '---:').join(' | ')} |`);
for (const k of keys) {
  const vals = tables.map(t => cell(t.get(k)));
  if (vals.every(v => v === '—')) continue;
  console.log(`| ${k.split('|').join(' | ')} | ${vals.join(' | ')} |`);
}
console.log(`\n${metric}, mean ± sample std over seeds, in points.`);
