// Hugging Face checkpoints (Qwen2 / Qwen2.5(-Math), Llama 3.x, OLMo2) from a local directory.
export { loadHfModel, checkCheckpoint, type LoadHfOptions, type LoadedHfModel } from './load.js';
export { HfCausalLM, HfCache, hfModelFromTensors, type HfModelOptions } from './model.js';
export { readHfConfig, parseHfConfig, ropeInvFreq, HfConfigError, SUPPORTED_MODEL_TYPES, type HfConfig, type HfModelType, type RopeScaling } from './config.js';
export { HfTokenizer, HfTokenizerError, loadHfTokenizer, renderPrompt, type ChatMessage, type PromptFormat, type HfTokenizerOptions } from './tokenizer.js';
export {
  CheckpointReader,
  SafetensorsFile,
  SafetensorsError,
  readHeader,
  toFloat32,
  writeSafetensors,
  f32ToBf16Bits,
  f32ToF16Bits,
  type SafetensorsDtype,
  type TensorInfo,
} from './safetensors.js';
export { weightLayout, type LayoutEntry } from './layout.js';
export { saveHfCheckpoint } from './save.js';
