// Batched autoregressive sampling with a KV cache. All randomness comes from our seeded Rng (never
// Math.random), drawn in a fixed order (row by row, step by step), so one seed gives the same samples.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.js';
import { padBatch, type Policy } from './policy.js';

export interface SampleOptions {
  maxNewTokens: number;
  /** 0 means greedy. Default 1. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. Default 1 (off). */
  topP?: number;
  /** Keep only the k most likely tokens; 0 or −1 = off (the paper's top_k −1). */
  topK?: number;
  /** Same as temperature 0: always the most likely token. */
  greedy?: boolean;
  /** Generation ends once the response text contains one of these (the stop string is kept in the text). */
  stop?: readonly string[];
  rng: Rng;
}

export type FinishReason = 'eos' | 'stop' | 'length';

export interface Sample {
  prompt: string;
  promptTokens: number[];
  /** Response tokens, including the EOS that ended it. */
  tokens: number[];
  /** Decoded response (without EOS). */
  text: string;
  /**
   * log p(token) of each response token under the temperature-scaled distribution softmax(logits / T)
   * before top-k/top-p truncation (T = 1 when greedy): what the trainer recomputes, so ratios start at 1.
   */
  logprobs: number[];
  finishReason: FinishReason;
}

/** Draws one token from a row of logits; returns the token and its log-probability (see Sample.logprobs). */
export function sampleToken(logits: Float32Array, opts: Omit<SampleOptions, 'maxNewTokens' | 'stop'>): { token: number; logprob: number } {
  const V = logits.length;
  const greedy = opts.greedy || opts.temperature === 0;
  const temp = greedy ? 1 : opts.temperature ?? 1;
  let max = -Infinity;
  let arg = 0;
  for (let i = 0; i < V; i++) if (logits[i]! > max) { max = logits[i]!; arg = i; }
  const z = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    z[i] = Math.exp((logits[i]! - max) / temp);
    sum += z[i]!;
  }
  const logZ = Math.log(sum);
  const logprobOf = (t: number) => (logits[t]! - max) / temp - logZ;
  if (greedy) return { token: arg, logprob: logprobOf(arg) };

  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  let candidates: number[];
  if ((topK > 0 && topK < V) || topP < 1) {
    // Sorted by probability, ties by id, so truncation is deterministic.
    candidates = Array.from({ length: V }, (_, i) => i).sort((a, b) => z[b]! - z[a]! || a - b);
    if (topK > 0 && topK < V) candidates = candidates.slice(0, topK);
    if (topP < 1) {
      const kept = candidates.reduce((s, i) => s + z[i]!, 0);
      let cum = 0;
      let n = 0;
      while (n < candidates.length) {
        cum += z[candidates[n]!]!;
        n++;
        if (cum >= topP * kept) break;
      }
      candidates = candidates.slice(0, n);
    }
  } else {
    candidates = Array.from({ length: V }, (_, i) => i);
  }
  let total = 0;
  for (const i of candidates) total += z[i]!;
  let u = opts.rng.next() * total;
  let token = candidates[candidates.length - 1]!;
  for (const i of candidates) {
    u -= z[i]!;
    if (u < 0) { token = i; break; }
  }
  return { token, logprob: logprobOf(token) };
}

/**
 * Samples one completion per prompt, all prompts in one batch (left-padded so every row's last prompt
 * token sits in the same column). Generation stops at EOS, at a stop string, at maxNewTokens, or at the
 * policy's context length (finish reason 'length').
 */
export function sample(policy: Policy, prompts: readonly string[], opts: SampleOptions): Sample[] {
  const tok = policy.tokenizer;
  const promptTokens = prompts.map(p => tok.encode(p, { bos: true }));
  const B = prompts.length;
  if (B === 0) return [];
  const longest = Math.max(...promptTokens.map(p => p.length));
  const maxNew = Math.min(opts.maxNewTokens, policy.contextLength - longest);
  if (maxNew <= 0) throw new Error(`sample: a prompt of ${longest - 1} tokens leaves no room in the context of ${policy.contextLength}`);
  const out: Sample[] = prompts.map((prompt, b) => ({ prompt, promptTokens: promptTokens[b]!, tokens: [], text: '', logprobs: [], finishReason: 'length' }));
  const done = new Array<boolean>(B).fill(false);
  const stop = opts.stop ?? [];

  const { logits: first, cache } = policy.prefill(padBatch(promptTokens, tok.pad, 'left'));
  let logits: tf.Tensor2D | null = first;
  try {
    for (let step = 0; step < maxNew && logits; step++) {
      const data = logits.dataSync() as Float32Array;
      logits.dispose();
      logits = null;
      const V = data.length / B;
      const next = new Int32Array(B).fill(tok.eos);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        const { token, logprob } = sampleToken(data.subarray(b * V, (b + 1) * V), opts);
        const s = out[b]!;
        s.tokens.push(token);
        s.logprobs.push(logprob);
        next[b] = token;
        if (token === tok.eos) {
          s.finishReason = 'eos';
          done[b] = true;
          continue;
        }
        s.text += tok.tokenText(token);
        if (stop.some(x => x.length > 0 && s.text.includes(x))) {
          s.finishReason = 'stop';
          done[b] = true;
        }
      }
      if (done.every(Boolean) || step === maxNew - 1) break;
      // Finished rows keep decoding (fed EOS) to keep the batch rectangular; their outputs are ignored.
      logits = policy.decode(next, cache);
    }
  } finally {
    logits?.dispose();
    cache.dispose();
  }
  return out;
}
