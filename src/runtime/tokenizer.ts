// Tokenizers turn text into token ids and back. The model organism uses one token per character;
// Hugging Face policies (a later issue) bring their own tokenizer behind the same interface.

export interface Tokenizer {
  readonly vocabSize: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** Token ids of `text`, without BOS/EOS unless asked. */
  encode(text: string, opts?: { bos?: boolean; eos?: boolean }): number[];
  /** Text of `ids`: BOS and PAD are dropped, decoding stops at the first EOS. */
  decode(ids: readonly number[]): string;
  /** Text of one token (empty for special tokens), for incremental stop-string checks. */
  tokenText(id: number): string;
}

/**
 * One token per character of an alphabet. Ids 0, 1, 2 are PAD, BOS, EOS; the alphabet follows in order,
 * so the same alphabet string always gives the same ids (checkpoints depend on it).
 */
export class CharTokenizer implements Tokenizer {
  readonly pad = 0;
  readonly bos = 1;
  readonly eos = 2;
  readonly alphabet: string;
  private readonly chars: string[];
  private readonly ids = new Map<string, number>();

  constructor(alphabet: string) {
    this.chars = Array.from(alphabet);
    this.chars.forEach((c, i) => {
      if (this.ids.has(c)) throw new Error(`CharTokenizer: character ${JSON.stringify(c)} appears twice in the alphabet`);
      this.ids.set(c, i + 3);
    });
    if (this.chars.length === 0) throw new Error('CharTokenizer: empty alphabet');
    this.alphabet = alphabet;
  }

  get vocabSize(): number {
    return this.chars.length + 3;
  }

  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const out: number[] = opts.bos ? [this.bos] : [];
    for (const c of text) {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`CharTokenizer: character ${JSON.stringify(c)} is not in the alphabet ${JSON.stringify(this.alphabet)}`);
      out.push(id);
    }
    if (opts.eos) out.push(this.eos);
    return out;
  }

  decode(ids: readonly number[]): string {
    let s = '';
    for (const id of ids) {
      if (id === this.eos) break;
      s += this.tokenText(id);
    }
    return s;
  }

  tokenText(id: number): string {
    if (id < 3) return '';
    const c = this.chars[id - 3];
    if (c === undefined) throw new Error(`CharTokenizer: token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
    return c;
  }
}
