// Sparse GP experts (`expert = gp; inference = sparse(m = 64)`): expert k is the variational
// sparse GP of Titsias (2009) on M inducing inputs Z shared by the experts (k-means centres of the
// training inputs, or the inputs themselves when M >= n), with the responsibilities as per-point
// noise weights, lambda_i = sigma_k^2 / r_ik, as the exact experts (expert-gp.ts). With
// A = Lm^-1 K_uf (Lm Lm' = K_uu), Q = A'A and B = I + A Lambda^-1 A', the collapsed bound
//   F = log N(y - m(x); 0, Q + Lambda) - 1/2 sum_i (k_ii - q_ii) / lambda_i
// and its analytic gradient cost O(n M^2); with Z = X it is the exact weighted marginal likelihood.
// Predictions: mean m(x*) + a*' B^-1 A Lambda^-1 r, latent variance k** - |a*|^2 + |LB^-1 a*|^2
// (a* = Lm^-1 K_u*); training points are scored leave-one-out under the model N(0, Q + Lambda).
import type { IRGraph, IRParam } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import { GPCore } from '../../runtime/gp/core.js';
import type { GPData } from '../../runtime/gp/data.js';
import { hasPriors, logPrior } from '../../runtime/gp/prior.js';
import { kmeans } from '../../runtime/kmeans.js';
import { lbfgs } from '../../runtime/learners/lbfgs.js';
import { Rng } from '../../stdlib/random.js';
import type { MoeData } from './data.js';
import { chol, LOG_2PI } from './linalg.js';

export const GP_INDUCING = 'gp.inducing';
/** The most training points a mixture of sparse GP experts stores (its artifact carries them). */
export const SPARSE_MAX_POINTS = 100_000;

/** The inducing inputs' count of a graph whose GP experts are sparse, else undefined. */
export function inducingCount(graph: IRGraph): number | undefined {
  const n = graph.nodes[0];
  const m = n && n.kind === 'family' ? n.options.gp_inducing : undefined;
  return typeof m === 'number' ? m : undefined;
}

/** Z: the inputs themselves when M >= n, else k-means centres of the inputs (seeded, so every restart shares them). */
export function chooseInducing(d: MoeData, D: number, M: number): { z: Float64Array; m: number } {
  if (M >= d.n) return { z: Float64Array.from(d.X), m: d.n };
  const labels = kmeans(d.X, d.n, D, M, new Float64Array(d.n).fill(1), new Rng(1));
  const z = new Float64Array(M * D);
  const cnt = new Float64Array(M);
  for (let i = 0; i < d.n; i++) {
    cnt[labels[i]!]++;
    for (let j = 0; j < D; j++) z[labels[i]! * D + j] += d.X[i * D + j]!;
  }
  let used = 0;
  const out = new Float64Array(M * D);
  for (let c = 0; c < M; c++) {
    if (!cnt[c]) continue;
    for (let j = 0; j < D; j++) out[used * D + j] = z[c * D + j]! / cnt[c]!;
    used++;
  }
  return { z: out.slice(0, used * D), m: used };
}

export function inducingParam(z: Float64Array, m: number, D: number): IRParam {
  return { name: GP_INDUCING, shape: [m, D], param: { kind: 'identity' }, value: Array.from(z), fixed: true, init: 'given' };
}

/** In place: X <- L^-1 X for X of m rows and `cols` columns (row-major), L lower m x m. */
function forwardRows(l: Float64Array, m: number, x: Float64Array, cols: number): void {
  for (let j = 0; j < m; j++) {
    const row = j * cols;
    for (let k = 0; k < j; k++) {
      const c = l[j * m + k]!;
      if (c === 0) continue;
      const rk = k * cols;
      for (let i = 0; i < cols; i++) x[row + i] -= c * x[rk + i]!;
    }
    const dj = l[j * m + j]!;
    for (let i = 0; i < cols; i++) x[row + i] /= dj;
  }
}

/** In place: X <- L^-T X. */
function backwardRows(l: Float64Array, m: number, x: Float64Array, cols: number): void {
  for (let j = m - 1; j >= 0; j--) {
    const row = j * cols;
    for (let k = j + 1; k < m; k++) {
      const c = l[k * m + j]!;
      if (c === 0) continue;
      const rk = k * cols;
      for (let i = 0; i < cols; i++) x[row + i] -= c * x[rk + i]!;
    }
    const dj = l[j * m + j]!;
    for (let i = 0; i < cols; i++) x[row + i] /= dj;
  }
}

/** Cholesky with a jitter of 1e-10 times the mean diagonal, escalated tenfold until it factors. */
function cholEscalate(a: Float64Array, m: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < m; i++) mean += a[i * m + i]! / m;
  for (let e = -10; e <= -2; e++) {
    const b = Float64Array.from(a);
    for (let i = 0; i < m; i++) b[i * m + i] += mean * 10 ** e;
    const l = chol(b, m);
    if (l) return l;
  }
  throw new PmixError('the inducing points\' kernel matrix is not positive definite', 'not-positive-definite');
}

export interface SparseFit {
  readonly m: number;
  readonly lm: Float64Array;
  readonly lb: Float64Array;
  /** B^-1 A Lambda^-1 r (m): the predictive mean's weights on a*. */
  readonly beta: Float64Array;
  /** C^-1 r and diag(C^-1), C = Q + Lambda (the training points' LOO). */
  readonly alpha: Float64Array;
  readonly cinvDiag: Float64Array;
  readonly F: number;
  readonly grad?: Map<string, Float64Array>;
}

/** The collapsed bound (and its gradient) of one expert on its points d (noise multipliers d.noiseScale). */
export function sparseBound(core: GPCore, d: GPData, z: Float64Array, M: number, wantGrad: boolean): SparseFit {
  const n = d.n;
  const ev = core.evaluator;
  const Kuu = new Float64Array(M * M);
  ev.value(ev.pairs(z, z, 0, M, M), Kuu);
  const lm = cholEscalate(Kuu, M);
  const A = new Float64Array(M * n);
  ev.value(ev.pairs(z, d.x, 0, M, n), A);
  forwardRows(lm, M, A, n);
  const kdiag = new Float64Array(n);
  ev.value(ev.pairs(d.x, d.x, 0, n, n, { paired: true }), kdiag);
  const s2 = core.noiseOf(0);
  const lam = Float64Array.from({ length: n }, (_, i) => s2 * (d.noiseScale ? d.noiseScale[i]! : 1));
  const r = Float64Array.from({ length: n }, (_, i) => d.y[i]! - core.meanAt(d.x, i));
  // B = I + A Lambda^-1 A'
  const B = new Float64Array(M * M);
  for (let a = 0; a < M; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += A[a * n + i]! * A[b * n + i]! / lam[i]!;
      B[a * M + b] = B[b * M + a] = s + (a === b ? 1 : 0);
    }
  }
  const lb = chol(B, M);
  if (!lb) throw new PmixError('the sparse GP expert\'s system is not positive definite', 'not-positive-definite');
  // V = LB^-1 A; u = A Lambda^-1 r; w = B^-1 u
  const V = Float64Array.from(A);
  forwardRows(lb, M, V, M === 0 ? 0 : n);
  const u = new Float64Array(M);
  for (let a = 0; a < M; a++) for (let i = 0; i < n; i++) u[a] += A[a * n + i]! * r[i]! / lam[i]!;
  const w = Float64Array.from(u);
  forwardRows(lb, M, w, 1);
  backwardRows(lb, M, w, 1);
  const alpha = new Float64Array(n);
  const cinvDiag = new Float64Array(n);
  let quad = 0;
  let logLam = 0;
  let trace = 0;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let atw = 0;
    let vv = 0;
    for (let a = 0; a < M; a++) {
      atw += A[a * n + i]! * w[a]!;
      vv += V[a * n + i]! ** 2;
      q[i] += A[a * n + i]! ** 2;
    }
    alpha[i] = (r[i]! - atw) / lam[i]!;
    cinvDiag[i] = 1 / lam[i]! - vv / lam[i]! ** 2;
    quad += r[i]! * alpha[i]!;
    logLam += Math.log(lam[i]!);
    trace += (kdiag[i]! - q[i]!) / lam[i]!;
  }
  let logB = 0;
  for (let a = 0; a < M; a++) logB += 2 * Math.log(lb[a * M + a]!);
  const F = -0.5 * quad - 0.5 * (logLam + logB) - 0.5 * n * LOG_2PI - 0.5 * trace;
  const base = { m: M, lm, lb, beta: w, alpha, cinvDiag, F };
  if (!wantGrad) return base;
  const grad = core.gradBuffers();
  // P alpha = Lm^-T A alpha
  const pa = new Float64Array(M);
  for (let a = 0; a < M; a++) for (let i = 0; i < n; i++) pa[a] += A[a * n + i]! * alpha[i]!;
  backwardRows(lm, M, pa, 1);
  // H = (I - B^-1) A Lambda^-1 = A Lambda^-1 - LB^-T LB^-1 A Lambda^-1; Wuf = (P alpha) alpha' + Lm^-T H
  const H = new Float64Array(M * n);
  for (let a = 0; a < M; a++) for (let i = 0; i < n; i++) H[a * n + i] = A[a * n + i]! / lam[i]!;
  const E = Float64Array.from(H);
  forwardRows(lb, M, E, n);
  backwardRows(lb, M, E, n);
  for (let k = 0; k < M * n; k++) H[k] -= E[k]!;
  backwardRows(lm, M, H, n);
  for (let a = 0; a < M; a++) for (let i = 0; i < n; i++) H[a * n + i] += pa[a]! * alpha[i]!;
  ev.grad(ev.pairs(z, d.x, 0, M, n), H, grad);
  // Wuu = -1/2 (P alpha)(P alpha)' + 1/2 Lm^-T (2 I - B^-1 - B) Lm^-1
  const Binv = new Float64Array(M * M);
  for (let a = 0; a < M; a++) Binv[a * M + a] = 1;
  forwardRows(lb, M, Binv, M);
  backwardRows(lb, M, Binv, M);
  const T = new Float64Array(M * M);
  for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) T[a * M + b] = (a === b ? 2 : 0) - Binv[a * M + b]! - B[a * M + b]!;
  // Lm^-T T Lm^-1 = Lm^-T (Lm^-T T')' ... T symmetric: X = Lm^-T T, then (Lm^-T X')'
  backwardRows(lm, M, T, M);
  const Tt = new Float64Array(M * M);
  for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) Tt[a * M + b] = T[b * M + a]!;
  backwardRows(lm, M, Tt, M);
  const Wuu = new Float64Array(M * M);
  for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) Wuu[a * M + b] = 0.5 * Tt[b * M + a]! - 0.5 * pa[a]! * pa[b]!;
  ev.grad(ev.pairs(z, z, 0, M, M), Wuu, grad);
  const Wd = Float64Array.from(lam, (l) => -0.5 / l);
  ev.grad(ev.pairs(d.x, d.x, 0, n, n, { paired: true }), Wd, grad);
  const gn = grad.get(core.node.noise);
  if (gn) for (let i = 0; i < n; i++) gn[0] += (0.5 * (alpha[i]! ** 2 - cinvDiag[i]!) + (kdiag[i]! - q[i]!) / (2 * lam[i]! ** 2)) * (d.noiseScale ? d.noiseScale[i]! : 1);
  const mean = core.node.mean;
  if (mean.kind === 'constant') {
    const g = grad.get(mean.c);
    if (g) for (let i = 0; i < n; i++) g[0] += alpha[i]!;
  } else if (mean.kind === 'linear') {
    const gw = grad.get(mean.w);
    const gb = grad.get(mean.b);
    for (let i = 0; i < n; i++) {
      if (gb) gb[0] += alpha[i]!;
      if (gw) for (let k = 0; k < core.inputs; k++) gw[k] += alpha[i]! * d.x[i * d.stride + k]!;
    }
  }
  return { ...base, grad };
}

/** Predictive mean and variance of y (latent + noise) at the n points X from a sparse fit. */
export function sparseMoments(core: GPCore, f: SparseFit, z: Float64Array, X: Float64Array, n: number, meanOut: Float64Array, varOut: Float64Array, K: number, k: number): void {
  const M = f.m;
  const ev = core.evaluator;
  const a = new Float64Array(M * n);
  if (M) ev.value(ev.pairs(z, X, 0, M, n), a);
  forwardRows(f.lm, M, a, n);
  const kdiag = new Float64Array(n);
  ev.value(ev.pairs(X, X, 0, n, n, { paired: true }), kdiag);
  const b = Float64Array.from(a);
  forwardRows(f.lb, M, b, n);
  const s2 = core.noiseOf(0);
  for (let i = 0; i < n; i++) {
    let mu = core.meanAt(X, i);
    let qa = 0;
    let qb = 0;
    for (let j = 0; j < M; j++) {
      mu += a[j * n + i]! * f.beta[j]!;
      qa += a[j * n + i]! ** 2;
      qb += b[j * n + i]! ** 2;
    }
    meanOut[i * K + k] = mu;
    varOut[i * K + k] = Math.max(kdiag[i]! - qa + qb, 0) + s2;
  }
}
