// The Gaussian gate: each expert carries a density over the inputs, pi_k N(x; m_k, S_k), and
// p(k | x) follows by Bayes. EM then maximizes the joint likelihood p(x, y) (the inputs are
// modelled too), and the gate's M-step is closed form: the weighted mean and covariance of
// the inputs under the responsibilities (as a Gaussian mixture's), S_k floored by `floor`.
import type { MoeData } from './data.js';
import { chol, forward, LOG_2PI, logDet, logSumExp } from './linalg.js';

export interface GaussianGate {
  readonly K: number;
  readonly D: number;
  readonly pi: Float64Array;
  /** [K, D] */
  readonly mean: Float64Array;
  /** [K, D, D] */
  readonly cov: Float64Array;
}

/** log pi_k + log N(x_i; m_k, S_k), n x K. */
export function gaussianLogJoint(g: GaussianGate, X: Float64Array, n: number, out = new Float64Array(n * g.K)): Float64Array {
  const { K, D } = g;
  const z = new Float64Array(D);
  for (let k = 0; k < K; k++) {
    const l = chol(g.cov.subarray(k * D * D, (k + 1) * D * D), D);
    const c = l ? Math.log(g.pi[k]!) - 0.5 * (D * LOG_2PI + logDet(l, D)) : -Infinity;
    for (let i = 0; i < n; i++) {
      if (!l) {
        out[i * K + k] = -Infinity;
        continue;
      }
      for (let j = 0; j < D; j++) z[j] = X[i * D + j]! - g.mean[k * D + j]!;
      forward(l, D, z);
      let q = 0;
      for (let j = 0; j < D; j++) q += z[j]! * z[j]!;
      out[i * K + k] = c - 0.5 * q;
    }
  }
  return out;
}

/** log p(k | x_i) by Bayes, n x K; also returns log p(x_i) in `logPx` when given. */
export function gaussianLogGate(g: GaussianGate, X: Float64Array, n: number, out = new Float64Array(n * g.K), logPx?: Float64Array): Float64Array {
  gaussianLogJoint(g, X, n, out);
  const K = g.K;
  for (let i = 0; i < n; i++) {
    const lz = logSumExp(out, i * K, K);
    if (logPx) logPx[i] = lz;
    for (let k = 0; k < K; k++) out[i * K + k] -= lz;
  }
  return out;
}

/** Closed-form M-step; an expert with (almost) no responsibility keeps its input density. */
export function gaussianMStep(g: GaussianGate, d: MoeData, R: Float64Array, floor: Float64Array): void {
  const { K, D } = g;
  let total = 0;
  for (let i = 0; i < d.n; i++) total += d.w[i]!;
  for (let k = 0; k < K; k++) {
    let nk = 0;
    const m = new Float64Array(D);
    for (let i = 0; i < d.n; i++) {
      const c = d.w[i]! * R[i * K + k]!;
      nk += c;
      for (let j = 0; j < D; j++) m[j] += c * d.X[i * D + j]!;
    }
    g.pi[k] = nk / total;
    if (!(nk > 1e-10 * total)) continue;
    for (let j = 0; j < D; j++) m[j] /= nk;
    const S = new Float64Array(D * D);
    for (let i = 0; i < d.n; i++) {
      const c = d.w[i]! * R[i * K + k]!;
      if (c === 0) continue;
      for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) S[a * D + b] += c * (d.X[i * D + a]! - m[a]!) * (d.X[i * D + b]! - m[b]!);
    }
    for (let a = 0; a < D * D; a++) S[a] /= nk;
    for (let a = 0; a < D; a++) S[a * D + a] += floor[a]!;
    g.mean.set(m, k * D);
    g.cov.set(S, k * D * D);
  }
  // renormalize (experts skipped above kept a share near 0)
  let s = 0;
  for (let k = 0; k < K; k++) s += g.pi[k]!;
  for (let k = 0; k < K; k++) g.pi[k] = g.pi[k]! / s;
}
