import { T } from '../types.js';
import { opt, type BlockSpec } from './spec.js';

export const prompt: BlockSpec = {
  what: 'a prompt',
  fields: {
    system: opt(T.union(T.string(), T.none()), null, 'the system turn, or none'),
    user: opt(T.string(), '{question}', 'the user turn; {question} is replaced by each problem'),
    template: opt(T.enumOf('template', ['chat', 'raw']), 'chat', "chat: the model's chat template; raw: system, a blank line, then user, as plain text"),
    stop: opt(T.list(T.string()), [], 'strings that end a response (added to the algorithm\'s stop strings)'),
    response_prefix: opt(T.string(), '', "text the response is forced to start with (the paper's code-forcing prompt): appended to the input, and part of the response that rewards and metrics read"),
    r1_style: opt(T.bool(), false, "grade only the text after the last <answer> (the paper's _r1_style rewards, for the R1 template)"),
  },
};
