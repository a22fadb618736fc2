// The runtime that generated training programs import. Nothing here depends on the compiler.
export { selectBackend, BackendUnavailableError, type BackendChoice, type BackendInfo, type WasmOptions, type BlasChoice } from './backend.js';
export { installGradientFixes } from './kernels.js';
export { Rng, deriveSeed, type RngState } from './rng.js';
export { CharTokenizer, type Tokenizer } from './tokenizer.js';
export { padBatch, type Policy, type TokenBatch, type KvCache, type WeightMap, type NamedWeight } from './policy.js';
export { Gpt, createGpt, initGptWeights, type GptConfig } from './gpt.js';
export { sample, sampleToken, type Sample, type SampleOptions, type FinishReason } from './sampler.js';
export { tokenLogprobs } from './logprobs.js';
export { sft, sftLoss, sftBatch, SftTrainer, type SftExample, type SftOptions, type SftStepStats } from './sft.js';
export { Adam, type AdamConfig, type UpdateResult } from './optim.js';
export { learningRate, type LrSchedule } from './schedule.js';
export { groupAdvantages, whitenOverTokens, unbiasedStd, type AdvantageMode } from './grpo/advantages.js';
export { grpoLoss, klEstimate, aggregate, type Aggregation, type KlEstimator, type GrpoLossConfig, type GrpoLossInputs, type GrpoLossOutput } from './grpo/loss.js';
export { GrpoTrainer, type GrpoConfig, type Item, type RewardFn, type StepStats } from './grpo/trainer.js';
export { saveCheckpoint, loadCheckpoint, savePolicyWeights, loadPolicyWeights, CheckpointError, prefixed, unprefixed, type Checkpoint } from './checkpoint.js';
export { NonFiniteError, assertFinite } from './guards.js';
export { embedding, pickColumns, layerNorm, gelu, linear, columnSum } from './nn.js';
export { installWasmKernels } from './wasm-kernels.js';
export { loadNativeBlas, type NativeBlas } from './native-blas.js';
// What generated programs use: the run layer (their command line and artifacts) and the cell executor.
export { runProgram, cellDirName, configHash, type CellContext, type CellResult, type ProgramDefinition } from './run/index.js';
export * as cell from './cell/index.js';
