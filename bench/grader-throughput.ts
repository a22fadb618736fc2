// Grading throughput on MATH-500 (answers per second), printed as JSON.
//   node --import tsx bench/grader-throughput.ts [--rounds 9]
// Three workloads, each over all 500 gold answers:
//   gold_vs_gold      compareAnswers(gold, gold): the benchmark the issue names (mostly the normaliser)
//   boxed_response    the ground-truth reward on "... \boxed{gold}": extraction + normalisation + check
//   gold_vs_neighbour gold against the next gold of its subject (almost always different): exercises the
//                     number and symbolic paths, the expensive ones (parsed leaves are cached after
//                     the warm-up round, as they are across a training run)
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { compareAnswers } from '../src/grader/index.js';
import { correct } from '../src/runtime/cell/reward-primitives.js'; // the reward generated programs call

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 9;
const items = JSON.parse(readFileSync(new URL('../data/math500.json', import.meta.url), 'utf8')) as { answer: string; id: string }[];
const golds = items.map(i => i.answer);
const subjects = items.map(i => i.id.split('/')[1]!);
const neighbour = golds.map((_, i) => {
  for (let k = 1; k < golds.length; k++) {
    const j = (i + k) % golds.length;
    if (subjects[j] === subjects[i]) return golds[j]!;
  }
  return golds[i]!;
});
const responses = golds.map(g => `Step by step we find the result.\nTherefore the answer is $\\boxed{${g}}$.`);

// The first call loads and builds the symbolic engine: measured apart from steady-state throughput.
const coldStart = performance.now();
compareAnswers('\\frac{x^2-1}{x-1}', 'x+1');
const coldMs = performance.now() - coldStart;

function measure(name: string, fn: (i: number) => unknown) {
  for (let i = 0; i < golds.length; i++) fn(i); // warm-up round (fills parse caches, JIT)
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < golds.length; i++) fn(i);
    perRound.push((golds.length / (performance.now() - t)) * 1000);
  }
  perRound.sort((a, b) => a - b);
  return { name, answers_per_round: golds.length, rounds, median_per_s: Math.round(perRound[Math.floor(rounds / 2)]!), min_per_s: Math.round(perRound[0]!), max_per_s: Math.round(perRound[rounds - 1]!) };
}

let equal = 0;
const results = [
  measure('gold_vs_gold', i => compareAnswers(golds[i]!, golds[i]!).equal && equal++),
  measure('boxed_response', i => correct(responses[i]!, golds[i]!)),
  measure('gold_vs_neighbour', i => compareAnswers(neighbour[i]!, golds[i]!)),
];
console.log(
  JSON.stringify(
    {
      benchmark: 'grader-throughput',
      data: 'data/math500.json',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cold_start_ms: Math.round(coldMs),
      all_golds_equal_themselves: equal === golds.length * (rounds + 1),
      results,
    },
    null,
    2,
  ),
);
