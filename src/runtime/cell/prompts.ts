// Prompt templates: `{question}` in the user template is replaced by the item's question. A raw template
// is the text itself (system text, if any, first); a chat template needs the model's own chat template.
// A response prefix is appended after the template (the assistant's turn already opened), and counts as
// the start of the response for rewards and metrics (responseText).
import type { PromptConfig } from '../../ir/cell.js';

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
/** Renders messages with a model's chat template, ending with the assistant's turn opened. */
export type ChatRenderer = (messages: ChatMessage[]) => string;

export function fillTemplate(template: string, question: string): string {
  // split/join rather than String.replace, so `$&`-style patterns in a question are never interpreted.
  return template.split('{question}').join(question);
}

export function renderPrompt(prompt: PromptConfig, question: string, chat: ChatRenderer | null): string {
  return renderTemplate(prompt, question, chat) + (prompt.response_prefix ?? '');
}

function renderTemplate(prompt: PromptConfig, question: string, chat: ChatRenderer | null): string {
  const user = fillTemplate(prompt.user, question);
  if (prompt.template === 'raw') return prompt.system === null ? user : `${prompt.system}\n\n${user}`;
  if (!chat) throw new Error(`prompt ${prompt.name ?? '(default)'} uses the chat template, but the model has none`);
  const messages: ChatMessage[] = prompt.system === null ? [] : [{ role: 'system', content: prompt.system }];
  messages.push({ role: 'user', content: user });
  return chat(messages);
}

/** What rewards and metrics read of a response: the forced prefix, then the generated text. */
export function responseText(prompt: PromptConfig, generated: string): string {
  return (prompt.response_prefix ?? '') + generated;
}
