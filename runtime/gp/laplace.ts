// The Laplace approximation of a GP with a non-Gaussian likelihood (Rasmussen & Williams,
// ch. 3 and 5). The prior is f ~ N(m, K); the posterior mode f^ maximizes
//   Psi(f) = sum_i log p(y_i | f_i) - 1/2 (f - m)^T K^-1 (f - m),  written f = m + K a.
// Newton (Algorithm 3.1, with a prior mean): with W = -d2 log p, B = I + W^1/2 K W^1/2 = L L^T,
//   b = W (f - m) + d1,  a_new = b - W^1/2 L^-T L^-1 W^1/2 K b.
// Non-log-concave likelihoods (student_t) can have W < 0: the step then uses max(W, 0), which
// keeps the Newton matrix K^-1 + max(W, 0) positive definite so each step is an ascent
// direction, and a backtracking line search on Psi makes it monotone (GPML's infLaplace does
// the same with Wmin = 0). Its fixed point is still the mode (d1 = a).
// At the mode, log q(y) = Psi(f^) - 1/2 log det(I + K W) with the true W: B's Cholesky when
// W >= 0, an LU of I + K W otherwise (positive determinant at a maximum). The gradient is
// Algorithm 5.1 (kernel hyperparameters, with the implicit term through f^), extended to the
// prior mean and the likelihood's own parameters (GPML's infLaplace derivatives).
import { cholesky, solveLower, solveLowerT } from '../kernels/cholesky.js';
import { getLikelihood, type LikDerivs, type Likelihood } from '../../stdlib/likelihoods/index.js';
import { PmixError } from '../errors.js';
import type { GPNode } from '../../ir/types.js';
import type { ModelState } from '../state.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';
import type { LmlResult } from './exact.js';
import { fillTrainCov } from './exact.js';
import { inverseFromCholesky } from './linalg.js';
import { luInverse, matVec, mirrorLower } from './laplace-linalg.js';

const BLOCK = 64;
const MAX_NEWTON = 200;

export interface GPLik {
  readonly lik: Likelihood;
  readonly link: string;
  readonly theta: number[];
}

/** The node's likelihood with its current parameter values. */
export function gpLikelihood(core: GPCore): GPLik {
  const l = core.node.likelihood;
  if (!l) throw new Error('this GP has a gaussian likelihood');
  const lik = getLikelihood(l.name);
  if (!lik) throw new PmixError(`unknown GP likelihood '${l.name}'`, 'bad-artifact');
  return { lik, link: l.link, theta: l.params.map((p) => core.value(p)[0]!) };
}

/** The training covariance, full and symmetric (white terms on its diagonal; the node's noise is 0). */
export function latentCov(core: GPCore, d: GPData): Float64Array {
  const k = new Float64Array(d.n * d.n);
  fillTrainCov(core, d, k);
  mirrorLower(k, d.n);
  return k;
}

export function priorMean(core: GPCore, d: GPData): Float64Array {
  return Float64Array.from({ length: d.n }, (_, i) => core.meanAt(d.x, i));
}

export interface LaplaceMode {
  readonly f: Float64Array;
  /** K^-1 (f - m); at the mode it equals d1. */
  readonly a: Float64Array;
  readonly psi: number;
  readonly iterations: number;
}

function evalAll(l: GPLik, y: Float64Array, f: Float64Array, out: { lp: Float64Array; d1: Float64Array; d2: Float64Array; d3: Float64Array }): number {
  const t: LikDerivs = { lp: 0, d1: 0, d2: 0, d3: 0 };
  let s = 0;
  for (let i = 0; i < f.length; i++) {
    l.lik.derivs(y[i]!, f[i]!, l.link, l.theta, t);
    out.lp[i] = t.lp;
    out.d1[i] = t.d1;
    out.d2[i] = t.d2;
    out.d3[i] = t.d3;
    s += t.lp;
  }
  return s;
}

function psiOf(l: GPLik, y: Float64Array, f: Float64Array, m: Float64Array, a: Float64Array): number {
  const t: LikDerivs = { lp: 0, d1: 0, d2: 0, d3: 0 };
  let s = 0;
  for (let i = 0; i < f.length; i++) {
    l.lik.derivs(y[i]!, f[i]!, l.link, l.theta, t);
    s += t.lp - 0.5 * a[i]! * (f[i]! - m[i]!);
  }
  return s;
}

/** The posterior mode by Newton's method (from a = start, or 0). */
export function laplaceMode(l: GPLik, k: Float64Array, m: Float64Array, y: Float64Array, start?: Float64Array): LaplaceMode {
  const n = y.length;
  let a = start && start.length === n ? Float64Array.from(start) : new Float64Array(n);
  let f = matVec(k, n, a);
  for (let i = 0; i < n; i++) f[i] += m[i]!;
  const buf = { lp: new Float64Array(n), d1: new Float64Array(n), d2: new Float64Array(n), d3: new Float64Array(n) };
  let psi = psiOf(l, y, f, m, a);
  if (!Number.isFinite(psi)) {
    // A warm start far from the new hyperparameters' mode: start again from the prior mean.
    a = new Float64Array(n);
    f = Float64Array.from(m);
    psi = psiOf(l, y, f, m, a);
  }
  const sW = new Float64Array(n);
  const b = new Float64Array(n);
  const bm = new Float64Array(n * n);
  let it = 0;
  let stall = 0;
  for (; it < MAX_NEWTON; it++) {
    evalAll(l, y, f, buf);
    let gmax = 0;
    let amax = 0;
    for (let i = 0; i < n; i++) {
      gmax = Math.max(gmax, Math.abs(buf.d1[i]! - a[i]!));
      amax = Math.max(amax, Math.abs(a[i]!));
    }
    if (gmax <= 1e-13 * (1 + amax)) break;
    for (let i = 0; i < n; i++) {
      const w = Math.max(0, -buf.d2[i]!);
      sW[i] = Math.sqrt(w);
      b[i] = w * (f[i]! - m[i]!) + buf.d1[i]!;
    }
    // B = I + sW K sW, factored.
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) bm[i * n + j] = sW[i]! * k[i * n + j]! * sW[j]! + (i === j ? 1 : 0);
    if (!cholesky(bm, n).ok) throw new PmixError('the Laplace approximation could not factor I + W^1/2 K W^1/2 (the kernel matrix is not positive semi-definite or not finite)', 'not-positive-definite');
    const kb = matVec(k, n, b);
    for (let i = 0; i < n; i++) kb[i] *= sW[i]!;
    solveLower(bm, n, kb, 1);
    solveLowerT(bm, n, kb, 1);
    const da = new Float64Array(n);
    for (let i = 0; i < n; i++) da[i] = b[i]! - sW[i]! * kb[i]! - a[i]!;
    const df = matVec(k, n, da);
    // Backtracking on Psi: the full step first. Near the mode Psi changes by rounding only,
    // while the Newton step still shrinks the gradient: a full step within rounding of Psi is
    // taken (at most a few times in a row), so the mode is found to the gradient's precision.
    let step = 1;
    let accepted = false;
    const slack = 1e-12 * (1 + Math.abs(psi));
    for (let ls = 0; ls < 30 && !accepted; ls++, step *= 0.5) {
      const at = Float64Array.from(a, (v, i) => v + step * da[i]!);
      const ft = Float64Array.from(f, (v, i) => v + step * df[i]!);
      const pt = psiOf(l, y, ft, m, at);
      if (pt > psi || (step === 1 && pt >= psi - slack && stall < 3)) {
        stall = pt - psi <= slack ? stall + 1 : 0;
        a = at;
        f = ft;
        psi = Math.max(psi, pt);
        accepted = true;
      }
    }
    if (!accepted) break; // no step increases Psi: the mode is reached to working precision
  }
  return { f, a, psi, iterations: it };
}

/** What the mode's curvature gives: log det(I + K W), R = (K + W^-1)^-1 and diag((K^-1 + W)^-1). */
interface Curvature {
  readonly logDetB: number;
  readonly r: Float64Array;
  readonly diagSigma: Float64Array;
}

function curvature(k: Float64Array, n: number, d2: Float64Array): Curvature {
  const w = Float64Array.from(d2, (v) => -v);
  const r = new Float64Array(n * n);
  const diagSigma = new Float64Array(n);
  if (w.every((v) => v >= 0)) {
    const sW = Float64Array.from(w, Math.sqrt);
    const l = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) l[i * n + j] = sW[i]! * k[i * n + j]! * sW[j]! + (i === j ? 1 : 0);
    if (!cholesky(l, n).ok) throw new PmixError('the Laplace approximation could not factor I + W^1/2 K W^1/2', 'not-positive-definite');
    let logDetB = 0;
    for (let i = 0; i < n; i++) logDetB += 2 * Math.log(l[i * n + i]!);
    // diag Sigma = diag K - colsum(V^2), V = L^-1 sW K.
    const v = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[i * n + j] = sW[i]! * k[i * n + j]!;
    solveLower(l, n, v, n);
    for (let j = 0; j < n; j++) diagSigma[j] = k[j * n + j]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) diagSigma[j] -= v[i * n + j]! ** 2;
    inverseFromCholesky(l, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i * n + j] = sW[i]! * l[i * n + j]! * sW[j]!;
    return { logDetB, r, diagSigma };
  }
  // Some W < 0: A = I + K W by LU; R = W A^-1, Sigma = A^-1 K.
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = k[i * n + j]! * w[j]! + (i === j ? 1 : 0);
  const { logAbsDet, sign } = luInverse(A, n);
  if (sign <= 0) throw new PmixError('the Laplace approximation found no maximum of the posterior (det(I + K W) <= 0 at the Newton point)', 'not-positive-definite');
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i * n + j] = w[i]! * A[i * n + j]!;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) r[i * n + j] = r[j * n + i] = 0.5 * (r[i * n + j]! + r[j * n + i]!);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j]! * k[j * n + i]!;
    diagSigma[i] = s;
  }
  return { logDetB: logAbsDet, r, diagSigma };
}

export interface LaplaceResult extends LmlResult {
  readonly mode: LaplaceMode;
}

/**
 * The approximate log marginal likelihood log q(y | X, theta) and, when asked, its gradient
 * in every free hyperparameter (kernel, mean and likelihood parameters). `warm` starts Newton
 * from a previous mode's a.
 */
export function laplaceLml(core: GPCore, d: GPData, wantGrad: boolean, warm?: Float64Array): LaplaceResult {
  const n = d.n;
  const l = gpLikelihood(core);
  const k = latentCov(core, d);
  const m = priorMean(core, d);
  const mode = laplaceMode(l, k, m, d.y, warm);
  const buf = { lp: new Float64Array(n), d1: new Float64Array(n), d2: new Float64Array(n), d3: new Float64Array(n) };
  const sumLp = evalAll(l, d.y, mode.f, buf);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += mode.a[i]! * (mode.f[i]! - m[i]!);
  const c = curvature(k, n, buf.d2);
  const lml = sumLp - 0.5 * quad - 0.5 * c.logDetB;
  if (!wantGrad) return { lml, jitter: 0, mode };
  const a = mode.a;
  const g = buf.d1;
  const r = c.r;
  // s2 = d(-1/2 log det B)/d f^ = 1/2 diag(Sigma) d3 (R&W's line 7 writes -1/2 with their sign
  // convention for the third derivative; GPML's and scikit-learn's code have this one); u = (I - R K) s2.
  const s2 = Float64Array.from(c.diagSigma, (v, i) => 0.5 * v * buf.d3[i]!);
  const rks2 = matVec(r, n, matVec(k, n, s2));
  const u = Float64Array.from(s2, (v, i) => v - rks2[i]!);
  const grad = core.gradBuffers();
  const ev = core.evaluator;
  // Kernel: sum_ij S_ij dK_ij, S = 1/2 (a a^T - R) + 1/2 (u g^T + g u^T); lower triangle, off-diagonal doubled.
  const wbuf = new Float64Array(BLOCK * n);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const r1 = Math.min(n, r0 + BLOCK);
    const wb = wbuf.subarray(0, (r1 - r0) * r1);
    for (let i = r0; i < r1; i++) {
      const row = (i - r0) * r1;
      for (let j = 0; j < i; j++) wb[row + j] = a[i]! * a[j]! - r[i * n + j]! + u[i]! * g[j]! + g[i]! * u[j]!;
      wb[row + i] = 0.5 * (a[i]! * a[i]! - r[i * n + i]!) + u[i]! * g[i]!;
      for (let j = i + 1; j < r1; j++) wb[row + j] = 0;
    }
    ev.grad(ev.pairs(d.x, d.x, r0, r1, r1, { same: true }), wb, grad);
  }
  // Prior mean: d lml / d m = a + u.
  const mean = core.node.mean;
  if (mean.kind === 'constant') {
    const gc = grad.get(mean.c);
    if (gc) for (let i = 0; i < n; i++) gc[0] += a[i]! + u[i]!;
  } else if (mean.kind === 'linear') {
    const gw = grad.get(mean.w);
    const gb = grad.get(mean.b);
    for (let i = 0; i < n; i++) {
      const s = a[i]! + u[i]!;
      if (gb) gb[0] += s;
      if (gw) for (let kk = 0; kk < core.inputs; kk++) gw[kk] += s * d.x[i * d.stride + kk]!;
    }
  }
  // Likelihood parameters: explicit sum dlp + 1/2 diag(Sigma) . dd2, implicit u . K dd1.
  core.node.likelihood!.params.forEach((name, j) => {
    const gp = grad.get(name);
    if (!gp || !l.lik.paramDerivs) return;
    const dd1 = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const pd = l.lik.paramDerivs(d.y[i]!, mode.f[i]!, l.link, l.theta, j);
      s += pd.lp + 0.5 * c.diagSigma[i]! * pd.d2;
      dd1[i] = pd.d1;
    }
    const kd = matVec(k, n, dd1);
    for (let i = 0; i < n; i++) s += u[i]! * kd[i]!;
    gp[0] += s;
  });
  return { lml, jitter: 0, grad, mode };
}

/** What predictions need: d1 at the mode (K* d1 is the latent mean) and R (the variance's K*^T R K*). */
export interface LaplacePosterior {
  readonly g: Float64Array;
  readonly r: Float64Array;
  readonly lml: number;
}

export function laplacePosterior(core: GPCore, d: GPData): LaplacePosterior {
  const n = d.n;
  const l = gpLikelihood(core);
  const k = latentCov(core, d);
  const m = priorMean(core, d);
  const mode = laplaceMode(l, k, m, d.y);
  const buf = { lp: new Float64Array(n), d1: new Float64Array(n), d2: new Float64Array(n), d3: new Float64Array(n) };
  const sumLp = evalAll(l, d.y, mode.f, buf);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += mode.a[i]! * (mode.f[i]! - m[i]!);
  const c = curvature(k, n, buf.d2);
  return { g: Float64Array.from(buf.d1), r: c.r, lml: sumLp - 0.5 * quad - 0.5 * c.logDetB };
}

/**
 * Sets the likelihood's data-initialized parameters and returns a rough latent value per point
 * for the kernel's data-based starting values: +-1 for labels, log(y + 1/2) for counts, y itself
 * for student_t.
 */
export function initLikelihood(state: ModelState, node: GPNode, d: GPData): Float64Array {
  const l = node.likelihood!;
  const lik = getLikelihood(l.name);
  if (!lik) throw new PmixError(`unknown GP likelihood '${l.name}'`, 'bad-artifact');
  const values = lik.init?.(d.y);
  l.params.forEach((name, j) => {
    const p = state.param(name);
    if (p.init !== 'data' || !values) return;
    const b = p.param.kind === 'bounded' ? p.param : { lower: -Infinity, upper: Infinity };
    state.values.get(name)![0] = Math.min(b.upper, Math.max(b.lower, values[j]!));
  });
  if (l.name === 'bernoulli') return Float64Array.from(d.y, (v) => 2 * v - 1);
  // Class latents: a unit-variance guess, as scikit-learn's default 1.0 * RBF(1.0).
  if (l.name === 'categorical') return Float64Array.from(d.y, (_, i) => (i % 2 === 0 ? 1 : -1));
  if (l.name === 'poisson') return Float64Array.from(d.y, (v) => Math.log(v + 0.5));
  return d.y;
}
