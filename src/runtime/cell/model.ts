// Model configs → policies. A transformer is initialised from its seed and then trained stage by stage
// (pretraining, mid-training) on corpora of the arithmetic world; each stage's result is cached under the
// hash of everything that decides it (architecture, seed, the stages so far, the backend), so the cells
// of a grid share one pretraining run per model. A `checkpoint("run dir")` model continues a finished run.
import { numericsKey } from '../numerics.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellConfig, ModelConfig, StageConfig } from '../../ir/cell.js';
import { letSignalsThrough, type Session } from './session.js';
import type { ChatRenderer } from './prompts.js';
import type { Policy } from '../policy.js';
import type { Tokenizer } from '../tokenizer.js';
import { CharTokenizer } from '../tokenizer.js';
import { createGpt, type GptConfig } from '../gpt.js';
import { SftTrainer } from '../sft.js';
import { loadCheckpoint, prefixed, saveCheckpoint, unprefixed } from '../checkpoint.js';
import { ALPHABET, createCorpus } from '../world/index.js';
import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';
import { deriveSeed } from '../rng.js';
import { latestCheckpoint } from '../run/checkpoints.js';
import { cachedDir } from './cache.js';
import { worldOf } from './data.js';
import { toRuntimeFamily } from './world.js';

export interface BuiltModel {
  policy: Policy;
  tokenizer: Tokenizer;
  /** The model's chat template, when it has one. */
  chat: ChatRenderer | null;
  /** What was built, for the log. */
  description: string;
}

/** Bump when the meaning of a cached pretraining entry changes. */
const PRETRAIN_CACHE_VERSION = 2;
/** Pretraining corpora are sampled with replacement from at most this many examples. */
const MAX_CORPUS = 200_000;

type TransformerConfig = ModelConfig & { source: 'transformer' };

export function gptConfigOf(m: TransformerConfig, tokenizer: Tokenizer): GptConfig {
  return { vocabSize: tokenizer.vocabSize, contextLength: m.context, dModel: m.d_model, nLayers: m.layers, nHeads: m.heads, mlpRatio: m.d_ff / m.d_model };
}

/** The cache key of a transformer after its first `stages` stages. */
export function stageKey(m: TransformerConfig, stages: number, backend: string): string {
  const { name: _name, stages: all, ...arch } = m;
  return sha256Hex(canonicalJson({ v: PRETRAIN_CACHE_VERSION, arch, alphabet: ALPHABET, stages: all.slice(0, stages).map(s => ({ ...s, name: null })), backend })).slice(0, 32);
}

async function trainStage(policy: Policy, stage: StageConfig, index: number, m: TransformerConfig, session: Session, total: number): Promise<number> {
  if (stage.data.source !== 'arithmetic') throw new Error(`stage ${index + 1} of model ${m.name} trains on ${stage.data.name}, which is not an arithmetic world`);
  const world = worldOf(stage.data);
  const corpus = createCorpus(world, toRuntimeFamily(stage.corpus, stage.name ?? stage.stage), deriveSeed(m.seed, 'corpus', index));
  const examples = corpus.take(Math.min(MAX_CORPUS, stage.steps * stage.batch)).map(e => e.text);
  // AdamW at the stage's lr, constant after a linear warmup, as the stage's field docs say.
  const trainer = new SftTrainer(policy, examples, {
    batchSize: stage.batch,
    seed: deriveSeed(m.seed, 'sft', index),
    optimizer: { schedule: { kind: 'constant', lr: stage.lr, warmupSteps: stage.warmup }, beta1: 0.9, beta2: 0.95, weightDecay: 0, maxGradNorm: 1 },
  });
  const label = `${stage.stage}${stage.name ? ' ' + stage.name : ''} (stage ${index + 1}/${total})`;
  let last = NaN;
  let window = 0;
  let windowLoss = 0;
  const started = performance.now();
  try {
    for (let s = 0; s < stage.steps; s++) {
      session.ctx.throwIfStopped();
      const stats = trainer.trainStep();
      windowLoss += stats.loss;
      window++;
      if (stats.step % 100 === 0 || stats.step === stage.steps) {
        last = windowLoss / window;
        const done = stats.step === stage.steps ? ` (${((performance.now() - started) / 1000).toFixed(1)} s)` : '';
        session.ctx.log(`${label}: step ${stats.step}/${stage.steps} loss ${last.toFixed(4)}${done}`);
        window = 0;
        windowLoss = 0;
      }
      if (s % 10 === 9) await letSignalsThrough();
    }
  } finally {
    trainer.dispose();
  }
  return last;
}

async function buildTransformer(m: TransformerConfig, session: Session): Promise<BuiltModel> {
  const tokenizer = new CharTokenizer(ALPHABET);
  const policy = createGpt(gptConfigOf(m, tokenizer), tokenizer, m.seed);
  const backend = numericsKey(session.backend);
  // Start from the longest prefix of stages already cached.
  let done = 0;
  for (let i = m.stages.length; i > 0; i--) {
    const dir = join(session.cacheDir, stageKey(m, i, backend));
    try {
      const c = loadCheckpoint(dir);
      policy.setWeights(unprefixed('model/', c.tensors));
      session.ctx.log(`model ${m.name}: ${i} stage(s) from the cache (${dir})`);
      done = i;
      break;
    } catch {
      // not cached (or unreadable): build it below
    }
  }
  for (let i = done; i < m.stages.length; i++) {
    const stage = m.stages[i]!;
    const key = stageKey(m, i + 1, backend);
    await cachedDir(session.cacheDir, key, async tmp => {
      const loss = await trainStage(policy, stage, i, m, session, m.stages.length);
      saveCheckpoint(tmp, { step: stage.steps, tensors: prefixed('model/', policy.getWeights()), rng: {}, meta: { kind: 'pretrain', model: m.name, stage: i, final_loss: loss } });
    }, holder => session.ctx.log(`model ${m.name}: waiting for another process pretraining stage ${i + 1}: ${holder}`));
    // Whoever built it, load the published weights, so every cell starts from identical numbers.
    policy.setWeights(unprefixed('model/', loadCheckpoint(join(session.cacheDir, key)).tensors));
  }
  return { policy, tokenizer, chat: null, description: `transformer ${m.name} (${m.layers} layers, d_model ${m.d_model}, ${m.stages.length} stage(s))` };
}

/** `checkpoint("runs/<experiment>/<cell>")`: the final weights of an earlier run's cell. */
async function buildFromRun(m: ModelConfig & { source: 'checkpoint' }, session: Session): Promise<BuiltModel> {
  const dir = session.path(m.path);
  let manifest: { cell_config?: CellConfig };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cell_config?: CellConfig };
  } catch (e) {
    throw new Error(`checkpoint("${m.path}"): ${dir} is not a cell directory of an earlier run (${(e as Error).message})`);
  }
  const prior = manifest.cell_config?.model;
  if (!prior || prior.source !== 'transformer') throw new Error(`checkpoint("${m.path}"): the run's model is not a transformer this runtime can rebuild`);
  const latest = latestCheckpoint(join(dir, 'checkpoints'));
  if (!latest) throw new Error(`checkpoint("${m.path}"): the run has no complete checkpoint`);
  const tokenizer = new CharTokenizer(ALPHABET);
  const policy = createGpt(gptConfigOf(prior, tokenizer), tokenizer, prior.seed);
  policy.setWeights(unprefixed('model/', loadCheckpoint(latest.path).tensors));
  return { policy, tokenizer, chat: null, description: `${prior.name} from ${latest.path}` };
}

export async function buildModel(m: ModelConfig, session: Session): Promise<BuiltModel> {
  if (m.source === 'transformer') return buildTransformer(m, session);
  if (m.source === 'checkpoint') return buildFromRun(m as ModelConfig & { source: 'checkpoint' }, session);
  const { buildHfModel } = await import('./hf-model.js');
  return buildHfModel(m, session);
}
