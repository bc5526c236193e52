// The AST of a Gaussian process model: `gp(x: real -> y: real) { kernel = ...; mean = ... }`.
// Every item's value is a kernel expression: sums and products of numbers (scales, with
// optional bounds and `fixed`) and calls such as rbf(ls = 2); mean, noise, inference and
// tasks items reuse the same shape (`mean = constant`, `noise = 0.1 in [1e-4, 1]`,
// `inference = sparse(m = 100)`), and the compiler checks what each item accepts.
import type { Expr, Ident, Span } from './expr-ast.js';

export interface GpVar {
  readonly name: Ident;
  readonly type?: { readonly kind: 'real' | 'int'; readonly span: Span };
  readonly span: Span;
}

/** `prior lognormal(0, 1)`: a prior on a hyperparameter (fits then maximize the posterior). */
export interface PriorAst {
  readonly dist: Ident;
  readonly args: readonly Expr[];
  readonly span: Span;
}

/** `ls = 2 in [0.1, 10] fixed` or a positional `0.1`; optionally `prior gamma(2, 1)`. */
export interface KernelArg {
  readonly name?: Ident;
  readonly value: Expr;
  readonly bounds?: { readonly lower: Expr; readonly upper: Expr; readonly span: Span };
  readonly fixed?: Span;
  readonly prior?: PriorAst;
  readonly span: Span;
}

export type KernelAst =
  | { readonly kind: 'number'; readonly value: number; readonly bounds?: { readonly lower: Expr; readonly upper: Expr; readonly span: Span }; readonly fixed?: Span; readonly prior?: PriorAst; readonly span: Span }
  | { readonly kind: 'call'; readonly name: Ident; readonly args: readonly KernelArg[]; readonly hasParens: boolean; readonly span: Span }
  | { readonly kind: 'sum' | 'product'; readonly terms: readonly KernelAst[]; readonly span: Span };

export interface GpItem {
  readonly name: Ident;
  readonly value: KernelAst;
  readonly span: Span;
}

export interface GpModelExpr {
  readonly kind: 'gp';
  /** 'experts': `experts(x -> y) { ... }`, a mixture of experts (families/moe) written in the same conditional form. */
  readonly head?: 'experts';
  readonly inputs: readonly GpVar[];
  readonly outputs: readonly GpVar[];
  readonly items: readonly GpItem[];
  readonly span: Span;
}
