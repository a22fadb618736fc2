// The two graders on MATH-500 and on fuzzed pathological inputs, printed as JSON (issue 20).
//   node --import tsx bench/math-verify.ts [--rounds 5] [--fuzz 60]
// Throughput (verdicts per second, median of the rounds after a warm-up round), per grader:
//   boxed_response   "... the answer is $\boxed{gold}$." against its gold, the 500 answers
//   respellings      the 1,958 generated equivalents and near-misses of test/grader/math-verify/respell.ts
// Worst case: the slowest single verdict of each grader over --fuzz seeded pathological inputs of five
// families (100 kB random LaTeX-ish strings, 100 kB repeated answer anchors, huge exponents, deep nesting,
// long inline formulas), with how many came back "budget exceeded".
import { cpus } from 'node:os';
import { gradeResponse, type GraderName } from '../src/grader/index.js';
import { Rng } from '../src/runtime/rng.js';
import { math500Answers, responseFor, variants } from '../test/grader/math-verify/respell.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('--rounds', 5);
const fuzzCount = arg('--fuzz', 60);
const GRADERS: GraderName[] = ['paper', 'math_verify'];

const golds = math500Answers().map(a => a.answer);
const boxed = golds.map(g => ({ response: responseFor(g), gold: g }));
const respelled = variants().map(v => ({ response: responseFor(v.answer), gold: v.gold }));

function throughput(grader: GraderName, cases: Array<{ response: string; gold: string }>) {
  for (const c of cases) gradeResponse(grader, c.response, c.gold); // warm-up: JIT, parse caches
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (const c of cases) gradeResponse(grader, c.response, c.gold);
    perRound.push((cases.length / (performance.now() - t)) * 1000);
  }
  perRound.sort((a, b) => a - b);
  return { verdicts_per_round: cases.length, median_per_s: Math.round(perRound[Math.floor(rounds / 2)]!), min_per_s: Math.round(perRound[0]!), max_per_s: Math.round(perRound[rounds - 1]!) };
}

// Seeded pathological inputs.
const rng = new Rng(20);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
const ALPHABET = ['\\boxed{', '{', '}', '$', '$$', '\\frac', '\\sqrt', '^', '_', '(', ')', '[', ']', ',', ' ', '1', '9', '0', '.', '=', '<', 'x', 'answer', '\\left(', '\\right)', '\\text{', '%', '\n'];
function fuzzCase(k: number): { family: string; response: string; gold: string } {
  const n = 100_000;
  switch (k % 5) {
    case 0: {
      let s = '';
      while (s.length < n) s += pick(ALPHABET);
      return { family: 'random 100 kB LaTeX-ish', response: s, gold: pick(golds) };
    }
    case 1: {
      const unit = pick(['answer: 1 ', 'The final answer is $2$. ', '\\boxed{3} and ', '1,000 ', '$x$ ']);
      return { family: '100 kB repeated anchors', response: unit.repeat(Math.ceil(n / unit.length)), gold: pick(golds) };
    }
    case 2: {
      const e = String(Math.floor(rng.next() * 9e8) + 1e8);
      return { family: 'huge exponents', response: pick([`\\boxed{2^{${e}}}`, `\\boxed{10^{10^{10^{${e}}}}}`, `\\boxed{${e}^{${e}}!}`]), gold: pick(['1', `3^{${e}}`, '10^{400}']) };
    }
    case 3: {
      const d = 200 + Math.floor(rng.next() * 2000);
      const [open, close] = pick([['(', ')'], ['\\frac{1}{', '}'], ['\\sqrt{', '}'], ['{', '}'], ['\\left(', '\\right)']] as const);
      return { family: 'deep nesting', response: `\\boxed{${open.repeat(d)}x${close.repeat(d)}}`, gold: 'x' };
    }
    default: {
      const term = pick(['x+', '1+', 'x^2\\cdot ', '\\frac{1}{2}+', '(x+1)(']);
      return { family: 'long inline formula', response: `$${term.repeat(Math.ceil(30_000 / term.length))}1$`, gold: '1' };
    }
  }
}

const cold = performance.now();
gradeResponse('math_verify', '\\boxed{\\frac{x^2-1}{x-1}}', 'x+1');
const coldMs = performance.now() - cold;

const fuzz = Array.from({ length: fuzzCount }, (_, k) => fuzzCase(k));
const worst = Object.fromEntries(GRADERS.map(g => {
  let worstMs = 0;
  let worstFamily = '';
  let exceeded = 0;
  const byFamily: Record<string, number> = {};
  for (const c of fuzz) {
    const t = performance.now();
    const r = gradeResponse(g, c.response, c.gold);
    const ms = performance.now() - t;
    if (r.reason.includes('budget exceeded')) exceeded++;
    byFamily[c.family] = Math.max(byFamily[c.family] ?? 0, Math.round(ms * 10) / 10);
    if (ms > worstMs) [worstMs, worstFamily] = [ms, c.family];
  }
  return [g, { inputs: fuzz.length, worst_ms: Math.round(worstMs * 10) / 10, worst_family: worstFamily, worst_ms_by_family: byFamily, budget_exceeded: exceeded }];
}));

console.log(JSON.stringify({
  benchmark: 'math-verify',
  data: 'data/math500.json',
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  math_verify_cold_start_ms: Math.round(coldMs),
  throughput: Object.fromEntries(GRADERS.map(g => [g, { boxed_response: throughput(g, boxed), respellings: throughput(g, respelled) }])),
  pathological: worst,
}, null, 2));
