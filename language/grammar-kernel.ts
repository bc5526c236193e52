// The Gaussian-process rules of .pmix (the `gp(x -> y) { kernel = ... }` block and its kernel
// algebra), between the expression rules (grammar-expr.ts) and the rest of the grammar
// (grammar.ts): they use expressions, and models use them.
import { ExprGrammar } from './grammar-expr.js';
import * as T from './tokens.js';

export abstract class KernelGrammar extends ExprGrammar {
  // gp := ( 'gp' | 'experts' ) '(' gpVar { ',' gpVar } '->' gpVar { ',' gpVar } ')' [ '{' { gpItem [',' | ';'] } '}' ]
  //   (`experts(x -> y) { k = 3; gate = softmax; expert = linear }`: a mixture of experts, the same conditional form)
  public gp = this.RULE('gp', () => {
    this.OR9([{ ALT: () => this.CONSUME(T.Gp, { LABEL: 'head' }) }, { ALT: () => this.CONSUME(T.Experts, { LABEL: 'head' }) }]);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.gpVar, { LABEL: 'input' });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE1(this.gpVar, { LABEL: 'input' });
    });
    this.CONSUME(T.Arrow);
    this.SUBRULE2(this.gpVar, { LABEL: 'output' });
    this.MANY1(() => {
      this.CONSUME1(T.Comma);
      this.SUBRULE3(this.gpVar, { LABEL: 'output' });
    });
    this.CONSUME(T.RParen);
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.MANY2(() => {
        this.SUBRULE(this.gpItem);
        this.OPTION1(() => this.OR([{ ALT: () => this.CONSUME2(T.Comma) }, { ALT: () => this.CONSUME(T.Semicolon) }]));
      });
      this.CONSUME(T.RBrace);
    });
  });

  // gpVar := name [ ':' ( 'real' | 'int' ) ]
  public gpVar = this.RULE('gpVar', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.OR([{ ALT: () => this.CONSUME(T.Real, { LABEL: 'type' }) }, { ALT: () => this.CONSUME(T.Int, { LABEL: 'type' }) }]);
    });
  });

  // gpItem := name '=' kernelExpr        (kernel, mean, noise, inference, tasks, normalize_y)
  public gpItem = this.RULE('gpItem', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.kernelExpr);
  });

  // kernelExpr := kernelTerm { '+' kernelTerm }
  public kernelExpr = this.RULE('kernelExpr', () => {
    this.SUBRULE(this.kernelTerm, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(T.Plus);
      this.SUBRULE1(this.kernelTerm, { LABEL: 'operand' });
    });
  });

  // kernelTerm := kernelFactor { '*' kernelFactor }
  public kernelTerm = this.RULE('kernelTerm', () => {
    this.SUBRULE(this.kernelFactor, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(T.Star);
      this.SUBRULE1(this.kernelFactor, { LABEL: 'operand' });
    });
  });

  // kernelFactor := number [ 'in' '[' expr ',' expr ']' ] [ 'fixed' ] | (name | 'categorical') [ kernelArgs ] | '(' kernelExpr ')'
  public kernelFactor = this.RULE('kernelFactor', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.NumberLiteral, { LABEL: 'number' });
          this.OPTION(() => {
            this.CONSUME(T.In);
            this.CONSUME(T.LBracket);
            this.SUBRULE(this.expr, { LABEL: 'lower' });
            this.CONSUME(T.Comma);
            this.SUBRULE1(this.expr, { LABEL: 'upper' });
            this.CONSUME(T.RBracket);
          });
          this.OPTION1(() => this.CONSUME(T.Fixed));
          this.OPTION3({ GATE: () => this.LA(1).image === 'prior', DEF: () => this.SUBRULE(this.priorSpec) });
        },
      },
      {
        ALT: () => {
          // `expert = gp(...)` inside experts(...) { }: gp is a keyword, taken here as a name; `categorical` is a column
          // type's keyword, and also the multiclass GP's likelihood (likelihood = categorical).
          this.OR8([
            { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'name' }) },
            { ALT: () => this.CONSUME1(T.Gp, { LABEL: 'name' }) },
            { ALT: () => this.CONSUME(T.Categorical, { LABEL: 'name' }) },
          ]);
          this.OPTION2(() => this.SUBRULE(this.kernelArgs));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.kernelExpr, { LABEL: 'inner' });
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  // kernelArgs := '(' [ kernelArg { ',' kernelArg } [','] ] ')'
  public kernelArgs = this.RULE('kernelArgs', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.kernelArg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE1(this.kernelArg);
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  // priorSpec := 'prior' name '(' expr { ',' expr } ')'   (`prior` is a plain name, not reserved)
  public priorSpec = this.RULE('priorSpec', () => {
    this.CONSUME(T.Identifier, { LABEL: 'kw' });
    this.CONSUME1(T.Identifier, { LABEL: 'dist' });
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr, { LABEL: 'arg' });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE1(this.expr, { LABEL: 'arg' });
    });
    this.CONSUME(T.RParen);
  });

  // kernelArg := [ name '=' ] expr [ 'in' '[' expr ',' expr ']' ] [ 'fixed' ] [ priorSpec ]   (positional or named)
  public kernelArg = this.RULE('kernelArg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Equals,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'name' });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.expr, { LABEL: 'value' });
    this.OPTION1(() => {
      this.CONSUME(T.In);
      this.CONSUME(T.LBracket);
      this.SUBRULE1(this.expr, { LABEL: 'lower' });
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expr, { LABEL: 'upper' });
      this.CONSUME(T.RBracket);
    });
    this.OPTION2(() => this.CONSUME(T.Fixed));
    this.OPTION3({ GATE: () => this.LA(1).image === 'prior', DEF: () => this.SUBRULE(this.priorSpec) });
  });
}
