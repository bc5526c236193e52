// What learners report while and after fitting.
import type { ModelState } from '../state.js';

export interface FitProgress {
  readonly restart: number;
  readonly restarts: number;
  readonly iteration: number;
  readonly maxIter: number;
  readonly meanLogLikelihood: number;
}

/**
 * Why a fit stopped: a stated convergence criterion held; the iteration or epoch limit was
 * reached (Adam without tol always stops there); early stopping on held-out rows; the
 * AbortSignal; the learner could not move (L-BFGS's line search found no decrease); or
 * nothing was free to fit.
 */
export type StopReason = 'converged' | 'max_iter' | 'early_stopping' | 'interrupted' | 'stalled' | 'nothing_to_fit';

export interface FitResult {
  readonly iterations: number;
  /** True only when `stop` is 'converged': a stated criterion held. */
  readonly converged: boolean;
  readonly stop: StopReason;
  /** The stop in words: the criterion that held, or the limit (e.g. 'max_iter = 100'). */
  readonly criterion: string;
  /** Weighted mean log-likelihood per row at the returned parameters. */
  readonly meanLogLikelihood: number;
  /** Mean log-likelihood at the start of each iteration (EM) or epoch (Adam). */
  readonly trace: readonly number[];
  /** The fit was stopped by its AbortSignal: the parameters are the best so far. */
  readonly interrupted?: boolean;
  /** Early stopping: the held-out rows, and the mean log-likelihood of the epoch whose parameters were kept. */
  readonly validation?: { readonly rows: number; readonly meanLogLikelihood: number; readonly bestEpoch: number };
}

export interface Fitted {
  readonly state: ModelState;
  readonly result: FitResult;
}

/**
 * Where a running fit stands. The learners are generators that yield one of these between
 * iterations, so a driver can run them to the end (fitEM) or yield to the event loop and
 * save checkpoints on the way (drive.ts).
 */
export interface FitCheckpoint {
  readonly restart: number;
  readonly iteration: number;
  /** Rows seen so far, for learners that report it (online EM): checkpoints every N rows. */
  readonly rows?: number;
  /** A copy of the best parameters so far and their mean log-likelihood; undefined before any. */
  best(): { readonly state: ModelState; readonly meanLogLikelihood: number } | undefined;
}
