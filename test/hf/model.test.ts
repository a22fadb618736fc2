// Loaded tiny checkpoints of every architecture against the independent PyTorch reference
// (test/hf/reference/reference.py, outputs committed in fixtures/reference.json): logits, loss,
// gradients, greedy decoding; KV-cache decoding against full recompute; clone / weights round trips.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHfModel, saveHfCheckpoint, type HfCausalLM } from '../../src/runtime/hf/index.js';
import { disassemble } from '../../src/runtime/hf/layout.js';
import { padBatch, type TokenBatch } from '../../src/runtime/policy.js';
import { referenceInputs, gradSampleIndices, SPECS, tinyTensors } from './helpers.js';
import { fixtures, REFERENCE, relErr } from './setup.js';

const TOL = 1e-4;
let dirOf: (name: string) => string;
let hashes: Record<string, Record<string, string>>;
before(async () => {
  ({ dirOf, hashes } = await fixtures());
});

function refBatch(name: string): TokenBatch {
  const inp = referenceInputs(SPECS.find(s => s.name === name)!);
  return { ids: Int32Array.from(inp.ids.flat()), mask: Float32Array.from(inp.mask.flat()), batch: inp.ids.length, length: inp.ids[0]!.length };
}

/** Mean cross-entropy of each real next token (the loss reference.py differentiates). */
function ceLoss(policy: HfCausalLM, b: TokenBatch): tf.Scalar {
  const { batch: B, length: T, ids, mask } = b;
  const logits = policy.logits(b);
  const lsm = tf.logSoftmax(tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, -1]), [B * (T - 1), -1]));
  const onehot = new Float32Array(B * (T - 1) * policy.vocabSize);
  let pairs = 0;
  for (let r = 0; r < B; r++)
    for (let t = 0; t < T - 1; t++)
      if (mask[r * T + t]! && mask[r * T + t + 1]!) {
        onehot[(r * (T - 1) + t) * policy.vocabSize + ids[r * T + t + 1]!] = 1;
        pairs++;
      }
  return tf.div(tf.neg(tf.sum(tf.mul(lsm, tf.tensor2d(onehot, lsm.shape as [number, number])))), pairs) as tf.Scalar;
}

test('the generated checkpoints are byte-identical to the ones the reference outputs were computed on', () => {
  for (const s of SPECS) assert.deepEqual(hashes[s.name], REFERENCE.models[s.name]!.files, `${s.name}: regenerate with npx tsx test/hf/reference/make-reference.ts`);
});

for (const spec of SPECS) {
  describe(`${spec.name} (${String(spec.config.model_type)}, ${spec.dtype}${spec.shards > 1 ? `, ${spec.shards} shards` : ''})`, () => {
    let policy: HfCausalLM;
    const ref = () => REFERENCE.models[spec.name]!;
    before(async () => {
      policy = (await loadHfModel(dirOf(spec.name))).policy;
    });

    test('logits match the PyTorch reference at every real position (relative error < 1e-4)', () => {
      const b = refBatch(spec.name);
      const lg = policy.logits(b);
      const data = lg.dataSync();
      lg.dispose();
      const V = policy.vocabSize;
      const ours: number[] = [];
      const theirs: number[] = [];
      ref().logits.forEach((row, i) => {
        if (!row) return;
        row.forEach((v, j) => {
          theirs.push(v);
          ours.push(data[i * V + j]!);
        });
      });
      assert.equal(theirs.length, (b.mask.reduce((a, m) => a + m, 0)) * V);
      const err = relErr(ours, theirs);
      assert.ok(err < TOL, `relative error ${err}`);
    });

    test('loss and gradients of every checkpoint tensor match the reference', () => {
      const b = refBatch(spec.name);
      const vars = policy.trainableVariables();
      const { value, grads } = tf.variableGrads(() => ceLoss(policy, b), vars.map(v => v.variable));
      const loss = value.dataSync()[0]!;
      assert.ok(Math.abs(loss - ref().loss) / Math.abs(ref().loss) < TOL, `loss ${loss} vs ${ref().loss}`);
      const seen = new Set<string>();
      for (const e of policy.layout) {
        const v = vars.find(x => x.name === e.name)!.variable;
        for (const g of disassemble(e, grads[v.name]!.dataSync() as Float32Array)) {
          const r = ref().grads[g.name];
          assert.ok(r, `reference has no gradient for ${g.name}`);
          seen.add(g.name);
          let sq = 0;
          for (const x of g.data) sq += x * x;
          const norm = Math.sqrt(sq);
          assert.ok(Math.abs(norm - r.norm) <= TOL * r.norm + 1e-12, `${g.name}: grad norm ${norm} vs ${r.norm}`);
          assert.deepEqual(gradSampleIndices(g.data.length), r.idx);
          r.idx.forEach((ix, k) => assert.ok(Math.abs(g.data[ix]! - r.vals[k]!) <= TOL * r.maxabs, `${g.name}[${ix}]: ${g.data[ix]} vs ${r.vals[k]}`));
        }
      }
      assert.deepEqual([...seen].sort(), Object.keys(ref().grads).sort(), 'every checkpoint tensor gets a gradient');
      tf.dispose([value, ...Object.values(grads)]);
    });

    test('greedy decoding through prefill/decode reproduces the reference continuation', () => {
      const inp = referenceInputs(spec);
      const seq: number[] = [];
      const { logits, cache } = policy.prefill(padBatch([inp.greedyPrompt], 0, 'left'));
      let lg: tf.Tensor2D = logits;
      for (let s = 0; s < inp.greedySteps; s++) {
        const next = lg.argMax(1).dataSync()[0]!;
        lg.dispose();
        seq.push(next);
        if (s < inp.greedySteps - 1) lg = policy.decode(Int32Array.of(next), cache);
      }
      cache.dispose();
      assert.ok(Math.min(...ref().greedyMargins) > 1e-3, 'reference greedy margins are safe to compare');
      assert.deepEqual(seq, ref().greedy);
    });

    test('KV-cache decode logits equal a full recompute (left-padded batch)', () => {
      const V = policy.vocabSize;
      const prompts = [[5, 17, 200, 33, 41, 9], [77, 3], [250, 251, 252, 8]];
      const pad = policy.tokenizer.pad;
      const { logits: first, cache } = policy.prefill(padBatch(prompts, pad, 'left'));
      const rows = prompts.map(p => p.slice());
      let step = first;
      for (let s = 0; s < 4; s++) {
        const full = policy.logits(padBatch(rows, pad, 'left'));
        const T = full.shape[1];
        const lastFull = tf.reshape(tf.slice(full, [0, T - 1, 0], [rows.length, 1, V]), [rows.length, V]);
        const err = relErr(step.dataSync(), lastFull.dataSync());
        assert.ok(err < TOL, `step ${s}: relative error ${err}`);
        const next = Int32Array.from(rows.map((_, b) => (s * 31 + b * 7 + 1) % 300));
        rows.forEach((r, b) => r.push(next[b]!));
        tf.dispose([full, lastFull, step]);
        step = policy.decode(next, cache);
      }
      assert.equal(cache.length, 6 + 4);
      step.dispose();
      cache.dispose();
    });
  });
}

describe('weights', () => {
  test('a clone is frozen and computes the same logits; setWeights/getWeights round-trip', async () => {
    const { policy } = await loadHfModel(dirOf('olmo2'));
    const clone = policy.clone();
    assert.ok(clone.trainableVariables().every(v => !v.variable.trainable));
    assert.ok(policy.trainableVariables().every(v => v.variable.trainable));
    const b = refBatch('olmo2');
    const [a, c] = [policy.logits(b), clone.logits(b)];
    assert.deepEqual(Array.from(a.dataSync()), Array.from(c.dataSync()));
    // Perturb the original (a shift: OLMo2's output norms make it blind to rescaling); the clone must
    // not follow (no shared buffers).
    const w = policy.getWeights();
    const name = 'model.layers.0.mlp.down_proj.weight.T';
    const changed = { ...w, [name]: { shape: w[name]!.shape, data: w[name]!.data.map(x => x + 0.5) } };
    policy.setWeights(changed);
    const a2 = policy.logits(b);
    const c2 = clone.logits(b);
    assert.deepEqual(Array.from(c2.dataSync()), Array.from(c.dataSync()));
    assert.ok(relErr(a2.dataSync(), a.dataSync()) > 1e-3, 'setWeights changed the model');
    assert.deepEqual(Array.from(policy.getWeights()[name]!.data), Array.from(changed[name]!.data));
    assert.throws(() => policy.setWeights({}), /missing weight 'model\.embed_tokens\.weight'/);
    tf.dispose([a, c, a2, c2]);
    policy.dispose();
    clone.dispose();
  });

  test('hfTensors() gives back the checkpoint tensors; saveHfCheckpoint reloads to the same logits', async () => {
    for (const name of ['qwen2-tied-f32', 'llama-sharded']) {
      const spec = SPECS.find(s => s.name === name)!;
      const { policy, tokenizer } = await loadHfModel(dirOf(name));
      const orig = new Map(tinyTensors(spec).map(t => [t.name, t]));
      const back = policy.hfTensors();
      assert.deepEqual(back.map(t => t.name).sort(), [...orig.keys()].sort());
      for (const t of back) {
        assert.deepEqual(t.shape, orig.get(t.name)!.shape);
        assert.deepEqual(Array.from(t.data), Array.from(orig.get(t.name)!.data), t.name);
      }
      const out = mkdtempSync(join(tmpdir(), 'rlvrc-hf-save-'));
      saveHfCheckpoint(policy, out, { tokenizerFrom: dirOf(name) });
      const re = await loadHfModel(out);
      assert.equal(re.tokenizer.vocabSize, tokenizer.vocabSize);
      const b = refBatch(name);
      const [x, y] = [policy.logits(b), re.policy.logits(b)];
      assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
      tf.dispose([x, y]);
      policy.dispose();
      re.policy.dispose();
    }
  });

  test('weights are streamed: loading leaves only the variables in tfjs memory', async () => {
    const before = tf.memory().numBytes;
    const { policy } = await loadHfModel(dirOf('llama-sharded'));
    const bytes = tf.memory().numBytes - before;
    assert.equal(bytes, policy.numParameters * 4);
    policy.dispose();
    assert.equal(tf.memory().numBytes, before);
  });
});
