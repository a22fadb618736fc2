// The checkpoint tokenizer: byte-level BPE worked by hand on the constructed tokenizer.json, the
// pre-tokenizer regexes of Qwen2 vs Llama 3, special tokens, BOS/EOS/PAD rules, round trips, and the chat
// templates of Qwen2.5-Math and Llama 3.1 against their renderings written out from the templates.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HfTokenizer, loadHfModel, renderPrompt } from '../../src/runtime/hf/index.js';
import { bytesToUnicode, baseVocab, tokenizerConfig, tokenizerJson, MERGES, type TokKind } from './helpers.js';
import { fixtures } from './setup.js';

const tok = (kind: TokKind, chat = kind !== 'olmo') => new HfTokenizer(tokenizerJson(kind), tokenizerConfig(kind, chat));
const qwen = tok('qwen');
const llama = tok('llama');
const olmo = tok('olmo');

test('the constructed vocabulary: 256 byte symbols in GPT-2 order, then one id per merge', () => {
  const v = baseVocab();
  assert.equal(v.size, 256 + MERGES.length);
  assert.equal(v.get('!'), 0); // byte 0x21 comes first
  assert.equal(v.get('t'), 0x74 - 0x21);
  assert.equal(v.get(bytesToUnicode()[0x20]!), 220); // the space byte 'Ġ' sits after the 188 printable bytes
  assert.equal(v.get('he'), 257); // merge #1 (0-based) → 256 + 1
});

test('BPE worked by hand: "the cat sat" applies merges by rank, within pre-tokens only', () => {
  // Pre-tokens: "the", " cat", " sat" → byte-level "the", "Ġcat", "Ġsat".
  // "the": pairs t·h (no merge), h·e (rank 1) → [t, he]; "t he" is no merge (only "Ġt he") → t, he.
  // "Ġcat": a·t (rank 4) before Ġ·c (rank 5) → Ġ, c, at → Ġc, at → Ġc·at (rank 6) → Ġcat.
  // "Ġsat": a·t (4) → Ġ, s, at; Ġ·s (15) → Ġs, at; no "Ġs at" merge → [Ġs, at].
  assert.deepEqual(qwen.tokenize('the cat sat'), ['t', 'he', 'Ġcat', 'Ġs', 'at']);
  assert.deepEqual(qwen.encode('the cat sat'), [83, 257, 262, 271, 260]);
  // "answer" without a leading space: e·r (7) first, then a·n (14), then w·er (35); "an s" is no merge.
  assert.deepEqual(qwen.tokenize('answer answer'), ['an', 's', 'wer', 'Ġanswer']);
});

test('digits follow each pre-tokenizer: Qwen2 splits every digit, Llama 3 groups up to three', () => {
  assert.deepEqual(qwen.tokenize('12345'), ['1', '2', '3', '4', '5']);
  assert.deepEqual(qwen.encode('12345'), [16, 17, 18, 19, 20]);
  // "123" → 1·2 (rank 9) → 12·3 (rank 10) → "123" = id 256 + 10; "45" has no merge.
  assert.deepEqual(llama.tokenize('12345'), ['123', '4', '5']);
  assert.deepEqual(llama.encode('12345'), [266, 19, 20]);
});

test('decode(encode(text)) is the text, for every tokenizer, with Unicode, newlines and tabs', () => {
  const texts = ['√2 ≈ 1.414, π 日本語 ∑_{i=1}^n i²', 'x = 123 + 45\n\nThe answer is \\boxed{7}.', '\tindented\r\n  two  spaces ', "it's <think> ok </think> <answer>42</answer>", ''];
  for (const t of [qwen, llama, olmo]) for (const s of texts) assert.equal(t.decode(t.encode(s)), s, JSON.stringify(s));
});

test('special tokens: their text maps to one id, decode skips them, tokenText is empty, decode stops at EOS', () => {
  assert.deepEqual(qwen.encode('<|im_start|>user\nhi<|im_end|>'), [304, ...qwen.encode('user\nhi'), 305]);
  assert.equal(qwen.decode(qwen.encode('<|im_start|>user\nhi<|im_end|>')), 'user\nhi');
  assert.equal(qwen.tokenText(304), '');
  assert.equal(qwen.tokenText(257), 'he');
  assert.equal(qwen.tokenText(315), ''); // past the tokenizer's 306 ids (the model pads its vocabulary to 320)
  assert.equal(qwen.decode([...qwen.encode('ok'), qwen.eos, ...qwen.encode('never')]), 'ok');
});

test('BOS follows tokenizer.json: Llama prepends <|begin_of_text|> once, Qwen has none', () => {
  assert.equal(qwen.bos, -1);
  assert.deepEqual(qwen.encode('the', { bos: true }), qwen.encode('the'));
  assert.equal(llama.bos, 303);
  assert.deepEqual(llama.encode('the', { bos: true }), [303, 83, 257]);
  assert.deepEqual(llama.encode('the', { bos: false }), [83, 257]);
  // A rendered Llama chat prompt already starts with BOS; encode(bos) must not double it.
  const p = renderPrompt(llama, 'hi', { kind: 'chat' });
  const ids = llama.encode(p, { bos: true });
  assert.equal(ids[0], 303);
  assert.notEqual(ids[1], 303);
  assert.deepEqual(qwen.encode('a', { eos: true }), [...qwen.encode('a'), qwen.eos]);
});

test('EOS and PAD come from tokenizer_config (string or AddedToken object); PAD falls back to EOS', () => {
  assert.equal(qwen.eos, 303); // <|endoftext|>
  assert.equal(qwen.pad, 303);
  assert.equal(llama.eos, 307); // <|eot_id|> for the chat (instruct) variant
  assert.equal(llama.pad, 307); // no pad_token
  assert.equal(tok('llama', false).eos, 304); // <|end_of_text|> for the base variant
  assert.equal(olmo.eos, 303);
  assert.equal(olmo.pad, 304); // <|pad|>
  const im = new HfTokenizer(tokenizerJson('qwen'), tokenizerConfig('qwen', true), { options: { eos: '<|im_end|>' } });
  assert.equal(im.eos, 305);
  assert.throws(() => new HfTokenizer(tokenizerJson('qwen'), tokenizerConfig('qwen', true), { options: { eos: '<|nope|>' } }), /eos option "<\|nope\|>" is not in tokenizer\.json's vocabulary/);
});

test('Qwen2.5-Math chat template: default system prompt, or the given one, then the generation prompt', () => {
  // Written out from the template: no system message → its default system turn; each turn is
  // <|im_start|>ROLE\nCONTENT<|im_end|>\n; add_generation_prompt appends <|im_start|>assistant\n.
  const q = 'What is $1+1$?';
  assert.equal(
    renderPrompt(qwen, q, { kind: 'chat' }),
    '<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n' +
      '<|im_start|>user\nWhat is $1+1$?<|im_end|>\n<|im_start|>assistant\n',
  );
  assert.equal(
    renderPrompt(qwen, q, { kind: 'chat', system: 'You are a helpful Assistant.', userPrefix: 'Math Problem: ' }),
    '<|im_start|>system\nYou are a helpful Assistant.<|im_end|>\n<|im_start|>user\nMath Problem: What is $1+1$?<|im_end|>\n<|im_start|>assistant\n',
  );
  assert.equal(
    qwen.applyChatTemplate([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }], { addGenerationPrompt: false }),
    '<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\nb<|im_end|>\n',
  );
  // The rendered markers are single special tokens when encoded.
  const ids = qwen.encode(renderPrompt(qwen, q, { kind: 'chat' }), { bos: true });
  assert.equal(ids[0], 304);
  const tail = [304, ...qwen.encode('assistant\n')];
  assert.deepEqual(ids.slice(-tail.length), tail);
  assert.equal(ids.filter(i => i === 304).length, 3);
});

test('Llama 3.1 chat template: BOS, dated system header (pinned date), trimmed turns', () => {
  assert.equal(
    renderPrompt(llama, '  What is 2+2?  ', { kind: 'chat', system: 'Be brief.' }),
    '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n' +
      'Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  );
  const dated = new HfTokenizer(tokenizerJson('llama'), tokenizerConfig('llama', true), { options: { date: new Date(Date.UTC(2025, 0, 5)) } });
  assert.match(renderPrompt(dated, 'q', { kind: 'chat' }), /Today Date: 05 Jan 2025\n/);
});

test('raw templates substitute {question} (the R1-style prompt for base models); misuse is a clear error', () => {
  const r1 = 'A conversation between User and Assistant. ... User: {question}\nAssistant: <think>';
  assert.equal(renderPrompt(olmo, 'What is 3*3?', { kind: 'raw', template: r1 }), 'A conversation between User and Assistant. ... User: What is 3*3?\nAssistant: <think>');
  assert.throws(() => renderPrompt(olmo, 'q', { kind: 'raw', template: 'no placeholder' }), /no \{question\} placeholder/);
  assert.throws(() => renderPrompt(olmo, 'q', { kind: 'chat' }), /no chat_template in tokenizer_config\.json; use a raw prompt template/);
});

test('a character split across byte-level tokens: tokenText gives U+FFFD pieces, decode of the run is exact', () => {
  const ids = qwen.encode('π');
  assert.equal(ids.length, 2); // two bytes, no merge
  assert.equal(ids.map(i => qwen.tokenText(i)).join(''), '\uFFFD\uFFFD');
  assert.equal(qwen.decode(ids), 'π');
});

let dirOf: (name: string) => string;
before(async () => {
  ({ dirOf } = await fixtures());
});

test('loadHfModel collects every EOS id the checkpoint names (config.json list included)', async () => {
  const { tokenizer, policy } = await loadHfModel(dirOf('llama-f16-biases'));
  assert.equal(tokenizer.eos, 307);
  assert.deepEqual([...tokenizer.eosIds].sort(), [304, 307]);
  assert.equal(policy.vocabSize, 320);
  assert.equal(tokenizer.vocabSize, 308);
  policy.dispose();
});
