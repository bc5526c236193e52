// The query and constant-expression rules of .pmix: `p(y | x = 1)`, `2 * pi ^ 2`, `f(a = 1)`,
// `[1, 2]`. The grammar (grammar.ts) is one chevrotain parser whose rules are split by construct
// over a class chain, ExprGrammar <- KernelGrammar (grammar-kernel.ts) <- PmixGrammar: each class
// defines its rules as fields (a base's rules use only its own and its bases'), and the most
// derived class runs performSelfAnalysis once all are defined.
import { CstParser, type IParserConfig } from 'chevrotain';
import * as T from './tokens.js';

export abstract class ExprGrammar extends CstParser {
  constructor(config: IParserConfig) {
    super(T.allTokens, config);
  }

  // queryExpr := form '(' [ queryItem { ',' queryItem } [','] ] [ '|' assignments ] ')'
  // The form (logp, p, posterior, sample, mode, mean) is a name; which items it accepts
  // is checked when the AST is built, so an unknown form can get a "did you mean".
  public queryExpr = this.RULE('queryExpr', () => {
    this.CONSUME(T.Identifier, { LABEL: 'form' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.queryItem, { LABEL: 'target' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE1(this.queryItem, { LABEL: 'target' });
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
    this.OPTION2(() => {
      this.CONSUME(T.Bar);
      this.SUBRULE(this.assignment, { LABEL: 'given' });
      this.MANY1(() => {
        this.CONSUME2(T.Comma);
        this.SUBRULE1(this.assignment, { LABEL: 'given' });
      });
      this.OPTION3(() => this.CONSUME3(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  // queryItem := assignment | interval | expr
  public queryItem = this.RULE('queryItem', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.assignment) }, { ALT: () => this.SUBRULE(this.interval) }, { ALT: () => this.SUBRULE(this.expr) }]);
  });

  // interval := name 'in' '[' expr ',' expr ']'      (a query item: p(x in [0, 1]))
  public interval = this.RULE('interval', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.In);
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expr, { LABEL: 'lower' });
    this.CONSUME(T.Comma);
    this.SUBRULE1(this.expr, { LABEL: 'upper' });
    this.CONSUME(T.RBracket);
  });

  // assignment := name '=' expr
  public assignment = this.RULE('assignment', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  // ---- constant expressions -----------------------------------------------------------

  // expr := term { ('+' | '-') term }
  public expr = this.RULE('expr', () => {
    this.SUBRULE(this.term, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) },
      ]);
      this.SUBRULE1(this.term, { LABEL: 'operand' });
    });
  });

  // term := unary { ('*' | '/') unary }
  public term = this.RULE('term', () => {
    this.SUBRULE(this.unary, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'op' }) },
      ]);
      this.SUBRULE1(this.unary, { LABEL: 'operand' });
    });
  });

  // unary := ('-' | '+') unary | power
  public unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR1([
            { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) },
          ]);
          this.SUBRULE(this.unary, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  });

  // power := primary [ '^' unary ]        (right associative; -2^2 is -(2^2))
  public power = this.RULE('power', () => {
    this.SUBRULE(this.primary, { LABEL: 'base' });
    this.OPTION(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE(this.unary, { LABEL: 'exponent' });
    });
  });

  // primary := number | string | name [ '(' callArgs ')' ]
  //          | '(' expr ')' | '[' [ expr { ',' expr } [','] ] ']'
  public primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'name' });
          this.OPTION(() => {
            this.CONSUME(T.LParen, { LABEL: 'call' });
            this.SUBRULE(this.callArgs, { LABEL: 'args' });
            this.CONSUME(T.RParen);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME1(T.LParen, { LABEL: 'group' });
          this.SUBRULE(this.expr, { LABEL: 'inner' });
          this.CONSUME1(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket, { LABEL: 'array' });
          this.SUBRULE1(this.exprList, { LABEL: 'items' });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  // callArgs := [ callArg { ',' callArg } [','] ]
  // (positional arguments come first; the AST builder reports one after a named argument)
  public callArgs = this.RULE('callArgs', () => {
    this.OPTION(() => {
      this.SUBRULE(this.callArg, { LABEL: 'item' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE1(this.callArg, { LABEL: 'item' });
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
  });

  // callArg := [ name '=' ] expr       (`mlp(hidden = 64, layers = 2)`, `f(1, 2, scale = 3)`)
  public callArg = this.RULE('callArg', () => {
    this.OPTION({
      GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType === T.Equals,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'name' });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  // exprList := [ expr { ',' expr } [','] ]
  public exprList = this.RULE('exprList', () => {
    this.OPTION(() => {
      this.SUBRULE(this.expr, { LABEL: 'item' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE1(this.expr, { LABEL: 'item' });
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
  });
}
