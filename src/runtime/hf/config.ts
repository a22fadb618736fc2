// config.json of a Hugging Face causal LM → the few numbers our decoder needs, validated up front so an
// unsupported checkpoint fails before any weight is read. Supported: model_type qwen2, llama, olmo2.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type HfModelType = 'qwen2' | 'llama' | 'olmo2';
export const SUPPORTED_MODEL_TYPES: readonly HfModelType[] = ['qwen2', 'llama', 'olmo2'];

/** RoPE frequency schemes we implement; anything else in rope_scaling is an error. */
export type RopeScaling =
  | { type: 'default' }
  | { type: 'linear'; factor: number }
  /** Dynamic NTK changes nothing up to max_position_embeddings, which is also our context length. */
  | { type: 'dynamic'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number };

export interface HfConfig {
  modelType: HfModelType;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  rope: RopeScaling;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Biases on q/k/v projections (Qwen2 always; Llama with attention_bias). */
  qkvBias: boolean;
  /** Bias on o_proj (Llama/OLMo2 with attention_bias; never Qwen2). */
  oBias: boolean;
  /** Biases on gate/up/down (Llama with mlp_bias). */
  mlpBias: boolean;
  /** OLMo2: RMSNorm over the whole q and k projections. */
  qkNorm: boolean;
  /** 'pre': norm before each sublayer (Qwen2, Llama); 'post': norm on each sublayer's output (OLMo2). */
  norm: 'pre' | 'post';
  bosTokenId: number | null;
  eosTokenIds: number[];
  /** The raw config.json, for the record. */
  raw: Record<string, unknown>;
}

export class HfConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HfConfigError';
  }
}

function num(raw: Record<string, unknown>, key: string, where: string, fallback?: number): number {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new HfConfigError(`${where}: config.json lacks "${key}"`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new HfConfigError(`${where}: "${key}" is ${JSON.stringify(v)}, expected a number`);
  return v;
}

function posInt(raw: Record<string, unknown>, key: string, where: string, fallback?: number): number {
  const v = num(raw, key, where, fallback);
  if (!Number.isInteger(v) || v <= 0) throw new HfConfigError(`${where}: "${key}" is ${v}, expected a positive integer`);
  return v;
}

function ids(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return [];
}

function parseRope(raw: Record<string, unknown>, where: string): RopeScaling {
  const rs = raw.rope_scaling as Record<string, unknown> | null | undefined;
  if (rs === undefined || rs === null) return { type: 'default' };
  if (typeof rs !== 'object') throw new HfConfigError(`${where}: "rope_scaling" is not an object`);
  const type = String(rs.rope_type ?? rs.type ?? 'default');
  const factor = () => {
    const f = rs.factor;
    if (typeof f !== 'number' || !(f >= 1)) throw new HfConfigError(`${where}: rope_scaling ${type} needs a numeric "factor" ≥ 1, got ${JSON.stringify(f)}`);
    return f;
  };
  switch (type) {
    case 'default':
      return { type: 'default' };
    case 'linear':
      return { type: 'linear', factor: factor() };
    case 'dynamic':
      return { type: 'dynamic', factor: factor() };
    case 'llama3': {
      const need = (k: string) => {
        const v = rs[k];
        if (typeof v !== 'number') throw new HfConfigError(`${where}: rope_scaling llama3 lacks numeric "${k}"`);
        return v;
      };
      const low = need('low_freq_factor');
      const high = need('high_freq_factor');
      if (!(high > low)) throw new HfConfigError(`${where}: rope_scaling llama3 needs high_freq_factor > low_freq_factor`);
      return { type: 'llama3', factor: factor(), lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: need('original_max_position_embeddings') };
    }
    default:
      throw new HfConfigError(`${where}: rope_scaling type "${type}" is not supported (supported: default, linear, dynamic, llama3)`);
  }
}

/** Validates a parsed config.json object. */
export function parseHfConfig(raw: Record<string, unknown>, where = 'config.json'): HfConfig {
  const mt = raw.model_type;
  if (typeof mt !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(mt)) {
    throw new HfConfigError(`${where}: model_type ${JSON.stringify(mt)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`);
  }
  const modelType = mt as HfModelType;
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw new HfConfigError(`${where}: hidden_act ${JSON.stringify(act)} is not supported (only silu, the SwiGLU MLP)`);
  const prf = raw.partial_rotary_factor;
  if (prf !== undefined && prf !== null && prf !== 1) throw new HfConfigError(`${where}: partial_rotary_factor ${JSON.stringify(prf)} is not supported`);
  if (modelType === 'qwen2' && raw.use_sliding_window === true) {
    throw new HfConfigError(`${where}: use_sliding_window=true is not supported (Qwen2.5 checkpoints ship it false)`);
  }
  const hiddenSize = posInt(raw, 'hidden_size', where);
  const numHeads = posInt(raw, 'num_attention_heads', where);
  const numKvHeads = posInt(raw, 'num_key_value_heads', where, numHeads);
  if (numHeads % numKvHeads !== 0) throw new HfConfigError(`${where}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  const headDimRaw = raw.head_dim;
  if (headDimRaw === undefined || headDimRaw === null) {
    if (hiddenSize % numHeads !== 0) throw new HfConfigError(`${where}: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads} and no head_dim is given`);
  }
  const headDim = posInt(raw, 'head_dim', where, hiddenSize / numHeads);
  if (headDim % 2 !== 0) throw new HfConfigError(`${where}: head_dim ${headDim} is odd; rotary embeddings need an even head_dim`);
  const attentionBias = raw.attention_bias === true;
  return {
    modelType,
    vocabSize: posInt(raw, 'vocab_size', where),
    hiddenSize,
    intermediateSize: posInt(raw, 'intermediate_size', where),
    numLayers: posInt(raw, 'num_hidden_layers', where),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num(raw, 'rms_norm_eps', where, 1e-6),
    ropeTheta: num(raw, 'rope_theta', where, 10000),
    rope: parseRope(raw, where),
    maxPositionEmbeddings: posInt(raw, 'max_position_embeddings', where),
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    qkvBias: modelType === 'qwen2' ? true : attentionBias,
    oBias: modelType === 'qwen2' ? false : attentionBias,
    mlpBias: modelType === 'llama' && raw.mlp_bias === true,
    qkNorm: modelType === 'olmo2',
    norm: modelType === 'olmo2' ? 'post' : 'pre',
    bosTokenId: typeof raw.bos_token_id === 'number' ? raw.bos_token_id : null,
    eosTokenIds: ids(raw.eos_token_id),
    raw,
  };
}

/** Reads and validates `<dir>/config.json`. */
export function readHfConfig(dir: string): HfConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new HfConfigError(`${dir}: no config.json (is this a Hugging Face model directory?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new HfConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new HfConfigError(`${path}: not a JSON object`);
  return parseHfConfig(raw as Record<string, unknown>, path);
}

/**
 * Inverse RoPE frequencies [headDim/2] as float64, with the config's scaling applied (the same formulas as
 * transformers' rope initialisation for these types).
 */
export function ropeInvFreq(c: Pick<HfConfig, 'headDim' | 'ropeTheta' | 'rope'>): Float64Array {
  const d = c.headDim;
  const inv = new Float64Array(d / 2);
  // torch computes base ** (arange/d) in float32 and 1/that in float32; we match it with fround.
  for (let i = 0; i < d / 2; i++) inv[i] = Math.fround(1 / Math.fround(Math.pow(c.ropeTheta, Math.fround((2 * i) / d))));
  const r = c.rope;
  if (r.type === 'linear') for (let i = 0; i < inv.length; i++) inv[i] = inv[i]! / r.factor;
  if (r.type === 'llama3') {
    const lowWavelen = r.originalMaxPositionEmbeddings / r.lowFreqFactor;
    const highWavelen = r.originalMaxPositionEmbeddings / r.highFreqFactor;
    for (let i = 0; i < inv.length; i++) {
      const f = inv[i]!;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < highWavelen) continue; // high frequencies: unchanged
      if (wavelen > lowWavelen) {
        inv[i] = f / r.factor; // low frequencies: interpolated by the factor
      } else {
        const smooth = (r.originalMaxPositionEmbeddings / wavelen - r.lowFreqFactor) / (r.highFreqFactor - r.lowFreqFactor);
        inv[i] = (1 - smooth) * (f / r.factor) + smooth * f;
      }
    }
  }
  return inv;
}
