// Reward expressions → a small JSON tree the code generator compiles to a function of (response, label).
// Built-ins follow the paper's definitions (paper.md §2); combinators are and/or/not (0/1 rewards),
// weighted sums, if-then-else and references to other rewards. A top-level `where` restricts the training
// prompts to those the condition holds for, computed once before training: the incorrect-label subset
// (`where majority_label != label`) and one-shot RL (`where example == 0`) are both written this way.
import type { Argument, Call, Expr, Reference } from '../language/ast.js';
import { names, rules, types } from '../diagnostics/catalogue.js';
import type { Message } from '../diagnostics/diagnostic.js';
import { suggest } from '../util/suggest.js';
import { DEFAULT_GRADER, GRADERS, isGraderName, type GraderName } from '../grader/names.js';
import { containsHole, numberLiteral, shapeOf, unparen } from './types.js';
import type { Loc } from './values.js';

import type { Condition, CondOperand, RewardNode } from '../ir/cell.js';
import { conditionReadsMajority, majoritySpecs, type MajoritySpec } from '../runtime/cell/reward-tree.js';
export type { Condition, CondOperand, RewardNode };

export interface RewardIR {
  expr: RewardNode;
  /** Training prompts are restricted to those where this holds; null: all of them. */
  filter: Condition | null;
  /** Always 0 or 1 (and so usable under and/or/not). */
  binary: boolean;
  /** Reads the dataset's labels (correct(label), or a condition on label). */
  needsLabels: boolean;
  /** The value the reward always takes, when it cannot vary. */
  constant: number | null;
  /** Canonical text, as in the spec. */
  text: string;
}

export const REWARD_BUILTINS = ['correct', 'majority_label', 'label', 'boxed_nonempty', 'random', 'contains', 'no_repetition'] as const;
export const NO_REPETITION_DEFAULTS = { min_length: 10, max_length: 256, min_repeats: 10 } as const;

export interface RewardEnv {
  file: string;
  report(message: Message, loc: Loc): void;
  /** The reward a name refers to: its IR, null when no symbol has that name (not reported), undefined after an error. */
  reference(ref: Reference): RewardIR | null | undefined;
  /** Names of visible rewards, for suggestions. */
  rewardNames(): string[];
}

interface Lowered { node: RewardNode; binary: boolean; labels: boolean; filters: Condition[]; constant: number | null }

export function lowerReward(expr: Expr, env: RewardEnv): RewardIR | undefined {
  if (containsHole(expr)) return undefined;
  const e = unparen(expr);
  let filter: Condition | null = null;
  let body = e;
  let condLabels = false;
  let usesMajority = false;
  if (e.kind === 'Where') {
    body = e.value;
    const cond = lowerCondition(e.condition, env);
    if (cond === undefined) return undefined;
    filter = cond.cond;
    condLabels = cond.labels;
    usesMajority = cond.majority;
  }
  const l = lowerNode(body, env);
  if (!l) return undefined;
  const majority = majoritySpecs(l.node);
  if (usesMajority && majority.length === 0) {
    env.report(rules.noMajority(), { file: env.file, span: (e as { condition: Expr }).condition.span });
    return undefined;
  }
  if (majority.some(m => m.online)) {
    // A subset of prompts is chosen once, before training; online labels change every step.
    if (usesMajority) return void env.report(rules.onlineMajorityWhere(), { file: env.file, span: (e as { condition: Expr }).condition.span });
    if (l.filters.some(conditionReadsMajority)) return void env.report(rules.onlineMajorityWhere(), at(env, body));
  }
  const filters = [...l.filters, ...(filter ? [filter] : [])];
  return {
    expr: l.node,
    filter: filters.length === 0 ? null : filters.length === 1 ? filters[0]! : { op: 'and', args: filters },
    binary: l.binary,
    needsLabels: l.labels || condLabels,
    constant: l.constant,
    text: rewardText(l.node) + (filter ? ` where ${conditionText(filter)}` : ''),
  };
}

const at = (env: RewardEnv, e: { span: Expr['span'] }): Loc => ({ file: env.file, span: e.span });
const leaf = (node: RewardNode, constant: number | null = null, labels = false): Lowered => ({ node, binary: true, labels, filters: [], constant });

function lowerNode(expr: Expr, env: RewardEnv): Lowered | undefined {
  const e = unparen(expr);
  const num = numberLiteral(e);
  if (num) return { node: { op: 'const', value: num.value }, binary: num.value === 0 || num.value === 1, labels: false, filters: [], constant: num.value };
  switch (e.kind) {
    case 'Bool': return leaf({ op: 'const', value: e.value ? 1 : 0 }, e.value ? 1 : 0);
    case 'Reference': return lowerName(e, env);
    case 'Call': return lowerCall(e, env);
    case 'Unary': {
      if (e.op === '-') return lowerArithmetic('*', { kind: 'Number', value: -1, raw: '-1', isInt: true, span: e.span }, e.operand, env, e);
      const arg = lowerNode(e.operand, env);
      if (!arg) return undefined;
      if (!arg.binary) return void env.report(types.notBinary('not', `'${rewardText(arg.node)}'`), at(env, e.operand));
      return { ...arg, node: { op: 'not', arg: arg.node }, constant: arg.constant === null ? null : 1 - arg.constant };
    }
    case 'Binary': {
      if (e.op === 'and' || e.op === 'or') {
        const l = lowerNode(e.left, env);
        const r = lowerNode(e.right, env);
        if (!l || !r) return undefined;
        for (const [side, x] of [[e.left, l], [e.right, r]] as const) {
          if (!x.binary) return void env.report(types.notBinary(e.op, `'${rewardText(x.node)}'`), at(env, side));
        }
        const flat = (x: Lowered) => (x.node.op === e.op ? (x.node as { args: RewardNode[] }).args : [x.node]);
        const absorbing = e.op === 'and' ? 0 : 1;
        const constant = l.constant === absorbing || r.constant === absorbing ? absorbing : l.constant !== null && r.constant !== null ? l.constant : null;
        return { node: { op: e.op, args: [...flat(l), ...flat(r)] }, binary: true, labels: l.labels || r.labels, filters: [...l.filters, ...r.filters], constant };
      }
      if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/') return lowerArithmetic(e.op, e.left, e.right, env, e);
      return void env.report(types.notHere(`a comparison ('${e.op}')`, 'a reward', "compare labels in a 'where' condition: correct(label) where majority_label != label"), at(env, e));
    }
    case 'If': {
      const c = lowerNode(e.condition, env);
      const t = lowerNode(e.then, env);
      const f = lowerNode(e.else, env);
      if (!c || !t || !f) return undefined;
      if (!c.binary) return void env.report(types.notBinary('if', `'${rewardText(c.node)}'`), at(env, e.condition));
      const constant = c.constant === 1 ? t.constant : c.constant === 0 ? f.constant : t.constant !== null && t.constant === f.constant ? t.constant : null;
      return { node: { op: 'if', cond: c.node, then: t.node, else: f.node }, binary: t.binary && f.binary, labels: c.labels || t.labels || f.labels, filters: [...c.filters, ...t.filters, ...f.filters], constant };
    }
    case 'Where':
      return void env.report(types.notHere("'where'", 'the middle of a reward expression', "put 'where' at the end: correct(label) where majority_label != label"), at(env, e));
    default:
      return void env.report(types.typeMismatch('a reward', 'a reward expression', shapeOf(e)), at(env, e));
  }
}

function lowerArithmetic(op: '+' | '-' | '*' | '/', left: Expr, right: Expr, env: RewardEnv, whole: Expr): Lowered | undefined {
  if (op === '*' || op === '/') {
    const ln = numberLiteral(left);
    const rn = numberLiteral(right);
    const weight = op === '*' ? (ln ?? rn) : rn && rn.value !== 0 ? { value: 1 / rn.value } : undefined;
    const other = op === '*' ? (ln ? right : left) : left;
    if (!weight || (op === '*' && ln && rn)) {
      return void env.report(types.notHere(`'${op}' between two rewards`, 'a reward', 'scale a reward by a number: 0.5 * format'), { file: env.file, span: whole.span });
    }
    const x = lowerNode(other, env);
    if (!x) return undefined;
    return { node: { op: 'sum', terms: [{ weight: weight.value, term: x.node }] }, binary: false, labels: x.labels, filters: x.filters, constant: x.constant === null ? null : weight.value * x.constant };
  }
  const l = lowerNode(left, env);
  const r = lowerNode(right, env);
  if (!l || !r) return undefined;
  const terms = (x: Lowered, sign: number) =>
    x.node.op === 'sum' ? x.node.terms.map(t => ({ weight: sign * t.weight, term: t.term })) : [{ weight: sign, term: x.node }];
  const constant = l.constant !== null && r.constant !== null ? l.constant + (op === '+' ? 1 : -1) * r.constant : null;
  return { node: { op: 'sum', terms: [...terms(l, 1), ...terms(r, op === '+' ? 1 : -1)] }, binary: false, labels: l.labels || r.labels, filters: [...l.filters, ...r.filters], constant };
}

function lowerName(e: Reference, env: RewardEnv): Lowered | undefined {
  if (e.name === 'boxed_nonempty') return leaf({ op: 'boxed_nonempty' });
  if (e.name === 'no_repetition') return leaf({ op: 'no_repetition', ...NO_REPETITION_DEFAULTS });
  if (e.name === 'label' || e.name === 'majority_label') {
    return void env.report(types.notHere(`'${e.name}'`, 'a reward on its own', `compare with it: correct(${e.name})`), at(env, e));
  }
  const ir = env.reference(e);
  if (ir === undefined) return undefined;
  if (ir === null) {
    const candidates = [...env.rewardNames(), 'boxed_nonempty', 'no_repetition', 'correct', 'random', 'contains'];
    return void env.report(names.unknownName(e.name, 'reward', suggest(e.name, candidates)), at(env, e));
  }
  return { node: { op: 'named', name: e.name, reward: ir.expr }, binary: ir.binary, labels: ir.needsLabels, filters: ir.filter ? [ir.filter] : [], constant: ir.constant };
}

function calleeName(c: Call): string | undefined {
  const callee = unparen(c.callee);
  return callee.kind === 'Reference' ? callee.name : undefined;
}

function lowerCall(c: Call, env: RewardEnv): Lowered | undefined {
  const name = calleeName(c);
  const positional = c.args.filter(a => a.name === null);
  const one = (usage: string): Argument | undefined => {
    if (positional.length !== 1 || c.args.length !== 1) {
      env.report(types.badArguments(name ?? 'call', `takes exactly one argument, got ${c.args.length}`, usage), at(env, c));
      return undefined;
    }
    return positional[0];
  };
  switch (name) {
    case 'correct': {
      // correct(label) or correct(label, grader = math_verify): one answer argument, then an optional grader.
      const usage = 'correct(label), correct(label, grader = math_verify) or correct(majority_label(samples = 64))';
      const named = c.args.filter(x => x.name !== null);
      if (positional.length !== 1 || named.length > 1) return void env.report(types.badArguments('correct', `takes one answer argument and an optional grader, got ${c.args.length} argument${c.args.length === 1 ? '' : 's'}`, usage), at(env, c));
      const a = positional[0]!;
      let grader: { grader?: 'math_verify' } = {};
      if (named.length === 1) {
        const g = lowerGrader(named[0]!, env);
        if (g === undefined) return undefined;
        if (g !== DEFAULT_GRADER) grader = { grader: g as 'math_verify' };
      }
      const v = unparen(a.value);
      if (v.kind === 'Reference' && v.name === 'label') return leaf({ op: 'correct', target: 'label', ...grader }, null, true);
      if (v.kind === 'Reference' && v.name === 'majority_label') return leaf({ op: 'correct', target: 'majority_label', samples: 64, temperature: 1, ...grader });
      if (v.kind === 'Call' && calleeName(v) === 'majority_label') {
        const m = majorityArgs(v, env);
        return m && leaf({ op: 'correct', target: 'majority_label', ...m, ...grader });
      }
      env.report(types.typeMismatch('the argument of correct', 'label or majority_label(...)', shapeOf(v)), at(env, v));
      return undefined;
    }
    case 'random': {
      const a = one('random(0.5)');
      if (!a) return undefined;
      const n = numberLiteral(a.value);
      if (!n) return void env.report(types.typeMismatch('the argument of random', 'a probability in [0, 1]', shapeOf(a.value)), at(env, a.value));
      if (n.value < 0 || n.value > 1) {
        return void env.report(types.outOfRange('γ in random(γ)', 'in [0, 1]', n.raw, 'random(γ) gives reward 1 with probability γ, independently of the response.'), at(env, a.value));
      }
      // γ = 0 and γ = 1 never vary: the constant-reward warning explains what that does.
      return leaf({ op: 'random', p: n.value }, n.value === 0 ? 0 : n.value === 1 ? 1 : null);
    }
    case 'contains': {
      const a = one('contains("python")');
      if (!a) return undefined;
      const v = unparen(a.value);
      if (v.kind !== 'String') return void env.report(types.typeMismatch('the argument of contains', 'a string', shapeOf(v)), at(env, v));
      if (v.value.length === 0) return void env.report(types.outOfRange('the text of contains', 'non-empty', '""'), at(env, v));
      return leaf({ op: 'contains', text: v.value });
    }
    case 'no_repetition': {
      const params: Record<string, number> = { ...NO_REPETITION_DEFAULTS };
      for (const arg of c.args) {
        const key = arg.name?.text;
        if (!key || !(key in params)) {
          return void env.report(types.badArguments('no_repetition', key ? `unknown argument '${key}'` : 'arguments must be named', 'no_repetition(min_length = 10, max_length = 256, min_repeats = 10)'), at(env, arg));
        }
        const n = numberLiteral(arg.value);
        if (!n || !n.isInt || n.value < 1) return void env.report(types.typeMismatch(`no_repetition ${key}`, 'a whole number ≥ 1', shapeOf(arg.value)), at(env, arg.value));
        params[key] = n.value;
      }
      return leaf({ op: 'no_repetition', min_length: params.min_length!, max_length: params.max_length!, min_repeats: params.min_repeats! });
    }
    case 'majority_label':
      return void env.report(types.notHere('majority_label(...)', 'a reward on its own', 'compare with it: correct(majority_label(samples = 64))'), at(env, c));
    case 'label': case 'boxed_nonempty':
      return void env.report(types.badArguments(name, 'takes no arguments', name), at(env, c));
    default: {
      const callee = unparen(c.callee);
      if (callee.kind === 'Reference') {
        env.report(names.unknownName(callee.name, 'reward', suggest(callee.name, ['correct', 'random', 'contains', 'no_repetition', 'majority_label'])), at(env, callee));
      } else {
        env.report(types.typeMismatch('a reward', 'a reward expression', shapeOf(c)), at(env, c));
      }
      return undefined;
    }
  }
}

/** `grader = paper | math_verify` in correct(...): the grader's name, undefined after an error. */
function lowerGrader(arg: Argument, env: RewardEnv): GraderName | undefined {
  const key = arg.name?.text;
  if (key !== 'grader') return void env.report(types.badArguments('correct', `unknown argument '${key}'`, 'correct(label, grader = math_verify)'), at(env, arg));
  const v = unparen(arg.value);
  const name = v.kind === 'Reference' ? v.name : v.kind === 'String' ? v.value : null;
  if (name === null) return void env.report(types.typeMismatch('the grader of correct', GRADERS.join(' or '), shapeOf(v)), at(env, arg.value));
  if (!isGraderName(name)) return void env.report(types.unknownValue(name, 'grader', GRADERS.join(', '), suggest(name, GRADERS)), at(env, arg.value));
  return name;
}

function majorityArgs(c: Call, env: RewardEnv): MajoritySpec | undefined {
  const out: MajoritySpec = { samples: 64, temperature: 1 };
  for (const arg of c.args) {
    const key = arg.name?.text;
    if (key !== 'samples' && key !== 'temperature' && key !== 'online') {
      env.report(types.badArguments('majority_label', key ? `unknown argument '${key}'` : 'arguments must be named', 'majority_label(samples = 64, temperature = 1.0, online = false)'), at(env, arg));
      return undefined;
    }
    if (key === 'online') {
      const b = unparen(arg.value);
      if (b.kind !== 'Bool') return void env.report(types.typeMismatch('majority_label online', 'true or false', shapeOf(arg.value)), at(env, arg.value));
      if (b.value) out.online = true;
      continue;
    }
    const n = numberLiteral(arg.value);
    if (!n) return void env.report(types.typeMismatch(`majority_label ${key}`, 'a number', shapeOf(arg.value)), at(env, arg.value));
    if (key === 'samples' && (!n.isInt || n.value < 1)) return void env.report(types.outOfRange('majority_label samples', 'a whole number ≥ 1', n.raw), at(env, arg.value));
    if (key === 'temperature' && n.value <= 0) return void env.report(types.outOfRange('majority_label temperature', '> 0', n.raw), at(env, arg.value));
    out[key] = n.value;
  }
  return out;
}

const CONDITION_VARS = ['label', 'majority_label', 'example'] as const;

function lowerCondition(expr: Expr, env: RewardEnv): { cond: Condition; labels: boolean; majority: boolean } | undefined {
  let labels = false;
  let majority = false;
  const operand = (x: Expr): CondOperand | undefined => {
    const e = unparen(x);
    const n = numberLiteral(e);
    if (n) return { value: n.value };
    if (e.kind === 'String') return { value: e.value };
    if (e.kind === 'Reference') {
      if ((CONDITION_VARS as readonly string[]).includes(e.name)) {
        if (e.name === 'label') labels = true;
        if (e.name === 'majority_label') majority = true;
        return { var: e.name as CondOperand extends { var: infer V } ? V : never };
      }
      env.report(names.unknownName(e.name, 'condition variable', suggest(e.name, CONDITION_VARS)), at(env, e));
      return undefined;
    }
    env.report(types.typeMismatch('a condition operand', 'label, majority_label, example, a number or a string', shapeOf(e)), at(env, e));
    return undefined;
  };
  const go = (x: Expr): Condition | undefined => {
    const e = unparen(x);
    if (e.kind === 'Unary' && e.op === 'not') {
      const a = go(e.operand);
      return a && { op: 'not', arg: a };
    }
    if (e.kind === 'Binary') {
      if (e.op === 'and' || e.op === 'or') {
        const l = go(e.left);
        const r = go(e.right);
        return l && r && { op: e.op, args: [l, r] };
      }
      if (e.op === '==' || e.op === '!=' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') {
        const l = operand(e.left);
        const r = operand(e.right);
        return l && r && { op: e.op, left: l, right: r };
      }
    }
    env.report(types.typeMismatch("a 'where' condition", 'a comparison such as majority_label != label or example == 0', shapeOf(e)), at(env, e));
    return undefined;
  };
  const cond = go(expr);
  return cond && { cond, labels, majority };
}

// ---- canonical text -------------------------------------------------------------------------------------

const num = (n: number) => String(n);

export function rewardText(n: RewardNode, parentPrec = 0): string {
  const wrap = (prec: number, s: string) => (prec < parentPrec ? `(${s})` : s);
  switch (n.op) {
    case 'correct': {
      const grader = n.grader ? `, grader = ${n.grader}` : '';
      return n.target === 'label' ? `correct(label${grader})` : `correct(majority_label(samples = ${n.samples}, temperature = ${num(n.temperature)}${n.online ? ', online = true' : ''})${grader})`;
    }
    case 'boxed_nonempty': return 'boxed_nonempty';
    case 'random': return `random(${num(n.p)})`;
    case 'contains': return `contains(${JSON.stringify(n.text)})`;
    case 'no_repetition': {
      const d = NO_REPETITION_DEFAULTS;
      return n.min_length === d.min_length && n.max_length === d.max_length && n.min_repeats === d.min_repeats
        ? 'no_repetition'
        : `no_repetition(min_length = ${n.min_length}, max_length = ${n.max_length}, min_repeats = ${n.min_repeats})`;
    }
    case 'const': return num(n.value);
    case 'named': return n.name;
    case 'not': return wrap(3, `not ${rewardText(n.arg, 3)}`);
    case 'and': return wrap(2, n.args.map(a => rewardText(a, 2)).join(' and '));
    case 'or': return wrap(1, n.args.map(a => rewardText(a, 1)).join(' or '));
    case 'sum':
      return wrap(4, n.terms.map((t, i) => {
        const body = t.weight === 1 || t.weight === -1 ? rewardText(t.term, 5) : `${num(Math.abs(t.weight))} * ${rewardText(t.term, 6)}`;
        return i === 0 ? (t.weight < 0 ? `-${body}` : body) : `${t.weight < 0 ? '-' : '+'} ${body}`;
      }).join(' '));
    case 'if': return wrap(0, `if ${rewardText(n.cond, 1)} then ${rewardText(n.then, 1)} else ${rewardText(n.else, 1)}`);
  }
}

const operandText = (o: CondOperand) => ('var' in o ? o.var : typeof o.value === 'string' ? JSON.stringify(o.value) : num(o.value));

export function conditionText(c: Condition): string {
  switch (c.op) {
    case 'and': return c.args.map(conditionText).join(' and ');
    case 'or': return c.args.map(a => (a.op === 'and' ? `(${conditionText(a)})` : conditionText(a))).join(' or ');
    case 'not': return `not (${conditionText(c.arg)})`;
    default: return `${operandText(c.left)} ${c.op} ${operandText(c.right)}`;
  }
}
