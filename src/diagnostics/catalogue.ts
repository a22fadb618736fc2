// Every message rlvrc can print, one named function each, so wording stays consistent and searchable.
// Codes are stable: never reuse or renumber one. 1xxx syntax, 2xxx names, 3xxx types and values,
// 4xxx grid, 5xxx rules across fields, 6xxx files and imports.
import type { Message, Severity } from './diagnostic.js';

function error(code: string, summary: string, more: { detail?: string; fix?: string; label?: string } = {}): Message {
  return { code, severity: 'error' as Severity, summary, ...more };
}
function warning(code: string, summary: string, more: { detail?: string; fix?: string; label?: string } = {}): Message {
  return { code, severity: 'warning' as Severity, summary, ...more };
}

const unexpected = (ch: string): string => {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `unexpected control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `unexpected character '${ch}'`;
};

// ---- 1xxx: syntax -------------------------------------------------------------------------------------

export const syntax = {
  unexpectedCharacter: (ch: string) =>
    error('RLVR1001', unexpected(ch), {
      label: 'not part of the language',
      detail: 'Outside strings and comments, .rlvr files use names, numbers, strings and the punctuation { } ( ) [ ] , ; . = and operators.',
      fix: 'delete it, or put text inside a "string"',
    }),
  invalidUtf8: () =>
    error('RLVR1007', 'invalid UTF-8 in the file', {
      label: 'these bytes are not UTF-8',
      detail: '.rlvr files are UTF-8 text.',
      fix: 're-save the file as UTF-8, or remove the stray bytes',
    }),
  unterminatedString: () =>
    error('RLVR1002', 'unterminated string', {
      label: 'this string has no closing quote on its line',
      fix: 'add the closing " (use """...""" for text that spans lines)',
    }),
  unterminatedBlockComment: () =>
    error('RLVR1003', 'unterminated block comment', { label: 'no closing */', fix: 'close the comment with */' }),
  unterminatedTripleString: () =>
    error('RLVR1004', 'unterminated triple-quoted string', { label: 'no closing """', fix: 'close the text with """' }),
  invalidEscape: (seq: string) =>
    error('RLVR1005', `invalid escape sequence '${seq}'`, {
      label: 'unknown escape',
      detail: 'Strings understand \\" \\\\ \\n \\t \\r and \\u{XXXX}.',
      fix: 'write \\\\ for a literal backslash',
    }),
  numberOutOfRange: (raw: string) =>
    error('RLVR1006', `number ${raw} is too large`, {
      detail: 'Integers must be below 2^53 and floats finite.',
      fix: 'use a smaller number',
    }),
  mismatchedToken: (message: string) => error('RLVR1010', message),
  noViableAlternative: (message: string) => error('RLVR1011', message),
  trailingInput: (message: string) =>
    error('RLVR1012', message, { fix: "a file holds imports, then 'experiment NAME { ... }' blocks and declarations" }),
  missingRepetition: (message: string) => error('RLVR1013', message),
  importAfterDeclaration: () =>
    error('RLVR1014', "'import' must come before every declaration", { fix: 'move this import to the top of the file' }),
} as const;

// Checker messages take only strings (callers format numbers and lists), so that allCodes() can call every
// function with placeholder arguments.
const didYouMean = (suggestion?: string) => (suggestion ? `did you mean '${suggestion}'?` : undefined);
const withFix = (fix: string | undefined) => (fix ? { fix } : {});

// ---- 2xxx: names ----------------------------------------------------------------------------------------

export const names = {
  unknownName: (name: string, expected: string, suggestion?: string) =>
    error('RLVR2001', `unknown name '${name}'`, {
      label: `no ${expected} is called '${name}'`,
      ...withFix(didYouMean(suggestion) ?? `declare it, e.g. '${expected} ${name} = ...', or import it`),
    }),
  duplicateDeclaration: (name: string) =>
    error('RLVR2002', `'${name}' is declared twice`, {
      label: 'second declaration',
      detail: 'Every declaration an experiment can see needs its own name.',
      fix: 'rename one of them, or derive the second from the first with `with { ... }`',
    }),
  wrongKind: (name: string, actual: string, expected: string) =>
    error('RLVR2003', `'${name}' is a ${actual}, but a ${expected} is expected here`, {
      label: `expected a ${expected}`,
      fix: `name a ${expected} declaration here`,
    }),
  unknownField: (field: string, where: string, suggestion?: string, known?: string) =>
    error('RLVR2004', `unknown field '${field}' in ${where}`, {
      label: 'not a field here',
      ...(known ? { detail: `Fields of ${where}: ${known}.` } : {}),
      ...withFix(didYouMean(suggestion)),
    }),
  duplicateField: (field: string) =>
    error('RLVR2005', `'${field}' is set twice`, { label: 'set again here', fix: 'keep one of the two' }),
  cycle: (kind: string, chain: string) =>
    error('RLVR2006', `${kind} refers to itself: ${chain}`, {
      label: 'part of the cycle',
      detail: 'A declaration cannot be derived from, or refer to, itself through other declarations.',
      fix: 'break the cycle: derive one of them from a declaration outside it',
    }),
  notExported: (name: string, file: string, suggestion?: string) =>
    error('RLVR2007', `'${file}' declares no '${name}'`, {
      label: 'not declared at the top level of that file',
      detail: 'Only declarations outside experiment blocks can be imported.',
      ...withFix(didYouMean(suggestion)),
    }),
  unknownBlock: (head: string, where: string, suggestion?: string, known?: string) =>
    error('RLVR2008', `unknown block '${head}' in ${where}`, {
      label: 'not a block here',
      ...(known ? { detail: `Blocks of ${where}: ${known}.` } : {}),
      ...withFix(didYouMean(suggestion)),
    }),
  noSuchStage: (stage: string, model: string, stages: string) =>
    error('RLVR2009', `'${model}' has no stage '${stage}' to override`, {
      label: 'no such stage',
      detail: `Its stages: ${stages}.`,
      fix: `add a stage with '${stage} on DATA { ... }' instead of a dotted override`,
    }),
  ambiguousStage: (stage: string) =>
    error('RLVR2010', `more than one '${stage}' stage: this override is ambiguous`, {
      label: 'which one?',
      fix: `name the stages ('${stage} first on ...') and override by name`,
    }),
  unknownConstructor: (name: string, kind: string, known: string, suggestion?: string) =>
    error('RLVR2011', `'${name}' does not build a ${kind}`, {
      label: `not a ${kind} constructor`,
      detail: `A ${kind} is built by: ${known}.`,
      ...withFix(didYouMean(suggestion)),
    }),
} as const;

// ---- 3xxx: types and values -----------------------------------------------------------------------------

export const types = {
  typeMismatch: (what: string, expected: string, found: string) =>
    error('RLVR3001', `${what} must be ${expected}, found ${found}`, { label: `expected ${expected}` }),
  outOfRange: (what: string, range: string, value: string, why?: string) =>
    error('RLVR3002', `${what} must be ${range}, got ${value}`, {
      label: 'out of range',
      ...(why ? { detail: why } : {}),
    }),
  missingField: (field: string, where: string, doc: string) =>
    error('RLVR3003', `${where} is missing '${field}'`, {
      label: `'${field}' is required`,
      detail: `${field}: ${doc}`,
      fix: `add '${field} = ...'`,
    }),
  unknownValue: (value: string, what: string, allowed: string, suggestion?: string) =>
    error('RLVR3004', `'${value}' is not a valid ${what}`, {
      label: `one of ${allowed}`,
      ...withFix(didYouMean(suggestion) ?? `use one of ${allowed}`),
    }),
  badArguments: (callee: string, problem: string, usage: string) =>
    error('RLVR3005', `${callee}: ${problem}`, { label: 'here', fix: `write ${usage}` }),
  unsupportedLanguage: (version: string, supported: string) =>
    error('RLVR3006', `language version ${version} is not supported`, {
      label: 'unknown version',
      detail: `This rlvrc understands language ${supported}. The version fixes every default, so a spec means the same thing with every compiler release.`,
      fix: `write 'language = ${supported}'`,
    }),
  missingLanguage: (experiment: string) =>
    error('RLVR3007', `experiment '${experiment}' does not name its language version`, {
      label: "no 'language = ...' setting",
      detail: 'The language version pins every default value, so a spec keeps its meaning when defaults change in a later release.',
      fix: "add 'language = 1' at the top of the experiment",
    }),
  notBinary: (op: string, operand: string) =>
    error('RLVR3008', `'${op}' needs a 0/1 reward, but ${operand} can take other values`, {
      label: 'not a 0/1 reward',
      detail: "'and', 'or', 'not' and the condition of 'if' combine pass/fail rewards; weighted sums and constants other than 0 and 1 are graded rewards.",
      fix: "combine graded rewards with '+' and '*' instead",
    }),
  notHere: (what: string, where: string, hint: string) =>
    error('RLVR3009', `${what} cannot be used in ${where}`, { label: 'not allowed here', fix: hint }),
  badPlaceholder: (field: string) =>
    error('RLVR3010', `the ${field} template never inserts the question`, {
      label: "no '{question}' in this text",
      detail: 'The user turn is built by replacing {question} with each problem; without it every rollout sees the same prompt.',
      fix: "add '{question}' where the problem should go",
    }),
} as const;

// ---- 4xxx: grid -----------------------------------------------------------------------------------------

export const grid = {
  unknownAxis: (axis: string, suggestion?: string, known?: string) =>
    error('RLVR4001', `grid axis '${axis}' names nothing`, {
      label: 'not a train field, a seed or a declaration field',
      ...(known ? { detail: `Axes can be: ${known}, or dotted fields such as algorithm.clip.` } : {}),
      ...withFix(didYouMean(suggestion)),
    }),
  unknownAxisField: (axis: string, field: string, where: string, suggestion?: string) =>
    error('RLVR4002', `grid axis '${axis}': ${where} has no field '${field}'`, {
      label: 'no such field',
      ...withFix(didYouMean(suggestion)),
    }),
  ruleMatchesNothing: (rule: string) =>
    error('RLVR4003', `this '${rule}' rule matches no cell`, {
      label: 'matches no cell of this grid',
      detail: 'A rule that matches nothing is almost always a misspelt value or a value missing from its axis.',
      fix: "check the values against the grid's axes",
    }),
  duplicateAxis: (axis: string) =>
    error('RLVR4004', `axis '${axis}' appears twice in this grid`, { label: 'second axis', fix: 'merge the two value lists' }),
  emptyAxis: (axis: string) =>
    error('RLVR4005', `axis '${axis}' has no values`, { label: 'empty list', detail: 'An empty axis makes the grid empty.', fix: 'list at least one value' }),
  ruleNotAxis: (rule: string, key: string, axes: string, suggestion?: string) =>
    error('RLVR4006', `'${rule}' names '${key}', which is not an axis of this grid`, {
      label: 'not an axis',
      detail: `This grid's axes: ${axes}.`,
      ...withFix(didYouMean(suggestion)),
    }),
  noCells: (gridName: string) =>
    error('RLVR4007', `grid ${gridName} has no cells left`, {
      label: 'every cell is excluded',
      fix: "relax the 'exclude' or 'only' rules",
    }),
  gridOutsideExperiment: () =>
    error('RLVR4008', 'a grid belongs inside an experiment', {
      label: 'outside every experiment',
      fix: "move it into an 'experiment NAME { ... }' block",
    }),
  unnamedGrid: () =>
    error('RLVR4009', 'an experiment with several grids needs every grid named', {
      label: 'unnamed grid',
      detail: 'Cell ids start with the grid name when there are several grids (rewards/model=...,seed=1).',
      fix: "name it: 'grid NAME { ... }'",
    }),
  duplicateValue: (axis: string, value: string) =>
    warning('RLVR4010', `axis '${axis}' lists ${value} twice`, { label: 'repeated value', fix: 'remove the repetition' }),
} as const;

// ---- 5xxx: rules across fields --------------------------------------------------------------------------

export const rules = {
  minibatchDivides: (minibatch: string, rollouts: string, perStep: string, group: string) =>
    error('RLVR5001', `minibatch ${minibatch} does not divide the ${rollouts} rollouts of a step (${perStep} prompts × ${group} samples)`, {
      label: 'must divide prompts_per_step × group',
      detail: 'Each rollout step is split into equal minibatches, one gradient update each.',
      fix: 'choose a minibatch that divides prompts_per_step × group',
    }),
  needsLabels: (what: string, data: string) =>
    error('RLVR5002', `${what} needs labels, but ${data} has none`, {
      label: 'needs a label per problem',
      fix: "map the label field (answer = \"...\") on the dataset, or use a reward that needs no labels",
    }),
  metricUnsupported: (metric: string, why: string, fix: string) =>
    error('RLVR5003', `metric ${metric} cannot be computed here: ${why}`, { label: 'unsupported metric', fix }),
  headsDivide: (heads: string, dModel: string) =>
    error('RLVR5004', `heads = ${heads} does not divide d_model = ${dModel}`, {
      label: 'must divide d_model',
      detail: 'Each attention head gets d_model / heads dimensions.',
      fix: 'pick heads and d_model so that d_model is a multiple of heads',
    }),
  sharesSum: (sum: string) =>
    error('RLVR5005', `strategy shares sum to ${sum}, not 1`, {
      label: 'code share + language share must be 1',
      detail: 'The shares say how often the corpus uses each strategy.',
      fix: 'set both shares so that they add up to 1',
    }),
  contextTooShort: (context: string, needed: string, why: string) =>
    error('RLVR5006', `context ${context} is too short: ${why} needs ${needed} tokens`, {
      label: 'too short',
      fix: `raise context to at least ${needed}`,
    }),
  missingTrain: (experiment: string) =>
    error('RLVR5007', `experiment '${experiment}' has no train block`, {
      label: 'nothing to run',
      fix: 'add train { model = ..., data = ..., reward = ..., algorithm = ..., optimizer = ..., steps = ... }',
    }),
  constantReward: (reward: string, value: string) =>
    warning('RLVR5008', `reward ${reward} is always ${value}: nothing will be learned`, {
      label: 'zero reward variance',
      detail: 'Every rollout in a group gets the same reward, so every group-normalised advantage is 0 and the policy gradient is 0. The paper uses random(0) as exactly this control.',
    }),
  clippingInert: (why: string) =>
    warning('RLVR5009', `no clipping bias: ${why}`, {
      label: 'clipping never acts here',
      detail: 'The paper (section 4.4) traces the gains of random rewards to the clipping bias of PPO-style updates: with no clipping, or with one update per rollout step (the ratio πθ/πold is exactly 1 there), a random reward changes nothing in expectation. Legal, and the right setting for a clipping ablation.',
    }),
  worldInvalid: (problem: string) =>
    error('RLVR5010', `arithmetic world: ${problem}`, {
      label: 'invalid world',
      detail: 'The world draws its train and test problems without repeats from every expression its operands, digits and operators allow.',
    }),
  familyInvalid: (problem: string) =>
    error('RLVR5011', `pretraining corpus: ${problem}`, {
      label: 'invalid corpus',
      detail: "A strategy's accuracy mixes problems that are good for it (right with good_accuracy) and bad for it (right with bad_accuracy), so it must lie between the two.",
      fix: 'start from a preset whose accuracies allow it (family = base is always right), or set good_accuracy / bad_accuracy on the stage',
    }),
  maxTokensShort: (maxTokens: string, longest: string) =>
    warning('RLVR5012', `max_tokens = ${maxTokens} is shorter than the longest response this model was pretrained to write (${longest} tokens)`, {
      label: 'responses may be cut before their answer',
      detail: 'A truncated response loses its final answer, so correctness rewards see it as wrong.',
      fix: `raise max_tokens to ${longest}`,
    }),
  klEstimatorUnused: () =>
    warning('RLVR5013', 'kl_estimator has no effect when kl = 0', {
      label: 'unused',
      detail: 'With kl = 0 there is no KL term and no reference model.',
      fix: 'remove kl_estimator, or set kl > 0',
    }),
  greedyConflict: (field: string) =>
    error('RLVR5014', `greedy decoding conflicts with ${field}`, {
      label: 'greedy means one sample at temperature 0',
      fix: `remove '${field}' or 'greedy'`,
    }),
  kExceedsSamples: (k: string, samples: string) =>
    error('RLVR5015', `k = ${k} exceeds samples = ${samples}`, {
      label: 'k must be ≤ samples',
      detail: 'pass@k, avg@k and maj@k are computed from the samples drawn per problem.',
      fix: `draw at least ${k} samples, or lower k`,
    }),
  minibatchTooLarge: (minibatch: string, rollouts: string) =>
    error('RLVR5016', `minibatch ${minibatch} is larger than the ${rollouts} rollouts of a step`, {
      label: 'larger than a rollout step',
      fix: `lower minibatch to ${rollouts} (one update per step) or less`,
    }),
  noMajority: () =>
    error('RLVR5017', "this condition uses majority_label, but the reward computes no majority label", {
      label: 'no majority_label in the reward',
      fix: 'use correct(majority_label(samples = N)) in the reward, or compare with label only',
    }),
  takeTooLarge: (n: string, size: string) =>
    error('RLVR5018', `take(${n}) asks for more problems than the ${size} there are`, { label: 'too many', fix: `take at most ${size}` }),
  warmupTooLong: (warmup: string, steps: string) =>
    warning('RLVR5019', `warmup of ${warmup} RL steps is not shorter than the ${steps} training steps`, {
      label: 'the learning rate never reaches its peak',
      detail: "An optimizer's warmup counts RL steps (the train block's steps), not gradient updates: every update of a step uses that step's learning rate.",
      fix: `shorten the warmup to fewer than ${steps} steps`,
    }),
  notWorldData: (what: string) =>
    error('RLVR5020', `${what} must be an arithmetic world dataset`, {
      label: 'not generated by the arithmetic world',
      detail: 'Pretraining corpora are written by the world: its strategies, accuracies and formats.',
      fix: 'pretrain on an arithmetic { ... } dataset',
    }),
  noSplits: (dataset: string, split: string) =>
    error('RLVR5021', `${dataset} has no '${split}' split`, {
      label: 'no splits',
      detail: 'json and jsonl datasets are one file each; only the arithmetic world has .train and .test.',
      fix: 'declare one dataset per file',
    }),
  chatWithoutTemplate: (model: string) =>
    error('RLVR5022', `prompt uses the chat template, but ${model} has none`, {
      label: 'no chat template',
      detail: 'Transformers trained from scratch in the arithmetic world read the raw text.',
      fix: 'set template = raw in the prompt',
    }),
  needsSplit: (dataset: string) =>
    error('RLVR5023', `${dataset} is a whole world: name a split`, {
      label: 'which problems?',
      fix: `write ${dataset}.train or ${dataset}.test`,
    }),
  multipleTrain: () =>
    error('RLVR5024', 'an experiment has exactly one train block', {
      label: 'second train block',
      fix: "vary what differs with a grid axis (e.g. 'reward in [a, b]') instead",
    }),
  onlineMajorityWhere: () =>
    error('RLVR5025', "a 'where' condition cannot use majority_label when the majority labels are online", {
      label: 'the prompt subset would depend on labels that change every step',
      detail: "The training prompts a 'where' condition selects are chosen once, before training; majority_label(online = true) (TTRL) recomputes the labels from the current policy before every step.",
      fix: 'drop online = true to compare with labels computed once from the starting model, or drop the condition on majority_label',
    }),
  noEval: (experiment: string) =>
    warning('RLVR5026', `experiment ${experiment} trains but evaluates nothing`, {
      label: 'trains with no eval block',
      detail: "Without an eval block a run records no evaluation (its result.json has final_metrics: {}), so nothing shows what the training did. Legal for a smoke test.",
      fix: 'add an eval, e.g. eval held_out { data = <dataset>.test, every = 10, greedy, metrics = [accuracy] }',
    }),
} as const;

// ---- 6xxx: files and imports ----------------------------------------------------------------------------

export const files = {
  importNotFound: (path: string) =>
    error('RLVR6001', `cannot import '${path}': no such file`, {
      label: 'not found',
      detail: 'Import paths are relative to the importing file.',
      fix: 'check the path',
    }),
  importCycle: (chain: string) =>
    error('RLVR6002', `import cycle: ${chain}`, {
      label: 'closes the cycle',
      fix: 'move what both files need into a third file that both import',
    }),
  dataMissing: (path: string) =>
    warning('RLVR6003', `data file '${path}' does not exist (yet)`, {
      label: 'not found at check time',
      detail: 'Paths are relative to the spec file. The run stops with an error if the file is still missing then.',
    }),
  modelDirMissing: (path: string, what: string) =>
    warning('RLVR6004', `model directory '${path}' ${what}`, {
      label: 'not usable at check time',
      detail: 'hf("dir") needs a local Hugging Face checkpoint: config.json, *.safetensors and tokenizer.json.',
    }),
  checkpointMissing: (path: string) =>
    warning('RLVR6005', `checkpoint '${path}' does not exist (yet)`, {
      label: 'not found at check time',
      detail: 'A checkpoint from an earlier run; the run stops with an error if it is still missing then.',
    }),
  importNotRlvr: (path: string) =>
    error('RLVR6006', `cannot import '${path}': it is not a .rlvr file`, { label: 'not a spec file', fix: 'import a .rlvr file' }),
} as const;

/** Every message group, for tools and for the test that every code has a golden case. */
export const catalogue = { syntax, names, types, grid, rules, files } as const;

/** All codes in the catalogue (each message function called with placeholder arguments). */
export function allCodes(): string[] {
  const codes = new Set<string>();
  for (const group of Object.values(catalogue)) {
    for (const make of Object.values(group) as Array<(...args: string[]) => Message>) codes.add(make('x', 'x', 'x', 'x').code);
  }
  return [...codes].sort();
}
