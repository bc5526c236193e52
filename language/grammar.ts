// The grammar of .pmix, one rule per construct, in the order of the language reference
// (docs/language.md). It builds a concrete syntax tree; visitor.ts turns that into the AST.
//
// Chevrotain's in-rule recovery (token insertion, re-sync) is off: parse.ts recovers at
// statement boundaries instead, so a bad statement gives exactly one diagnostic.
import { CstParser } from 'chevrotain';
import { LazyLookahead } from './lazy-lookahead.js';
import { messageProvider } from './messages.js';
import * as T from './tokens.js';

export class PmixGrammar extends CstParser {
  /**
   * validate: run chevrotain's grammar checks (ambiguity, left recursion...). They cost ~25 ms
   * on every start of the CLI and find only mistakes in this file, so the shared parser skips
   * them and test/language/grammar-validation.test.ts builds one with them on.
   * eagerLookahead: compute every lookahead function now (chevrotain's default) instead of on
   * first use (lazy-lookahead.ts); tests compare the two.
   */
  constructor(options: { validate?: boolean; eagerLookahead?: boolean } = {}) {
    super(T.allTokens, {
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

/** Rules the driver may start from. */
export type StartRule = 'statement' | 'queryExpr';

// Self-analysis is costly, so one instance serves every parse (parses never interleave).
export const grammar = new PmixGrammar();
