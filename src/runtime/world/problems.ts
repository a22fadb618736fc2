// Problems of the arithmetic world: integer expressions, their step-by-step evaluation plan (shared by both
// solution strategies), and the seeded, disjoint train/test splits.
import { Rng } from '../rng.js';
import { operandRange, operatorSequences, resolveWorldConfig, type Operator, type WorldConfig } from './config.js';

export type Split = 'train' | 'test' | 'corpus';

export interface Problem {
  /** 'train-12', 'test-3'; a corpus problem is named by its expression. */
  id: string;
  /** The prompt text: the expression and ':', e.g. '4*5+3:'. */
  question: string;
  /** The right answer as a decimal integer string, e.g. '23' or '-5'. */
  answer: string;
  split: Split;
  expression: string;
  operands: number[];
  operators: Operator[];
}

/** An operand of the expression (by position) or one of the two scratch variables. */
export type Ref = { operand: number } | { variable: 't' | 'u' };
export interface PlanStep {
  target: 't' | 'u';
  left: Ref;
  op: Operator;
  right: Ref;
}

/**
 * The order in which a solution computes an expression, one binary operation per step. Products first
 * (each chain into `t` if nothing is accumulated yet, else into `u`), then the running sum in `t`:
 * `3+4*5` → t=4*5, t=3+t; `2*3+4*5` → t=2*3, u=4*5, t=t+u. Two variables suffice for any length.
 */
export function planFor(operators: readonly Operator[]): PlanStep[] {
  const terms: Array<{ sign: '+' | '-'; factors: number[] }> = [{ sign: '+', factors: [0] }];
  operators.forEach((op, i) => {
    if (op === '*') terms[terms.length - 1]!.factors.push(i + 1);
    else terms.push({ sign: op, factors: [i + 1] });
  });
  const steps: PlanStep[] = [];
  const t = { variable: 't' } as const;
  let pending: number | null = null; // a first term that is a lone operand, not yet written into t
  terms.forEach((term, i) => {
    const f = term.factors;
    if (f.length === 1) {
      if (i === 0) pending = f[0]!;
      else if (pending !== null) {
        steps.push({ target: 't', left: { operand: pending }, op: term.sign, right: { operand: f[0]! } });
        pending = null;
      } else steps.push({ target: 't', left: t, op: term.sign, right: { operand: f[0]! } });
      return;
    }
    const target = i === 0 || pending !== null ? 't' : 'u';
    steps.push({ target, left: { operand: f[0]! }, op: '*', right: { operand: f[1]! } });
    for (const j of f.slice(2)) steps.push({ target, left: { variable: target }, op: '*', right: { operand: j } });
    if (i === 0) return;
    if (pending !== null) {
      steps.push({ target: 't', left: { operand: pending }, op: term.sign, right: t });
      pending = null;
    } else steps.push({ target: 't', left: t, op: term.sign, right: { variable: 'u' } });
  });
  return steps;
}

export function applyOp(a: number, op: Operator, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

/** The value after each plan step; the last one is the expression's value. */
export function stepValues(operands: readonly number[], plan: readonly PlanStep[]): number[] {
  const env = { t: 0, u: 0 };
  const val = (r: Ref) => ('operand' in r ? operands[r.operand]! : env[r.variable]);
  return plan.map(s => (env[s.target] = applyOp(val(s.left), s.op, val(s.right))));
}

export function expressionText(operands: readonly number[], operators: readonly Operator[]): string {
  return operands.map((x, i) => (i === 0 ? String(x) : operators[i - 1]! + String(x))).join('');
}

export function makeProblem(operands: number[], operators: Operator[], split: Split, id?: string): Problem {
  const values = stepValues(operands, planFor(operators));
  const expression = expressionText(operands, operators);
  return { id: id ?? expression, question: `${expression}:`, answer: String(values[values.length - 1]), split, expression, operands, operators };
}

/** The structural blocks of the universe (operand count × operator sequence), each weighted by its size. */
interface Block {
  operators: Operator[];
  count: number;
}

export interface World {
  readonly config: WorldConfig;
  readonly seed: number | string;
  readonly train: readonly Problem[];
  readonly test: readonly Problem[];
  /** Distinct expressions the config allows. */
  readonly universe: number;
  isTest(expression: string): boolean;
  /** A problem drawn uniformly from every problem except the test split (what pretraining corpora see). */
  sampleNonTest(rng: Rng, split?: Split, id?: string): Problem;
}

/**
 * Builds the world for a config and seed. Problems are uniform over distinct expressions. The test split is
 * drawn first from its own stream, so it depends on testSize but not on trainSize; train is drawn next,
 * excluding test.
 */
export function createWorld(input: Partial<WorldConfig> = {}, seed: number | string = 0): World {
  const config = resolveWorldConfig(input);
  const { lo, hi } = operandRange(config.digits);
  const blocks: Block[] = [];
  for (let k = config.operandCount.min; k <= config.operandCount.max; k++) {
    for (const ops of operatorSequences(config.operators, k - 1, config.maxMul)) blocks.push({ operators: ops, count: (hi - lo + 1) ** k });
  }
  const universe = blocks.reduce((s, b) => s + b.count, 0);

  const draw = (rng: Rng): { operands: number[]; operators: Operator[] } => {
    let r = rng.next() * universe;
    let block = blocks[blocks.length - 1]!;
    for (const b of blocks) {
      if (r < b.count) { block = b; break; }
      r -= b.count;
    }
    const operands = Array.from({ length: block.operators.length + 1 }, () => rng.intIn(lo, hi));
    return { operands, operators: block.operators };
  };

  // Rejection sampling of distinct expressions; validation keeps the requests within the universe, and
  // test within half of it, so this terminates quickly (coupon collector at worst for a near-full train).
  const taken = new Set<string>();
  const drawDistinct = (rng: Rng, n: number, split: Split): Problem[] => {
    const out: Problem[] = [];
    while (out.length < n) {
      const d = draw(rng);
      const key = expressionText(d.operands, d.operators);
      if (taken.has(key)) continue;
      taken.add(key);
      out.push(makeProblem(d.operands, d.operators, split, `${split}-${out.length}`));
    }
    return out;
  };
  const test = drawDistinct(new Rng(seed, 'world', 'test'), config.testSize, 'test');
  const testKeys = new Set(test.map(p => p.expression));
  const train = drawDistinct(new Rng(seed, 'world', 'train'), config.trainSize, 'train');

  return {
    config,
    seed,
    train,
    test,
    universe,
    isTest: e => testKeys.has(e),
    sampleNonTest(rng, split = 'corpus', id) {
      for (;;) {
        const d = draw(rng);
        const key = expressionText(d.operands, d.operators);
        if (!testKeys.has(key)) return makeProblem(d.operands, d.operators, split, id);
      }
    },
  };
}
