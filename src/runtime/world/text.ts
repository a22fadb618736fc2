// The text of solutions. Both strategies write every intermediate value, so a wrong answer is visible as one
// wrong step (the last), and the final answer is where the paper's extraction looks: the last \boxed{},
// else the last number (`ans=N` ends the text, so the fallback finds N).
//   code:     python:t=4*5#20;t=t+3#23;\boxed{23}       (contains `python`, the paper's code detector)
//   language: 4 times 5 is 20. 20 plus 3 is 23. so \boxed{23}
import {
  DEFAULT_WORLD, FAMILY_PRESETS, operandRange, operatorSequences, resolveFamily, resolveWorldConfig,
  type FamilyConfig, type FamilyInput, type FamilyPresetName, type Operator, type Strategy, type WorldConfig,
} from './config.js';
import { planFor, stepValues, type PlanStep, type Problem, type Ref } from './problems.js';
import { maxLengthsV2 } from './v2.js';

export const WORDS: Record<Operator, string> = { '+': 'plus', '-': 'minus', '*': 'times' };

export interface RenderOptions {
  /** Added to the last step's value and to the final answer; 0 writes the right answer. */
  offset: number;
  boxed: boolean;
}

export function finalAnswerText(answer: number | string, boxed: boolean): string {
  return boxed ? `\\boxed{${answer}}` : `ans=${answer}`;
}

/** The response (what follows the question) for a strategy; with offset ≠ 0 it is the near miss. */
export function renderResponse(problem: Pick<Problem, 'operands' | 'operators'>, strategy: Strategy, opts: RenderOptions): string {
  const plan = planFor(problem.operators);
  const values = stepValues(problem.operands, plan);
  values[values.length - 1] = values[values.length - 1]! + opts.offset;
  const final = finalAnswerText(values[values.length - 1]!, opts.boxed);
  const env = { t: 0, u: 0 };
  if (strategy === 'code') {
    const name = (r: Ref) => ('operand' in r ? String(problem.operands[r.operand]) : r.variable);
    const steps = plan.map((s, i) => `${s.target}=${name(s.left)}${s.op}${name(s.right)}#${values[i]}`);
    return `python:${steps.join(';')};${final}`;
  }
  // Prose names values, not variables: "3 plus 20 is 23."
  const value = (r: Ref) => ('operand' in r ? problem.operands[r.operand]! : env[r.variable]);
  const steps = plan.map((s, i) => {
    const text = `${value(s.left)} ${WORDS[s.op]} ${value(s.right)} is ${values[i]}.`;
    env[s.target] = values[i]!;
    return text;
  });
  return `${steps.join(' ')} so ${final}`;
}

/**
 * Every character any question or response of this world can contain, sorted (38 characters). The runtime's
 * character tokenizer is built from it; special tokens (end of text, padding) are the tokenizer's own.
 */
export const ALPHABET: string = [...new Set('0123456789+-*:=#;.\\{} ' + 'python' + 'tu' + 'ans' + 'boxed' + Object.values(WORDS).join('') + 'is' + 'so')]
  .sort()
  .join('');

// ---- Length bounds by interval arithmetic over each expression shape ----
// Each operand appears once in a plan and products only multiply non-negative operands, so the interval
// of every step value is exact; a number's text is longest at one end of its interval.

export type Interval = [number, number];
export const intervalTextLength = (iv: Interval) => Math.max(String(iv[0]).length, String(iv[1]).length);
export function combineIntervals(a: Interval, op: Operator, b: Interval): Interval {
  const c = [applyOpIv(a[0], op, b[0]), applyOpIv(a[0], op, b[1]), applyOpIv(a[1], op, b[0]), applyOpIv(a[1], op, b[1])];
  return [Math.min(...c), Math.max(...c)];
}
const applyOpIv = (x: number, op: Operator, y: number) => (op === '+' ? x + y : op === '-' ? x - y : x * y);

function shapeLengths(plan: readonly PlanStep[], operand: Interval, offsets: Record<Strategy, Interval>): Record<Strategy, number> {
  const env: Record<'t' | 'u', Interval> = { t: [0, 0], u: [0, 0] };
  const iv = (r: Ref): Interval => ('operand' in r ? operand : env[r.variable]);
  const opLen = intervalTextLength(operand);
  const out = {} as Record<Strategy, number>;
  for (const strategy of ['code', 'language'] as const) {
    env.t = [0, 0];
    env.u = [0, 0];
    let total = 0;
    plan.forEach((s, i) => {
      let v = combineIntervals(iv(s.left), s.op, iv(s.right));
      const left = iv(s.left);
      const right = iv(s.right);
      env[s.target] = v;
      if (i === plan.length - 1) v = [v[0] + offsets[strategy][0], v[1] + offsets[strategy][1]];
      if (strategy === 'code') {
        const ref = (r: Ref) => ('operand' in r ? opLen : 1);
        total += 1 + 1 + ref(s.left) + 1 + ref(s.right) + 1 + intervalTextLength(v) + 1; // t=a*b#v;
      } else {
        total += intervalTextLength(left) + 1 + WORDS[s.op].length + 1 + intervalTextLength(right) + 4 + intervalTextLength(v) + 2; // a plus b is v.␠
      }
      if (i === plan.length - 1) {
        // code: 'python:' + steps (each ended by ';') + \boxed{v}; language: steps (each '. ') + 'so ' + \boxed{v}
        total += strategy === 'code' ? 7 + 8 + intervalTextLength(v) : 3 + 8 + intervalTextLength(v);
      }
    });
    out[strategy] = total;
  }
  return out;
}

export interface MaxLengths {
  /** Longest question, ':' included. */
  question: number;
  /** Longest response any of the given families can write (the boxed form is the longer one). */
  response: number;
  /** question + response: the context a pretraining sequence needs (special tokens not counted). */
  sequence: number;
}

/**
 * Upper bounds on text lengths for a world config and the families that will write its corpora (default:
 * every preset). Exact for the default world: some problem reaches each bound.
 */
export function maxLengths(
  world: Partial<WorldConfig> = DEFAULT_WORLD,
  families: ReadonlyArray<FamilyInput | FamilyPresetName | FamilyConfig> = Object.values(FAMILY_PRESETS),
): MaxLengths {
  const cfg = resolveWorldConfig(world);
  const fams = families.map(f => resolveFamily(f));
  if (cfg.version === 2) return maxLengthsV2(cfg, fams);
  const offsets: Record<Strategy, Interval> = {
    code: [Math.min(0, ...fams.map(f => f.strategies.code.nearMiss)), Math.max(0, ...fams.map(f => f.strategies.code.nearMiss))],
    language: [Math.min(0, ...fams.map(f => f.strategies.language.nearMiss)), Math.max(0, ...fams.map(f => f.strategies.language.nearMiss))],
  };
  // Only strategies some family writes count (a no_code corpus never needs room for the code form).
  const used = (['code', 'language'] as const).filter(s => fams.length === 0 || fams.some(f => f.strategies[s].share > 0));
  const { lo, hi } = operandRange(cfg.digits);
  const operand: Interval = [lo, hi];
  let question = 0;
  let response = 0;
  for (let k = cfg.operandCount.min; k <= cfg.operandCount.max; k++) {
    question = Math.max(question, k * intervalTextLength(operand) + (k - 1) + 1);
    for (const ops of operatorSequences(cfg.operators, k - 1, cfg.maxMul)) {
      const l = shapeLengths(planFor(ops), operand, offsets);
      for (const s of used) response = Math.max(response, l[s]);
    }
  }
  return { question, response, sequence: question + response };
}
