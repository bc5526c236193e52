// The sparse GP's mini-batch ELBO and its analytic gradient (hyperparameters, inducing inputs
// through the Cholesky's reverse mode); see sparse.ts for the model.
import { logDetChol, solveLowerT } from '../kernels/cholesky.js';
import { GPCore } from './core.js';
import { gpLikelihood } from './laplace.js';
import { expectedLogLik } from './sparse-lik.js';
import { covFromSqrt, LOG_2PI, shrink, whitened, type Inducing } from './sparse-inducing.js';

/**
 * The ELBO of a batch (scaled to `total` rows), and optionally its hyperparameter gradient
 * (natural units) and, into `gz` (M x stride, accumulated), its gradient with respect to the
 * inducing inputs Z: through Kxm = k(x, Z) and Kmm = k(Z, Z) (via the Cholesky's reverse
 * mode), with each kernel's input gradient.
 */
export function batchElbo(core: GPCore, ind: Inducing, qm: Float64Array, qs: Float64Array, x: Float64Array, y: Float64Array, b: number, total: number, grad?: Map<string, Float64Array>, task?: Int32Array, gz?: Float64Array): number {
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

export function transpose(a: Float64Array, m: number): Float64Array {
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) t[j * m + i] = a[i * m + j]!;
  return t;
}

/**
 * Reverse mode of A = L L^T (Murray 2016): from Lbar = df/dL (lower) to the symmetric
 * df/dA = 1/2 L^-T (P + P^T) L^-1, P = Phi(L^T Lbar) (lower triangle, halved diagonal).
 */
export function choleskyBackward(l: Float64Array, lbar: Float64Array, m: number): Float64Array {
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
