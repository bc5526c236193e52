// Multiclass GP classification by the Laplace approximation (Rasmussen & Williams, 3.5 and 5.5):
// C latent functions f^c ~ GP(0, K) (one kernel, shared hyperparameters; the classes' latents are
// independent a priori), p(y = c | f) = softmax(f)_c. Vectors over (class, point) are class-major:
// v[c n + i]. The mode is R&W Algorithm 3.3 (per class B_c = I + D_c^1/2 K D_c^1/2 = L_c L_c^T,
// E_c = D_c^1/2 B_c^-1 D_c^1/2, M M^T = sum_c E_c), with a backtracking line search on Psi.
// log q(y) = -1/2 a^T f + y^T f - sum_i log sum_c exp f_i^c - 1/2 log det(I + K W) where, by the
// determinant lemma, log det(I + K W) = 2 sum_c log|L_c| + 2 log|M| (W = D - Pi Pi^T; the book's
// line 14 prints only the first term; the test checks this against a dense determinant).
// The gradient (Algorithm 5.2) sums over classes the binary case's S = 1/2 (a a^T - R_cc) + u a^T
// contracted with dK, R = (K + W^-1)^-1 = E - E R0 (sum E)^-1 R0^T E, u = (I - R K) s2 and s2 the
// derivative of -1/2 log det(I + K W) in f^ through W's dependence on pi.
import { cholesky } from '../kernels/cholesky.js';
import { PmixError } from '../errors.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';
import type { LmlResult } from './exact.js';
import { inverseFromCholesky } from './linalg.js';
import { matVec } from './laplace-linalg.js';
import { latentCov } from './laplace.js';

const MAX_NEWTON = 200;
const BLOCK = 64;

/** softmax of each point's C latents, class-major. */
export function softmaxAll(f: Float64Array, n: number, C: number): Float64Array {
  const pi = new Float64Array(C * n);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, f[c * n + i]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(f[c * n + i]! - mx);
    for (let c = 0; c < C; c++) pi[c * n + i] = Math.exp(f[c * n + i]! - mx) / s;
  }
  return pi;
}

/** sum_i log p(y_i | f_i) = sum_i (f_i^{y_i} - logsumexp_c f_i^c). */
function logLik(f: Float64Array, y: Float64Array, n: number, C: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, f[c * n + i]!);
    let t = 0;
    for (let c = 0; c < C; c++) t += Math.exp(f[c * n + i]! - mx);
    s += f[y[i]! * n + i]! - mx - Math.log(t);
  }
  return s;
}

function psiOf(f: Float64Array, a: Float64Array, y: Float64Array, n: number, C: number): number {
  let q = 0;
  for (let k = 0; k < C * n; k++) q += a[k]! * f[k]!;
  return logLik(f, y, n, C) - 0.5 * q;
}

/** K applied to each class's block of a class-major vector. */
function blockMatVec(k: Float64Array, n: number, C: number, v: Float64Array): Float64Array {
  const out = new Float64Array(C * n);
  for (let c = 0; c < C; c++) out.set(matVec(k, n, v.subarray(c * n, (c + 1) * n)), c * n);
  return out;
}

/** What the curvature at pi gives: E_c (full n x n), G = (sum_c E_c)^-1, the log det terms. */
interface Curv {
  readonly e: Float64Array[];
  readonly g: Float64Array;
  /** sum_c log|L_c| and log|M|. */
  readonly logDetL: number;
  readonly logDetM: number;
}

function curvature(k: Float64Array, n: number, C: number, pi: Float64Array): Curv {
  const e: Float64Array[] = [];
  const sumE = new Float64Array(n * n);
  let logDetL = 0;
  for (let c = 0; c < C; c++) {
    const sD = Float64Array.from(pi.subarray(c * n, (c + 1) * n), Math.sqrt);
    const l = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) l[i * n + j] = sD[i]! * k[i * n + j]! * sD[j]! + (i === j ? 1 : 0);
    if (!cholesky(l, n).ok) throw new PmixError('the multiclass Laplace approximation could not factor I + D^1/2 K D^1/2 (the kernel matrix is not positive semi-definite or not finite)', 'not-positive-definite');
    for (let i = 0; i < n; i++) logDetL += Math.log(l[i * n + i]!);
    inverseFromCholesky(l, n); // B_c^-1, full symmetric
    const ec = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ec[i * n + j] = sD[i]! * l[i * n + j]! * sD[j]!;
    for (let q = 0; q < n * n; q++) sumE[q] += ec[q]!;
    e.push(ec);
  }
  const m = Float64Array.from(sumE);
  if (!cholesky(m, n).ok) throw new PmixError('the multiclass Laplace approximation could not factor sum_c E_c', 'not-positive-definite');
  let logDetM = 0;
  for (let i = 0; i < n; i++) logDetM += Math.log(m[i * n + i]!);
  inverseFromCholesky(m, n);
  return { e, g: m, logDetL, logDetM };
}

/** R v for a class-major v: E_c v_c - E_c G sum_c' E_c' v_c'. */
function applyR(cv: Curv, n: number, C: number, v: Float64Array): Float64Array {
  const ev = new Float64Array(C * n);
  const tot = new Float64Array(n);
  for (let c = 0; c < C; c++) {
    const w = matVec(cv.e[c]!, n, v.subarray(c * n, (c + 1) * n));
    ev.set(w, c * n);
    for (let i = 0; i < n; i++) tot[i] += w[i]!;
  }
  const t = matVec(cv.g, n, tot);
  for (let c = 0; c < C; c++) {
    const et = matVec(cv.e[c]!, n, t);
    for (let i = 0; i < n; i++) ev[c * n + i] -= et[i]!;
  }
  return ev;
}

export interface MulticlassMode {
  readonly f: Float64Array;
  /** K^-1 f per class; at the mode y - pi. */
  readonly a: Float64Array;
  readonly psi: number;
  readonly iterations: number;
}

/** The posterior mode by R&W Algorithm 3.3 (Newton, from a = start or 0), y holding class indices. */
export function multiclassMode(k: Float64Array, n: number, C: number, y: Float64Array, start?: Float64Array): MulticlassMode {
  let a = start && start.length === C * n ? Float64Array.from(start) : new Float64Array(C * n);
  let f = blockMatVec(k, n, C, a);
  let psi = psiOf(f, a, y, n, C);
  if (!Number.isFinite(psi)) {
    a = new Float64Array(C * n);
    f = new Float64Array(C * n);
    psi = psiOf(f, a, y, n, C);
  }
  let it = 0;
  let stall = 0;
  for (; it < MAX_NEWTON; it++) {
    const pi = softmaxAll(f, n, C);
    let gmax = 0;
    let amax = 0;
    for (let q = 0; q < C * n; q++) {
      const yq = y[q % n] === Math.floor(q / n) ? 1 : 0;
      gmax = Math.max(gmax, Math.abs(yq - pi[q]! - a[q]!));
      amax = Math.max(amax, Math.abs(a[q]!));
    }
    if (gmax <= 1e-13 * (1 + amax)) break;
    const cv = curvature(k, n, C, pi);
    // b = (D - Pi Pi^T) f + y - pi;  a_new = b - R K b  (= b - c + E R0 M^-T M^-1 R0^T c, c = E K b).
    const b = new Float64Array(C * n);
    for (let i = 0; i < n; i++) {
      let pf = 0;
      for (let c = 0; c < C; c++) pf += pi[c * n + i]! * f[c * n + i]!;
      for (let c = 0; c < C; c++) {
        const q = c * n + i;
        b[q] = pi[q]! * f[q]! - pi[q]! * pf + (y[i] === c ? 1 : 0) - pi[q]!;
      }
    }
    const rkb = applyR(cv, n, C, blockMatVec(k, n, C, b));
    const da = Float64Array.from(b, (v, q) => v - rkb[q]! - a[q]!);
    const df = blockMatVec(k, n, C, da);
    let step = 1;
    let accepted = false;
    const slack = 1e-12 * (1 + Math.abs(psi));
    for (let ls = 0; ls < 30 && !accepted; ls++, step *= 0.5) {
      const at = Float64Array.from(a, (v, q) => v + step * da[q]!);
      const ft = Float64Array.from(f, (v, q) => v + step * df[q]!);
      const pt = psiOf(ft, at, y, n, C);
      if (pt > psi || (step === 1 && pt >= psi - slack && stall < 3)) {
        stall = pt - psi <= slack ? stall + 1 : 0;
        a = at;
        f = ft;
        psi = Math.max(psi, pt);
        accepted = true;
      }
    }
    if (!accepted) break;
  }
  return { f, a, psi, iterations: it };
}

export interface MulticlassResult extends LmlResult {
  readonly mode: MulticlassMode;
}

/** The number of classes of a categorical GP. */
export function classCount(core: GPCore): number {
  const C = core.node.likelihood?.classes;
  if (!C || C < 2) throw new PmixError('a categorical GP needs its number of classes (likelihood.classes >= 2)', 'bad-artifact');
  return C;
}

/** The approximate log marginal likelihood at the mode and, when asked, its gradient in the kernel's free hyperparameters. */
export function multiclassLml(core: GPCore, d: GPData, wantGrad: boolean, warm?: Float64Array): MulticlassResult {
  const n = d.n;
  const C = classCount(core);
  const k = latentCov(core, d);
  const mode = multiclassMode(k, n, C, d.y, warm);
  const pi = softmaxAll(mode.f, n, C);
  const cv = curvature(k, n, C, pi);
  const lml = mode.psi - cv.logDetL - cv.logDetM;
  if (!wantGrad) return { lml, jitter: 0, mode };
  const a = mode.a;
  // Sigma = K - K R K: per point its C x C block S_i[c][c'] = K_ii delta - (K E_c K)_ii + (K E_c G E_c' K)_ii.
  const ke: Float64Array[] = cv.e.map((ec) => matMul(k, ec, n));
  const keg: Float64Array[] = ke.map((p) => matMul(p, cv.g, n));
  const blockAt = (i: number, c: number, c2: number): number => {
    let s = c === c2 ? k[i * n + i]! : 0;
    for (let j = 0; j < n; j++) {
      if (c === c2) s -= ke[c]![i * n + j]! * k[j * n + i]!;
      s += keg[c]![i * n + j]! * ke[c2]![i * n + j]!; // (K E_c G)(E_c' K) = (K E_c G)(K E_c')^T, K E_c' row i
    }
    return s;
  };
  // s2_(e,i) = -1/2 sum_{c,c'} S_i[c][c'] dW_i[c][c'] / df_i^e, W_i = diag(pi) - pi pi^T.
  const s2 = new Float64Array(C * n);
  const S = new Float64Array(C * C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) for (let c2 = 0; c2 < C; c2++) S[c * C + c2] = blockAt(i, c, c2);
    for (let e = 0; e < C; e++) {
      const pe = pi[e * n + i]!;
      let s = 0;
      for (let c = 0; c < C; c++) {
        const pc = pi[c * n + i]!;
        const dpc = pc * ((c === e ? 1 : 0) - pe);
        for (let c2 = 0; c2 < C; c2++) {
          const pc2 = pi[c2 * n + i]!;
          const dpc2 = pc2 * ((c2 === e ? 1 : 0) - pe);
          const dW = (c === c2 ? dpc : 0) - dpc * pc2 - pc * dpc2;
          s += S[c * C + c2]! * dW;
        }
      }
      s2[e * n + i] = -0.5 * s;
    }
  }
  const rks2 = applyR(cv, n, C, blockMatVec(k, n, C, s2));
  const u = Float64Array.from(s2, (v, q) => v - rks2[q]!);
  // R_cc = E_c - E_c G E_c.
  const rcc = cv.e.map((ec) => {
    const egE = matMul(matMul(ec, cv.g, n), ec, n);
    return Float64Array.from(ec, (v, q) => v - egE[q]!);
  });
  const grad = core.gradBuffers();
  const ev = core.evaluator;
  const wbuf = new Float64Array(BLOCK * n);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const r1 = Math.min(n, r0 + BLOCK);
    const wb = wbuf.subarray(0, (r1 - r0) * r1);
    wb.fill(0);
    for (let c = 0; c < C; c++) {
      const ac = a.subarray(c * n, (c + 1) * n);
      const uc = u.subarray(c * n, (c + 1) * n);
      const r = rcc[c]!;
      for (let i = r0; i < r1; i++) {
        const row = (i - r0) * r1;
        for (let j = 0; j < i; j++) wb[row + j] += ac[i]! * ac[j]! - r[i * n + j]! + uc[i]! * ac[j]! + ac[i]! * uc[j]!;
        wb[row + i] += 0.5 * (ac[i]! * ac[i]! - r[i * n + i]!) + uc[i]! * ac[i]!;
      }
    }
    ev.grad(ev.pairs(d.x, d.x, r0, r1, r1, { same: true }), wb, grad);
  }
  return { lml, jitter: 0, grad, mode };
}

function matMul(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < n; l++) {
      const v = x[i * n + l]!;
      if (v === 0) continue;
      const ro = l * n;
      const oo = i * n;
      for (let j = 0; j < n; j++) out[oo + j] += v * y[ro + j]!;
    }
  }
  return out;
}

/** What predictions need: y - pi at the mode (the latent means' weights) and the curvature's E_c and G. */
export interface MulticlassPosterior {
  readonly C: number;
  readonly n: number;
  readonly a: Float64Array;
  readonly e: readonly Float64Array[];
  readonly g: Float64Array;
  readonly lml: number;
}

export function multiclassPosterior(core: GPCore, d: GPData): MulticlassPosterior {
  const n = d.n;
  const C = classCount(core);
  const k = latentCov(core, d);
  const mode = multiclassMode(k, n, C, d.y);
  const pi = softmaxAll(mode.f, n, C);
  const cv = curvature(k, n, C, pi);
  return { C, n, a: mode.a, e: cv.e, g: cv.g, lml: mode.psi - cv.logDetL - cv.logDetM };
}

/**
 * R&W Algorithm 3.4's latent predictive at one test point from k* (n) and k**: mean_c = k*^T a_c,
 * cov_cc' = delta k** - k*^T R_cc' k* = delta (k** - k*^T E_c k*) + (E_c k*)^T G (E_c' k*).
 */
export function multiclassLatent(post: MulticlassPosterior, ks: Float64Array, kss: number): { mean: Float64Array; cov: Float64Array } {
  const { C, n } = post;
  const mean = new Float64Array(C);
  const eks = post.e.map((ec) => matVec(ec, n, ks));
  const geks = eks.map((v) => matVec(post.g, n, v));
  const cov = new Float64Array(C * C);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let j = 0; j < n; j++) m += ks[j]! * post.a[c * n + j]!;
    mean[c] = m;
    for (let c2 = 0; c2 < C; c2++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += eks[c]![j]! * geks[c2]![j]!;
      if (c === c2) {
        let q = 0;
        for (let j = 0; j < n; j++) q += ks[j]! * eks[c]![j]!;
        s += kss - q;
      }
      cov[c * C + c2] = s;
    }
  }
  return { mean, cov };
}
