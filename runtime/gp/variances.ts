// What a GP prediction holds, and the prior-minus-explained variances both exact and sparse
// predictions use (one file, so predict.ts and sparse.ts need not import each other).
import type { GPCore } from './core.js';

export interface Prediction {
  readonly m: number;
  /** Posterior mean (of f and of y: they agree). */
  readonly mean: Float64Array;
  /** Variance of the latent f. */
  readonly varF: Float64Array;
  /** Variance of a new observation y (f plus noise). */
  readonly varY: Float64Array;
  /** E[y] where it differs from the latent mean (a non-Gaussian likelihood: a class probability, an expected count). */
  readonly meanY?: Float64Array;
  /** A categorical GP's class probabilities (m x C, row-major); mean and varF are then the most probable class's latent. */
  readonly probs?: Float64Array;
  /** Full covariance of f (m x m), when asked for. */
  readonly cov?: Float64Array;
  /** Jitter the training factor needed, with why. */
  readonly note?: string;
}

/** Prior variances at the points minus `explained(i)`, for f and for y (with white and likelihood noise). */
export function diagVariances(core: GPCore, xs: Float64Array, m: number, explained: (i: number) => number): { varF: Float64Array; varY: Float64Array } {
  const ev = core.evaluator;
  const kf = new Float64Array(m);
  const ky = new Float64Array(m);
  ev.value(ev.pairs(xs, xs, 0, m, m, { paired: true }), kf);
  ev.value(ev.pairs(xs, xs, 0, m, m, { paired: true, same: true }), ky);
  const varF = new Float64Array(m);
  const varY = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const e = explained(i);
    const t = core.stride > core.inputs ? Math.round(xs[i * core.stride + core.stride - 1]!) : 0;
    varF[i] = Math.max(0, kf[i]! - e);
    varY[i] = Math.max(0, ky[i]! - e) + core.noiseOf(t);
  }
  return { varF, varY };
}
