// GLM experts for one output: Poisson counts with a log link (log mu = b . [x, 1]) and Bernoulli
// outcomes with a logit link (logit p = b . [x, 1]). The M-step is weighted IRLS (newton.ts): Newton steps on
// sum_i w_i r_ik log f_k(y_i | x_i) (weights row weight times responsibility), each step halved
// until that objective rises, so EM never falls; a missing output is left out of the sums.
import { lgamma } from '../../stdlib/special.js';
import type { MoeData } from './data.js';
import { forEachExpertWeights, newtonAscent, type NewtonProblem } from './newton.js';

export type GlmKind = 'poisson' | 'bernoulli';

export interface GlmExperts {
  readonly K: number;
  readonly D: number;
  readonly kind: GlmKind;
  /** [K, 1, D + 1], the intercept last. */
  readonly coef: Float64Array;
}

const eta = (e: GlmExperts, k: number, X: ArrayLike<number>, off: number, b: ArrayLike<number> = e.coef.subarray(k * (e.D + 1), (k + 1) * (e.D + 1))): number => {
  let s = b[e.D]!;
  for (let j = 0; j < e.D; j++) s += b[j]! * X[off + j]!;
  return s;
};

/** log(1 + e^t) without overflow. */
const softplus = (t: number): number => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

/** log f(y | eta) of one observation. */
export function glmLogPmf(kind: GlmKind, y: number, t: number): number {
  if (kind === 'poisson') return y * t - Math.exp(t) - lgamma(y + 1);
  return y * t - softplus(t);
}

/** The mean (rate or probability) at a linear predictor. */
export const glmMean = (kind: GlmKind, t: number): number => (kind === 'poisson' ? Math.exp(t) : 1 / (1 + Math.exp(-t)));

/** `skip`: as linearLogLik's (a top-K gate's zeros are not evaluated). */
export function glmLogLik(e: GlmExperts, d: MoeData, out = new Float64Array(d.n * e.K), skip?: Float64Array): Float64Array {
  for (let i = 0; i < d.n; i++) {
    const y = d.Y[i]!;
    for (let k = 0; k < e.K; k++) out[i * e.K + k] = skip && skip[i * e.K + k] === -Infinity ? -Infinity : Number.isNaN(y) ? 0 : glmLogPmf(e.kind, y, eta(e, k, d.X, i * e.D));
  }
  return out;
}

/** Each expert's mean and variance at the points X: [n, K]. */
export function glmMoments(e: GlmExperts, X: Float64Array, n: number): { mean: Float64Array; vars: Float64Array } {
  const mean = new Float64Array(n * e.K);
  const vars = new Float64Array(n * e.K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < e.K; k++) {
      const mu = glmMean(e.kind, eta(e, k, X, i * e.D));
      mean[i * e.K + k] = mu;
      vars[i * e.K + k] = e.kind === 'poisson' ? mu : mu * (1 - mu);
    }
  }
  return { mean, vars };
}

/** Weighted IRLS for expert k from its current coefficients (at most `steps` Newton steps). */
export function glmFitExpert(e: GlmExperts, k: number, d: MoeData, c: ArrayLike<number>, steps = 25): void {
  const M = e.D + 1;
  const xt = new Float64Array(M);
  const problem: NewtonProblem = {
    objective(beta) {
      let s = 0;
      for (let i = 0; i < d.n; i++) if (c[i]! > 0 && !Number.isNaN(d.Y[i]!)) s += c[i]! * glmLogPmf(e.kind, d.Y[i]!, eta(e, k, d.X, i * e.D, beta));
      return s;
    },
    derivatives(beta, g, H) {
      for (let i = 0; i < d.n; i++) {
        const y = d.Y[i]!;
        if (!(c[i]! > 0) || Number.isNaN(y)) continue;
        for (let j = 0; j < e.D; j++) xt[j] = d.X[i * e.D + j]!;
        xt[e.D] = 1;
        const mu = glmMean(e.kind, eta(e, k, d.X, i * e.D, beta));
        const w = e.kind === 'poisson' ? mu : mu * (1 - mu);
        for (let a = 0; a < M; a++) {
          g[a] += c[i]! * (y - mu) * xt[a]!;
          for (let z = 0; z <= a; z++) H![a * M + z] += c[i]! * w * xt[a]! * xt[z]!;
        }
      }
      for (let a = 0; a < M; a++) for (let z = 0; z < a; z++) H![z * M + a] = H![a * M + z]!;
    },
  };
  newtonAscent(problem, e.coef.subarray(k * M, (k + 1) * M), { steps, hessian: 'exact', solve: 'jitter', halvings: 30, tol: 1e-15 });
}

export function glmMStep(e: GlmExperts, d: MoeData, R: Float64Array, steps = 5): void {
  forEachExpertWeights(e.K, d.w, R, (k, c) => glmFitExpert(e, k, d, c, steps));
}
