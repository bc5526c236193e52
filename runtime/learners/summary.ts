// The fit summary every fit reports (session, CLI, --json, artifacts), built in one place:
// the log-likelihood, BIC and AIC, the free parameters, and why the fit stopped.
//   BIC = -2 log L + p log n,   AIC = -2 log L + 2 p,
// with log L the total (weighted) log-likelihood of the training rows and n their total weight
// (the row count when unweighted; a GP's training points, its log L the log marginal likelihood).
import type { StopReason } from './types.js';

export interface FitSummaryCore {
  readonly model: string;
  readonly data: string;
  readonly method: 'em' | 'adam' | 'lbfgs' | 'incremental' | 'online';
  readonly rows: number;
  readonly iterations: number;
  /** True only when a stated criterion held (stop = 'converged'). */
  readonly converged: boolean;
  /** Why the fit stopped, and the criterion or limit in words. */
  readonly stop: StopReason;
  readonly criterion: string;
  readonly mean_log_likelihood: number;
  readonly bic: number;
  readonly aic: number;
  readonly parameters: number;
  /** Present (true) when the fit was stopped by its AbortSignal: the best parameters so far. */
  readonly interrupted?: boolean;
  /** With early stopping: the held-out rows and their mean log-likelihood at the kept epoch. */
  readonly validation?: { readonly rows: number; readonly mean_log_likelihood: number; readonly best_epoch: number };
  /** A warm start (session/refit.ts): where the starting parameters came from (an artifact's path or the model's name). */
  readonly continued_from?: string;
}

export interface SummaryInput {
  readonly model: string;
  readonly data: string;
  readonly method: FitSummaryCore['method'];
  readonly rows: number;
  readonly iterations: number;
  readonly stop: StopReason;
  readonly criterion: string;
  /** The total weight of the training rows (n in BIC). */
  readonly weight: number;
  /** Free parameters (p). */
  readonly parameters: number;
  /** The likelihood per row, in total, or both (a missing one follows from the other and the weight). */
  readonly likelihood: { readonly mean: number; readonly total?: number } | { readonly mean?: number; readonly total: number };
  readonly validation?: { readonly rows: number; readonly meanLogLikelihood: number; readonly bestEpoch: number };
}

export function fitSummary(s: SummaryInput): FitSummaryCore {
  const { mean: m, total: t } = s.likelihood;
  const total = t ?? m! * s.weight;
  const mean = m ?? t! / s.weight;
  const p = s.parameters;
  return {
    model: s.model,
    data: s.data,
    method: s.method,
    rows: s.rows,
    iterations: s.iterations,
    converged: s.stop === 'converged',
    stop: s.stop,
    criterion: s.criterion,
    mean_log_likelihood: mean,
    bic: -2 * total + p * Math.log(s.weight),
    aic: -2 * total + 2 * p,
    parameters: p,
    ...(s.validation ? { validation: { rows: s.validation.rows, mean_log_likelihood: s.validation.meanLogLikelihood, best_epoch: s.validation.bestEpoch } } : {}),
    ...(s.stop === 'interrupted' ? { interrupted: true } : {}),
  };
}
