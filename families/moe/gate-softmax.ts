// The softmax gate: p(k | x) = softmax_k(W_k [x, 1]), expert K-1 the reference (its row stays 0),
// and its top-K sparse form (only the `top` largest logits of a point are kept and renormalized,
// the others get probability 0: "Statistical Perspective of Top-K Sparse Softmax Gating Mixture
// of Experts"). The M-step maximizes sum_i w_i sum_k r_ik log p(k | x_i) - (ridge / 2) |slopes|^2
// by Newton steps with step halving (newton.ts), so the objective never falls (generalized EM).
import type { MoeData } from './data.js';
import { newtonAscent, type NewtonProblem } from './newton.js';

export interface SoftmaxGate {
  readonly K: number;
  readonly D: number;
  /** Experts evaluated per point (K: the dense gate). */
  readonly top: number;
  readonly ridge: number;
  /** [K, D + 1], the intercept last; row K-1 is 0. */
  readonly W: Float64Array;
}

/** log p(k | x_i), n x K (-Infinity outside a point's top-K set). `W` defaults to the gate's. */
export function softmaxLogGate(g: SoftmaxGate, X: Float64Array, n: number, out = new Float64Array(n * g.K), W = g.W): Float64Array {
  const { K, D } = g;
  const sparse = g.top < K;
  const eta = new Float64Array(K);
  const kept = new Uint8Array(K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      let s = W[k * (D + 1) + D]!;
      for (let j = 0; j < D; j++) s += W[k * (D + 1) + j]! * X[i * D + j]!;
      eta[k] = s;
    }
    // the top-K set by repeated scans (ties: the lower index), without sorting
    if (sparse) {
      kept.fill(0);
      for (let t = 0; t < g.top; t++) {
        let best = -1;
        for (let k = 0; k < K; k++) if (!kept[k] && (best < 0 || eta[k]! > eta[best]!)) best = k;
        kept[best] = 1;
      }
    }
    let m = -Infinity;
    for (let k = 0; k < K; k++) if ((!sparse || kept[k]) && eta[k]! > m) m = eta[k]!;
    let z = 0;
    for (let k = 0; k < K; k++) if (!sparse || kept[k]) z += Math.exp(eta[k]! - m);
    const lz = m + Math.log(z);
    for (let k = 0; k < K; k++) out[i * K + k] = !sparse || kept[k] ? eta[k]! - lz : -Infinity;
  }
  return out;
}

/** The gate's M-step objective at W: sum_i w_i sum_k r_ik log p(k | x_i) - (ridge / 2) |slopes|^2. */
export function softmaxObjective(g: SoftmaxGate, d: MoeData, R: Float64Array, W = g.W): number {
  const { K, D } = g;
  const lg = softmaxLogGate(g, d.X, d.n, undefined, W);
  let q = 0;
  for (let i = 0; i < d.n; i++) {
    for (let k = 0; k < K; k++) {
      const r = R[i * K + k]!;
      if (r > 0) q += d.w[i]! * r * lg[i * K + k]!;
    }
  }
  return q - 0.5 * g.ridge * slopeNorm(W, K, D);
}

function slopeNorm(W: Float64Array, K: number, D: number): number {
  let s = 0;
  for (let k = 0; k < K - 1; k++) for (let j = 0; j < D; j++) s += W[k * (D + 1) + j]! ** 2;
  return s;
}

/** Newton steps on the gate (at most `steps`); W is updated in place. Returns the objective reached. */
export function softmaxMStep(g: SoftmaxGate, d: MoeData, R: Float64Array, steps = 5): number {
  const { K, D } = g;
  const M1 = D + 1;
  const M = (K - 1) * M1;
  if (M === 0) return softmaxObjective(g, d, R);
  const lg = new Float64Array(d.n * K);
  const xt = new Float64Array(M1);
  const p = new Float64Array(K);
  // the unknowns are W's first K - 1 rows (the reference row stays 0)
  const full = new Float64Array(K * M1);
  const problem: NewtonProblem = {
    objective(x) {
      full.set(x);
      return softmaxObjective(g, d, R, full);
    },
    derivatives(x, grad, H) {
      full.set(x);
      softmaxLogGate(g, d.X, d.n, lg, full);
      for (let i = 0; i < d.n; i++) {
        const w = d.w[i]!;
        for (let j = 0; j < D; j++) xt[j] = d.X[i * D + j]!;
        xt[D] = 1;
        for (let k = 0; k < K; k++) p[k] = Math.exp(lg[i * K + k]!);
        for (let k = 0; k < K - 1; k++) {
          const gk = w * (R[i * K + k]! - p[k]!);
          for (let a = 0; a < M1; a++) grad[k * M1 + a] += gk * xt[a]!;
          if (p[k] === 0) continue;
          for (let l = 0; l <= k; l++) {
            const h = w * p[k]! * ((k === l ? 1 : 0) - p[l]!);
            if (h === 0) continue;
            for (let a = 0; a < M1; a++) for (let b = 0; b < M1; b++) H![(k * M1 + a) * M + l * M1 + b] += h * xt[a]! * xt[b]!;
          }
        }
      }
      for (let k = 0; k < K - 1; k++) {
        for (let j = 0; j < D; j++) {
          grad[k * M1 + j] -= g.ridge * x[k * M1 + j]!;
          H![(k * M1 + j) * M + k * M1 + j] += g.ridge;
        }
      }
      for (let a = 0; a < M; a++) for (let b = 0; b < a; b++) H![b * M + a] = H![a * M + b]!;
    },
  };
  return newtonAscent(problem, g.W.subarray(0, M), { steps, hessian: 'exact', solve: 'jitter', halvings: 30, tol: 1e-12 });
}
