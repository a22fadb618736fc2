// Tiny Hugging Face checkpoints of each architecture, written byte-for-byte deterministically (their
// sha256 is recorded next to the PyTorch reference outputs), plus a small byte-level BPE tokenizer.json
// in the style of Qwen2 / Llama 3 / OLMo2. Nothing here uses the runtime's Rng, so the fixtures depend
// only on this file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHfConfig } from '../../src/runtime/hf/config.js';
import { weightLayout } from '../../src/runtime/hf/layout.js';
import { writeSafetensors, type SafetensorsDtype } from '../../src/runtime/hf/safetensors.js';

/** mulberry32: a 32-bit PRNG with exact integer arithmetic (identical everywhere). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- tokenizer

/** GPT-2's byte → printable character map used by byte-level BPE. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i]!)));
  return out;
}

/** Merges in priority order (Ġ is a space in byte-level form). Worked examples in tokenizer.test.ts. */
export const MERGES: ReadonlyArray<[string, string]> = [
  ['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['i', 'n'], ['a', 't'], ['Ġ', 'c'], ['Ġc', 'at'], ['e', 'r'],
  ['Ġ', '='], ['1', '2'], ['12', '3'], ['Ġ', 'a'], ['o', 'n'], ['r', 'e'], ['a', 'n'], ['Ġ', 's'],
  ['e', 'd'], ['i', 's'], ['Ġ', 'is'], ['Ġ', 'w'], ['o', 'r'], ['a', 'r'], ['Ġ', 'x'], ['Ġ', '+'],
  ['\\', 'b'], ['o', 'x'], ['\\b', 'ox'], ['\\box', 'ed'], ['Ġ', 'f'], ['Ġf', 'in'], ['a', 'l'], ['Ġ', 'p'],
  ['Ċ', 'Ċ'], ['Ġa', 'n'], ['Ġan', 's'], ['w', 'er'], ['Ġans', 'wer'], ['<', '/'], ['</', 'an'], ['</an', 's'],
  ['</ans', 'wer'], ['</answer', '>'], ['t', 'h'], ['th', 'in'], ['thin', 'k'], ['<', 'think'], ['<think', '>'],
];

export type TokKind = 'qwen' | 'llama' | 'olmo';

const QWEN_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const LLAMA_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const SPECIALS: Record<TokKind, string[]> = {
  qwen: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
  llama: ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  olmo: ['<|endoftext|>', '<|pad|>'],
};

/** Base vocabulary: 256 byte symbols (GPT-2 order), then one token per merge. */
export function baseVocab(): Map<string, number> {
  const b2u = bytesToUnicode();
  const order: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) order.push(b);
  for (let b = 0xa1; b <= 0xac; b++) order.push(b);
  for (let b = 0xae; b <= 0xff; b++) order.push(b);
  for (let b = 0; b < 256; b++) if (!order.includes(b)) order.push(b);
  const vocab = new Map<string, number>();
  order.forEach(b => vocab.set(b2u[b]!, vocab.size));
  for (const [a, b] of MERGES) {
    if (!vocab.has(a) || !vocab.has(b)) throw new Error(`merge ${a} ${b} uses an unknown symbol`);
    vocab.set(a + b, vocab.size);
  }
  return vocab;
}

export function tokenizerJson(kind: TokKind): Record<string, unknown> {
  const vocab = baseVocab();
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const added = SPECIALS[kind].map((content, i) => ({ id: vocab.size + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const post =
    kind === 'llama'
      ? {
          type: 'Sequence',
          processors: [
            { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
            {
              type: 'TemplateProcessing',
              single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
              pair: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
              special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [vocab.size], tokens: ['<|begin_of_text|>'] } },
            },
          ],
        }
      : byteLevel;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: kind === 'qwen' ? { type: 'NFC' } : null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: kind === 'qwen' ? QWEN_SPLIT : LLAMA_SPLIT }, behavior: 'Isolated', invert: false }, byteLevel] },
    post_processor: post,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: kind === 'llama',
      vocab: Object.fromEntries(vocab),
      merges: MERGES.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** Qwen2.5-Math's chat template (its default system prompt asks for a \boxed{} answer). */
export const QWEN25_MATH_CHAT_TEMPLATE =
  "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- messages[0]['content'] }}\n    {%- else %}\n        {{- 'Please reason step by step, and put your final answer within \\\\boxed{}.' }}\n    {%- endif %}\n    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n{%- else %}\n    {%- if messages[0]['role'] == 'system' %}\n        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n        {{- '<|im_start|>system\\nPlease reason step by step, and put your final answer within \\\\boxed{}.<|im_end|>\\n' }}\n    {%- endif %}\n{%- endif %}\n{%- for message in messages %}\n    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n    {%- elif message.role == \"assistant\" %}\n        {{- '<|im_start|>' + message.role }}\n        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n    {%- elif message.role == \"tool\" %}\n        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n            {{- '<|im_start|>user' }}\n        {%- endif %}\n        {{- '\\n<tool_response>\\n' }}\n        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n            {{- '<|im_end|>\\n' }}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n";

/** Llama 3.1 Instruct's chat template, without its tool-calling branches (system header with dates). */
export const LLAMA31_CHAT_TEMPLATE =
  "{{- bos_token }}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content']|trim %}\n    {%- set messages = messages[1:] %}\n{%- else %}\n    {%- set system_message = \"\" %}\n{%- endif %}\n{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{{- \"Cutting Knowledge Date: December 2023\\n\" }}\n{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n{%- for message in messages %}\n    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n{%- endif %}\n";

export function tokenizerConfig(kind: TokKind, chat: boolean): Record<string, unknown> {
  if (kind === 'qwen') {
    return { bos_token: null, eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', clean_up_tokenization_spaces: false, model_max_length: 4096, ...(chat ? { chat_template: QWEN25_MATH_CHAT_TEMPLATE } : {}) };
  }
  if (kind === 'llama') {
    return {
      bos_token: '<|begin_of_text|>',
      eos_token: chat ? '<|eot_id|>' : '<|end_of_text|>',
      clean_up_tokenization_spaces: true,
      model_max_length: 131072,
      ...(chat ? { chat_template: LLAMA31_CHAT_TEMPLATE } : {}),
    };
  }
  return { bos_token: '<|endoftext|>', eos_token: { content: '<|endoftext|>', special: true, __type: 'AddedToken' }, pad_token: '<|pad|>', clean_up_tokenization_spaces: false };
}

// ---------------------------------------------------------------- models

export interface TinySpec {
  name: string;
  tok: TokKind;
  chat: boolean;
  dtype: SafetensorsDtype;
  shards: number;
  seed: number;
  config: Record<string, unknown>;
}

const TOK_SIZE = (kind: TokKind) => baseVocab().size + SPECIALS[kind].length;

export const SPECS: TinySpec[] = [
  {
    name: 'qwen2-tied-f32', tok: 'qwen', chat: true, dtype: 'F32', shards: 1, seed: 11,
    config: { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 320, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, hidden_act: 'silu', max_position_embeddings: 128, rms_norm_eps: 1e-6, rope_theta: 1000000.0, tie_word_embeddings: true, use_sliding_window: false, sliding_window: 128, bos_token_id: 303, eos_token_id: 303, torch_dtype: 'float32' },
  },
  {
    name: 'qwen2-bf16', tok: 'qwen', chat: true, dtype: 'BF16', shards: 1, seed: 12,
    config: { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 320, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1, hidden_act: 'silu', max_position_embeddings: 128, rms_norm_eps: 1e-6, rope_theta: 10000.0, rope_scaling: null, tie_word_embeddings: false, use_sliding_window: false, bos_token_id: 303, eos_token_id: 303, torch_dtype: 'bfloat16' },
  },
  {
    name: 'llama-sharded', tok: 'llama', chat: false, dtype: 'F32', shards: 3, seed: 21,
    config: { architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 320, hidden_size: 48, intermediate_size: 96, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 16, hidden_act: 'silu', max_position_embeddings: 256, rms_norm_eps: 1e-5, rope_theta: 500000.0, rope_scaling: { rope_type: 'llama3', factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 32 }, attention_bias: false, mlp_bias: false, tie_word_embeddings: false, bos_token_id: 303, eos_token_id: 304, torch_dtype: 'float32' },
  },
  {
    name: 'llama-f16-biases', tok: 'llama', chat: true, dtype: 'F16', shards: 1, seed: 22,
    config: { architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 320, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 4, hidden_act: 'silu', max_position_embeddings: 128, rms_norm_eps: 1e-5, rope_theta: 10000.0, rope_scaling: { type: 'linear', factor: 2.0 }, attention_bias: true, mlp_bias: true, tie_word_embeddings: true, bos_token_id: 303, eos_token_id: [304, 307], torch_dtype: 'float16' },
  },
  {
    name: 'olmo2', tok: 'olmo', chat: false, dtype: 'F32', shards: 1, seed: 31,
    config: { architectures: ['Olmo2ForCausalLM'], model_type: 'olmo2', vocab_size: 320, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, hidden_act: 'silu', max_position_embeddings: 128, rms_norm_eps: 1e-6, rope_theta: 500000.0, rope_scaling: null, attention_bias: false, tie_word_embeddings: false, bos_token_id: 303, eos_token_id: 303, pad_token_id: 304, torch_dtype: 'float32' },
  },
];

/** A larger model for the sampler benchmark (not compared with the reference). */
export const BENCH_SPEC: TinySpec = {
  name: 'qwen2-bench', tok: 'qwen', chat: true, dtype: 'BF16', shards: 1, seed: 41,
  config: { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 320, hidden_size: 256, intermediate_size: 768, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 2, hidden_act: 'silu', max_position_embeddings: 512, rms_norm_eps: 1e-6, rope_theta: 1000000.0, tie_word_embeddings: true, use_sliding_window: false, eos_token_id: 303, torch_dtype: 'bfloat16' },
};

/** Deterministic weights in checkpoint layout (names and shapes as the safetensors file holds them). */
export function tinyTensors(spec: TinySpec): Array<{ name: string; shape: number[]; data: Float32Array }> {
  const cfg = parseHfConfig(spec.config);
  const rnd = prng(spec.seed);
  const uni = (n: number, std: number, mean = 0) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = mean + (rnd() * 2 - 1) * Math.sqrt(3) * std;
    return a;
  };
  const out: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  const seen = new Set<string>();
  for (const e of weightLayout(cfg)) {
    for (const s of e.sources) {
      if (seen.has(s.name)) continue;
      seen.add(s.name);
      const n = s.shape.reduce((a, d) => a * d, 1);
      let data: Float32Array;
      if (s.name.endsWith('norm.weight')) data = uni(n, 0.15, 1);
      else if (s.name.endsWith('.bias')) data = uni(n, 0.3);
      // A tied table is also the LM head: scale it like one, or logits saturate and compare nothing.
      else if (s.name === 'model.embed_tokens.weight') data = uni(n, cfg.tieWordEmbeddings ? 2 / Math.sqrt(s.shape[1]!) : 1);
      else data = uni(n, 1 / Math.sqrt(s.shape[1]!)); // [out, in] projections, lm_head
      out.push({ name: s.name, shape: s.shape, data });
    }
  }
  return out;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Reference inputs: two rows, the second left-padded; a greedy prompt; CE targets are the next ids. */
export function referenceInputs(spec: TinySpec): { ids: number[][]; mask: number[][]; greedyPrompt: number[]; greedySteps: number } {
  const V = TOK_SIZE(spec.tok);
  const rnd = prng(spec.seed * 7919 + 1);
  const pick = () => Math.floor(rnd() * V);
  const T = 9;
  const row0 = Array.from({ length: T }, pick);
  const pad = spec.tok === 'olmo' ? V - 1 : V - SPECIALS[spec.tok].length;
  const row1 = [pad, pad, pad, ...Array.from({ length: T - 3 }, pick)];
  return { ids: [row0, row1], mask: [row0.map(() => 1), row1.map((_, i) => (i < 3 ? 0 : 1))], greedyPrompt: Array.from({ length: 5 }, pick), greedySteps: 12 };
}

/** Writes one tiny checkpoint directory; returns the sha256 of every file the loader reads. */
export function writeTinyCheckpoint(dir: string, spec: TinySpec): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec.config, null, 2) + '\n');
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(spec.tok)) + '\n');
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(spec.tok, spec.chat), null, 2) + '\n');
  const tensors = tinyTensors(spec);
  if (spec.shards <= 1) {
    writeSafetensors(join(dir, 'model.safetensors'), tensors, spec.dtype);
    files.push('model.safetensors');
  } else {
    const per = Math.ceil(tensors.length / spec.shards);
    const weightMap: Record<string, string> = {};
    let total = 0;
    for (let s = 0; s < spec.shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(spec.shards).padStart(5, '0')}.safetensors`;
      const part = tensors.slice(s * per, (s + 1) * per);
      writeSafetensors(join(dir, file), part, spec.dtype);
      for (const t of part) {
        weightMap[t.name] = file;
        total += t.data.length * (spec.dtype === 'F32' ? 4 : 2);
      }
      files.push(file);
    }
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + '\n');
    files.push('model.safetensors.index.json');
  }
  writeFileSync(join(dir, 'reference-inputs.json'), JSON.stringify(referenceInputs(spec)) + '\n');
  const hashes: Record<string, string> = {};
  for (const f of files.sort()) hashes[f] = sha256(join(dir, f));
  return hashes;
}

/** Index k of the gradient entries compared with the reference (same rule in reference.py). */
export function gradSampleIndices(numel: number): number[] {
  return Array.from({ length: 8 }, (_, k) => Number((BigInt(k + 1) * 2654435761n) % BigInt(numel)));
}
