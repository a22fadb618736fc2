// Writes a (trained) HF policy back as a Hugging Face directory: config.json as loaded, weights in the
// checkpoint's own names and layout, tokenizer files copied, so other tools can evaluate it.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HfCausalLM } from './model.js';
import { writeSafetensors, type SafetensorsDtype } from './safetensors.js';

export function saveHfCheckpoint(policy: HfCausalLM, dir: string, opts: { dtype?: SafetensorsDtype; tokenizerFrom?: string } = {}): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, 'model.safetensors'), policy.hfTensors(), opts.dtype ?? 'F32');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(policy.config.raw, null, 2) + '\n');
  if (opts.tokenizerFrom) {
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json']) {
      if (existsSync(join(opts.tokenizerFrom, f))) copyFileSync(join(opts.tokenizerFrom, f), join(dir, f));
    }
  }
}
