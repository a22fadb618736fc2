// Seeded randomness for everything the runtime does (data generation, sampling, reward coins).
// One root seed per cell; every consumer derives its own stream by label, so adding a consumer
// never shifts the numbers another one sees. The generator is sfc32 (small, fast, passes PractRand),
// its whole state is four uint32 words so checkpoints can save and restore it exactly.
import { createHash } from 'node:crypto';

/** A 32-bit seed derived from a root seed and a path of labels, e.g. deriveSeed(42, 'sampler', step). */
export function deriveSeed(root: number | string, ...labels: Array<string | number>): number {
  const h = createHash('sha256').update(JSON.stringify([root, ...labels])).digest();
  return h.readUInt32LE(0);
}

export type RngState = [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string, ...labels: Array<string | number>) {
    const h = createHash('sha256').update(JSON.stringify([seed, ...labels])).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12) | 1;
    for (let i = 0; i < 12; i++) this.nextU32(); // warm up away from the hash output
  }

  /** A uniformly distributed uint32. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Rng.int needs n > 0, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi], both ends included. */
  intIn(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick of an empty list');
    return items[this.int(items.length)]!;
  }

  /** Fisher-Yates shuffle, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** An independent stream for a sub-consumer, derived from this stream's next draws and a label. */
  fork(label: string | number): Rng {
    return new Rng(this.nextU32(), label);
  }

  getState(): RngState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  setState(state: RngState): void {
    [this.a, this.b, this.c, this.d] = state.map(x => x | 0) as RngState;
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }
}
