// Majority-vote labels (paper section 2: `majority_voting_labeling.py` + `relabel_data_based_on_mv_labels.py`).
// The paper extracts an answer from each of 64 samples, drops empty predictions, and takes
// Counter.most_common(1) over the extracted strings. Here equivalent answers form one cluster (`1/2` and
// `0.5` vote together), ties go to the cluster seen first (as Counter.most_common does), and the label is
// the cluster's most frequent spelling. Sampling and caching belong to the runtime; these are pure.
import { compareAnswers, type CompareOptions } from './equivalence.js';
import { extractAnswer, type ExtractOptions } from './extract.js';
import { normalizeAnswer } from './normalize.js';

export interface AnswerCluster {
  /** The cluster's most frequent spelling (first seen among equally frequent ones). */
  answer: string;
  count: number;
  /** Indices (into the input) of the answers in this cluster. */
  members: number[];
}

export interface MajorityVote {
  /** The winning answer, or null when every prediction was empty. */
  answer: string | null;
  count: number;
  /** Number of non-empty predictions that voted. */
  votes: number;
  /** All clusters, largest first (ties in order of first appearance). */
  clusters: AnswerCluster[];
}

// Two answers vote together only when each is judged equal to the other: the checker's guards are
// one-sided (an integer gold rejects `\frac{10}{2}`, but `5` is accepted against a `\frac{10}{2}` gold),
// and a cluster should not depend on which of its members came first.
function sameAnswer(a: string, b: string, options: CompareOptions): boolean {
  return compareAnswers(a, b, options).equal && compareAnswers(b, a, options).equal;
}

/** Majority vote over already-extracted answers (null / empty ones are dropped). */
export function majorityVote(answers: ReadonlyArray<string | null | undefined>, options: CompareOptions = {}): MajorityVote {
  interface Work {
    rep: string;
    key: string;
    members: number[];
    spellings: Map<string, number>;
  }
  const clusters: Work[] = [];
  const byKey = new Map<string, Work>();
  let votes = 0;
  answers.forEach((raw, index) => {
    if (raw === null || raw === undefined) return;
    const key = normalizeAnswer(raw);
    if (key === '') return;
    votes++;
    let cluster = byKey.get(key);
    if (!cluster) {
      cluster = clusters.find(c => sameAnswer(raw, c.rep, options));
      if (!cluster) {
        cluster = { rep: raw, key, members: [], spellings: new Map() };
        clusters.push(cluster);
      }
      byKey.set(key, cluster);
    }
    cluster.members.push(index);
    cluster.spellings.set(raw, (cluster.spellings.get(raw) ?? 0) + 1);
  });
  const out: AnswerCluster[] = clusters.map(c => {
    let best = c.rep;
    let bestCount = 0;
    for (const [spelling, n] of c.spellings) {
      if (n > bestCount) {
        best = spelling;
        bestCount = n;
      }
    }
    return { answer: best, count: c.members.length, members: c.members };
  });
  // Array.prototype.sort is stable: equal counts keep first-appearance order.
  out.sort((a, b) => b.count - a.count);
  const top = out[0];
  return { answer: top ? top.answer : null, count: top ? top.count : 0, votes, clusters: out };
}

export interface MajorityLabelOptions extends CompareOptions, Pick<ExtractOptions, 'r1Style'> {}

/** The majority-vote label of N sampled responses: extract each answer, then vote. */
export function majorityLabel(responses: readonly string[], options: MajorityLabelOptions = {}): MajorityVote {
  const extractOptions: ExtractOptions = options.r1Style ? { r1Style: true } : {};
  return majorityVote(
    responses.map(r => extractAnswer(r, extractOptions)),
    options,
  );
}

/**
 * Incorrect-label data (paper section 2): keep a prompt only when its majority label is wrong, judged as the
 * paper does, by grading the majority label against the ground truth. A missing majority label is not a
 * wrong label (the paper's relabelling drops prompts without predictions).
 */
export function isIncorrectLabel(majority: string | null | undefined, gold: string, options: CompareOptions = {}): boolean {
  if (majority === null || majority === undefined || normalizeAnswer(majority) === '') return false;
  return !compareAnswers(majority, gold, options).equal;
}
