// The typed AST: what every later stage (checker, formatter, code generator) reads.
// Every node has a span. Where error recovery left a broken piece, the AST has an explicit `Hole`,
// so later stages skip it instead of reporting a cascade of follow-on errors.
import type { DeclarationKind } from './tokens.js';

/** 1-based line and column; offset is 0-based into the source text. */
export interface Position { line: number; column: number; offset: number }
/** `end` is exclusive: it points just past the last character. */
export interface Span { start: Position; end: Position }

interface NodeBase { span: Span }

export interface Hole extends NodeBase { kind: 'Hole' }

export interface Name extends NodeBase { kind: 'Name'; text: string }

export interface SourceFile extends NodeBase {
  kind: 'SourceFile';
  imports: ImportDecl[];
  items: Array<ExperimentDecl | Declaration | GridDecl | Hole>;
}

export interface ImportDecl extends NodeBase {
  kind: 'Import';
  /** Selected names (`import { a, b } from "x"`), or null for the whole file. */
  names: Name[] | null;
  path: StringLiteral;
}

export interface ExperimentDecl extends NodeBase {
  kind: 'Experiment';
  name: Name | Hole;
  items: Array<Declaration | GridDecl | Setting | Hole>;
}

export interface Setting extends NodeBase { kind: 'Setting'; key: Name; value: Expr }

export interface Declaration extends NodeBase {
  kind: 'Declaration';
  declKind: DeclarationKind;
  keywordSpan: Span;
  name: Name | null;
  /** `KIND name = value`; null for the block form. */
  value: Expr | null;
  /** `KIND name { ... }`; null for the `=` form. */
  body: Block | null;
}

export interface GridDecl extends NodeBase {
  kind: 'Grid';
  name: Name | null;
  entries: Array<GridAxis | GridRule | Hole>;
}

export interface GridAxis extends NodeBase { kind: 'GridAxis'; path: Path; values: Expr }
export interface GridRule extends NodeBase { kind: 'GridRule'; rule: 'exclude' | 'only'; body: Block }

export interface Path extends NodeBase { kind: 'Path'; parts: Name[] }

export interface Block extends NodeBase { kind: 'Block'; entries: Array<Entry | Hole> }

export type Entry = Assignment | SubBlock | Flag;
export interface Assignment extends NodeBase { kind: 'Assignment'; path: Path; value: Expr }
/** `pretrain on arith { ... }`, `strategy code { ... }`. */
export interface SubBlock extends NodeBase { kind: 'SubBlock'; head: Name; name: Name | null; on: Path | null; body: Block }
/** A bare field name meaning `true`, e.g. `greedy`. */
export interface Flag extends NodeBase { kind: 'Flag'; name: Name }

export type Expr =
  | NumberLiteral | StringLiteral | BoolLiteral | NoneLiteral | Reference | Member | Call | Construct
  | ListExpr | TupleExpr | RecordExpr | UnaryExpr | BinaryExpr | RangeExpr | WithExpr | WhereExpr | IfExpr
  | ParenExpr | Hole;

export interface NumberLiteral extends NodeBase { kind: 'Number'; value: number; raw: string; isInt: boolean }
export interface StringLiteral extends NodeBase { kind: 'String'; value: string; raw: string; triple: boolean }
export interface BoolLiteral extends NodeBase { kind: 'Bool'; value: boolean }
export interface NoneLiteral extends NodeBase { kind: 'None' }
export interface Reference extends NodeBase { kind: 'Reference'; name: string }
export interface Member extends NodeBase { kind: 'Member'; object: Expr; name: Name }
export interface Argument extends NodeBase { kind: 'Argument'; name: Name | null; value: Expr }
export interface Call extends NodeBase { kind: 'Call'; callee: Expr; args: Argument[] }
/** `arithmetic { ... }`, `json("x") { ... }`: a value built from a block of fields. */
export interface Construct extends NodeBase { kind: 'Construct'; callee: Expr; body: Block }
export interface ListExpr extends NodeBase { kind: 'List'; items: Expr[] }
export interface TupleExpr extends NodeBase { kind: 'Tuple'; items: Expr[] }
export interface RecordExpr extends NodeBase { kind: 'Record'; body: Block }
export interface UnaryExpr extends NodeBase { kind: 'Unary'; op: '-' | 'not'; operand: Expr }
export type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/';
export interface BinaryExpr extends NodeBase { kind: 'Binary'; op: BinaryOp; left: Expr; right: Expr }
export interface RangeExpr extends NodeBase { kind: 'Range'; from: Expr; to: Expr }
export interface WithExpr extends NodeBase { kind: 'With'; base: Expr; overrides: Block }
export interface WhereExpr extends NodeBase { kind: 'Where'; value: Expr; condition: Expr }
export interface IfExpr extends NodeBase { kind: 'If'; condition: Expr; then: Expr; else: Expr }
/** Kept so that the formatter can preserve grouping the author wrote. */
export interface ParenExpr extends NodeBase { kind: 'Paren'; inner: Expr }

export type AnyNode =
  | SourceFile | ImportDecl | ExperimentDecl | Setting | Declaration | GridDecl | GridAxis | GridRule | Path | Block
  | Entry | Expr | Argument | Name;
