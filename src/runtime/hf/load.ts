// loadHfModel: a Hugging Face model directory (config.json, safetensors, tokenizer files) → a Policy and
// its tokenizer. Everything that can be checked before reading weights is: model_type and config
// features, every tensor's presence, dtype and shape. Weights then stream in one tensor at a time.
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice, type BackendInfo } from '../backend.js';
import { readHfConfig, type HfConfig } from './config.js';
import { weightLayout, assemble } from './layout.js';
import { HfCausalLM } from './model.js';
import { CheckpointReader, SafetensorsError } from './safetensors.js';
import { loadHfTokenizer, type HfTokenizer, type HfTokenizerOptions } from './tokenizer.js';

export interface LoadHfOptions extends HfTokenizerOptions {
  /** tfjs computes in float32; F16/BF16 checkpoints are widened on load. Only 'float32' is accepted. */
  dtype?: 'float32';
  /** Activates this backend first (see selectBackend); default: whatever tfjs has active. */
  backend?: BackendChoice;
  /** Variables take gradients (default true). */
  trainable?: boolean;
  /** Longest prompt + response; default max_position_embeddings. */
  contextLength?: number;
}

export interface LoadedHfModel {
  policy: HfCausalLM;
  tokenizer: HfTokenizer;
  config: HfConfig;
  /** The backend that was activated, when `backend` was given. */
  backend: BackendInfo | null;
  /** Checkpoint tensors no variable uses (e.g. a stale rotary inv_freq, or lm_head of a tied model). */
  unusedTensors: string[];
  /** Storage dtypes found in the checkpoint, e.g. {BF16: 339}. */
  dtypes: Record<string, number>;
}

/** Checks every tensor the config needs against the checkpoint headers; returns the unused ones. */
export function checkCheckpoint(config: HfConfig, reader: CheckpointReader): { unused: string[]; dtypes: Record<string, number> } {
  const needed = new Set<string>();
  const dtypes: Record<string, number> = {};
  const missing: string[] = [];
  for (const e of weightLayout(config)) {
    for (const s of e.sources) {
      needed.add(s.name);
      const info = reader.info(s.name);
      if (!info) {
        missing.push(s.name);
        continue;
      }
      if (info.shape.length !== s.shape.length || info.shape.some((d, i) => d !== s.shape[i])) {
        throw new SafetensorsError(`checkpoint ${reader.dir}: tensor '${s.name}' has shape [${info.shape}] but config.json implies [${s.shape}] (model_type ${config.modelType})`);
      }
      dtypes[info.dtype] = (dtypes[info.dtype] ?? 0) + 1;
    }
  }
  if (missing.length) {
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    throw new SafetensorsError(`checkpoint ${reader.dir}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).map(m => `'${m}'`).join(', ')}${more} (model_type ${config.modelType}, tie_word_embeddings ${config.tieWordEmbeddings})`);
  }
  return { unused: reader.names().filter(n => !needed.has(n)), dtypes };
}

export async function loadHfModel(dir: string, opts: LoadHfOptions = {}): Promise<LoadedHfModel> {
  if (opts.dtype !== undefined && opts.dtype !== 'float32') {
    throw new Error(`loadHfModel: dtype '${String(opts.dtype)}' is not supported: TensorFlow.js computes in float32 (F16/BF16 weights are widened on load)`);
  }
  const config = readHfConfig(dir);
  const tokenizer = loadHfTokenizer(dir, opts, config.eosTokenIds);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(`loadHfModel: tokenizer has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${config.vocabSize}`);
  }
  const reader = new CheckpointReader(dir);
  try {
    const { unused, dtypes } = checkCheckpoint(config, reader);
    const backend = opts.backend ? await selectBackend(opts.backend) : null;
    await tf.ready();
    const policy = new HfCausalLM(config, tokenizer, e => assemble(e, name => reader.read(name).data), {
      trainable: opts.trainable,
      contextLength: opts.contextLength,
    });
    return { policy, tokenizer, config, backend, unusedTensors: unused, dtypes };
  } finally {
    reader.close();
  }
}
