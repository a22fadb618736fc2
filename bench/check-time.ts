// Check time (parse + check + grid expansion + schema validation) of the largest experiment file and of a
// generated 2,000-line spec, as the median of N runs after one warm-up run. Prints JSON.
//   node --import tsx bench/check-time.ts [--runs 15]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../src/checker/check.js';

const REPO = new URL('..', import.meta.url).pathname;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 15;

/** A valid spec of about `lines` lines: many models, rewards and algorithms, and a grid over some of them. */
export function generatedSpec(lines: number): string {
  const out = ['experiment generated {', '  language = 1', '  seed = 1', '', '  dataset arith = arithmetic { operands = 2..3, digits = 1..1, train = 4000, test = 200 }', ''];
  let i = 0;
  while (out.length < lines - 20) {
    out.push(
      `  model m${i} = transformer {`,
      '    layers = 2',
      `    d_model = ${64 + 32 * (i % 3)}`,
      '    heads = 4',
      '    context = 64',
      '    pretrain on arith.train {',
      `      steps = ${100 + i}`,
      '      lr = 1e-3',
      '      family = base',
      '    }',
      `    midtrain on arith.train { steps = 50, lr = 5e-4, family = ${['qwen_math_like', 'bad_code', 'no_code'][i % 3]} }`,
      '  }',
      `  reward r${i} = ${i % 2 ? `0.5 * correct(label) + 0.5 * random(0.${(i % 9) + 1})` : `correct(label) and not contains("python")`}`,
      `  algorithm a${i} { prompts_per_step = 8, group = 8, minibatch = ${[16, 32, 64][i % 3]}, max_tokens = 50, clip = 0.2 }`,
      `  optimizer o${i} { lr = ${i + 1}e-6, betas = (0.9, 0.95), grad_clip = 1.0 }`,
      '',
    );
    i++;
  }
  const names = (p: string, n: number) => Array.from({ length: n }, (_, k) => `${p}${k}`).join(', ');
  out.push(
    '  train { model = m0, data = arith.train, reward = r0, algorithm = a0, optimizer = o0, steps = 100 }',
    '  eval held_out { data = arith.test, every = 10, greedy, metrics = [accuracy, code_rate] }',
    '',
    '  grid {',
    `    model in [${names('m', Math.min(i, 20))}]`,
    `    reward in [${names('r', Math.min(i, 10))}]`,
    '    seed in [1, 2]',
    '  }',
    '}',
  );
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function time(file: string, text: string): { median_ms: number; min_ms: number; max_ms: number; cells: number; errors: number } {
  const once = () => {
    const t0 = performance.now();
    const r = check([{ file, text }], { cwd: REPO });
    return { ms: performance.now() - t0, r };
  };
  const warm = once();
  const errors = warm.r.diagnostics.filter(d => d.severity === 'error').length;
  const times = Array.from({ length: RUNS }, () => once().ms);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { median_ms: round(median(times)), min_ms: round(Math.min(...times)), max_ms: round(Math.max(...times)), cells: warm.r.experiments.reduce((n, e) => n + e.cells.length, 0), errors };
}

const experiments = readdirSync(join(REPO, 'experiments')).filter(f => f.endsWith('.rlvr')).map(f => `experiments/${f}`);
const largest = experiments.map(f => ({ f, text: readFileSync(join(REPO, f), 'utf8') })).sort((a, b) => b.text.length - a.text.length)[0]!;
const generated = generatedSpec(2000);

console.log(JSON.stringify({
  runs: RUNS,
  node: process.version,
  largest_experiment: { file: largest.f, lines: largest.text.split('\n').length - 1, ...time(largest.f, largest.text) },
  generated_spec: { lines: generated.split('\n').length - 1, ...time('generated.rlvr', generated) },
}, null, 2));
