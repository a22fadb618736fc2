// Parse (and format) time of a large spec: a generated 2,000-line file in the style of the experiment files.
//   node --import tsx bench/parse-time.ts [--lines 2000] [--runs 20]
import { parse } from '../src/language/parse.js';
import { format } from '../src/language/format.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A spec of about `lines` lines: models with pretraining stages, rewards, algorithms, evals and a grid. */
export function bigSpec(lines: number): string {
  const out = ['// generated for the parse benchmark', 'experiment big {', '  language = 1', '  seed = 1', ''];
  let i = 0;
  while (out.length < lines - 8) {
    out.push(
      `  model m${i} = transformer {`, '    layers = 3', '    d_model = 128', '    heads = 4', '    context = 64',
      `    pretrain on arith.train {`, '      steps = 1500', '      lr = 2e-3',
      '      strategy code { share = 0.5, accuracy = 1.0 }', '      strategy language { share = 0.5, accuracy = 1.0 }', '    }', '  }',
      `  reward r${i} = correct(label) and not contains("python") // reward ${i}`,
      `  algorithm a${i} = grpo with { clip = 0.2, minibatch = ${32 * (1 + (i % 4))} }`,
      `  eval e${i} { data = arith.test, every = 10, greedy, metrics = [accuracy, code_rate, boxed_rate] }`, '',
    );
    i++;
  }
  out.push('  grid {', `    model in [${Array.from({ length: Math.min(i, 20) }, (_, k) => `m${k}`).join(', ')}]`, '    seed in [1, 2, 3]', '  }', '}');
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const text = bigSpec(arg('lines', 2000));
const runs = arg('runs', 20);
const lineCount = text.split('\n').length - 1;
const first = performance.now();
const parsed = parse(text, 'big.rlvr');
const firstMs = performance.now() - first;
if (parsed.diagnostics.length > 0) throw new Error(`benchmark spec does not parse: ${parsed.diagnostics[0]!.summary}`);
const parseTimes: number[] = [];
const formatTimes: number[] = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const p = parse(text, 'big.rlvr');
  const t1 = performance.now();
  format(p);
  formatTimes.push(performance.now() - t1);
  parseTimes.push(t1 - t0);
}
console.log(JSON.stringify({
  lines: lineCount,
  bytes: text.length,
  first_parse_ms: +firstMs.toFixed(2),
  parse_ms_median: +median(parseTimes).toFixed(2),
  format_ms_median: +median(formatTimes).toFixed(2),
  lines_per_second: Math.round(lineCount / (median(parseTimes) / 1000)),
  runs,
}));
