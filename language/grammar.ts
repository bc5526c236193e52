// The grammar of .pmix, one rule per construct, in the order of the language reference
// (docs/language.md); the GP rules are in grammar-kernel.ts and the query and expression rules
// in grammar-expr.ts, the classes this one extends. It builds a concrete syntax tree;
// visitor.ts turns that into the AST.
//
// Chevrotain's in-rule recovery (token insertion, re-sync) is off: parse.ts recovers at
// statement boundaries instead, so a bad statement gives exactly one diagnostic.
import { KernelGrammar } from './grammar-kernel.js';
import { LazyLookahead } from './lazy-lookahead.js';
import { messageProvider } from './messages.js';
import * as T from './tokens.js';

export class PmixGrammar extends KernelGrammar {
  /**
   * validate: run chevrotain's grammar checks (ambiguity, left recursion...). They cost ~25 ms
   * on every start of the CLI and find only mistakes in the grammar files, so the shared parser skips
   * them and test/language/grammar-validation.test.ts builds one with them on.
   * eagerLookahead: compute every lookahead function now (chevrotain's default) instead of on
   * first use (lazy-lookahead.ts); tests compare the two.
   */
  constructor(options: { validate?: boolean; eagerLookahead?: boolean } = {}) {
    super({
      recoveryEnabled: false,
      nodeLocationTracking: 'onlyOffset',
      maxLookahead: 3,
      errorMessageProvider: messageProvider,
      skipValidations: !options.validate,
      // chevrotain tests the key's presence: an undefined strategy would replace its default.
      ...(options.eagerLookahead ? {} : { lookaheadStrategy: new LazyLookahead(3) }),
    });
    this.performSelfAnalysis();
  }

  // statement := (dataDecl | modelDecl | letDecl | fitDecl | queryDecl) { ';' }
  public statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.letDecl) },
      { ALT: () => this.SUBRULE(this.fitDecl) },
      { ALT: () => this.SUBRULE(this.queryDecl) },
    ]);
    this.MANY(() => this.CONSUME(T.Semicolon));
  });

  // ---- data ---------------------------------------------------------------------------

  // dataDecl := 'data' name 'from' string '{' { column [','] } '}'
  public dataDecl = this.RULE('dataDecl', () => {
    this.CONSUME(T.Data);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.From);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.column);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  // column := name ':' columnType
  public column = this.RULE('column', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.columnType);
  });

  // columnType := 'real' | 'int' | 'bool' | 'categorical' [ '(' string { ',' string } [','] ')' ]
  public columnType = this.RULE('columnType', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Real, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(T.Int, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(T.Bool, { LABEL: 'type' }) },
      {
        ALT: () => {
          this.CONSUME(T.Categorical, { LABEL: 'type' });
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.CONSUME1(T.StringLiteral, { LABEL: 'level' });
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.CONSUME2(T.StringLiteral, { LABEL: 'level' });
            });
            this.OPTION1(() => this.CONSUME1(T.Comma));
            this.CONSUME(T.RParen);
          });
        },
      },
    ]);
  });

  // ---- model --------------------------------------------------------------------------

  // modelDecl := 'model' name [ '(' name { ',' name } [','] ')' ] '=' modelExpr
  public modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME1(T.Identifier, { LABEL: 'var' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.Identifier, { LABEL: 'var' });
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.modelExpr);
  });

  // modelExpr := ( mixture | product | circuit | squared | integral | gp | leaf ) [ '*' squared ]
  //   (`c_plus * square(c)`: a monotone circuit times a squared one)
  public modelExpr = this.RULE('modelExpr', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.mixture) },
      { ALT: () => this.SUBRULE(this.product) },
      { ALT: () => this.SUBRULE(this.circuit) },
      { ALT: () => this.SUBRULE(this.squared) },
      { ALT: () => this.SUBRULE(this.integral) },
      { ALT: () => this.SUBRULE(this.gp) },
      { ALT: () => this.SUBRULE(this.leaf) },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Star);
      this.SUBRULE1(this.squared, { LABEL: 'timesSquared' });
    });
  });

  // mixture := 'mixture' [ '(' [argList] ')' ]
  //            ( 'of' modelExpr | '{' modelExpr { ',' modelExpr } [','] '}' )
  public mixture = this.RULE('mixture', () => {
    this.CONSUME(T.Mixture);
    this.OPTION(() => this.SUBRULE(this.argParens));
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Of);
          this.SUBRULE(this.modelExpr, { LABEL: 'component' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.SUBRULE1(this.modelExpr, { LABEL: 'components' });
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.modelExpr, { LABEL: 'components' });
          });
          this.OPTION1(() => this.CONSUME1(T.Comma));
          this.CONSUME(T.RBrace);
        },
      },
    ]);
  });

  // product := 'product' '{' part { ',' part } [','] '}'
  public product = this.RULE('product', () => {
    this.CONSUME(T.Product);
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.part);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE1(this.part);
    });
    this.OPTION(() => this.CONSUME1(T.Comma));
    this.CONSUME(T.RBrace);
  });

  // part := ( name | '(' name { ',' name } [','] ')' ) ':' modelExpr
  public part = this.RULE('part', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'var' }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.CONSUME1(T.Identifier, { LABEL: 'var' });
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.CONSUME2(T.Identifier, { LABEL: 'var' });
          });
          this.OPTION(() => this.CONSUME1(T.Comma));
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.modelExpr);
  });

  // circuit := 'circuit' '{' { circuitEntry [',' | ';'] } '}'
  public circuit = this.RULE('circuit', () => {
    this.CONSUME(T.Circuit);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.circuitEntry);
      this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semicolon) }]));
    });
    this.CONSUME(T.RBrace);
  });

  // squared := ( 'square' | 'sos' ) '(' modelExpr { ',' modelExpr } [','] ')'
  public squared = this.RULE('squared', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Square, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Sos, { LABEL: 'op' }) }]);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.modelExpr, { LABEL: 'parts' });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE1(this.modelExpr, { LABEL: 'parts' });
    });
    this.OPTION(() => this.CONSUME1(T.Comma));
    this.CONSUME(T.RParen);
  });

  // integral := 'integral' name ':' integralDomain [ 'by' name [ '(' [argList] ')' ] ] 'of' modelExpr
  //   e.g. `integral z: real in [-1, 1] by gauss_legendre(points = 64) of Normal(mean = mlp(hidden = 32), sd = 0.2)`
  public integral = this.RULE('integral', () => {
    this.CONSUME(T.Integral);
    this.CONSUME(T.Identifier, { LABEL: 'latent' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.integralDomain);
    this.OPTION(() => {
      this.CONSUME(T.By);
      this.CONSUME1(T.Identifier, { LABEL: 'rule' });
      this.OPTION1(() => this.SUBRULE(this.argParens));
    });
    this.CONSUME(T.Of);
    this.SUBRULE(this.modelExpr, { LABEL: 'body' });
  });

  // integralDomain := 'real' 'in' '[' expr ',' expr ']' | name     (`normal`: checked by the compiler)
  public integralDomain = this.RULE('integralDomain', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Real);
          this.CONSUME(T.In);
          this.CONSUME(T.LBracket);
          this.SUBRULE(this.expr, { LABEL: 'lower' });
          this.CONSUME(T.Comma);
          this.SUBRULE1(this.expr, { LABEL: 'upper' });
          this.CONSUME(T.RBracket);
        },
      },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'name' }) },
    ]);
  });

  // circuitEntry := ( name | 'product' | 'integral' ) [ name ] [ '(' [argList] ')' ]
  //   e.g. `region quad_tree(width = 8)`, `inputs Bernoulli`, `sum(units = 16)`, `product hadamard`
  public circuitEntry = this.RULE('circuitEntry', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'key' }) },
      { ALT: () => this.CONSUME(T.Product, { LABEL: 'key' }) },
      { ALT: () => this.CONSUME(T.Integral, { LABEL: 'key' }) },
    ]);
    // `sum real(...)`: real is a keyword (a column type), so it is taken here by name too
    this.OPTION(() => this.OR1([{ ALT: () => this.CONSUME1(T.Identifier, { LABEL: 'name' }) }, { ALT: () => this.CONSUME(T.Real, { LABEL: 'name' }) }]));
    this.OPTION1(() => this.SUBRULE(this.argParens));
  });

  // leaf := name [ '(' [argList] ')' ]      (a distribution, or another model by name)
  public leaf = this.RULE('leaf', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.argParens));
  });

  // argParens := '(' [ arg { ',' arg } [','] ] ')'
  public argParens = this.RULE('argParens', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE1(this.arg);
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  // arg := name [ '=' expr ] [ 'in' '[' expr ',' expr ']' ] [ 'fixed' ]
  // (`weights` is reserved for fit, but is also the name of a mixture argument)
  public arg = this.RULE('arg', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'name' }) },
      { ALT: () => this.CONSUME(T.Weights, { LABEL: 'name' }) },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr, { LABEL: 'value' });
    });
    this.OPTION1(() => {
      this.CONSUME(T.In);
      this.CONSUME(T.LBracket);
      this.SUBRULE1(this.expr, { LABEL: 'lower' });
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expr, { LABEL: 'upper' });
      this.CONSUME(T.RBracket);
    });
    this.OPTION2(() => this.CONSUME(T.Fixed));
  });

  // ---- let, fit, query ----------------------------------------------------------------

  // letDecl := 'let' name '=' expr
  public letDecl = this.RULE('letDecl', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  // fitDecl := 'fit' model 'on' data [ 'weights' column ] [ 'by' method [ '(' [argList] ')' ] ]
  public fitDecl = this.RULE('fitDecl', () => {
    this.CONSUME(T.Fit);
    this.CONSUME1(T.Identifier, { LABEL: 'model' });
    this.CONSUME(T.On);
    this.CONSUME2(T.Identifier, { LABEL: 'data' });
    this.OPTION(() => {
      this.CONSUME(T.Weights);
      this.CONSUME3(T.Identifier, { LABEL: 'weights' });
    });
    // Without 'by' the method is the default, em (a KDE's fit, which runs no optimizer, is written so).
    this.OPTION2(() => {
      this.CONSUME(T.By);
      this.CONSUME4(T.Identifier, { LABEL: 'method' });
      this.OPTION1(() => this.SUBRULE(this.argParens));
    });
  });

  // queryDecl := 'query' model ':' queryExpr
  public queryDecl = this.RULE('queryDecl', () => {
    this.CONSUME(T.Query);
    this.CONSUME(T.Identifier, { LABEL: 'model' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.queryExpr);
  });
}

/** Rules the driver may start from. */
export type StartRule = 'statement' | 'queryExpr';

// Self-analysis is costly, so one instance serves every parse (parses never interleave).
export const grammar = new PmixGrammar();
