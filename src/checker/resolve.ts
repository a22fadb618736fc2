// Name resolution and evaluation of declarations: references are looked up in the scope the declaration
// was written in, `with` derivations copy their base and apply overrides (dotted paths; sub-blocks add or
// override stages), constructors build datasets and models, and every field is type-checked where it is
// written. Declarations are evaluated on demand, once; a declaration met again while it is being evaluated
// closes a cycle, which is reported with the whole chain.
import { existsSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { Block, Call, Construct, Expr, Name, Path, Reference, SubBlock } from '../language/ast.js';
import type { DeclarationKind } from '../language/tokens.js';
import { files as fileMsg, names, rules, types } from '../diagnostics/catalogue.js';
import type { Reporter } from './report.js';
import { lowerReward, REWARD_BUILTINS, type RewardIR } from './rewards.js';
import {
  ALGORITHM_CONSTRUCTORS, blockNames, DATASET_CONSTRUCTORS, EVAL, MODEL_CONSTRUCTORS, OPTIMIZER_CONSTRUCTORS, PROMPT, TRAIN,
  type BlockSpec,
} from './schema/index.js';
import { suggest } from '../util/suggest.js';
import type { Scope, Sym } from './symbols.js';
import { declLoc } from './symbols.js';
import { containsHole, describe, numberLiteral, rangeText, shapeOf, unparen, type FieldType } from './types.js';
import { DeclValue, emptyObj, isDecl, type Json, type Loc, type Obj, type Stage } from './values.js';
import { exprText } from './ids.js';

const CONSTRUCTORS: Partial<Record<DeclarationKind, Record<string, BlockSpec>>> = {
  dataset: DATASET_CONSTRUCTORS,
  model: MODEL_CONSTRUCTORS,
  algorithm: ALGORITHM_CONSTRUCTORS,
  optimizer: OPTIMIZER_CONSTRUCTORS,
};
/** The spec of the block form `KIND name { ... }`, and the constructor it stands for. */
const BLOCK_FORMS: Partial<Record<DeclarationKind, { ctor: string; spec: BlockSpec }>> = {
  algorithm: { ctor: 'grpo', spec: ALGORITHM_CONSTRUCTORS.grpo },
  optimizer: { ctor: 'adam', spec: OPTIMIZER_CONSTRUCTORS.adam },
  prompt: { ctor: 'prompt', spec: PROMPT },
  train: { ctor: 'train', spec: TRAIN },
  eval: { ctor: 'eval', spec: EVAL },
};
/** Constructors that take a path: json("x"), jsonl("x"), hf("dir"), checkpoint("file"). */
const PATH_CONSTRUCTORS = new Set(['json', 'jsonl', 'hf', 'checkpoint']);

type Mode = 'fresh' | 'override';

export interface FileAccess { exists(path: string): boolean; isDirectory(path: string): boolean }
export const nodeFiles: FileAccess = {
  exists: p => existsSync(p),
  isDirectory: p => existsSync(p) && statSync(p).isDirectory(),
};

export class Resolver {
  private readonly stack: Sym[] = [];

  constructor(readonly rep: Reporter, readonly fs: FileAccess = nodeFiles) {}

  private at(scope: Scope, node: { span: Expr['span'] }): Loc {
    return { file: scope.file, span: node.span };
  }

  /** The value of a declared symbol, evaluated once in its own scope. */
  symbolValue(sym: Sym, use: Loc): DeclValue | undefined {
    if (sym.state === 'done') return sym.value;
    if (sym.state === 'busy') {
      const from = this.stack.indexOf(sym);
      const chain = [...this.stack.slice(from), sym].map(s => s.name).join(' → ');
      this.rep.report(names.cycle(sym.kind, chain), use);
      return undefined;
    }
    sym.state = 'busy';
    this.stack.push(sym);
    try {
      sym.value = this.evalDeclaration(sym);
    } finally {
      this.stack.pop();
      sym.state = 'done';
    }
    return sym.value;
  }

  private evalDeclaration(sym: Sym): DeclValue | undefined {
    const d = sym.decl;
    const scope = sym.home;
    const loc = declLoc(scope.file, d);
    if (d.body) {
      const form = BLOCK_FORMS[d.declKind];
      if (!form) {
        const example = d.declKind === 'dataset' ? 'arithmetic { ... }' : d.declKind === 'model' ? 'transformer { ... }' : 'correct(label)';
        this.rep.report(types.notHere(`a bare block`, `a ${d.declKind} declaration`, `write '${d.declKind} ${sym.name} = ${example}'`), loc);
        return undefined;
      }
      const v = new DeclValue(d.declKind, form.ctor, sym.name, loc, emptyObj(), form.spec, true);
      this.applyBlock(v.obj, form.spec, d.body, scope, 'fresh', `${d.declKind} ${sym.name}`, v);
      return v;
    }
    if (!d.value) return undefined;
    if (d.declKind === 'train' || d.declKind === 'eval') {
      this.rep.report(types.notHere(`'${d.declKind} ${sym.name} = ...'`, 'a declaration', `write ${d.declKind} ${sym.name} { ... }`), loc);
      return undefined;
    }
    const v = this.evalKind(d.declKind, d.value, scope, sym.name);
    return v?.derive(sym.name, loc, true);
  }

  /** Evaluates an expression that must denote a value of `kind`: a name, a constructor, a derivation. */
  evalKind(kind: DeclarationKind, expr: Expr, scope: Scope, name?: string): DeclValue | undefined {
    if (containsHole(expr)) return undefined;
    const e = unparen(expr);
    const loc = this.at(scope, e);
    const label = name ?? exprText(e);
    if (kind === 'reward') {
      // A bare name of a declared reward is that declaration (its name and its text), not a new expression.
      const sym = e.kind === 'Reference' ? scope.lookup(e.name) : undefined;
      if (sym?.kind === 'reward') return this.symbolValue(sym, loc);
      const ir = lowerReward(e, this.rewardEnv(scope));
      if (!ir) return undefined;
      const v = new DeclValue('reward', 'expr', label, loc, emptyObj(), undefined, false);
      v.reward = ir;
      return v;
    }
    switch (e.kind) {
      case 'Reference': {
        const sym = scope.lookup(e.name);
        if (sym) {
          if (sym.kind !== kind) {
            this.rep.report(names.wrongKind(e.name, sym.kind, kind), loc);
            return undefined;
          }
          return this.symbolValue(sym, loc);
        }
        if (CONSTRUCTORS[kind]?.[e.name] && !PATH_CONSTRUCTORS.has(e.name)) return this.construct(kind, e.name, null, null, e, scope, label);
        this.unknownName(e, kind, scope);
        return undefined;
      }
      case 'With': {
        const base = this.evalKind(kind, e.base, scope);
        if (!base) return undefined;
        if (!base.spec || base.spec === TRAIN || base.spec === EVAL) {
          this.rep.report(types.notHere("'with'", `a ${kind}`, 'declare a new one instead'), loc);
          return undefined;
        }
        const d = base.derive(label, loc, false);
        this.applyBlock(d.obj, base.spec, e.overrides, scope, 'override', `${kind} ${label}`, d);
        return d;
      }
      case 'Construct': return this.constructExpr(kind, e, scope, label);
      case 'Call': {
        const callee = unparen(e.callee);
        if (kind === 'dataset' && callee.kind === 'Member' && callee.name.text === 'take') return this.take(e, callee.object, scope, label);
        return this.constructExpr(kind, e, scope, label);
      }
      case 'Member':
        if (kind === 'dataset') return this.split(e.object, e.name, scope, label);
        break;
    }
    this.rep.report(types.typeMismatch(name ? `${kind} ${name}` : `this ${kind}`, `a ${kind}`, shapeOf(e)), loc);
    return undefined;
  }

  private unknownName(e: Reference, kind: DeclarationKind, scope: Scope): void {
    const sameKind = scope.visible().filter(s => s.kind === kind).map(s => s.name);
    const ctors = Object.keys(CONSTRUCTORS[kind] ?? {});
    this.rep.report(names.unknownName(e.name, kind, suggest(e.name, [...sameKind, ...ctors])), this.at(scope, e));
  }

  private constructExpr(kind: DeclarationKind, e: Construct | Call, scope: Scope, label: string): DeclValue | undefined {
    const call = e.kind === 'Construct' ? unparen(e.callee) : e;
    const block = e.kind === 'Construct' ? e.body : null;
    const calleeExpr = call.kind === 'Call' ? unparen(call.callee) : call;
    if (calleeExpr.kind !== 'Reference') {
      this.rep.report(types.typeMismatch(`this ${kind}`, `a ${kind}`, shapeOf(e)), this.at(scope, e));
      return undefined;
    }
    return this.construct(kind, calleeExpr.name, call.kind === 'Call' ? call : null, block, calleeExpr, scope, label);
  }

  private construct(kind: DeclarationKind, ctor: string, call: Call | null, block: Block | null, calleeNode: Reference, scope: Scope, label: string): DeclValue | undefined {
    const table = CONSTRUCTORS[kind] ?? {};
    const spec = table[ctor];
    const calleeLoc = this.at(scope, calleeNode);
    if (!spec) {
      const known = Object.keys(table);
      const sym = scope.lookup(ctor);
      if (sym && block) {
        this.rep.report(types.notHere(`a block after '${ctor}'`, `a ${kind}`, `derive it: ${ctor} with { ... }`), calleeLoc);
      } else {
        this.rep.report(names.unknownConstructor(ctor, kind, known.length ? known.join(', ') : 'a block form only', suggest(ctor, known)), calleeLoc);
      }
      return undefined;
    }
    const v = new DeclValue(kind, ctor, label, calleeLoc, emptyObj(), spec, false);
    const args = call?.args ?? [];
    if (PATH_CONSTRUCTORS.has(ctor)) {
      const a = args[0] && unparen(args[0].value);
      if (args.length !== 1 || !a || args[0]!.name || a.kind !== 'String') {
        this.rep.report(types.badArguments(ctor, 'takes one path string', `${ctor}("path")`), call ? this.at(scope, call) : calleeLoc);
        return undefined;
      }
      v.path = { value: a.value, loc: this.at(scope, a), dir: scope.dir };
      this.checkPath(ctor, a.value, scope.dir, v.path.loc);
    } else if (args.length > 0) {
      this.rep.report(types.badArguments(ctor, 'takes no arguments', `${ctor} { ... }`), this.at(scope, call!));
      return undefined;
    }
    if (block) this.applyBlock(v.obj, spec, block, scope, 'fresh', `${ctor} { ... }`, v);
    return v;
  }

  private checkPath(ctor: string, path: string, dir: string, at: Loc): void {
    const abs = resolvePath(dir, path);
    if (ctor === 'json' || ctor === 'jsonl') {
      if (!this.fs.exists(abs)) this.rep.report(fileMsg.dataMissing(path), at);
    } else if (ctor === 'hf') {
      if (!this.fs.isDirectory(abs)) this.rep.report(fileMsg.modelDirMissing(path, 'does not exist (yet)'), at);
      else if (!this.fs.exists(join(abs, 'config.json'))) this.rep.report(fileMsg.modelDirMissing(path, 'has no config.json'), at);
    } else if (ctor === 'checkpoint') {
      if (!this.fs.exists(abs)) this.rep.report(fileMsg.checkpointMissing(path), at);
    }
  }

  private split(object: Expr, member: Name, scope: Scope, label: string): DeclValue | undefined {
    const base = this.evalKind('dataset', object, scope);
    if (!base) return undefined;
    const at = this.at(scope, member);
    const s = member.text;
    if (s !== 'train' && s !== 'test') {
      this.rep.report(names.unknownField(s, `dataset ${base.name}`, suggest(s, ['train', 'test', 'take']), 'train, test, take(n)'), at);
      return undefined;
    }
    if (base.ctor !== 'arithmetic') {
      this.rep.report(rules.noSplits(base.name, s), at);
      return undefined;
    }
    if (base.split !== null || base.take !== null) {
      this.rep.report(types.notHere(`.${s}`, `${base.name}, which already selects problems`, `select the split first: ${base.name.split('.')[0]}.${s}`), at);
      return undefined;
    }
    const d = base.derive(label, { file: scope.file, span: { start: object.span.start, end: member.span.end } }, false);
    d.split = s;
    return d;
  }

  private take(call: Call, object: Expr, scope: Scope, label: string): DeclValue | undefined {
    const base = this.evalKind('dataset', object, scope);
    if (!base) return undefined;
    const a = call.args[0];
    const n = a && numberLiteral(a.value);
    if (call.args.length !== 1 || !a || a.name) {
      this.rep.report(types.badArguments('take', 'takes one count', 'take(1)'), this.at(scope, call));
      return undefined;
    }
    if (!n || !n.isInt || n.value < 1) {
      this.rep.report(types.outOfRange('the count of take', 'a whole number ≥ 1', n?.raw ?? exprText(a.value)), this.at(scope, a.value));
      return undefined;
    }
    const d = base.derive(label, this.at(scope, call), false);
    d.take = base.take === null ? n.value : Math.min(base.take, n.value);
    return d;
  }

  private rewardEnv(scope: Scope) {
    return {
      file: scope.file,
      report: (m: Parameters<Reporter['report']>[0], at: Loc) => this.rep.report(m, at),
      reference: (ref: Reference): RewardIR | null | undefined => {
        const sym = scope.lookup(ref.name);
        if (!sym) return null;
        const at = this.at(scope, ref);
        if (sym.kind !== 'reward') {
          this.rep.report(names.wrongKind(ref.name, sym.kind, 'reward'), at);
          return undefined;
        }
        return this.symbolValue(sym, at)?.reward;
      },
      rewardNames: () => scope.visible().filter(s => s.kind === 'reward').map(s => s.name).filter(n => !(REWARD_BUILTINS as readonly string[]).includes(n)),
    };
  }

  // ---- blocks and fields ----------------------------------------------------------------------------------

  /** Applies a block's entries to `obj`: fresh (a new value) or override (a `with` over a copy of the base). */
  applyBlock(obj: Obj, spec: BlockSpec, block: Block, scope: Scope, mode: Mode, what: string, owner?: DeclValue, seen = new Map<string, Loc>(), prefix = ''): void {
    for (const entry of block.entries) {
      switch (entry.kind) {
        case 'Hole':
          obj.incomplete = true;
          break;
        case 'Assignment':
          this.assign(obj, spec, entry.path.parts, entry.value, scope, what, owner, seen, prefix);
          break;
        case 'Flag': {
          const f = spec.fields[entry.name.text];
          if (f && f.type.t !== 'bool') {
            this.rep.report(types.typeMismatch(entry.name.text, describe(f.type), 'a bare flag'), this.at(scope, entry));
            obj.bad.add(entry.name.text);
            break;
          }
          this.assign(obj, spec, [entry.name], { kind: 'Bool', value: true, span: entry.span }, scope, what, owner, seen, prefix);
          break;
        }
        case 'SubBlock':
          this.subBlock(obj, spec, entry, scope, mode, what, owner, seen, prefix);
          break;
      }
    }
  }

  /** Sets the field a (possibly dotted) path names: `clip`, `strategy.code.share`, `pretrain.lr`. */
  assign(obj: Obj, spec: BlockSpec, parts: Name[], value: Expr, scope: Scope, what: string, owner: DeclValue | undefined, seen: Map<string, Loc>, prefix: string): void {
    const head = parts[0];
    if (!head) return;
    const at = this.at(scope, head);
    const field = spec.fields[head.text];
    if (field) {
      if (parts.length > 1) {
        this.rep.report(names.unknownField(parts[1]!.text, head.text, undefined), this.at(scope, parts[1]!));
        return;
      }
      const key = prefix + head.text;
      const first = seen.get(key);
      if (first) {
        this.rep.report(names.duplicateField(key), at, [{ file: first.file, span: first.span, message: `'${key}' is first set here` }]);
        return;
      }
      seen.set(key, at);
      const v = this.checkValue(value, field.type, scope, key);
      if (v === undefined) {
        obj.bad.add(head.text);
        obj.fields.delete(head.text);
        return;
      }
      obj.fields.set(head.text, { value: v, loc: this.at(scope, value) });
      obj.bad.delete(head.text);
      return;
    }
    const keyed = spec.keyed?.[head.text];
    if (keyed) {
      const nameNode = parts[1];
      if (!nameNode || parts.length < 3) {
        this.rep.report(types.notHere(`'${parts.map(p => p.text).join('.')} = ...'`, what, `set one field: ${head.text}.${keyed.names[0]}.${Object.keys(keyed.block.fields)[0]} = ...`), at);
        return;
      }
      if (!keyed.names.includes(nameNode.text)) {
        this.rep.report(types.unknownValue(nameNode.text, head.text, keyed.names.join(', '), suggest(nameNode.text, keyed.names)), this.at(scope, nameNode));
        return;
      }
      const k = `${head.text}.${nameNode.text}`;
      let sub = obj.keyed.get(k);
      if (!sub) obj.keyed.set(k, (sub = { obj: emptyObj(), loc: at }));
      this.assign(sub.obj, keyed.block, parts.slice(2), value, scope, `${head.text} ${nameNode.text}`, owner, seen, `${prefix}${k}.`);
      return;
    }
    const stage = this.findStage(obj, spec, head, scope, owner);
    if (stage === null) return;
    if (stage) {
      this.assign(stage.obj, spec.stages![stage.head]!.block, parts.slice(1), value, scope, `the ${stage.head} stage`, owner, seen, `${prefix}${stage.head}${stage.name ? `.${stage.name}` : ''}.`);
      return;
    }
    const candidates = [...blockNames(spec), ...obj.stages.flatMap(s => (s.name ? [s.name] : []))];
    this.rep.report(names.unknownField(head.text, what, suggest(head.text, candidates), Object.keys(spec.fields).join(', ') || undefined), at);
  }

  /** The stage a dotted path's first part names (by head or by name); null after an error, undefined if none applies. */
  private findStage(obj: Obj, spec: BlockSpec, head: Name, scope: Scope, owner: DeclValue | undefined): Stage | null | undefined {
    if (!spec.stages) return undefined;
    const byName = obj.stages.filter(s => s.name === head.text);
    if (byName.length > 0) return byName[0]!;
    if (!spec.stages[head.text]) return undefined;
    const byHead = obj.stages.filter(s => s.head === head.text);
    const at = this.at(scope, head);
    if (byHead.length === 0) {
      const list = obj.stages.map(s => s.head + (s.name ? ` ${s.name}` : '')).join(', ') || 'none';
      this.rep.report(names.noSuchStage(head.text, owner?.name ?? 'this model', list), at);
      return null;
    }
    if (byHead.length > 1) {
      this.rep.report(names.ambiguousStage(head.text), at);
      return null;
    }
    return byHead[0]!;
  }

  private subBlock(obj: Obj, spec: BlockSpec, sb: SubBlock, scope: Scope, mode: Mode, what: string, owner: DeclValue | undefined, seen: Map<string, Loc>, prefix: string): void {
    const head = sb.head.text;
    const at = this.at(scope, sb.head);
    const keyed = spec.keyed?.[head];
    if (keyed) {
      if (sb.on) this.rep.report(types.notHere("'on'", `a ${head} block`, 'remove it'), this.at(scope, sb.on));
      if (!sb.name) {
        this.rep.report(types.notHere(`a ${head} block without a name`, what, `write ${head} ${keyed.names[0]} { ... }`), at);
        return;
      }
      if (!keyed.names.includes(sb.name.text)) {
        this.rep.report(types.unknownValue(sb.name.text, head, keyed.names.join(', '), suggest(sb.name.text, keyed.names)), this.at(scope, sb.name));
        return;
      }
      const k = `${head}.${sb.name.text}`;
      const first = seen.get(prefix + k);
      if (first) {
        this.rep.report(names.duplicateField(`${head} ${sb.name.text}`), at, [{ file: first.file, span: first.span, message: 'first written here' }]);
        return;
      }
      seen.set(prefix + k, at);
      let sub = obj.keyed.get(k);
      if (!sub) obj.keyed.set(k, (sub = { obj: emptyObj(), loc: at }));
      this.applyBlock(sub.obj, keyed.block, sb.body, scope, mode, `${head} ${sb.name.text}`, owner, seen, `${prefix}${k}.`);
      return;
    }
    const stageSpec = spec.stages?.[head];
    if (stageSpec) {
      const name = sb.name?.text ?? null;
      const existing = mode === 'override' ? obj.stages.find(s => s.head === head && s.name === name) : undefined;
      if (existing) {
        if (sb.on) existing.data = this.evalOn(sb.on, scope);
        this.applyBlock(existing.obj, stageSpec.block, sb.body, scope, 'override', `the ${head} stage`, owner, new Map());
        return;
      }
      const stage: Stage = { head, name, data: undefined, loc: at, obj: emptyObj() };
      if (sb.on) stage.data = this.evalOn(sb.on, scope);
      else this.rep.report(types.missingField('on DATA', `the ${head} stage`, 'the dataset whose world writes this stage\'s corpus'), at);
      this.applyBlock(stage.obj, stageSpec.block, sb.body, scope, 'fresh', `the ${head} stage`, owner, new Map());
      obj.stages.push(stage);
      return;
    }
    const candidates = [...Object.keys(spec.keyed ?? {}), ...Object.keys(spec.stages ?? {})];
    const known = candidates.length ? candidates.join(', ') : undefined;
    this.rep.report(names.unknownBlock(head, what, suggest(head, [...candidates, ...Object.keys(spec.fields)]), known), at);
  }

  private evalOn(path: Path, scope: Scope): DeclValue | undefined {
    let e: Expr = { kind: 'Reference', name: path.parts[0]!.text, span: path.parts[0]!.span };
    for (const part of path.parts.slice(1)) e = { kind: 'Member', object: e, name: part, span: { start: path.span.start, end: part.span.end } };
    return this.evalKind('dataset', e, scope);
  }

  /** Checks a written value against a field type; undefined after reporting why it does not fit. */
  checkValue(expr: Expr, type: FieldType, scope: Scope, what: string): Json | DeclValue | undefined {
    if (containsHole(expr)) return undefined;
    const e = unparen(expr);
    const at = this.at(scope, e);
    const mismatch = () => void this.rep.report(types.typeMismatch(what, describe(type), shapeOf(e)), at);
    switch (type.t) {
      case 'int':
      case 'float': {
        const n = numberLiteral(e);
        if (!n) return mismatch();
        if (type.t === 'int' && !n.isInt) return mismatch();
        const lo = type.min;
        const hi = type.max;
        const open = type.t === 'float' ? type : { minOpen: false, maxOpen: false };
        const below = lo !== undefined && (open.minOpen ? n.value <= lo : n.value < lo);
        const above = hi !== undefined && (open.maxOpen ? n.value >= hi : n.value > hi);
        if (below || above) return void this.rep.report(types.outOfRange(what, rangeText(type), n.raw, type.t === 'float' ? type.why : undefined), at);
        return n.value;
      }
      case 'bool':
        return e.kind === 'Bool' ? e.value : mismatch();
      case 'string':
      case 'path':
        return e.kind === 'String' ? e.value : mismatch();
      case 'none':
        return e.kind === 'None' ? null : mismatch();
      case 'enum': {
        const word = e.kind === 'Reference' ? e.name : e.kind === 'String' ? e.value : undefined;
        if (word === undefined) return mismatch();
        if (type.values.includes(word)) return word;
        return void this.rep.report(types.unknownValue(word, type.what, type.values.join(', '), suggest(word, type.values)), at);
      }
      case 'range': {
        const single = numberLiteral(e);
        const from = e.kind === 'Range' ? numberLiteral(e.from) : single;
        const to = e.kind === 'Range' ? numberLiteral(e.to) : single;
        if (!from || !to || !from.isInt || !to.isInt) return mismatch();
        if (from.value < type.min || to.value > type.max || from.value > to.value) {
          return void this.rep.report(types.outOfRange(what, `within ${type.min}..${type.max}, low to high`, exprText(e)), at);
        }
        return { min: from.value, max: to.value };
      }
      case 'list': {
        if (e.kind !== 'List') return mismatch();
        if (type.minItems && e.items.length < type.minItems) return void this.rep.report(types.outOfRange(what, 'a non-empty list', '[]'), at);
        const out: Json[] = [];
        let ok = true;
        const seenItems = new Set<string>();
        for (const item of e.items) {
          const v = this.checkValue(item, type.of, scope, `${what} item`);
          if (v === undefined || isDecl(v)) ok = false;
          else if (!seenItems.has(JSON.stringify(v))) {
            // A repeated list item adds nothing (metrics, operators, stop strings): keep the first.
            seenItems.add(JSON.stringify(v));
            out.push(v);
          }
        }
        return ok ? out : undefined;
      }
      case 'tuple': {
        if (e.kind !== 'Tuple' || e.items.length !== type.of.length) return mismatch();
        const out: Json[] = [];
        for (const [i, item] of e.items.entries()) {
          const v = this.checkValue(item, type.of[i]!, scope, `${what} item ${i + 1}`);
          if (v === undefined || isDecl(v)) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'ref':
        return this.evalKind(type.kind, e, scope);
      case 'union': {
        const pick = (t: FieldType['t'][]) => type.of.find(b => t.includes(b.t));
        const branch =
          e.kind === 'None' ? pick(['none'])
          : e.kind === 'Tuple' ? pick(['tuple'])
          : numberLiteral(e) ? pick(['int', 'float'])
          : e.kind === 'String' ? pick(['string', 'path', 'enum'])
          : e.kind === 'Reference' ? (type.of.find(b => b.t === 'enum' && b.values.includes(e.name)) ?? pick(['ref']) ?? pick(['enum']))
          : pick(['ref']);
        if (!branch) return mismatch();
        return this.checkValue(e, branch, scope, what);
      }
    }
  }
}
