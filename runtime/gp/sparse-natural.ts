// Natural-gradient updates of the sparse GP's q(v) (sparse.ts): the batch optimum in natural
// parameters (Gaussian likelihood in closed form, others by quadrature) and the conversions.
import { cholesky } from '../kernels/cholesky.js';
import { GPCore } from './core.js';
import { inverseFromCholesky } from './linalg.js';
import { gpLikelihood, type GPLik } from './laplace.js';
import { expectedLogLik } from './sparse-lik.js';
import { covFromSqrt, shrink, whitened, type Inducing } from './sparse-inducing.js';

/** The batch optimum of q(v) in natural parameters: Lambda = I + sB sum_i A_i^T A_i / noise, eta1 = sB sum_i A_i^T (y_i - m(x_i)) / noise. */
export function optimalNatural(core: GPCore, ind: Inducing, x: Float64Array, y: Float64Array, b: number, total: number, q?: { qm: Float64Array; qs: Float64Array }): { lambda: Float64Array; eta1: Float64Array } {
  const M = ind.m;
  const sB = total / b;
  const at = whitened(core, ind, x, b);
  if (core.node.likelihood) {
    // A non-log-concave likelihood (student_t) can make Lambda indefinite: then the step takes
    // each point's curvature as min(1/2 E[d2], 0) (as Laplace's Newton steps take max(W, 0));
    // the fixed point's mean is still the optimum's.
    const step = likNatural(core, gpLikelihood(core), ind, at, x, y, b, sB, q!, false);
    return cholesky(Float64Array.from(step.lambda), M).ok ? step : likNatural(core, gpLikelihood(core), ind, at, x, y, b, sB, q!, true);
  }
  const w = sB / core.noiseOf(0);
  const lambda = new Float64Array(M * M);
  const eta1 = new Float64Array(M);
  const e = Float64Array.from({ length: b }, (_, i) => y[i]! - core.meanAt(x, i));
  for (let j = 0; j < M; j++) {
    let s = 0;
    for (let i = 0; i < b; i++) s += at[j * b + i]! * e[i]!;
    eta1[j] = w * s;
    for (let k = 0; k <= j; k++) {
      let v = 0;
      for (let i = 0; i < b; i++) v += at[j * b + i]! * at[k * b + i]!;
      lambda[j * M + k] = lambda[k * M + j] = w * v + (j === k ? 1 : 0);
    }
  }
  return { lambda, eta1 };
}

/**
 * A non-Gaussian likelihood's natural-gradient target at the current q (Salimbeni et al. 2018):
 * with g_i = E[d1], h_i = 1/2 E[d2] at q(f_i) = N(mu_i, v_i),
 *   Lambda = I - 2 sB sum_i h_i A_i^T A_i,  eta1 = sB sum_i A_i^T (g_i - 2 h_i A_i m).
 * The gaussian likelihood's closed-form optimum is the special case (then it does not depend on q).
 */
export function likNatural(core: GPCore, lik: GPLik, ind: Inducing, at: Float64Array, x: Float64Array, y: Float64Array, b: number, sB: number, q: { qm: Float64Array; qs: Float64Array }, clamp: boolean): { lambda: Float64Array; eta1: Float64Array } {
  const M = ind.m;
  const s = covFromSqrt(q.qs, M);
  const t = shrink(s, at, M, b);
  const ev = core.evaluator;
  const kdiag = new Float64Array(b);
  ev.value(ev.pairs(x, x, 0, b, b, { paired: true, same: true }), kdiag);
  const w = new Float64Array(b);
  const e = new Float64Array(b);
  const ell = { value: 0, dMu: 0, dVar: 0, curv: 0 };
  for (let i = 0; i < b; i++) {
    let am = 0;
    let v = kdiag[i]!;
    for (let j = 0; j < M; j++) {
      am += at[j * b + i]! * q.qm[j]!;
      v += at[j * b + i]! * t[j * b + i]!;
    }
    expectedLogLik(lik, y[i]!, core.meanAt(x, i) + am, v, ell);
    const h = clamp ? Math.min(ell.curv, 0) : ell.curv;
    w[i] = -2 * sB * h;
    e[i] = sB * (ell.dMu - 2 * h * am);
  }
  const lambda = new Float64Array(M * M);
  const eta1 = new Float64Array(M);
  for (let j = 0; j < M; j++) {
    let sum = 0;
    for (let i = 0; i < b; i++) sum += at[j * b + i]! * e[i]!;
    eta1[j] = sum;
    for (let k = 0; k <= j; k++) {
      let v = 0;
      for (let i = 0; i < b; i++) v += w[i]! * at[j * b + i]! * at[k * b + i]!;
      lambda[j * M + k] = lambda[k * M + j] = v + (j === k ? 1 : 0);
    }
  }
  return { lambda, eta1 };
}

/** m and chol(S) from natural parameters (S = Lambda^-1, m = S eta1); false when Lambda is not PD. */
export function fromNatural(lambda: Float64Array, eta1: Float64Array, M: number, qm: Float64Array, qs: Float64Array): boolean {
  const l = Float64Array.from(lambda);
  if (!cholesky(l, M).ok) return false;
  inverseFromCholesky(l, M);
  for (let i = 0; i < M; i++) {
    let t = 0;
    for (let j = 0; j < M; j++) t += l[i * M + j]! * eta1[j]!;
    qm[i] = t;
  }
  if (!cholesky(l, M).ok) return false;
  qs.set(l);
  return true;
}

/** Natural parameters of the stored q(v). */
export function toNatural(qm: Float64Array, qs: Float64Array, M: number): { lambda: Float64Array; eta1: Float64Array } {
  const lambda = covFromSqrt(qs, M);
  const l = Float64Array.from(qs);
  inverseFromCholesky(l, M);
  lambda.set(l);
  const eta1 = new Float64Array(M);
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) eta1[i] += lambda[i * M + j]! * qm[j]!;
  return { lambda, eta1 };
}
