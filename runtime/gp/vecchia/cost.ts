// What a Vecchia GP fit costs. Each L-BFGS step evaluates the kernel (with its gradient) on
// every point's (m+1)(m+2)/2 local pairs and factors n matrices of size m+1; the time is
// estimated from pairs per second, measured (bench gp-vecchia-1m). Memory: the points in the
// fit's order and as the data set's copy, the neighbour sets (4 n m bytes, more than one
// input), and one block of pairs; nothing n x n.
import { PmixError } from '../../errors.js';
import { DEFAULT_MAX_FIT_SECONDS, formatSeconds } from '../cost.js';

/**
 * Local pairs evaluated (value and gradient) per second of CPU, rounded down: one step at 1M
 * points, m = 30, 2-D ARD rbf + white (4.96e8 pairs) took 52.5-60.5 s of CPU (bench
 * gp-vecchia-1m; wall time was 4-9x that on the 2 shared cores under other jobs' load).
 */
export const VECCHIA_PAIR_RATE = 8e6;

const pairsPerPoint = (m: number): number => ((m + 1) * (m + 2)) / 2;

export function vecchiaFitBytes(points: number, inputs: number, m: number): number {
  const mm = Math.min(m, Math.max(0, points - 1));
  const data = 8 * points * (inputs + 1) * 3;
  const sets = inputs > 1 ? 4 * points * mm : 0;
  const block = 8 * 256 * pairsPerPoint(mm) * (2 * inputs + 8);
  return data + sets + block;
}

export interface VecchiaTimeEstimate {
  readonly points: number;
  readonly m: number;
  readonly stepSeconds: number;
  readonly seconds: number;
  readonly steps: number;
  readonly restarts: number;
}

export function vecchiaTimeEstimate(points: number, m: number, maxIter: number, restarts: number): VecchiaTimeEstimate {
  const mm = Math.min(m, Math.max(0, points - 1));
  const stepSeconds = (points * pairsPerPoint(mm)) / VECCHIA_PAIR_RATE;
  return { points, m: mm, stepSeconds, steps: maxIter, restarts, seconds: stepSeconds * maxIter * restarts };
}

export function describeVecchiaTime(t: VecchiaTimeEstimate): string {
  return `about ${formatSeconds(t.stepSeconds)} per L-BFGS step (${t.points.toLocaleString('en-US')} points, each with its ${t.m} neighbours: ${(t.points * pairsPerPoint(t.m)).toExponential(2)} kernel pairs at ${(VECCHIA_PAIR_RATE / 1e6).toPrecision(2)}M per second), up to ${formatSeconds(t.seconds)} for ${t.steps} step${t.steps > 1 ? 's' : ''} x ${t.restarts} restart${t.restarts > 1 ? 's' : ''}`;
}

/** Refuses a Vecchia fit whose estimate exceeds `limit` seconds (undefined: the default), before any work. */
export function checkVecchiaTime(model: string, data: string, t: VecchiaTimeEstimate, limit: number | undefined): void {
  const max = limit ?? DEFAULT_MAX_FIT_SECONDS;
  if (t.seconds <= max) return;
  throw new PmixError(
    `fitting the Vecchia GP ${model} on ${data} needs ${describeVecchiaTime(t)}: over the time limit of ${formatSeconds(max)}`,
    'too-slow',
    `lower max_iter (L-BFGS usually converges in 20-60 steps) or m, or raise the limit with --max-time SECONDS (or PMIX_MAX_TIME; 'none' for no limit)`,
  );
}
