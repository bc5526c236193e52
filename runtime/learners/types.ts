// What learners report while and after fitting.
export interface FitProgress {
  readonly restart: number;
  readonly restarts: number;
  readonly iteration: number;
  readonly maxIter: number;
  readonly meanLogLikelihood: number;
}

export interface FitResult {
  readonly iterations: number;
  readonly converged: boolean;
  /** Weighted mean log-likelihood per row at the returned parameters. */
  readonly meanLogLikelihood: number;
  /** Mean log-likelihood at the start of each iteration (EM) or epoch (Adam). */
  readonly trace: readonly number[];
}
