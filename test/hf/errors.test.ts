// Clear failures before anything runs (missing files, bad headers, unknown dtypes, missing tensors,
// shapes that contradict config.json, unsupported model types and RoPE scalings), the dtype conversions,
// and checks that each config feature really changes the computation.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  f32ToBf16Bits,
  f32ToF16Bits,
  hfModelFromTensors,
  HfTokenizer,
  loadHfModel,
  parseHfConfig,
  readHeader,
  ropeInvFreq,
  toFloat32,
  writeSafetensors,
} from '../../src/runtime/hf/index.js';
import { padBatch } from '../../src/runtime/policy.js';
import { referenceInputs, SPECS, tinyTensors, tokenizerConfig, tokenizerJson } from './helpers.js';
import { fixtures, REFERENCE, relErr } from './setup.js';

let dirOf: (name: string) => string;
const scratch = mkdtempSync(join(tmpdir(), 'rlvrc-hf-err-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
before(async () => {
  ({ dirOf } = await fixtures());
});

let n = 0;
/** A copy of a fixture checkpoint with config.json edited and/or files changed. */
function variant(name: string, edit: (cfg: Record<string, unknown>, dir: string) => void): string {
  const dir = join(scratch, `${name}-${n++}`);
  cpSync(dirOf(name), dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit(cfg, dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  return dir;
}

test('missing files are named', async () => {
  await assert.rejects(loadHfModel(scratch), /no config\.json \(is this a Hugging Face model directory\?\)/);
  await assert.rejects(loadHfModel(variant('olmo2', (_, d) => rmSync(join(d, 'model.safetensors')))), /has neither model\.safetensors nor model\.safetensors\.index\.json/);
  await assert.rejects(loadHfModel(variant('olmo2', (_, d) => rmSync(join(d, 'tokenizer.json')))), /no tokenizer\.json/);
  await assert.rejects(loadHfModel(variant('llama-sharded', (_, d) => rmSync(join(d, 'model-00002-of-00003.safetensors')))), /file not found: .*model-00002-of-00003\.safetensors/);
});

test('unsupported architectures and config features fail before any weight is read', async () => {
  // The weights file is garbage in each case: the config error must come first.
  const broken = (edit: (c: Record<string, unknown>) => void) =>
    variant('qwen2-tied-f32', (c, d) => {
      edit(c);
      writeFileSync(join(d, 'model.safetensors'), 'garbage');
    });
  await assert.rejects(loadHfModel(broken(c => (c.model_type = 'mistral'))), /model_type "mistral" is not supported \(supported: qwen2, llama, olmo2\)/);
  await assert.rejects(loadHfModel(broken(c => (c.rope_scaling = { rope_type: 'yarn', factor: 4 }))), /rope_scaling type "yarn" is not supported \(supported: default, linear, dynamic, llama3\)/);
  await assert.rejects(loadHfModel(broken(c => (c.rope_scaling = { rope_type: 'llama3', factor: 8 }))), /rope_scaling llama3 lacks numeric "low_freq_factor"/);
  await assert.rejects(loadHfModel(broken(c => (c.use_sliding_window = true))), /use_sliding_window=true is not supported/);
  await assert.rejects(loadHfModel(broken(c => (c.hidden_act = 'gelu'))), /hidden_act "gelu" is not supported/);
  await assert.rejects(loadHfModel(broken(c => (c.num_key_value_heads = 3))), /num_attention_heads 4 is not a multiple of num_key_value_heads 3/);
  await assert.rejects(loadHfModel(broken(c => delete c.hidden_size)), /config\.json lacks "hidden_size"/);
  await assert.rejects(loadHfModel(dirOf('olmo2'), { dtype: 'float16' as 'float32' }), /dtype 'float16' is not supported: TensorFlow\.js computes in float32/);
});

test('bad safetensors headers, unknown dtypes and truncated data are reported with the file', async () => {
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(1n << 40n, 0);
  const bad = (bytes: Buffer) => variant('olmo2', (_, d) => writeFileSync(join(d, 'model.safetensors'), bytes));
  await assert.rejects(loadHfModel(bad(huge)), /declares a 1099511627776-byte header but the file has 16 bytes/);
  const notJson = Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{oops')]);
  await assert.rejects(loadHfModel(bad(notJson)), /has a header that is not valid JSON/);
  const header = (h: object) => {
    const j = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(j.length), 0);
    return Buffer.concat([len, j, Buffer.alloc(8)]);
  };
  await assert.rejects(loadHfModel(bad(header({ 'model.norm.weight': { dtype: 'I8', shape: [8], data_offsets: [0, 8] } }))), /tensor 'model\.norm\.weight' has dtype I8; supported dtypes are F32, F16 and BF16/);
  await assert.rejects(loadHfModel(bad(header({ 'model.norm.weight': { dtype: 'F32', shape: [64], data_offsets: [0, 256] } }))), /ends at byte \d+ past the end of the file .*truncated/);
  await assert.rejects(loadHfModel(bad(header({ 'model.norm.weight': { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }))), /data_offsets \[0, 8\] that do not hold 3 F32 values/);
});

test('a missing tensor or a shape that contradicts config.json is named before weights load', async () => {
  const spec = SPECS.find(s => s.name === 'olmo2')!;
  const without = variant('olmo2', (_, d) =>
    writeSafetensors(join(d, 'model.safetensors'), tinyTensors(spec).filter(t => t.name !== 'model.layers.1.self_attn.k_norm.weight' && t.name !== 'lm_head.weight')),
  );
  await assert.rejects(loadHfModel(without), /missing tensors 'model\.layers\.1\.self_attn\.k_norm\.weight', 'lm_head\.weight' \(model_type olmo2, tie_word_embeddings false\)/);
  await assert.rejects(
    loadHfModel(variant('olmo2', c => (c.intermediate_size = 130))),
    /tensor 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[128,64\] but config\.json implies \[130,64\]/,
  );
  // Tied checkpoints carry no lm_head; untying one in config.json makes it required.
  await assert.rejects(loadHfModel(variant('qwen2-tied-f32', c => (c.tie_word_embeddings = false))), /missing tensor 'lm_head\.weight'/);
  await assert.rejects(
    loadHfModel(variant('llama-sharded', (_, d) => {
      const idx = JSON.parse(readFileSync(join(d, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
      idx.weight_map['model.norm.weight'] = 'model-00001-of-00003.safetensors';
      writeFileSync(join(d, 'model.safetensors.index.json'), JSON.stringify(idx));
    })),
    /places tensor 'model\.norm\.weight' in model-00001-of-00003\.safetensors, which does not contain it/,
  );
});

test('the context length is enforced by decode', async () => {
  const { policy } = await loadHfModel(dirOf('olmo2'), { contextLength: 8 });
  const { logits, cache } = policy.prefill(padBatch([[1, 2, 3, 4, 5, 6, 7]], 0, 'left'));
  logits.dispose();
  policy.decode(Int32Array.of(9), cache).dispose();
  assert.throws(() => policy.decode(Int32Array.of(9), cache), /sequence reached the context length 8/);
  cache.dispose();
  policy.dispose();
  await assert.rejects(loadHfModel(dirOf('olmo2'), { contextLength: 1000 }), /contextLength 1000 exceeds max_position_embeddings 128/);
});

test('float16 and bfloat16 conversions are exact, with round-to-nearest-even on write', () => {
  const f16 = (bits: number[]) => Array.from(toFloat32(new Uint8Array(Uint16Array.from(bits).buffer), 'F16'));
  assert.deepEqual(f16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00]), [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity]);
  assert.ok(Object.is(f16([0x8000])[0], -0));
  assert.ok(Number.isNaN(f16([0x7e00])[0]));
  const bf = (bits: number[]) => Array.from(toFloat32(new Uint8Array(Uint16Array.from(bits).buffer), 'BF16'));
  assert.deepEqual(bf([0x3f80, 0xc2f7, 0x0001]), [1, -123.5, 2 ** -133]);
  assert.deepEqual([1, 65504, 2 ** -24, 1e-8, 70000, 1 + 2 ** -11, 1 + 3 * 2 ** -11].map(f32ToF16Bits), [0x3c00, 0x7bff, 0x0001, 0x0000, 0x7c00, 0x3c00, 0x3c02]);
  assert.deepEqual([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -123.5].map(f32ToBf16Bits), [0x3f80, 0x3f80, 0x3f82, 0xc2f7]);
  // Writer and reader agree, and the header is 8-byte aligned as the format recommends.
  const p = join(scratch, 'rt.safetensors');
  const data = Float32Array.from([0.1, -2.5, 3e-5, 1000]);
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    writeSafetensors(p, [{ name: 'w', shape: [2, 2], data }], dtype);
    const h = readHeader(p);
    assert.equal((8 + Number(readFileSync(p).readBigUInt64LE(0))) % 8, 0);
    assert.equal(h.tensors.get('w')!.dtype, dtype);
    const bytes = readFileSync(p).subarray(h.tensors.get('w')!.begin, h.tensors.get('w')!.end);
    const vals = toFloat32(bytes, dtype);
    const tol = dtype === 'F32' ? 0 : dtype === 'F16' ? 1e-3 : 8e-3;
    vals.forEach((v, i) => assert.ok(Math.abs(v - data[i]!) <= tol * Math.abs(data[i]!), `${dtype}[${i}] ${v}`));
  }
});

test('llama3 RoPE scaling: high frequencies kept, low ones divided by the factor, the middle band smoothed', () => {
  const cfg = { headDim: 8, ropeTheta: 10000, rope: { type: 'llama3' as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64 } };
  const base = ropeInvFreq({ ...cfg, rope: { type: 'default' } });
  const inv = ropeInvFreq(cfg);
  // Wavelengths 2π/f: 6.3 (< 64/4 = 16: kept), 62.8 (between 16 and 64: smoothed), 628 and 6283 (> 64: ÷8).
  assert.equal(inv[0], base[0]);
  const smooth = (64 / ((2 * Math.PI) / base[1]!) - 1) / (4 - 1);
  assert.ok(Math.abs(inv[1]! - ((1 - smooth) * base[1]! / 8 + smooth * base[1]!)) < 1e-15);
  assert.ok(smooth > 0 && smooth < 1);
  assert.equal(inv[2], base[2]! / 8);
  assert.equal(inv[3], base[3]! / 8);
  const lin = ropeInvFreq({ ...cfg, rope: { type: 'linear', factor: 2 } });
  lin.forEach((f, i) => assert.equal(f, base[i]! / 2));
  assert.deepEqual(ropeInvFreq({ ...cfg, rope: { type: 'dynamic', factor: 2 } }), base);
});

test('each config feature changes the logits: dropping it moves them away from the reference', () => {
  // Guards against a test that would pass whatever the feature does.
  const cases: Array<[string, (c: Record<string, unknown>) => void]> = [
    ['llama-sharded', c => (c.rope_scaling = null)],
    ['llama-f16-biases', c => (c.rope_scaling = null)],
    ['qwen2-tied-f32', c => (c.rope_theta = 10000)],
    ['olmo2', c => (c.rms_norm_eps = 1e-1)],
  ];
  for (const [name, edit] of cases) {
    const spec = SPECS.find(s => s.name === name)!;
    const raw = JSON.parse(JSON.stringify(spec.config)) as Record<string, unknown>;
    edit(raw);
    const kind = spec.tok;
    const tokenizer = new HfTokenizer(tokenizerJson(kind), tokenizerConfig(kind, spec.chat));
    // F16/BF16 fixtures hold rounded values: round the same way as the file before comparing.
    const tensors: Record<string, Float32Array> = {};
    for (const t of tinyTensors(spec)) tensors[t.name] = t.data;
    if (spec.dtype !== 'F32') {
      const file = join(dirOf(name), 'model.safetensors');
      const h = readHeader(file);
      const bytes = readFileSync(file);
      for (const [tn, info] of h.tensors) tensors[tn] = toFloat32(bytes.subarray(info.begin, info.end), info.dtype);
    }
    const policy = hfModelFromTensors(parseHfConfig(raw), tokenizer, tensors);
    const inp = referenceInputs(spec);
    const lg = policy.logits({ ids: Int32Array.from(inp.ids.flat()), mask: Float32Array.from(inp.mask.flat()), batch: 2, length: inp.ids[0]!.length });
    const V = policy.vocabSize;
    const data = lg.dataSync();
    const ours: number[] = [];
    const theirs: number[] = [];
    REFERENCE.models[name]!.logits.forEach((row, i) => row?.forEach((v, j) => (theirs.push(v), ours.push(data[i * V + j]!))));
    const err = relErr(ours, theirs);
    assert.ok(err > 1e-3, `${name}: relative error only ${err} without the feature`);
    lg.dispose();
    policy.dispose();
  }
});
