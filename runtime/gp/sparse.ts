// Sparse variational GP (Hensman, Fusi & Lawrence 2013) in the whitened parametrization:
// M inducing inputs Z (k-means centres, then fixed), u = f(Z) = L v with L L^T = Kmm, and
// q(v) = N(m, S) against the prior N(0, I). The evidence lower bound
//   ELBO = sum_i E_q[log N(y_i | f_i, noise)] - KL(q(v) || N(0, I))  <=  log marginal likelihood
// is estimated on mini-batches: q(v) moves by natural-gradient steps towards the batch's
// optimum (its precision I + sum A_i^T A_i / noise is always positive definite), the
// hyperparameters by Adam on the ELBO's analytic gradient (through L by the Cholesky's
// reverse mode). Nothing inverts Kmm explicitly. Memory is O(M^2 + B M) whatever the number
// of rows. With A = K_xm L^-T:  q(f_i) = N(m(x_i) + A_i m, k_ii + A_i (S - I) A_i^T).
import type { AdamSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { cholesky, logDetChol, solveLower, solveLowerT } from '../kernels/cholesky.js';
import { kmeans } from '../kmeans.js';
import { PmixError } from '../errors.js';
import { AdamOptimizer, adamConvergence } from '../learners/adam-optimizer.js';
import type { Steps } from '../learners/drive.js';
import { drive, type Learner } from '../learners/driver.js';
import type { FitProgress } from '../learners/types.js';
import type { ModelState } from '../state.js';
import { GPCore } from './core.js';
import type { GPData } from './data.js';
import { factorWithJitter } from './factor.js';
import { gpNode, prepareOutputs, normalizationLogJac, type GPFitted } from './fit.js';
import { initializeFromData } from './init.js';
import { logPrior } from './prior.js';
import { inverseFromCholesky } from './linalg.js';
import { gpLikelihood, initLikelihood, type GPLik } from './laplace.js';
import { expectedLogLik, SVGP_QUADRATURE } from './sparse-lik.js';
import { diagVariances, type Prediction } from './variances.js';

const LOG_2PI = Math.log(2 * Math.PI);

interface Inducing {
  readonly z: Float64Array;
  readonly m: number;
  /** L with L L^T = Kmm + jitter, and the jitter it needed. */
  readonly l: Float64Array;
  readonly jitter: number;
}

function sparseNames(state: ModelState): { z: string; qm: string; qs: string; m: number; learn: boolean } {
  const node = gpNode(state.graph);
  if (node.inference.kind !== 'sparse') throw new Error('not a sparse GP');
  const inf = node.inference;
  return { z: inf.inducing, qm: inf.qMean, qs: inf.qSqrt, m: inf.m, learn: inf.learnInducing ?? true };
}

/** Per input column, the scale Adam moves inducing inputs in: the column's standard deviation (1 when constant). */
function columnScales(d: GPData): Float64Array {
  const out = new Float64Array(d.stride);
  for (let c = 0; c < d.stride; c++) {
    let m = 0;
    for (let i = 0; i < d.n; i++) m += d.x[i * d.stride + c]! / d.n;
    let v = 0;
    for (let i = 0; i < d.n; i++) v += (d.x[i * d.stride + c]! - m) ** 2 / d.n;
    const sd = Math.sqrt(v);
    out[c] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return out;
}

function inducing(core: GPCore, z: Float64Array, m: number): Inducing {
  const ev = core.evaluator;
  const f = factorWithJitter((b) => ev.value(ev.pairs(z, z, 0, m, m, { same: true }), b), m, { x: z, d: core.stride });
  return { z, m, l: f.l, jitter: f.jitter };
}

/** A^T = L^-1 Kmx (M x b, row-major) for the points x. */
function whitened(core: GPCore, ind: Inducing, x: Float64Array, b: number): Float64Array {
  const M = ind.m;
  const kxm = new Float64Array(b * M);
  const ev = core.evaluator;
  ev.value(ev.pairs(x, ind.z, 0, b, M), kxm);
  const at = new Float64Array(M * b);
  for (let i = 0; i < b; i++) for (let j = 0; j < M; j++) at[j * b + i] = kxm[i * M + j]!;
  solveLower(ind.l, M, at, b);
  return at;
}

/** S = Q Q^T from the stored lower factor. */
function covFromSqrt(q: Float64Array, m: number): Float64Array {
  const s = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = 0; k <= j; k++) t += q[i * m + k]! * q[j * m + k]!;
      s[i * m + j] = t;
      s[j * m + i] = t;
    }
  }
  return s;
}

/** t = (S - I) A^T (M x b). */
function shrink(s: Float64Array, at: Float64Array, M: number, b: number): Float64Array {
  const t = new Float64Array(M * b);
  for (let j = 0; j < M; j++) {
    for (let k = 0; k < M; k++) {
      const d = s[j * M + k]! - (j === k ? 1 : 0);
      if (d === 0) continue;
      for (let i = 0; i < b; i++) t[j * b + i] += d * at[k * b + i]!;
    }
  }
  return t;
}

export function sparsePredictScaled(state: ModelState, core: GPCore, xs: Float64Array, n: number, opts: { cov?: boolean }): Prediction {
  const names = sparseNames(state);
  const M = names.m;
  const ind = inducing(core, state.values.get(names.z)!, M);
  const qm = state.values.get(names.qm)!;
  const s = covFromSqrt(state.values.get(names.qs)!, M);
  const at = whitened(core, ind, xs, n);
  const t = shrink(s, at, M, n);
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = core.meanAt(xs, i);
    for (let j = 0; j < M; j++) v += at[j * n + i]! * qm[j]!;
    mean[i] = v;
  }
  const quad = (i: number, k: number): number => {
    let v = 0;
    for (let j = 0; j < M; j++) v += at[j * n + i]! * t[j * n + k]!;
    return v;
  };
  const { varF, varY } = diagVariances(core, xs, n, (i) => -quad(i, i));
  let cov: Float64Array | undefined;
  if (opts.cov) {
    cov = new Float64Array(n * n);
    const ev = core.evaluator;
    ev.value(ev.pairs(xs, xs, 0, n, n), cov);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) cov[i * n + k] += quad(i, k);
  }
  return { m: n, mean, varF, varY, ...(cov ? { cov } : {}) };
}

/**
 * The ELBO of a batch (scaled to `total` rows), and optionally its hyperparameter gradient
 * (natural units) and, into `gz` (M x stride, accumulated), its gradient with respect to the
 * inducing inputs Z: through Kxm = k(x, Z) and Kmm = k(Z, Z) (via the Cholesky's reverse
 * mode), with each kernel's input gradient.
 */
function batchElbo(core: GPCore, ind: Inducing, qm: Float64Array, qs: Float64Array, x: Float64Array, y: Float64Array, b: number, total: number, grad?: Map<string, Float64Array>, task?: Int32Array, gz?: Float64Array): number {
  const M = ind.m;
  const sB = total / b;
  const s = covFromSqrt(qs, M);
  const at = whitened(core, ind, x, b);
  const t = shrink(s, at, M, b);
  const ev = core.evaluator;
  const kdiag = new Float64Array(b);
  ev.value(ev.pairs(x, x, 0, b, b, { paired: true, same: true }), kdiag);
  let data = 0;
  // r_i = d data_i / d mu_i and c_i = d data_i / d v_i (gaussian: (y - mu) / noise and -1 / (2 noise)).
  const r = new Float64Array(b);
  const c = new Float64Array(b);
  let dNoise = 0;
  const lik = core.node.likelihood ? gpLikelihood(core) : undefined;
  const ell = { value: 0, dMu: 0, dVar: 0, curv: 0 };
  const dTheta = lik ? new Float64Array(lik.theta.length) : undefined;
  const dLik = lik ? new Float64Array(lik.theta.length) : undefined;
  for (let i = 0; i < b; i++) {
    let mu = core.meanAt(x, i);
    let v = kdiag[i]!;
    for (let j = 0; j < M; j++) {
      mu += at[j * b + i]! * qm[j]!;
      v += at[j * b + i]! * t[j * b + i]!;
    }
    if (lik) {
      expectedLogLik(lik, y[i]!, mu, v, ell, grad ? dTheta : undefined);
      data += ell.value;
      r[i] = ell.dMu;
      c[i] = ell.dVar;
      if (grad) for (let j = 0; j < dLik!.length; j++) dLik![j] += dTheta![j]!;
      continue;
    }
    const s2 = core.noiseOf(task ? task[i]! : 0);
    const e = y[i]! - mu;
    data += -0.5 * (LOG_2PI + Math.log(s2)) - (e * e + v) / (2 * s2);
    r[i] = e / s2;
    c[i] = -1 / (2 * s2);
    dNoise += -1 / (2 * s2) + (e * e + v) / (2 * s2 * s2);
  }
  // KL(N(m, S) || N(0, I)) = 1/2 [tr S + m^T m - M - log|S|]
  let tr = 0;
  let mm = 0;
  for (let j = 0; j < M; j++) {
    tr += s[j * M + j]!;
    mm += qm[j]! * qm[j]!;
  }
  const kl = 0.5 * (tr + mm - M - logDetChol(qs, M));
  const elbo = sB * data - kl;
  if (!grad) return elbo;
  // dELBO/dA^T (M x b): sB (m r_i + 2 c_i (S - I) A_i^T), c_i = -1 / (2 noise_i).
  const ga = new Float64Array(M * b);
  for (let j = 0; j < M; j++) for (let i = 0; i < b; i++) ga[j * b + i] = sB * (qm[j]! * r[i]! + 2 * c[i]! * t[j * b + i]!);
  // Through Kxm: A = Kxm L^-T, so dELBO/dKxm = G_A L^-1, i.e. its transpose is L^-T G_A^T.
  const gk = Float64Array.from(ga);
  solveLowerT(ind.l, M, gk, b);
  const wxm = new Float64Array(b * M);
  for (let i = 0; i < b; i++) for (let j = 0; j < M; j++) wxm[i * M + j] = gk[j * b + i]!;
  ev.grad(ev.pairs(x, ind.z, 0, b, M), wxm, grad);
  if (gz) ev.gradX(ev.pairs(x, ind.z, 0, b, M), wxm, undefined, gz);
  const gd = Float64Array.from(c, (ci) => sB * ci);
  ev.grad(ev.pairs(x, x, 0, b, b, { paired: true, same: true }), gd, grad);
  // Through L: dELBO/dL = -tril(L^-T G A), G = dELBO/dA^T; then the Cholesky's reverse mode to Kmm.
  const yy = new Float64Array(M * M); // A^T G_A (M x M): sum_i at[j,i] ga[k,i]
  for (let j = 0; j < M; j++) {
    for (let k = 0; k < M; k++) {
      let v = 0;
      for (let i = 0; i < b; i++) v += at[j * b + i]! * ga[k * b + i]!;
      yy[j * M + k] = v;
    }
  }
  const yt = transpose(yy, M);
  solveLowerT(ind.l, M, yt, M); // L^-T Y^T = (Y L^-1)^T
  const lbar = new Float64Array(M * M);
  for (let j = 0; j < M; j++) for (let k = 0; k <= j; k++) lbar[j * M + k] = -yt[j * M + k]!;
  const gmm = choleskyBackward(ind.l, lbar, M);
  ev.grad(ev.pairs(ind.z, ind.z, 0, M, M, { same: true }), gmm, grad);
  // gmm weighs every (i, j) entry of Kmm, so Z moves on both sides of each pair.
  if (gz) ev.gradX(ev.pairs(ind.z, ind.z, 0, M, M, { same: true }), gmm, gz, gz);
  const gn = grad.get(core.node.noise);
  if (gn && !lik) gn[0] += sB * dNoise;
  core.node.likelihood?.params.forEach((name, j) => {
    const g = grad.get(name);
    if (g) g[0] += sB * dLik![j]!;
  });
  const mf = core.node.mean;
  if (mf.kind === 'constant' && grad.get(mf.c)) for (let i = 0; i < b; i++) grad.get(mf.c)![0] += sB * r[i]!;
  return elbo;
}

function transpose(a: Float64Array, m: number): Float64Array {
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) t[j * m + i] = a[i * m + j]!;
  return t;
}

/**
 * Reverse mode of A = L L^T (Murray 2016): from Lbar = df/dL (lower) to the symmetric
 * df/dA = 1/2 L^-T (P + P^T) L^-1, P = Phi(L^T Lbar) (lower triangle, halved diagonal).
 */
function choleskyBackward(l: Float64Array, lbar: Float64Array, m: number): Float64Array {
  const p = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let k = i; k < m; k++) v += l[k * m + i]! * lbar[k * m + j]!;
      p[i * m + j] = i === j ? 0.5 * v : v;
    }
  }
  const sym = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) sym[i * m + j] = 0.5 * (p[i * m + j]! + p[j * m + i]!);
  // L^-T sym L^-1 = L^-T (L^-T sym^T)^T (sym is symmetric).
  solveLowerT(l, m, sym, m);
  const w = transpose(sym, m);
  solveLowerT(l, m, w, m);
  return w;
}

/** The batch optimum of q(v) in natural parameters: Lambda = I + sB sum_i A_i^T A_i / noise, eta1 = sB sum_i A_i^T (y_i - m(x_i)) / noise. */
function optimalNatural(core: GPCore, ind: Inducing, x: Float64Array, y: Float64Array, b: number, total: number, q?: { qm: Float64Array; qs: Float64Array }): { lambda: Float64Array; eta1: Float64Array } {
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
function likNatural(core: GPCore, lik: GPLik, ind: Inducing, at: Float64Array, x: Float64Array, y: Float64Array, b: number, sB: number, q: { qm: Float64Array; qs: Float64Array }, clamp: boolean): { lambda: Float64Array; eta1: Float64Array } {
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
function fromNatural(lambda: Float64Array, eta1: Float64Array, M: number, qm: Float64Array, qs: Float64Array): boolean {
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
function toNatural(qm: Float64Array, qs: Float64Array, M: number): { lambda: Float64Array; eta1: Float64Array } {
  const lambda = covFromSqrt(qs, M);
  const l = Float64Array.from(qs);
  inverseFromCholesky(l, M);
  lambda.set(l);
  const eta1 = new Float64Array(M);
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) eta1[i] += lambda[i * M + j]! * qm[j]!;
  return { lambda, eta1 };
}

/** Sets q(v) to its optimum for all the data at the current hyperparameters (the Titsias bound). */
export function setOptimalQ(state: ModelState, d: GPData): void {
  const core = new GPCore(state, gpNode(state.graph));
  const names = sparseNames(state);
  const ind = inducing(core, state.values.get(names.z)!, names.m);
  const qm = state.values.get(names.qm)!;
  const qs = state.values.get(names.qs)!;
  // A non-Gaussian likelihood's optimum is a fixed point: natural-gradient steps, of size 1
  // (Newton's method on q) for log-concave likelihoods, damped to 0.3 for student_t.
  const lik = core.node.likelihood ? gpLikelihood(core) : undefined;
  const steps = lik ? 300 : 1;
  const rho = lik && !lik.lik.logConcave ? 0.3 : 1;
  let nat = toNatural(qm, qs, names.m);
  for (let s = 0; s < steps; s++) {
    const opt = optimalNatural(core, ind, d.x, d.y, d.n, d.n, { qm, qs });
    const lambda = nat.lambda.map((v, k) => (1 - rho) * v + rho * opt.lambda[k]!);
    const eta1 = nat.eta1.map((v, k) => (1 - rho) * v + rho * opt.eta1[k]!);
    if (!fromNatural(lambda, eta1, names.m, qm, qs)) throw new PmixError('the optimal q(u) is numerically singular', 'not-positive-definite');
    nat = { lambda, eta1 };
  }
}

/**
 * The ELBO on all of the data (on the GP's scale), and its gradient when asked: the
 * hyperparameters' in `grad`, and the inducing inputs' when `grad` has an entry (M x stride)
 * under the inducing parameter's name.
 */
export function sparseElbo(state: ModelState, d: GPData, grad?: Map<string, Float64Array>): number {
  const core = new GPCore(state, gpNode(state.graph));
  const names = sparseNames(state);
  const ind = inducing(core, state.values.get(names.z)!, names.m);
  return batchElbo(core, ind, state.values.get(names.qm)!, state.values.get(names.qs)!, d.x, d.y, d.n, d.n, grad, d.task, grad?.get(names.z));
}

/** Inducing inputs: k-means centres of (at most 20,000 sampled) training inputs. */
export function initInducing(state: ModelState, d: GPData, rng: Rng): void {
  const names = sparseNames(state);
  const M = names.m;
  if (d.n < M) throw new PmixError(`sparse(m = ${M}) needs at least ${M} training rows; the data has ${d.n}`, 'bad-value', 'lower m, or use exact inference');
  const take = Math.min(d.n, 20000);
  const idx = sampleIndices(d.n, take, rng);
  const f = new Float64Array(take * d.stride);
  idx.forEach((r, i) => f.set(d.x.subarray(r * d.stride, (r + 1) * d.stride), i * d.stride));
  const labels = kmeans(f, take, d.stride, M, new Float64Array(take).fill(1), rng, 30);
  const z = new Float64Array(M * d.stride);
  const cnt = new Float64Array(M);
  for (let i = 0; i < take; i++) {
    cnt[labels[i]!]++;
    for (let c = 0; c < d.stride; c++) z[labels[i]! * d.stride + c] += f[i * d.stride + c]!;
  }
  for (let k = 0; k < M; k++) {
    if (cnt[k]! > 0) for (let c = 0; c < d.stride; c++) z[k * d.stride + c] /= cnt[k]!;
    else z.set(f.subarray((k % take) * d.stride, (k % take + 1) * d.stride), k * d.stride);
  }
  state.values.get(names.z)!.set(z);
}

function sampleIndices(n: number, k: number, rng: Rng): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  while (out.size < k) out.add(rng.int(n));
  return [...out].sort((a, b) => a - b);
}

/**
 * Minibatch training: per batch a natural-gradient step on q(u) (step `rho`), then Adam on
 * the hyperparameters and (unless learn_inducing = false) the inducing inputs, the latter in
 * units of each input column's standard deviation so one learning rate fits both.
 */
export function* fitSparseSteps(initial: ModelState, d: GPData, settings: AdamSettings, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<GPFitted> {
  const state = initial.clone();
  const node = gpNode(state.graph);
  if ((node.outputs?.length ?? 1) > 1) throw new PmixError('sparse inference of multitask GPs is not supported yet; use exact inference', 'unsupported');
  const y = prepareOutputs(state, node, d);
  const scaled: GPData = { ...d, y };
  const rng = new Rng(settings.seed);
  initializeFromData(state, node, d, node.likelihood ? initLikelihood(state, node, d) : y);
  const names = sparseNames(state);
  const M = names.m;
  if (state.param(names.z).init === 'data') initInducing(state, d, rng);
  const core = new GPCore(state, node);
  const qm = state.values.get(names.qm)!;
  const qs = state.values.get(names.qs)!;
  let ind = inducing(core, state.values.get(names.z)!, M);
  let { lambda, eta1 } = toNatural(qm, qs, M);
  const B = Math.min(settings.batch, d.n);
  // Natural-gradient step: a full batch jumps to the optimum; small batches average over ~1/rho of them.
  const rho = Math.min(1, Math.max(0.05, (2 * B) / d.n));
  const theta = core.pack();
  const { lower, upper } = core.bounds();
  const z = state.values.get(names.z)!;
  const z0 = Float64Array.from(z);
  const zScale = columnScales(d);
  const gz = names.learn ? new Float64Array(M * d.stride) : undefined;
  const adam = new AdamOptimizer(settings.lr);
  const xb = new Float64Array(B * d.stride);
  const yb = new Float64Array(B);
  const order = Array.from({ length: d.n }, (_, i) => i);
  let last = -Infinity;
  const learner: Learner = {
    restarts: 1,
    maxIter: settings.epochs,
    limit: `epochs = ${settings.epochs}`,
    start: () => ({
      state,
      *iterate(epoch) {
        for (let i = d.n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        let sum = 0;
        let batches = 0;
        for (let start = 0; start + B <= d.n; start += B) {
          for (let k = 0; k < B; k++) {
            const r = order[start + k]!;
            xb.set(d.x.subarray(r * d.stride, (r + 1) * d.stride), k * d.stride);
            yb[k] = scaled.y[r]!;
          }
          // Natural-gradient step on q(v) at the current hyperparameters.
          const opt = optimalNatural(core, ind, xb, yb, B, d.n, { qm, qs });
          const nl = lambda.map((v, k) => (1 - rho) * v + rho * opt.lambda[k]!);
          const ne = eta1.map((v, k) => (1 - rho) * v + rho * opt.eta1[k]!);
          if (fromNatural(nl, ne, M, qm, qs)) {
            lambda = nl;
            eta1 = ne;
          }
          // Adam on the hyperparameters (and the inducing inputs): ascent on the ELBO per row.
          const grads = core.gradBuffers();
          gz?.fill(0);
          const elbo = batchElbo(core, ind, qm, qs, xb, yb, B, d.n, grads, undefined, gz);
          logPrior(core, grads); // priors, when given: MAP hyperparameters
          const g = core.packGrad(grads);
          if (!Number.isFinite(elbo) || g.some((v) => !Number.isFinite(v)) || gz?.some((v) => !Number.isFinite(v))) throw new PmixError(`the sparse GP's ELBO became ${elbo} at epoch ${epoch}`, 'non-finite', 'lower lr, or give the hyperparameters sensible bounds');
          adam.begin();
          adam.ascend('theta', theta, g, { divide: d.n, lower, upper });
          core.unpack(theta);
          if (gz) adam.ascend('z', z, gz, { divide: d.n, scale: zScale });
          ind = inducing(core, z, M);
          sum += elbo;
          batches++;
          yield;
        }
        last = sum / Math.max(1, batches) / d.n;
        return last;
      },
      *finish({ trace }) {
        // Interrupted before the first epoch ended: the ELBO of the initial q(v) on every row.
        if (!trace.length) last = sparseElbo(state, scaled) / d.n;
        return { state, meanLogLikelihood: last };
      },
    }),
  };
  const { result } = yield* drive(learner, { ...adamConvergence(settings), onProgress, signal });
  const notes: string[] = [];
  if (ind.jitter > 0) notes.push(`added jitter ${ind.jitter.toExponential(2)} to the inducing points' kernel matrix`);
  if (gz) {
    let moved = 0;
    for (let k = 0; k < z.length; k++) moved = Math.max(moved, Math.abs(z[k]! - z0[k]!) / zScale[k % d.stride]!);
    notes.push(`inducing inputs learned with the hyperparameters (the largest move ${moved.toPrecision(3)} input sd; learn_inducing = false keeps the k-means centres)`);
  } else notes.push('inducing inputs fixed (learn_inducing = false)');
  if (node.likelihood) notes.push(`expected log-likelihood (${node.likelihood.name}, link ${node.likelihood.link}) by ${SVGP_QUADRATURE}-point Gauss-Hermite quadrature`);
  notes.push(`ELBO per row ${last.toPrecision(6)} (mean over the last epoch's batches; a lower bound on the log marginal likelihood per row)`);
  const lml = last * d.n - normalizationLogJac(state, node, d);
  return { state, lml, iterations: result.iterations, converged: result.converged, stop: result.stop, criterion: result.criterion, interrupted: result.stop === 'interrupted', notes };
}
