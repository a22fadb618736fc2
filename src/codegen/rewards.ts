// Reward expressions (the checker's RewardNode trees) → TypeScript functions of (sample, item, rng).
// Calls go to the runtime's reward primitives; combinators receive evaluated arguments, so every
// sub-reward runs (and every random draw happens) whatever the others return.
import type { Condition, CondOperand, RewardConfig, RewardNode } from '../ir/cell.js';
import { commentText, literal, Names } from './literals.js';

const R = 'rt.cell.reward';

export interface RewardFunction {
  /** The function's name in the program. */
  name: string;
  /** The spec text it was compiled from (for its doc comment). */
  text: string;
  /** `function name(s, item, rng) { ... }` */
  source: string;
}

/** Names the functions of a program's rewards, collected across cells: declarations first, then inline ones. */
export class RewardCompiler {
  /** By the expression's JSON: `ground_truth` referenced inside another reward reuses its function. */
  private readonly functions = new Map<string, RewardFunction>();

  /** `names`: the program's one allocator, shared with its filters and constants. */
  constructor(private readonly names: Names) {}

  /** The function for a reward (and for the named rewards it refers to), compiled once per distinct expression. */
  compile(name: string, text: string, node: RewardNode): string {
    const key = JSON.stringify(node);
    const existing = this.functions.get(key);
    if (existing) return existing.name;
    const fn = this.names.take('reward', name);
    const entry: RewardFunction = { name: fn, text, source: '' };
    this.functions.set(key, entry);
    const body = this.expr(node);
    entry.source = `function ${fn}(s: rt.cell.CellResponse, item: rt.cell.CellItem, rng: rt.Rng): number {\n  return ${body};\n}`;
    return fn;
  }

  all(): RewardFunction[] {
    return [...this.functions.values()];
  }

  private expr(n: RewardNode): string {
    switch (n.op) {
      case 'correct': return `${R}.correct(s.text, ${n.target === 'label' ? 'item.label' : 'item.majority_label'}, s.r1Style${n.grader ? `, ${literal(n.grader)}` : ''})`;
      case 'boxed_nonempty': return `${R}.boxedNonempty(s.text, s.r1Style)`;
      case 'random': return `${R}.coin(rng, ${literal(n.p)})`;
      case 'contains': return `${R}.contains(s.text, ${literal(n.text)})`;
      case 'no_repetition': return `${R}.noRepetition(s.text, ${literal(n.min_length)}, ${literal(n.max_length)}, ${literal(n.min_repeats)})`;
      case 'const': return literal(n.value);
      case 'not': return `${R}.not(${this.expr(n.arg)})`;
      case 'and': return `${R}.all(${n.args.map(a => this.expr(a)).join(', ')})`;
      case 'or': return `${R}.any(${n.args.map(a => this.expr(a)).join(', ')})`;
      case 'sum': return `(${n.terms.map(t => `${literal(t.weight)} * ${this.expr(t.term)}`).join(' + ')})`;
      case 'if': return `${R}.choose(${this.expr(n.cond)}, ${this.expr(n.then)}, ${this.expr(n.else)})`;
      case 'named': return `${this.compile(n.name, n.name, n.reward)}(s, item, rng)`;
    }
  }
}

function operand(o: CondOperand): string {
  if ('value' in o) return literal(o.value);
  return o.var === 'example' ? 'item.example' : o.var === 'label' ? 'item.label' : '(item.majority_label ?? null)';
}

const isLabel = (o: CondOperand) => 'var' in o && o.var !== 'example';

/** A `where` condition → a TypeScript boolean expression over `item`. */
export function conditionExpr(c: Condition): string {
  switch (c.op) {
    case 'and': return `(${c.args.map(conditionExpr).join(' && ')})`;
    case 'or': return `(${c.args.map(conditionExpr).join(' || ')})`;
    case 'not': return `!${conditionExpr(c.arg)}`;
    case '==': case '!=': {
      // Labels are compared as answers (the grader's equivalence), not as strings.
      if (isLabel(c.left) || isLabel(c.right)) return `${c.op === '!=' ? '!' : ''}${R}.sameAnswer(${operand(c.left)}, ${operand(c.right)})`;
      return `(${operand(c.left)} ${c.op === '==' ? '===' : '!=='} ${operand(c.right)})`;
    }
    default: return `(${operand(c.left)} ${c.op} ${operand(c.right)})`;
  }
}

/** The doc comment of a reward function. */
export function rewardDoc(r: RewardConfig | RewardFunction): string {
  return `/** reward: ${commentText(r.text)} */`;
}
