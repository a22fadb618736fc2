// The lexical vocabulary of .rlvr: every token with a human label used in diagnostics
// ("expected a number after 'clip =', found 'high'").
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments', label: 'a comment' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true, label: 'a comment' });

/** Words that may also be used as field names (`train { model = m }`, `grid { reward in [...] }`). */
export const KeyName = createToken({ name: 'KeyName', pattern: Lexer.NA, label: 'a name' });

// Identifier is the "longer_alt" of every keyword, so `models` is a name, not `model` + `s`.
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name', categories: [KeyName] });

export type KeywordCategory = 'declaration' | 'structure' | 'operator' | 'constant';

interface KeywordSpec { word: string; category: KeywordCategory; isKey: boolean }
const keywordSpecs: KeywordSpec[] = [
  // declaration kinds (also usable as field names)
  { word: 'experiment', category: 'declaration', isKey: false },
  { word: 'dataset', category: 'declaration', isKey: true },
  { word: 'model', category: 'declaration', isKey: true },
  { word: 'prompt', category: 'declaration', isKey: true },
  { word: 'reward', category: 'declaration', isKey: true },
  { word: 'algorithm', category: 'declaration', isKey: true },
  { word: 'optimizer', category: 'declaration', isKey: true },
  { word: 'train', category: 'declaration', isKey: true },
  { word: 'eval', category: 'declaration', isKey: true },
  { word: 'grid', category: 'declaration', isKey: false },
  // structure
  { word: 'import', category: 'structure', isKey: false },
  { word: 'from', category: 'structure', isKey: false },
  { word: 'with', category: 'structure', isKey: false },
  { word: 'in', category: 'structure', isKey: false },
  { word: 'exclude', category: 'structure', isKey: false },
  { word: 'only', category: 'structure', isKey: false },
  { word: 'on', category: 'structure', isKey: false },
  { word: 'where', category: 'structure', isKey: false },
  { word: 'if', category: 'structure', isKey: false },
  { word: 'then', category: 'structure', isKey: false },
  { word: 'else', category: 'structure', isKey: false },
  // word operators
  { word: 'and', category: 'operator', isKey: false },
  { word: 'or', category: 'operator', isKey: false },
  { word: 'not', category: 'operator', isKey: false },
  // literal words
  { word: 'true', category: 'constant', isKey: false },
  { word: 'false', category: 'constant', isKey: false },
  { word: 'none', category: 'constant', isKey: false },
];

function keyword(spec: KeywordSpec): TokenType {
  const name = spec.word[0]!.toUpperCase() + spec.word.slice(1);
  return createToken({
    name,
    pattern: new RegExp(spec.word),
    longer_alt: Identifier,
    label: `'${spec.word}'`,
    categories: spec.isKey ? [KeyName] : [],
  });
}

const kw = Object.fromEntries(keywordSpecs.map(s => [s.word, keyword(s)])) as Record<string, TokenType>;

export const Experiment = kw.experiment!;
export const Dataset = kw.dataset!;
export const Model = kw.model!;
export const Prompt = kw.prompt!;
export const Reward = kw.reward!;
export const Algorithm = kw.algorithm!;
export const Optimizer = kw.optimizer!;
export const Train = kw.train!;
export const Eval = kw.eval!;
export const Grid = kw.grid!;
export const Import = kw.import!;
export const From = kw.from!;
export const With = kw.with!;
export const In = kw.in!;
export const Exclude = kw.exclude!;
export const Only = kw.only!;
export const On = kw.on!;
export const Where = kw.where!;
export const If = kw.if!;
export const Then = kw.then!;
export const Else = kw.else!;
export const And = kw.and!;
export const Or = kw.or!;
export const Not = kw.not!;
export const True = kw.true!;
export const False = kw.false!;
export const None = kw.none!;

/** Every keyword of the language with its highlighting category (the TextMate grammar is tested against this). */
export const KEYWORDS: ReadonlyArray<{ word: string; category: KeywordCategory }> = keywordSpecs.map(({ word, category }) => ({ word, category }));

/** The declaration kinds, in the order the checker and docs list them. */
export const DECLARATION_KINDS = ['dataset', 'model', 'prompt', 'reward', 'algorithm', 'optimizer', 'train', 'eval'] as const;
export type DeclarationKind = (typeof DECLARATION_KINDS)[number];


// Literals. Floats need a digit after the dot so that `1..3` lexes as Int DotDot Int.
export const Float = createToken({ name: 'Float', pattern: /\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/, label: 'a number' });
export const Int = createToken({ name: 'Int', pattern: /\d+/, label: 'a number' });
export const TripleString = createToken({ name: 'TripleString', pattern: /"""[\s\S]*?"""/, line_breaks: true, label: 'a string' });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n\r]|\\.)*"/, label: 'a string' });

// An unterminated string is still a string to the parser (its category), so the parse goes on
// without a cascade; parse() reports it from its token type. Unterminated comments and triple strings
// swallow the rest of the file, and parse() drops the parse errors that follow them.
export const UnterminatedTriple = createToken({ name: 'UnterminatedTriple', pattern: /"""[\s\S]*/, line_breaks: true, categories: [TripleString], label: 'a string' });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\.)*/, categories: [StringLit], label: 'a string' });
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'comments', line_breaks: true, label: 'a comment' });

// Punctuation and operators.
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: "'..'" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, label: "'=='" });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, label: "'!='" });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/, label: "'<='" });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/, label: "'>='" });
export const Less = createToken({ name: 'Less', pattern: /</, label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: />/, label: "'>'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });

export const allTokens: TokenType[] = [
  WhiteSpace, LineComment, BlockComment, UnterminatedComment,
  TripleString, UnterminatedTriple, StringLit, UnterminatedString, Float, Int,
  ...keywordSpecs.map(s => kw[s.word]!),
  KeyName, Identifier,
  DotDot, Dot, Comma, Semicolon, LBrace, RBrace, LParen, RParen, LBracket, RBracket,
  EqEq, NotEq, LessEq, GreaterEq, Less, Greater, Equals, Plus, Minus, Star, Slash,
];

/** The single lexer instance (Chevrotain lexers are reusable and costly to build). */
export const lexer = new Lexer(allTokens, { ensureOptimizations: false, positionTracking: 'full' });
