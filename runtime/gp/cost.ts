// Time limits of exact GPs. One L-BFGS step of an exact GP factors the n x n kernel matrix
// (a Cholesky: n^3/3 multiply-adds) and forms its inverse for the gradient; its time is
// estimated as n^3/3 over an effective rate measured on that step (bench gp-exact-2000),
// and a fit as that times max_iter times restarts (its most). Loading a saved exact GP factors
// once, so an artifact's training points are capped at what factors in seconds.
import { PmixError } from '../errors.js';

/**
 * n^3/3 per second, measured (scripts/gp-step-rate.mjs; the quiet bench of docs/performance.md,
 * second round: one LML + gradient step on 2 threads took 364.7 ms at n = 2,000, 7.3e9, and
 * 7,332 ms at n = 5,000, 5.7e9): the rate falls as n grows, so it is read near the n the time
 * limit is about (a few thousand points), rounded down. (It was 2.8e9, from a 949 ms step at
 * n = 2,000 before the threaded Cholesky and inverse.) Small n runs below it (O(n^2) passes).
 */
export const GP_STEP_RATE = 5.5e9;

/**
 * The default time limit of a fit, in seconds (--max-time / PMIX_MAX_TIME override it). An hour:
 * the estimate is the most a fit can take (every step of max_iter), so a shorter default refused
 * exact fits of 3,000 points that converge in minutes.
 */
export const DEFAULT_MAX_FIT_SECONDS = 3600;

/** The most training points a saved exact GP may carry: its factor takes at most about 8 s at GP_STEP_RATE (a step's time, more than a factor's). */
export const GP_ARTIFACT_MAX_POINTS = 5000;

/** The flops of one Cholesky of an n x n matrix (n^3/3 multiply-adds). */
export const choleskyFlops = (n: number): number => (n * n * n) / 3;

/** Estimated seconds of one L-BFGS step (LML and gradient) of an exact GP on n points. */
export const gpStepSeconds = (n: number): number => choleskyFlops(n) / GP_STEP_RATE;

export interface GPTimeEstimate {
  readonly points: number;
  readonly stepSeconds: number;
  readonly steps: number;
  readonly restarts: number;
  /** stepSeconds x steps x restarts: the most the fit can take. */
  readonly seconds: number;
  /** Cholesky-equivalents per step beyond 1 (the Laplace approximation's Newton steps), when not 1. */
  readonly factor?: number;
}

/**
 * A Laplace (non-Gaussian likelihood) step in Cholesky-equivalents: Newton's factorizations plus
 * the gradient's inverse and solves; measured 2.3-3.2 times an exact step at n = 800 (2 shared cores).
 */
export const LAPLACE_STEP_FACTOR = 4;

/**
 * A multiclass (categorical) Laplace step in Cholesky-equivalents: per Newton iteration C
 * factorizations and inverses of n x n matrices, and the gradient's 3C dense n x n products in
 * plain JS. Measured: the mode alone at n = 300, C = 3 took 0.33 s, about 100 modelled steps at the
 * old GP_STEP_RATE (2.8e9); with the gradient about 60 per class. That was a time, not a ratio: at
 * today's rate (5.5e9) the same seconds are about twice the modelled steps, 120 per class.
 */
export function multiclassStepFactor(classes: number): number {
  return 120 * classes;
}

export function gpTimeEstimate(points: number, maxIter: number, restarts: number, factor = 1): GPTimeEstimate {
  const stepSeconds = gpStepSeconds(points) * factor;
  return { points, stepSeconds, steps: maxIter, restarts, seconds: stepSeconds * maxIter * restarts, ...(factor !== 1 ? { factor } : {}) };
}

/** A duration in words: 340 ms, 12 s, 4.2 min, 3.1 h. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'no limit';
  if (s < 1) return `${Math.max(1, Math.round(s * 1000))} ms`;
  if (s < 120) return `${Number(s.toPrecision(2))} s`;
  if (s < 7200) return `${Number((s / 60).toPrecision(2))} min`;
  return `${Number((s / 3600).toPrecision(2))} h`;
}

/** One sentence: the estimate and how it was made. */
export function describeGpTime(t: GPTimeEstimate): string {
  const flops = choleskyFlops(t.points);
  const what = `${t.factor ? `${t.factor} times ` : ''}a ${t.points.toLocaleString('en-US')} x ${t.points.toLocaleString('en-US')} Cholesky${t.factor ? ' for the Laplace approximation' : ''}`;
  return `about ${formatSeconds(t.stepSeconds)} per L-BFGS step (${what}, ${flops.toExponential(2)} flops, at ${(GP_STEP_RATE / 1e9).toPrecision(2)} GFLOP/s), up to ${formatSeconds(t.seconds)} for ${t.steps} step${t.steps > 1 ? 's' : ''} x ${t.restarts} restart${t.restarts > 1 ? 's' : ''}`;
}

/** Refuses an exact GP fit whose estimate exceeds `limit` seconds (undefined: the default), before any work. */
export function checkGpTime(model: string, data: string, t: GPTimeEstimate, limit: number | undefined): void {
  const max = limit ?? DEFAULT_MAX_FIT_SECONDS;
  if (t.seconds <= max) return;
  throw new PmixError(
    `fitting the exact GP ${model} on ${data} (${t.points.toLocaleString('en-US')} points) needs ${describeGpTime(t)}: over the time limit of ${formatSeconds(max)}`,
    'too-slow',
    `use a sparse GP (inference = sparse(m = 500), fitted by adam: O(m^2) per row), a Vecchia GP (inference = vecchia(m = 30), fitted by lbfgs: O(m^3) per row) or fit on a subsample; or lower max_iter / restarts; or raise the limit with --max-time SECONDS (or PMIX_MAX_TIME; 'none' for no limit)`,
  );
}
