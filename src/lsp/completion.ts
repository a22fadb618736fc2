// Completion from what the checker knows at the cursor: the fields of the block the cursor is in (with
// their docs), declared names of the kind a field expects, enum values, reward functions and their
// parameters, declaration keywords. The line's text before the cursor says which of these is wanted, so
// a half-typed line (which does not parse yet) still gets answers.
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import type { FieldType } from '../checker/types.js';
import { TRAIN } from '../checker/schema/index.js';
import { describe } from '../checker/types.js';
import { DECLARATION_KINDS, type DeclarationKind } from '../language/tokens.js';
import type { Analysis } from './analysis.js';
import { pathAt } from './ast-walk.js';
import { axisField, blockContext, blockEntries, CONSTRUCTORS, type BlockContext } from './blocks.js';
import { fieldText, valueText } from './hover.js';
import { REWARD_FUNCTIONS, rewardFunction } from './reward-functions.js';

const doc = (value: string) => ({ kind: 'markdown' as const, value });

function namesOfKind(ctx: BlockContext, kind: DeclarationKind | undefined): CompletionItem[] {
  const seen = new Set<string>();
  const out: CompletionItem[] = [];
  for (const s of ctx.scope?.visible() ?? []) {
    if (seen.has(s.name) || (kind && s.kind !== kind)) continue;
    seen.add(s.name);
    out.push({ label: s.name, kind: CompletionItemKind.Variable, detail: `${s.kind} ${s.name}` });
  }
  return out;
}

function rewardItems(): CompletionItem[] {
  return REWARD_FUNCTIONS.map(f => ({ label: f.name, kind: CompletionItemKind.Function, detail: f.signature, documentation: doc(f.doc) }));
}

function valueItems(ty: FieldType, ctx: BlockContext): CompletionItem[] {
  switch (ty.t) {
    case 'enum': return ty.values.map(v => ({ label: v, kind: CompletionItemKind.EnumMember, detail: ty.what }));
    case 'bool': return ['true', 'false'].map(v => ({ label: v, kind: CompletionItemKind.Keyword }));
    case 'none': return [{ label: 'none', kind: CompletionItemKind.Keyword }];
    case 'list': return valueItems(ty.of, ctx);
    case 'union': return ty.of.flatMap(t => valueItems(t, ctx));
    case 'ref': return [...namesOfKind(ctx, ty.kind), ...(ty.kind === 'reward' ? rewardItems() : [])];
    default: return [];
  }
}

/** What may follow `KIND name =`: declared values of that kind and its constructors (or reward functions). */
function declarationValueItems(kind: DeclarationKind, ctx: BlockContext): CompletionItem[] {
  const ctors = Object.entries(CONSTRUCTORS[kind] ?? {}).map(([name, spec]) => ({ label: name, kind: CompletionItemKind.Constructor, detail: spec.what }));
  return [...namesOfKind(ctx, kind), ...ctors, ...(kind === 'reward' ? rewardItems() : [])];
}

export function complete(a: Analysis, offset: number): CompletionItem[] {
  const lineStart = a.text.lastIndexOf('\n', offset - 1) + 1;
  const before = a.text.slice(lineStart, offset);
  const path = pathAt(a.ast, offset);
  const ctx = blockContext(a.file, path);

  // Inside a reward function's parentheses: its named parameters.
  const call = /\b([A-Za-z_]\w*)\(\s*(?:[^()]*,\s*)?([A-Za-z_]\w*)?$/.exec(before);
  if (call) {
    const f = rewardFunction(call[1]!);
    if (f && f.params.length > 0) return f.params.map(p => ({ label: p.name, kind: CompletionItemKind.Property, detail: f.signature, documentation: doc(p.doc), insertText: `${p.name} = ` }));
    // correct(...) compares with a target: the label, or the majority's answer.
    if (f?.name === 'correct') return ['label', 'majority_label'].map(n => ({ label: n, kind: CompletionItemKind.Function, detail: rewardFunction(n)!.signature, documentation: doc(rewardFunction(n)!.doc) }));
  }

  // `KIND name = |`
  const decl = new RegExp(`^\\s*(${DECLARATION_KINDS.join('|')})\\s+[A-Za-z_]\\w*\\s*=\\s*(?:.*\\b(?:and|or|not|then|else|if)\\s+)?[A-Za-z_]*$`).exec(before);
  if (decl) return declarationValueItems(decl[1] as DeclarationKind, ctx);

  // `field = |`, `field = [a, |`, `field in [|`
  const value = /(?:^\s*|[{,]\s*)([A-Za-z_][\w.]*)\s*(?:=|\bin\b)\s*(?:\[(?:[^\]]*,)?\s*)?[A-Za-z_]*$/.exec(before);
  if (value) {
    const field = ctx.grid ? axisField(value[1]!.split('.'))?.field : ctx.spec?.fields[value[1]!];
    if (field) return valueItems(field.type, ctx);
    return namesOfKind(ctx, undefined);
  }

  // The start of an entry: field names of this block, or keywords where declarations go.
  if (/(?:^|[{,])\s*[A-Za-z_]*$/.test(before)) {
    if (ctx.grid) return ['seed', ...Object.keys(TRAIN.fields)].map(k => ({ label: k, kind: CompletionItemKind.Field, detail: 'grid axis', documentation: doc(fieldText(k, axisField([k])!.field, axisField([k])!.owner)) }));
    if (ctx.level === 'top') return ['experiment', 'import', ...DECLARATION_KINDS.filter(k => k !== 'train' && k !== 'eval')].map(k => ({ label: k, kind: CompletionItemKind.Keyword }));
    const items: CompletionItem[] = [];
    if (ctx.level === 'experiment') items.push(...[...DECLARATION_KINDS, 'grid'].map(k => ({ label: k, kind: CompletionItemKind.Keyword })));
    if (ctx.spec) {
      for (const e of blockEntries(ctx.spec)) {
        items.push({
          label: e.name,
          kind: e.what === 'field' ? CompletionItemKind.Field : CompletionItemKind.Module,
          detail: e.field ? `${describe(e.field.type)}${e.field.required ? ' (required)' : e.field.defaultText ? ` = ${e.field.defaultText}` : ` = ${valueText(e.field.default, e.field.type)}`}` : e.what === 'keyed' ? 'block' : 'stage',
          documentation: doc(e.field ? fieldText(e.name, e.field, ctx.spec.what) : e.doc),
        });
      }
    }
    return items;
  }
  return [];
}
