// The .rlvr grammar as a Chevrotain CstParser. One module-level instance is reused for every parse
// (building a parser runs a grammar analysis that costs milliseconds). Recovery is on: a syntax error
// yields a partial CST whose broken nodes carry `recoveredNode`, which the AST builder turns into holes.
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

function describe(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  const image = token.image.length > 24 ? token.image.slice(0, 21) + '...' : token.image;
  return `'${image.replace(/\s+/g, ' ')}'`;
}

function labelOf(t: TokenType): string {
  return t.LABEL ?? `'${t.name}'`;
}

function joinAlternatives(labels: string[]): string {
  const unique = [...new Set(labels)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return unique.slice(0, -1).join(', ') + ' or ' + unique[unique.length - 1];
}

/** Messages read "expected a number after 'clip =', found 'high'". The catalogue wraps them with a code. */
const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    const after = previous && previous.image && previous.tokenType !== EOF ? ` after ${describe(previous)}` : '';
    return `expected ${labelOf(expected)}${after}, found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)}: expected a declaration or an experiment`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }) {
    const firsts = expectedPathsPerAlt.flat().map(path => labelOf(path[0]!));
    const after = previous && previous.image ? ` after ${describe(previous)}` : '';
    return `expected ${ruleDescription[ruleName] ?? joinAlternatives(firsts)}${after}, found ${describe(actual[0]!)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const firsts = expectedIterationPaths.map(path => labelOf(path[0]!));
    return `expected ${ruleDescription[ruleName] ?? joinAlternatives(firsts)}, found ${describe(actual[0]!)}`;
  },
};

/** How a rule is named in "expected ..." messages, where listing its first tokens would be noise. */
const VALUE = 'a value (a number, string, name, list, tuple or block)';
const ruleDescription: Record<string, string> = {
  primary: VALUE,
  notExpr: VALUE,
  unary: VALUE,
  postfix: VALUE,
  experimentItem: "a declaration, 'grid' or a setting such as 'seed = 1'",
  topItem: "'experiment' or a declaration",
  declKind: 'a declaration kind',
  entry: "a field such as 'name = value'",
  gridEntry: "an axis such as 'seed in [1, 2]', 'exclude { ... }' or 'only { ... }'",
  declaration: 'a declaration',
};

export class RlvrParser extends CstParser {
  constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 3,
      errorMessageProvider: messageProvider,
    });
    this.performSelfAnalysis();
  }

  // Imports are accepted anywhere at top level so that a late one gets a precise message from the AST builder.
  public file = this.RULE('file', () => {
    this.MANY(() => this.SUBRULE(this.topItem));
  });

  private importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
      this.CONSUME(T.RBrace);
      this.CONSUME(T.From);
    });
    this.CONSUME(T.StringLit);
    this.OPTION2(() => this.CONSUME(T.Semicolon));
  });

  private topItem = this.RULE('topItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.experimentDecl) },
      { ALT: () => this.SUBRULE(this.declaration) },
      { ALT: () => this.SUBRULE(this.gridDecl) },
    ]);
  });

  private experimentDecl = this.RULE('experimentDecl', () => {
    this.CONSUME(T.Experiment);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.experimentItem);
      this.OPTION(() => this.SUBRULE(this.separator));
    });
    this.CONSUME(T.RBrace);
  });

  private experimentItem = this.RULE('experimentItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.declaration) },
      { ALT: () => this.SUBRULE(this.gridDecl) },
      { ALT: () => this.SUBRULE(this.setting) },
    ]);
  });

  private setting = this.RULE('setting', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  private declaration = this.RULE('declaration', () => {
    this.SUBRULE(this.declKind);
    this.OPTION(() => this.CONSUME(T.Identifier));
    this.OR([
      { ALT: () => { this.CONSUME(T.Equals); this.SUBRULE(this.expression); } },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  private declKind = this.RULE('declKind', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Dataset) },
      { ALT: () => this.CONSUME(T.Model) },
      { ALT: () => this.CONSUME(T.Prompt) },
      { ALT: () => this.CONSUME(T.Reward) },
      { ALT: () => this.CONSUME(T.Algorithm) },
      { ALT: () => this.CONSUME(T.Optimizer) },
      { ALT: () => this.CONSUME(T.Train) },
      { ALT: () => this.CONSUME(T.Eval) },
    ]);
  });

  private gridDecl = this.RULE('gridDecl', () => {
    this.CONSUME(T.Grid);
    this.OPTION(() => this.CONSUME(T.Identifier));
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.gridEntry);
      this.OPTION2(() => this.SUBRULE(this.separator));
    });
    this.CONSUME(T.RBrace);
  });

  private gridEntry = this.RULE('gridEntry', () => {
    this.OR([
      { ALT: () => { this.SUBRULE(this.path); this.CONSUME(T.In); this.SUBRULE(this.expression); } },
      { ALT: () => { this.CONSUME(T.Exclude); this.SUBRULE(this.block); } },
      { ALT: () => { this.CONSUME(T.Only); this.SUBRULE2(this.block); } },
    ]);
  });

  private separator = this.RULE('separator', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semicolon) }]);
  });

  public block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.entry);
      this.OPTION(() => this.SUBRULE(this.separator));
    });
    this.CONSUME(T.RBrace);
  });

  // Longer alternatives first: a bare flag (`greedy`) is a prefix of the other two.
  // The gate looks one token further than the computed lookahead would, so that in
  // `greedy` ⏎ `metrics = [...]` the flag is not read as the head of a sub-block `greedy metrics {`.
  // A sub-block's name must be on its head's line: `tied` ⏎ `pretrain on d { }` is a flag, then a sub-block.
  private entry = this.RULE('entry', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.assignment) },
      { GATE: () => this.startsSubBlock(), ALT: () => this.SUBRULE(this.subBlock) },
      { ALT: () => this.SUBRULE(this.flag) },
    ]);
  });

  private startsSubBlock(): boolean {
    const second = this.LA(2).tokenType;
    if (second === T.LBrace || second === T.On) return true;
    if (second !== T.Identifier || this.LA(2).startLine !== this.LA(1).startLine) return false;
    const third = this.LA(3).tokenType;
    return third === T.LBrace || third === T.On;
  }

  private assignment = this.RULE('assignment', () => {
    this.SUBRULE(this.path);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  // `pretrain on arith { ... }`, `strategy code { ... }`. The `on` target is a path, not an expression,
  // so that `arith { ... }` is not read as a constructor block.
  private subBlock = this.RULE('subBlock', () => {
    this.CONSUME(T.KeyName);
    this.OPTION(() => this.CONSUME(T.Identifier));
    this.OPTION2(() => { this.CONSUME(T.On); this.SUBRULE(this.path); });
    this.SUBRULE(this.block);
  });

  private flag = this.RULE('flag', () => {
    this.CONSUME(T.KeyName);
  });

  private path = this.RULE('path', () => {
    this.CONSUME(T.KeyName);
    this.MANY(() => { this.CONSUME(T.Dot); this.CONSUME2(T.KeyName); });
  });

  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.withExpr);
    this.OPTION(() => { this.CONSUME(T.Where); this.SUBRULE2(this.withExpr); });
  });

  private withExpr = this.RULE('withExpr', () => {
    this.SUBRULE(this.orExpr);
    this.MANY(() => { this.CONSUME(T.With); this.SUBRULE(this.block); });
  });

  private orExpr = this.RULE('orExpr', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => { this.CONSUME(T.Or); this.SUBRULE2(this.andExpr); });
  });

  private andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => { this.CONSUME(T.And); this.SUBRULE2(this.notExpr); });
  });

  private notExpr = this.RULE('notExpr', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Not); this.SUBRULE(this.notExpr); } },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  private comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.rangeExpr);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq) },
        { ALT: () => this.CONSUME(T.NotEq) },
        { ALT: () => this.CONSUME(T.LessEq) },
        { ALT: () => this.CONSUME(T.GreaterEq) },
        { ALT: () => this.CONSUME(T.Less) },
        { ALT: () => this.CONSUME(T.Greater) },
      ]);
      this.SUBRULE2(this.rangeExpr);
    });
  });

  private rangeExpr = this.RULE('rangeExpr', () => {
    this.SUBRULE(this.additive);
    this.OPTION(() => { this.CONSUME(T.DotDot); this.SUBRULE2(this.additive); });
  });

  private additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  private multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]);
      this.SUBRULE2(this.unary);
    });
  });

  private unary = this.RULE('unary', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Minus); this.SUBRULE(this.unary); } },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]);
  });

  // Postfix operators apply left to right: `a.b(1) { ... }.c`.
  private postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.member) },
        { ALT: () => this.SUBRULE(this.callArgs) },
        { ALT: () => this.SUBRULE(this.block) },
      ]);
    });
  });

  private member = this.RULE('member', () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.KeyName);
  });

  private callArgs = this.RULE('callArgs', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
    this.CONSUME(T.RParen);
  });

  private argument = this.RULE('argument', () => {
    this.OPTION(() => { this.CONSUME(T.Identifier); this.CONSUME(T.Equals); });
    this.SUBRULE(this.expression);
  });

  private primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Int) },
      { ALT: () => this.CONSUME(T.Float) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.TripleString) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.None) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
    ]);
  });

  private list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.expression);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  // `(x)` groups; `(a, b)` and `()` are tuples. The commas tell them apart.
  private parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(T.LParen);
    this.MANY(() => {
      this.SUBRULE(this.expression);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  private ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expression);
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expression);
  });
}

/** The single parser instance. */
export const parser = new RlvrParser();
