// The checked form of a .pmix file: its data sets, models and the ordered steps (fits and
// queries) that `pmix run` executes. Built from the AST by compile.ts.
import type { FitDecl, ModelDecl, QueryAst, Span } from '../language/index.js';
import type { DataSpec } from './data-spec.js';

export interface EMSettings {
  readonly method: 'em';
  readonly maxIter: number;
  readonly tol: number;
  readonly restarts: number;
  readonly init: 'kmeans' | 'random';
  readonly regCovar: number;
  readonly seed: number;
  /** Rows per mini-batch; 0 = full-batch EM. */
  readonly batch?: number;
  /** Mini-batch EM step size: parameters move this fraction of the way to the batch's M-step. */
  readonly stepSize?: number;
  /** Laplace pseudo-count for sum weights and discrete leaves. */
  readonly smoothing?: number;
  /** Fraction of rows held out for early stopping (0 = none) and the epochs without improvement tolerated. */
  readonly validation?: number;
  readonly patience?: number;
  /**
   * Streaming full-batch EM (runtime/learners/stream-em.ts): true streams the data from its
   * file in chunks, false always loads it; absent = stream when the data would not fit the
   * memory limit (docs/fitting.md).
   */
  readonly stream?: boolean;
  /** Rows per chunk of streaming EM. */
  readonly chunk?: number;
  /** Rows of the reservoir sample streaming EM initializes from. */
  readonly initRows?: number;
  /** Warm start: the learner starts from the state's parameters (no initialization, one restart); set by refits, not by the language. */
  readonly warm?: boolean;
  /**
   * Partial labels (runtime/learners/labels.ts): a categorical column of the data, not a model
   * variable; a row with a level is clamped to that class's components (level c: components
   * c * perClass .. (c + 1) * perClass - 1), a row without one is soft-assigned to all.
   */
  readonly labels?: string;
  /** Components per known class (default 1). */
  readonly perClass?: number;
}

export interface AdamSettings {
  readonly method: 'adam';
  readonly lr: number;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  readonly regCovar: number;
  readonly init: 'kmeans' | 'random';
  readonly validation?: number;
  readonly patience?: number;
  /**
   * Convergence test (runtime/learners/driver.ts): stop when the epoch mean log-likelihood's
   * relative change stays below tol for `patience` epochs. Without it Adam runs to `epochs`.
   */
  readonly tol?: number;
  /** Warm start (as EMSettings.warm). */
  readonly warm?: boolean;
}

/** Type-II maximum likelihood for Gaussian processes: L-BFGS (with bounds) from `restarts` starts. */
export interface LbfgsSettings {
  readonly method: 'lbfgs';
  readonly maxIter: number;
  readonly restarts: number;
  /**
   * Where restarts after the first draw their start: 'bounds' log-uniformly over each
   * hyperparameter's bounds (scikit-learn's n_restarts_optimizer), 'start' within a factor of
   * 30 of the initial values. Absent: LBFGS_DEFAULTS.restartsFrom.
   */
  readonly restartsFrom?: RestartsFrom;
  readonly tol: number;
  readonly seed: number;
  /** Warm start (as EMSettings.warm): one restart, from the state's hyperparameters. */
  readonly warm?: boolean;
}

export type RestartsFrom = 'bounds' | 'start';

/**
 * The incremental Gaussian mixture (runtime/learners/incremental-gmm/): one pass over the rows,
 * rank-one updates per row, components created by a novelty test and pruned or merged
 * (docs/fitting.md, "incremental").
 */
export interface IncrementalSettings {
  readonly method: 'incremental';
  /** A row is novel when its Mahalanobis distance to every component exceeds the chi-square(D) quantile at this level. */
  readonly novelty: number;
  /** Components at most; absent: the model's k. */
  readonly maxK?: number;
  /** A new component's covariance is (scale x the column's standard deviation)^2 on its diagonal. */
  readonly scale: number;
  /** Pruning: a component whose weighted count is below vMin once it has seen aMin rows is removed; absent: D + 1 and 20 x max_k rows. */
  readonly vMin?: number;
  readonly aMin?: number;
  /** Merge components that one Gaussian explains better (BIC), every mergeEvery rows and at the end; false: never. */
  readonly merge: boolean;
  /** Refactorize a component's precision when max|P C - I| exceeds this (measured every checkEvery updates of the component). */
  readonly drift: number;
  readonly checkEvery: number;
  readonly regCovar: number;
  /** Rows read before the pass starts, to measure the columns' scale. */
  readonly initRows: number;
  /** Read the data from its file in chunks (bounded memory); absent: as em's rule (stream when it would not fit). */
  readonly stream?: boolean;
  readonly chunk?: number;
}

/**
 * Online (stepwise) EM (runtime/learners/online-em.ts): mini-batches of `batch` rows, step
 * sizes (t + 2)^-alpha, `passes` passes over the data; initialized from the first `initRows` rows.
 */
export interface OnlineSettings {
  readonly method: 'online';
  readonly batch: number;
  readonly alpha: number;
  readonly passes: number;
  readonly seed: number;
  readonly regCovar: number;
  readonly init: 'kmeans' | 'random';
  readonly initRows?: number;
  readonly smoothing?: number;
  /** Warm start (as EMSettings.warm): continue from the state's parameters. */
  readonly warm?: boolean;
  /** A warm start's rows the parameters were fitted on: the statistics count as priorRows / batch steps old. */
  readonly priorRows?: number;
}

export type FitSettings = EMSettings | AdamSettings | LbfgsSettings | IncrementalSettings | OnlineSettings;

export interface ModelInfo {
  readonly decl: ModelDecl;
  /** Variables named by the declaration, `model M(x, y) = ...`. */
  readonly vars?: readonly string[];
}

export type Step =
  | {
      readonly kind: 'fit';
      readonly model: string;
      readonly data: string;
      readonly weights?: string;
      readonly settings: FitSettings;
      /** The fit statement; absent for fits requested through the embedding API. */
      readonly decl?: FitDecl;
      /** No method was named (an API fit without `method` and no fit statement): the family's default method is used. */
      readonly byDefault?: boolean;
    }
  | { readonly kind: 'query'; readonly model: string; readonly query: QueryAst; readonly span: Span; readonly text: string };

export interface CompiledProgram {
  readonly file: string;
  readonly source: string;
  readonly data: ReadonlyMap<string, DataSpec>;
  readonly models: ReadonlyMap<string, ModelInfo>;
  readonly steps: readonly Step[];
  /** Values of `let` constants, for evaluating expressions of later stages (queries). */
  readonly constants: ReadonlyMap<string, number | number[]>;
}
