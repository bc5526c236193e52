// Linear-Gaussian experts: y | x, k ~ N(B_k [x, 1], S_k) with S_k diagonal or full. The M-step
// is weighted least squares per expert (weights w_i r_ik): with identical regressors for every
// output, the coefficients of a full-noise expert are the per-output WLS fits too. Missing
// outputs are marginalized in the density; a diagonal expert's M-step uses each output's
// observed rows (exact EM); a full one is fitted on complete rows (the fit drops the others).
import type { MoeData } from './data.js';
import { chol, cholJitter, cholSolve, forward, LOG_2PI, logDet } from './linalg.js';

export interface LinearExperts {
  readonly K: number;
  readonly D: number;
  readonly P: number;
  readonly full: boolean;
  /** [K, P, D + 1], the intercept last. */
  readonly coef: Float64Array;
  /** diag: [K, P] variances; full: [K, P, P]. */
  readonly noise: Float64Array;
}

/** Expert k's mean of output p at input row x (D values from `off`). */
export function expertMean(e: LinearExperts, k: number, p: number, x: ArrayLike<number>, off = 0): number {
  const D = e.D;
  const b = (k * e.P + p) * (D + 1);
  let m = e.coef[b + D]!;
  for (let j = 0; j < D; j++) m += e.coef[b + j]! * x[off + j]!;
  return m;
}

/** Variance of output p under expert k. */
export const expertVar = (e: LinearExperts, k: number, p: number): number => (e.full ? e.noise[k * e.P * e.P + p * e.P + p]! : e.noise[k * e.P + p]!);

/**
 * log f_k(y_i | x_i) for every row and expert (n x K), observed outputs only (marginal for full
 * noise). `skip` (n x K, e.g. a top-K gate's log weights): experts at -Infinity there are not
 * evaluated (their entry is left -Infinity).
 */
export function linearLogLik(e: LinearExperts, d: MoeData, out = new Float64Array(d.n * e.K), skip?: Float64Array): Float64Array {
  const { K, P, D } = e;
  const mu = new Float64Array(P);
  const r = new Float64Array(P);
  const factors = e.full ? Array.from({ length: K }, (_, k) => chol(e.noise.subarray(k * P * P, (k + 1) * P * P), P)) : [];
  for (let i = 0; i < d.n; i++) {
    const yo = i * P;
    let observed = 0;
    for (let p = 0; p < P; p++) if (!Number.isNaN(d.Y[yo + p]!)) observed++;
    for (let k = 0; k < K; k++) {
      if (skip && skip[i * K + k] === -Infinity) {
        out[i * K + k] = -Infinity;
        continue;
      }
      for (let p = 0; p < P; p++) mu[p] = expertMean(e, k, p, d.X, i * D);
      let lp = 0;
      if (!e.full) {
        for (let p = 0; p < P; p++) {
          const y = d.Y[yo + p]!;
          if (Number.isNaN(y)) continue;
          const v = e.noise[k * P + p]!;
          const z = y - mu[p]!;
          lp += -0.5 * (LOG_2PI + Math.log(v) + (z * z) / v);
        }
      } else {
        let l = factors[k];
        let m = P;
        if (observed < P) {
          const idx: number[] = [];
          for (let p = 0; p < P; p++) if (!Number.isNaN(d.Y[yo + p]!)) idx.push(p);
          m = idx.length;
          const sub = new Float64Array(m * m);
          idx.forEach((a, ia) => idx.forEach((b, ib) => (sub[ia * m + ib] = e.noise[k * P * P + a * P + b]!)));
          l = chol(sub, m);
          idx.forEach((a, ia) => (r[ia] = d.Y[yo + a]! - mu[a]!));
        } else for (let p = 0; p < P; p++) r[p] = d.Y[yo + p]! - mu[p]!;
        if (!l) lp = -Infinity;
        else {
          const z = forward(l, m, r.subarray(0, m));
          let q = 0;
          for (let a = 0; a < m; a++) q += z[a]! * z[a]!;
          lp = -0.5 * (m * LOG_2PI + logDet(l, m) + q);
        }
      }
      out[i * K + k] = lp;
    }
  }
  return out;
}

/**
 * M-step: WLS coefficients and the weighted residual (co)variance of each expert, with the noise
 * floored at `floor[p]` (a variance per output). An expert with (almost) no responsibility keeps
 * its parameters (a valid generalized-EM step).
 */
export function linearMStep(e: LinearExperts, d: MoeData, R: Float64Array, floor: Float64Array): void {
  const { K, P, D } = e;
  const M = D + 1;
  let total = 0;
  for (let i = 0; i < d.n; i++) total += d.w[i]!;
  const A = new Float64Array(M * M);
  const b = new Float64Array(M);
  for (let k = 0; k < K; k++) {
    let mass = 0;
    for (let i = 0; i < d.n; i++) mass += d.w[i]! * R[i * K + k]!;
    if (!(mass > 1e-10 * total)) continue;
    for (let p = 0; p < P; p++) {
      A.fill(0);
      b.fill(0);
      let sw = 0;
      for (let i = 0; i < d.n; i++) {
        const y = d.Y[i * P + p]!;
        const c = d.w[i]! * R[i * K + k]!;
        if (Number.isNaN(y) || c === 0) continue;
        sw += c;
        for (let a = 0; a < M; a++) {
          const xa = a === D ? 1 : d.X[i * D + a]!;
          b[a] += c * xa * y;
          for (let q = 0; q <= a; q++) A[a * M + q] += c * xa * (q === D ? 1 : d.X[i * D + q]!);
        }
      }
      if (!(sw > 1e-10 * total)) continue;
      for (let a = 0; a < M; a++) for (let q = 0; q < a; q++) A[q * M + a] = A[a * M + q]!;
      const beta = cholSolve(cholJitter(A, M), M, Float64Array.from(b));
      e.coef.set(beta, (k * P + p) * M);
    }
    // the noise from the new coefficients' residuals
    if (!e.full) {
      for (let p = 0; p < P; p++) {
        let sw = 0;
        let ss = 0;
        for (let i = 0; i < d.n; i++) {
          const y = d.Y[i * P + p]!;
          const c = d.w[i]! * R[i * K + k]!;
          if (Number.isNaN(y) || c === 0) continue;
          const z = y - expertMean(e, k, p, d.X, i * D);
          sw += c;
          ss += c * z * z;
        }
        if (sw > 1e-10 * total) e.noise[k * P + p] = Math.max(ss / sw, floor[p]!);
      }
    } else {
      const S = new Float64Array(P * P);
      const z = new Float64Array(P);
      let sw = 0;
      for (let i = 0; i < d.n; i++) {
        const c = d.w[i]! * R[i * K + k]!;
        if (c === 0) continue;
        for (let p = 0; p < P; p++) z[p] = d.Y[i * P + p]! - expertMean(e, k, p, d.X, i * D);
        sw += c;
        for (let a = 0; a < P; a++) for (let q = 0; q < P; q++) S[a * P + q] += c * z[a]! * z[q]!;
      }
      for (let a = 0; a < P * P; a++) S[a] /= sw;
      for (let p = 0; p < P; p++) S[p * P + p] += floor[p]!;
      e.noise.set(S, k * P * P);
    }
  }
}
