// A checkpoint's own tokenizer (tokenizer.json through @huggingface/tokenizers, special tokens and chat
// template from tokenizer_config.json) behind the runtime's Tokenizer interface, and prompt rendering:
// the chat template (system/user messages, generation prompt) or a raw `{question}` template.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import type { Tokenizer } from '../tokenizer.js';

export class HfTokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HfTokenizerError';
  }
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface HfTokenizerOptions {
  /** Token (text) that ends generation for the sampler; default tokenizer_config's eos_token. */
  eos?: string;
  /**
   * Date the chat template sees as `date_string` (Llama 3.x system headers); pinned for reproducibility
   * (default 26 Jul 2024, Llama 3.1's own fallback). A template that calls strftime_now() directly still
   * gets today's date from @huggingface/jinja, which does not let callers replace its globals.
   */
  date?: Date;
}

/** tokenizer_config.json's special tokens are strings or AddedToken objects {content: ...}. */
function tokenContent(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return null;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The subset of strftime chat templates use, in English and UTC (never the machine's locale). */
function strftime(d: Date, fmt: string): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return fmt.replace(/%[YmdbByHM%]/g, t => {
    switch (t) {
      case '%Y': return String(d.getUTCFullYear());
      case '%y': return p2(d.getUTCFullYear() % 100);
      case '%m': return p2(d.getUTCMonth() + 1);
      case '%d': return p2(d.getUTCDate());
      case '%b': return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case '%B': return MONTHS[d.getUTCMonth()]!;
      case '%H': return p2(d.getUTCHours());
      case '%M': return p2(d.getUTCMinutes());
      default: return '%';
    }
  });
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  /** BOS id, or −1 when the checkpoint has none (Qwen2). */
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** Every id the checkpoint names as an end of sequence (tokenizer_config, generation_config, config). */
  readonly eosIds: number[];
  readonly bosToken: string | null;
  readonly eosToken: string;
  readonly chatTemplate: string | null;
  private readonly tok: HfJsTokenizer;
  private readonly special = new Set<number>();
  private readonly template: Template | null;
  private readonly date: Date;
  private readonly tokenTexts = new Map<number, string>();

  constructor(
    tokenizerJson: Record<string, unknown>,
    readonly tokenizerConfig: Record<string, unknown>,
    extra: { generationEos?: number[]; configEos?: number[]; options?: HfTokenizerOptions } = {},
  ) {
    try {
      this.tok = new HfJsTokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new HfTokenizerError(`tokenizer.json could not be loaded: ${(e as Error).message}`);
    }
    const vocab = this.tok.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    for (const [id, t] of this.tok.get_added_tokens_decoder()) if (t.special) this.special.add(id);

    const idOf = (text: string, what: string): number => {
      const id = this.tok.token_to_id(text);
      if (id === undefined) throw new HfTokenizerError(`${what} ${JSON.stringify(text)} is not in tokenizer.json's vocabulary`);
      return id;
    };
    this.bosToken = tokenContent(tokenizerConfig.bos_token);
    this.bos = this.bosToken === null ? -1 : idOf(this.bosToken, 'bos_token');
    const opts = extra.options ?? {};
    const eosText = opts.eos ?? tokenContent(tokenizerConfig.eos_token);
    const fallbackEos = extra.generationEos?.[0] ?? extra.configEos?.[0];
    if (eosText !== null) {
      this.eos = idOf(eosText, opts.eos ? 'eos option' : 'eos_token');
    } else if (fallbackEos !== undefined) {
      this.eos = fallbackEos;
    } else {
      throw new HfTokenizerError('no eos_token in tokenizer_config.json and no eos_token_id in generation_config.json or config.json');
    }
    this.eosToken = this.tok.id_to_token(this.eos) ?? String(this.eos);
    this.eosIds = [...new Set([this.eos, ...(extra.generationEos ?? []), ...(extra.configEos ?? [])])];
    const padText = tokenContent(tokenizerConfig.pad_token);
    // Llama 3 base has no PAD; padded positions are masked anyway, any valid id will do.
    this.pad = padText === null ? this.eos : idOf(padText, 'pad_token');
    const ct = tokenizerConfig.chat_template;
    // A list of named templates is also allowed by transformers: take "default".
    if (typeof ct === 'string') this.chatTemplate = ct;
    else if (Array.isArray(ct)) this.chatTemplate = (ct as Array<{ name: string; template: string }>).find(t => t.name === 'default')?.template ?? null;
    else this.chatTemplate = null;
    try {
      this.template = this.chatTemplate === null ? null : new Template(this.chatTemplate);
    } catch (e) {
      throw new HfTokenizerError(`the chat template does not parse: ${(e as Error).message}`);
    }
    this.date = opts.date ?? new Date(Date.UTC(2024, 6, 26));
  }

  /**
   * Ids of `text`. `bos: true` adds the special tokens tokenizer.json's post-processor adds (Llama's
   * <|begin_of_text|>; nothing for Qwen), once: a rendered chat template that already starts with BOS
   * does not get a second one. Special-token text inside `text` maps to its id, as in transformers.
   */
  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids = this.tok.encode(text, { add_special_tokens: Boolean(opts.bos) }).ids.slice();
    if (opts.bos && this.bos >= 0 && ids.length >= 2 && ids[0] === this.bos && ids[1] === this.bos) ids.shift();
    if (opts.eos) ids.push(this.eos);
    return ids;
  }

  /**
   * Text of `ids`: special tokens (BOS, PAD, chat markers) are skipped, decoding stops at the first EOS.
   * No clean-up of spaces, so decode(encode(s)) === s for byte-level tokenizers.
   */
  decode(ids: readonly number[]): string {
    const cut: number[] = [];
    for (const id of ids) {
      if (id === this.eos) break;
      if (id >= 0 && id < this.vocabSize) cut.push(id);
    }
    if (cut.length === 0) return ''; // the library rejects an empty list
    return this.tok.decode(cut, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  /**
   * Text of one token ('' for special tokens and ids past the tokenizer's vocabulary). A multi-byte
   * character split across byte-level tokens decodes to U+FFFD here; decode() of the whole run is exact.
   */
  tokenText(id: number): string {
    let s = this.tokenTexts.get(id);
    if (s === undefined) {
      s = id < 0 || id >= this.vocabSize || this.special.has(id) ? '' : this.tok.decode([id], { skip_special_tokens: true, clean_up_tokenization_spaces: false });
      this.tokenTexts.set(id, s!);
    }
    return s!;
  }

  /** Id of a token's text, or undefined. */
  tokenId(text: string): number | undefined {
    return this.tok.token_to_id(text);
  }

  /** Token strings (vocabulary entries) of `text`, without special tokens added. */
  tokenize(text: string): string[] {
    return this.tok.tokenize(text, { add_special_tokens: false });
  }

  /** The chat template rendered as transformers' apply_chat_template(tokenize=False) would. */
  applyChatTemplate(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean; variables?: Record<string, unknown> } = {}): string {
    if (!this.template) throw new HfTokenizerError('this checkpoint has no chat_template in tokenizer_config.json; use a raw prompt template');
    const date = this.date;
    const specials: Record<string, unknown> = {};
    for (const k of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const v = tokenContent(this.tokenizerConfig[k]);
      if (v !== null) specials[k] = v;
    }
    return this.template.render({
      ...specials,
      messages: messages.map(m => ({ ...m })),
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      date_string: strftime(date, '%d %b %Y'),
      ...opts.variables,
    });
  }
}

/** How a question becomes a prompt string. */
export type PromptFormat =
  /**
   * The checkpoint's chat template: an optional system message (absent: the template's own default, e.g.
   * Qwen2.5-Math's "Please reason step by step…"), the user turn `userPrefix + question + userSuffix`,
   * then the generation prompt.
   */
  | { kind: 'chat'; system?: string; userPrefix?: string; userSuffix?: string }
  /** Plain text with `{question}` replaced (e.g. the R1-style template for base Llama). */
  | { kind: 'raw'; template: string };

export function renderPrompt(tokenizer: HfTokenizer, question: string, format: PromptFormat): string {
  if (format.kind === 'raw') {
    if (!format.template.includes('{question}')) throw new HfTokenizerError('raw prompt template has no {question} placeholder');
    return format.template.split('{question}').join(question);
  }
  const messages: ChatMessage[] = [];
  if (format.system !== undefined) messages.push({ role: 'system', content: format.system });
  messages.push({ role: 'user', content: (format.userPrefix ?? '') + question + (format.userSuffix ?? '') });
  return tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
}

function readJson(path: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new HfTokenizerError(`${what} ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HfTokenizerError(`${what} ${path} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Loads `<dir>/tokenizer.json` (+ tokenizer_config.json, generation_config.json when present). */
export function loadHfTokenizer(dir: string, options: HfTokenizerOptions = {}, configEos: number[] = []): HfTokenizer {
  const tj = join(dir, 'tokenizer.json');
  if (!existsSync(tj)) throw new HfTokenizerError(`${dir}: no tokenizer.json (only the fast-tokenizer file is supported, not tokenizer.model / vocab.json+merges.txt)`);
  const tc = join(dir, 'tokenizer_config.json');
  const gc = join(dir, 'generation_config.json');
  const tokCfg = existsSync(tc) ? readJson(tc, 'tokenizer config') : {};
  const gen = existsSync(gc) ? readJson(gc, 'generation config') : {};
  const ge = gen.eos_token_id;
  const generationEos = typeof ge === 'number' ? [ge] : Array.isArray(ge) ? ge.filter((x): x is number => typeof x === 'number') : [];
  return new HfTokenizer(readJson(tj, 'tokenizer'), tokCfg, { generationEos, configEos, options });
}
