// Pure questions about a reward's tree, asked by both the checker (which rejects some combinations) and the
// runtime (which computes majority labels): no model or file access here, so the compiler can import it.
import type { Condition, RewardNode } from '../../ir/cell.js';

/** How majority labels are computed: N samples at temperature T; online (TTRL) relabels before every step. */
export interface MajoritySpec { samples: number; temperature: number; online?: true }

/** Every majority-vote leaf of a reward (`correct(majority_label(samples = N, temperature = T[, online = true]))`), in order. */
export function majoritySpecs(node: RewardNode): MajoritySpec[] {
  switch (node.op) {
    case 'correct':
      if (node.target !== 'majority_label') return [];
      return [{ samples: node.samples, temperature: node.temperature, ...(node.online ? { online: true as const } : {}) }];
    case 'not': return majoritySpecs(node.arg);
    case 'and': case 'or': return node.args.flatMap(majoritySpecs);
    case 'sum': return node.terms.flatMap(t => majoritySpecs(t.term));
    case 'if': return [node.cond, node.then, node.else].flatMap(majoritySpecs);
    case 'named': return majoritySpecs(node.reward);
    default: return [];
  }
}

/** The majority-vote spec the runtime labels with: the reward's first. */
export function majoritySpecOf(node: RewardNode): MajoritySpec | null {
  return majoritySpecs(node)[0] ?? null;
}

/** Whether a `where` condition reads majority_label. */
export function conditionReadsMajority(c: Condition): boolean {
  switch (c.op) {
    case 'and': case 'or': return c.args.some(conditionReadsMajority);
    case 'not': return conditionReadsMajority(c.arg);
    default: return [c.left, c.right].some(o => 'var' in o && o.var === 'majority_label');
  }
}
