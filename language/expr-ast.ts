// The syntax every part of the language shares: source spans, identifiers and constant
// expressions (ast.ts and gp-ast.ts both build on it).

/** A region of source text; lines and columns are 1-based, offsets 0-based, end exclusive. */
export interface Span {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Constant expressions: numbers, arithmetic, calls of math functions, arrays, names of
// `let` constants. Evaluated at compile time, never as JavaScript.

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-' | '+'; readonly operand: Expr; readonly span: Span }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/' | '^';
      readonly left: Expr;
      readonly right: Expr;
      readonly span: Span;
    }
  | {
      readonly kind: 'call';
      readonly callee: Ident;
      readonly args: readonly Expr[];
      /** Named arguments, after the positional ones: `mlp(hidden = 64, layers = 2)`. */
      readonly named?: readonly { readonly name: Ident; readonly value: Expr; readonly span: Span }[];
      readonly span: Span;
    }
  | { readonly kind: 'array'; readonly items: readonly Expr[]; readonly span: Span };
