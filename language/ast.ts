// The abstract syntax tree of a .pmix file. Every node carries the source span it came
// from, so later stages (name resolution, type checks, lowering) can report on it.
import type { GpModelExpr } from './gp-ast.js';

import type { Expr, Ident, Span } from './expr-ast.js';
export type { Expr, Ident, Span };

// ---------------------------------------------------------------------------------------
// Data declarations: `data penguins from "penguins.csv" { bill: real, species: categorical }`

export type ColumnTypeAst =
  | { readonly kind: 'real'; readonly span: Span }
  | { readonly kind: 'int'; readonly span: Span }
  | { readonly kind: 'bool'; readonly span: Span }
  /** levels absent: inferred from the data, sorted. */
  | { readonly kind: 'categorical'; readonly levels?: readonly { value: string; span: Span }[]; readonly span: Span };

export interface ColumnDecl {
  readonly name: Ident;
  readonly type: ColumnTypeAst;
  readonly span: Span;
}

export interface DataDecl {
  readonly kind: 'data';
  readonly name: Ident;
  readonly path: { readonly value: string; readonly span: Span };
  readonly columns: readonly ColumnDecl[];
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Models

/**
 * An argument of a leaf, a mixture or a fit method: `k = 3`, `mean = 0 fixed`,
 * `sd = 1 in [0.01, 10]`, or a bare flag such as `full` (then value is undefined).
 */
export interface Arg {
  readonly name: Ident;
  readonly value?: Expr;
  /** `in [lo, hi]`: box constraint for a learnable parameter. */
  readonly bounds?: { readonly lower: Expr; readonly upper: Expr; readonly span: Span };
  /** `fixed`: the value is frozen, fitting does not change it. */
  readonly fixed?: Span;
  readonly span: Span;
}

export type ModelExpr =
  /** `Normal(full)`, `Poisson(rate = 3)`, `Categorical`; also a reference to another model by name. */
  | { readonly kind: 'leaf'; readonly name: Ident; readonly args: readonly Arg[]; readonly hasParens: boolean; readonly span: Span }
  /** `mixture(k = 3) of Normal(full)`: k copies of one component structure, each with its own parameters. */
  | { readonly kind: 'mixtureOf'; readonly args: readonly Arg[]; readonly component: ModelExpr; readonly span: Span }
  /** `mixture(weights = [0.3, 0.7]) { Normal(mean = 0), Normal(mean = 5) }`: explicit components. */
  | { readonly kind: 'mixtureList'; readonly args: readonly Arg[]; readonly components: readonly ModelExpr[]; readonly span: Span }
  /** `product { (x, y): Normal(full), z: Categorical }`: independent parts over disjoint variables. */
  | { readonly kind: 'product'; readonly parts: readonly ProductPart[]; readonly span: Span }
  /** `circuit { region quad_tree(width = 8)  inputs Bernoulli  sum(units = 16)  product hadamard }` */
  | { readonly kind: 'circuit'; readonly entries: readonly CircuitEntry[]; readonly span: Span }
  /**
   * `square(circuit { ... sum real(units = 8) })`, `sos(c1, ..., cr)`, `c_plus * square(c)`: squared
   * (subtractive) circuits, c^2 / Z, sum_k c_k^2 / Z or c+ c^2 / Z. For op 'times', `parts` is the
   * one squared expression on the right of `*` and `monotone` the circuit on its left.
   */
  | { readonly kind: 'square'; readonly op: 'square' | 'sos' | 'times'; readonly parts: readonly ModelExpr[]; readonly monotone?: ModelExpr; readonly span: Span }
  /**
   * `integral z: real in [-1, 1] by gauss_legendre(points = 32) of Normal(mean = mlp(hidden = 32), sd = 0.2)`:
   * a continuous mixture over the latent z (an integral unit). The domain is `real in [a, b]`
   * (uniform) or a name (`normal`: the standard normal); the rule after `by` is optional.
   */
  | {
      readonly kind: 'integral';
      readonly latent: Ident;
      readonly domain: { readonly kind: 'interval'; readonly lower: Expr; readonly upper: Expr; readonly span: Span } | { readonly kind: 'named'; readonly name: Ident };
      readonly rule?: { readonly name: Ident; readonly args: readonly Arg[]; readonly span: Span };
      readonly body: ModelExpr;
      readonly span: Span;
    }
  /** `gp(x: real -> y: real) { kernel = 2 * rbf(ls = 1) + white(0.1) }`: a Gaussian process (gp-ast.ts). */
  | GpModelExpr;

/** One line of a circuit block: a key (`region`, `inputs`, `sum`, `product`), an optional name and arguments. */
export interface CircuitEntry {
  readonly key: Ident;
  readonly name?: Ident;
  readonly args: readonly Arg[];
  readonly hasParens: boolean;
  readonly span: Span;
}

export interface ProductPart {
  readonly scope: readonly Ident[];
  readonly model: ModelExpr;
  readonly span: Span;
}

export interface ModelDecl {
  readonly kind: 'model';
  readonly name: Ident;
  /** `model Std(x) = Normal(...)`: variables named in the declaration. */
  readonly vars?: readonly Ident[];
  readonly body: ModelExpr;
  readonly span: Span;
}

/** `let s = 2 * pi`: a named constant usable in later expressions. */
export interface LetDecl {
  readonly kind: 'let';
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// fit and query

export interface FitDecl {
  readonly kind: 'fit';
  readonly model: Ident;
  readonly data: Ident;
  /** `weights count`: a column of the data holding per-row sample weights. */
  readonly weights?: Ident;
  /** `em`, `adam` (checked by the compiler, so unknown methods get a diagnostic there). */
  readonly method: Ident;
  /** No `by` was written: `method` is the language's default (em), and a fit uses its family's default method instead. */
  readonly byDefault?: boolean;
  readonly args: readonly Arg[];
  readonly span: Span;
}

/** `x = 3.1` inside a query. */
export interface Assignment {
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

/** `x in [0, 1]` inside a query: the variable lies in the closed interval. */
export interface IntervalItem {
  readonly name: Ident;
  readonly lower: Expr;
  readonly upper: Expr;
  readonly span: Span;
}

/**
 * The forms a query takes (the text after `query Model:` or given to `pmix query`):
 *   logp(x = 1, y = 2)         log density of a (partial: the rest marginalized) assignment
 *   logp(x = 1 | y = 2)        conditional log density
 *   p(x = 1, y = 2)            density (not log)
 *   p(x | y = 2)               the conditional distribution of x given y = 2, summarized
 *   p(x)                       the marginal distribution of x, summarized
 *   p(x in [0, 1], y = 2 | z = 1)   probability of an interval (with densities of the assignments)
 *   posterior(x = 1, y = 2)    posterior probabilities of the root mixture's components
 *   sample(10, seed = 1)       draws
 *   sample(10 | y = 2)         draws of the other variables given y = 2
 *   mode()                     the highest-density point found
 *   mean(), mean(x | y = 2)    expectations
 */
export type QueryAst =
  | {
      readonly kind: 'density';
      readonly log: boolean;
      readonly target: readonly Assignment[];
      readonly given: readonly Assignment[];
      /** `x in [a, b]` items: the query is then the probability of the box (present only when some are written). */
      readonly intervals?: readonly IntervalItem[];
      readonly span: Span;
    }
  | {
      readonly kind: 'distribution';
      readonly target: readonly Ident[];
      readonly given: readonly Assignment[];
      readonly span: Span;
    }
  | { readonly kind: 'posterior'; readonly evidence: readonly Assignment[]; readonly span: Span }
  /** `sample(10 | x = 1)`: `given` (present only when written) conditions the draws. */
  | { readonly kind: 'sample'; readonly args: readonly Arg[]; readonly count?: Expr; readonly given?: readonly Assignment[]; readonly span: Span }
  | { readonly kind: 'mode'; readonly given: readonly Assignment[]; readonly span: Span }
  | { readonly kind: 'mean'; readonly target: readonly Ident[]; readonly given: readonly Assignment[]; readonly span: Span }
  /** `predict(x = 2030.5)`, `predict(x = [1, 2], samples = 3, seed = 1)`: a GP's predictive distribution. */
  | { readonly kind: 'predict'; readonly items: readonly Assignment[]; readonly span: Span }
  /**
   * Any other form, e.g. a family's own `modes(bandwidth = 2 | x = 1)`: kept as written. The
   * binder (compiler/bind-query.ts) knows which forms the model's family answers, so it says
   * "unknown query ... did you mean" or binds the items.
   */
  | { readonly kind: 'call'; readonly form: Ident; readonly items: readonly QueryItem[]; readonly given: readonly Assignment[]; readonly span: Span };

/** One item of a query before '|': `x = 1`, `x in [0, 1]`, or an expression (a bare name, a count). */
export type QueryItem =
  | { readonly kind: 'assignment'; readonly assignment: Assignment }
  | { readonly kind: 'expr'; readonly expr: Expr }
  | { readonly kind: 'interval'; readonly interval: IntervalItem };

export interface QueryDecl {
  readonly kind: 'query';
  readonly model: Ident;
  readonly query: QueryAst;
  readonly span: Span;
}

export type Statement = DataDecl | ModelDecl | LetDecl | FitDecl | QueryDecl;

export interface Program {
  readonly statements: readonly Statement[];
  /** Models whose statements had a syntax error (reported there): later uses are not errors again. */
  readonly broken?: readonly string[];
}
