// `hf("dir")` models: a local Hugging Face checkpoint (Qwen2 / Llama / OLMo2), loaded with its own
// tokenizer and chat template. Loaded lazily so that organism runs never pay for it.
import type { ModelConfig } from '../../ir/cell.js';
import type { Session } from './session.js';
import type { BuiltModel } from './model.js';
import { loadHfModel } from '../hf/index.js';

export async function buildHfModel(m: ModelConfig & { source: 'hf' | 'checkpoint' }, session: Session): Promise<BuiltModel> {
  const loaded = await loadHfModel(session.path(m.path));
  return {
    policy: loaded.policy,
    tokenizer: loaded.tokenizer,
    chat: loaded.tokenizer.chatTemplate !== null ? messages => loaded.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }) : null,
    description: `${loaded.config.modelType} ${m.name} from ${m.path}`,
  };
}
