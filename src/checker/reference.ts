// The field reference (docs/fields.md), generated from the schemas so it can never drift from the checker.
import type { BlockSpec, FieldSpec } from './schema/spec.js';
import { ALGORITHM_CONSTRUCTORS, DATASET_CONSTRUCTORS, EVAL, MODEL_CONSTRUCTORS, OPTIMIZER_CONSTRUCTORS, PROMPT, SETTINGS, TRAIN } from './schema/index.js';
import { describe } from './types.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultOf(f: FieldSpec): string {
  if (f.required) return '**required**';
  if (f.defaultText !== undefined) return cell(f.defaultText);
  return f.default === undefined ? '' : `\`${cell(JSON.stringify(f.default))}\``;
}

function table(spec: BlockSpec, depth: number): string[] {
  const out = ['| field | type | default | what it is |', '| --- | --- | --- | --- |'];
  for (const [name, f] of Object.entries(spec.fields)) out.push(`| \`${name}\` | ${cell(describe(f.type))} | ${defaultOf(f)} | ${cell(f.doc)} |`);
  const h = '#'.repeat(depth);
  for (const [head, k] of Object.entries(spec.keyed ?? {})) {
    out.push('', `${h} \`${head} NAME { ... }\` — ${cell(k.doc)} (NAME: ${k.names.map(n => `\`${n}\``).join(', ')})`, '', ...table(k.block, depth + 1));
  }
  for (const [head, st] of Object.entries(spec.stages ?? {})) {
    out.push('', `${h} \`${head} [NAME] on DATA { ... }\` — ${cell(st.doc)}`, '', ...table(st.block, depth + 1));
  }
  return out;
}

function section(title: string, spec: BlockSpec): string[] {
  return [`### ${title}`, '', ...table(spec, 4), ''];
}

export function fieldReference(): string {
  const out = [
    '# Field reference',
    '',
    'Generated from the checker\'s schemas (`node --import tsx scripts/gen-docs.ts`); a test fails when it is stale.',
    'Every field has a type, a default and a doc line; the checker reports unknown fields with "did you mean".',
    '',
    '## Experiment settings', '', ...table(SETTINGS, 3), '',
    '## Datasets', '',
  ];
  for (const [name, spec] of Object.entries(DATASET_CONSTRUCTORS)) out.push(...section(`\`${name}\``, spec));
  out.push('## Models', '');
  for (const [name, spec] of Object.entries(MODEL_CONSTRUCTORS)) out.push(...section(`\`${name}\``, spec));
  out.push('## Prompts', '', ...table(PROMPT, 3), '', '## Algorithms', '');
  for (const [name, spec] of Object.entries(ALGORITHM_CONSTRUCTORS)) out.push(...section(`\`${name}\``, spec));
  out.push('## Optimizers', '');
  for (const [name, spec] of Object.entries(OPTIMIZER_CONSTRUCTORS)) out.push(...section(`\`${name}\``, spec));
  out.push('## The train block', '', ...table(TRAIN, 3), '', '## Evaluations', '', ...table(EVAL, 3), '');
  return out.join('\n');
}
