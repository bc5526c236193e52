// Bound queries: what the runtime answers. The compiler's binder (compiler/bind-query.ts)
// turns a query's syntax, or the embedding API's plain objects, into one of these: variables
// are indices into the model's variables, values are encoded as the IR stores them, counts,
// seeds and intervals are checked numbers. No syntax is left; spans remain only so that the
// runtime can place the errors that depend on values (zero-density evidence, say).

/** A place in the model text; structurally the same as language's Span (ir imports nothing). */
export interface SourceSpan {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/**
 * A variable and its value, encoded: a categorical level's index, a bool as 0/1, an int,
 * a finite real.
 */
export interface BoundValue {
  readonly v: number;
  readonly value: number;
  readonly span?: SourceSpan;
}

/** `x in [lower, upper]` (closed; the ends may be infinite, lower <= upper). */
export interface BoundInterval {
  readonly v: number;
  readonly lower: number;
  readonly upper: number;
  readonly span?: SourceSpan;
}

/** An argument of a family's own query form (see 'call'). */
export type CallArg = number | string | boolean | readonly number[];

export type BoundQuery = (
  /** logp/p of assignments (the rest marginalized), times the probability of the intervals' box; conditional when given. */
  | { readonly kind: 'density'; readonly log: boolean; readonly target: readonly BoundValue[]; readonly intervals: readonly BoundInterval[]; readonly given: readonly BoundValue[] }
  /** p(x, y | ...) and mean(x | ...): `target` lists the variables asked about (never empty, none given). */
  | { readonly kind: 'distribution' | 'mean'; readonly target: readonly number[]; readonly given: readonly BoundValue[] }
  /** The root mixture's component probabilities given the evidence. */
  | { readonly kind: 'posterior'; readonly evidence: readonly BoundValue[] }
  /** `count` draws (1..10,000,000) from a seeded generator, of the other variables given `given`. */
  | { readonly kind: 'sample'; readonly count: number; readonly seed: number; readonly given: readonly BoundValue[]; readonly countSpan?: SourceSpan }
  /** The highest-density point of the variables not given. */
  | { readonly kind: 'mode'; readonly given: readonly BoundValue[] }
  /**
   * Models of outputs given inputs (Gaussian processes). `points[i]` holds point i's input
   * values, in the order of the model's inputs.
   */
  | { readonly kind: 'predict'; readonly points: readonly (readonly number[])[]; readonly samples: number; readonly seed: number; /** Class probabilities by scikit-learn's probit-style approximation instead of quadrature. */ readonly approx?: 'probit' }
  /** p(y | x = ...) or mean(y | x = ...) at one input point: `outputs` are variable indices. */
  | { readonly kind: 'predictive'; readonly summary: 'distribution' | 'mean'; readonly outputs: readonly number[]; readonly point: readonly number[] }
  /** logp(y = v | x = ...) over points: `values` has one value per point (or one for all). */
  | { readonly kind: 'predictive-density'; readonly log: boolean; readonly output: number; readonly values: readonly number[]; readonly points: readonly (readonly number[])[] }
  /**
   * A form a family adds without touching the grammar or the binder (e.g. `modes(bandwidth = 2 | x = 1)`):
   * bare variable names before '|' (`targets`), `name = value` arguments, and bound evidence.
   */
  | {
      readonly kind: 'call';
      readonly form: string;
      readonly targets: readonly number[];
      readonly args: Readonly<Record<string, CallArg>>;
      readonly argSpans: Readonly<Record<string, SourceSpan>>;
      readonly given: readonly BoundValue[];
    }
) & {
  /** The file (or '<query>', '<api>') and span of the query, for the runtime's messages. */
  readonly file: string;
  readonly span?: SourceSpan;
};

export type BoundQueryKind = BoundQuery['kind'];

/** The forms a model answers, as its family declares them (families/index.ts: answerableForms). */
export interface AnswerableForms {
  /** The query forms as written: 'logp', 'p', 'predict', or a family's own. */
  readonly forms: readonly string[];
  /** What the model is, for messages: 'a mixture', 'a Gaussian process'. */
  readonly what: string;
  /** Why a form is not answered, where there is more to say than the list. */
  readonly refusals?: Readonly<Record<string, string>>;
  /** Models of outputs given inputs: their variable indices (queries name points of the inputs). */
  readonly roles?: { readonly inputs: readonly number[]; readonly outputs: readonly number[] };
}
