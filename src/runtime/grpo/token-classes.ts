// Per-token-class statistics of a GRPO update (issue 18). The clipping-bias account says the clip acts on the
// tokens that decide the strategy. The trainer's token means mix those few tokens with many determined ones
// (digits, `ans=`), so these statistics split them: the same clip indicators as grpoLoss, entropy, and the
// probability the sampling policy gave each sampled token, per class.

export type TokenClass = 'strategy' | 'other';
export const TOKEN_CLASSES: readonly TokenClass[] = ['strategy', 'other'];

/**
 * Where the arithmetic world's responses decide a step's form, per character: the first character, and the
 * first character of every later step (after `; ` or `. `), except the closing `so ...`. A `p` there opens
 * code, `t`/`u` continues it, a digit or `-` writes prose. Version 1 decides once (index 0); version 2 at
 * every step.
 */
export function strategyPositions(text: string): boolean[] {
  return Array.from(text, (_, i) => i === 0 || (i >= 2 && text[i - 1] === ' ' && (text[i - 2] === ';' || text[i - 2] === '.') && !text.startsWith('so ', i)));
}

export interface ClassStats {
  /** Response tokens of this class over the step's updates (each update counts its minibatch's tokens). */
  tokens: number;
  /** Shares of those tokens whose gradient the clip removed at the low and at the high bound. */
  clipFracLow: number;
  clipFracHigh: number;
  /** Mean entropy of the policy's distribution at those tokens. */
  entropy: number;
  /** Mean probability of the sampled token under the policy that sampled it. */
  meanProb: number;
}

/** Running sums of one class; `finish` turns them into ClassStats. */
export class ClassAccumulator {
  private n = 0;
  private low = 0;
  private high = 0;
  private ent = 0;
  private prob = 0;

  /**
   * Adds one minibatch. Arrays are [rows × width], row-major; `classOf` is 1 for this class's tokens.
   * The clip indicators are grpoLoss's: A > 0 and ratio > 1 + high; A < 0 and ratio < 1 − low.
   */
  add(x: {
    logp: ArrayLike<number>; oldLogp: ArrayLike<number>; adv: ArrayLike<number>; mask: ArrayLike<number>;
    entropy: ArrayLike<number>; member: ArrayLike<number>; clip: { low: number; high: number } | null;
  }): void {
    for (let i = 0; i < x.mask.length; i++) {
      if (x.mask[i] !== 1 || x.member[i] !== 1) continue;
      this.n++;
      const ratio = Math.exp(x.logp[i]! - x.oldLogp[i]!);
      if (x.clip) {
        if (x.adv[i]! > 0 && ratio > 1 + x.clip.high) this.high++;
        if (x.adv[i]! < 0 && ratio < 1 - x.clip.low) this.low++;
      }
      this.ent += x.entropy[i]!;
      this.prob += Math.exp(x.oldLogp[i]!);
    }
  }

  finish(): ClassStats {
    const n = this.n;
    const per = (s: number) => (n === 0 ? NaN : s / n);
    return { tokens: n, clipFracLow: per(this.low), clipFracHigh: per(this.high), entropy: per(this.ent), meanProb: per(this.prob) };
  }
}
