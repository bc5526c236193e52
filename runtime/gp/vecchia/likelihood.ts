// The Vecchia log-likelihood of a Gaussian-noise GP and its analytic gradient:
//   log p(y) ~ sum_i log p(y_i | y_c(i)),   c(i) = the m nearest previous points of i,
// each term from the Cholesky factor L of the (|c|+1)-square covariance A of (y_c, y_i)
// (i last): with L_cc z = r_c, e = r_i - l^T z and s = L_qq^2 (the conditional variance),
//   log p(y_i | y_c) = -1/2 log(2 pi s) - e^2 / (2 s).
// Its gradient is that of log N(r_[c,i]; A) - log N(r_c; A_cc), i.e. 1/2 tr(W dA) with
//   W = (e/s) (b u^T + u b^T) + (e^2/s^2 - 1/s) u u^T,  u = [-A_cc^-1 a; 1], b = [A_cc^-1 r_c; 0]
// (block inverse: A^-1 = pad(A_cc^-1) + u u^T / s), so each point needs one small factor and
// two triangular solves, no inverse. Points go in blocks: their covariance entries are kernel
// values on paired inputs (O(block m^2) memory; nothing n x n).
import { PmixError } from '../../errors.js';
import { KernelEvaluator } from '../../../stdlib/kernels/index.js';
import type { Pairs } from '../../../stdlib/kernels/index.js';
import type { GPCore } from '../core.js';
import type { LmlResult } from '../exact.js';
import type { VecchiaSetup } from './ordering.js';

const LOG_2PI = Math.log(2 * Math.PI);
const BLOCK = 256;

/** Factors the q x q row-major lower triangle of a in place; false when not positive definite. */
export function smallCholesky(a: Float64Array, q: number): boolean {
  for (let j = 0; j < q; j++) {
    const rj = j * q;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < q; i++) {
      const ri = i * q;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L v = b in place (L: the leading p x p block of a q x q row-major factor). */
export function forward(l: Float64Array, q: number, p: number, v: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = v[i]!;
    for (let k = 0; k < i; k++) s -= l[i * q + k]! * v[k]!;
    v[i] = s / l[i * q + i]!;
  }
}

/** Solves L^T v = b in place (the same block). */
export function backward(l: Float64Array, q: number, p: number, v: Float64Array): void {
  for (let i = p - 1; i >= 0; i--) {
    let s = v[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * q + i]! * v[k]!;
    v[i] = s / l[i * q + i]!;
  }
}

/**
 * Reusable buffers of one block's pairs, and the Pairs over them: the same object while the
 * block's pair count stays (every full block), so the evaluators' scratch is reused too.
 */
class PairBuffers {
  private offPairs?: Pairs;
  private diagPairs?: Pairs;
  pairs(ev: KernelEvaluator, evd: KernelEvaluator, off: number, diag: number): { offPairs: Pairs; diagPairs: Pairs } {
    // Off-diagonal pairs are distinct training points; the diagonal is each point with itself (white noise counts there).
    if (this.offPairs?.length !== off || this.offPairs.x1 !== this.x1) this.offPairs = ev.pairs(this.x1, this.x2, 0, off, off, { paired: true });
    if (this.diagPairs?.length !== diag || this.diagPairs.x1 !== this.xd) this.diagPairs = evd.pairs(this.xd, this.xd, 0, diag, diag, { paired: true, same: true });
    return { offPairs: this.offPairs, diagPairs: this.diagPairs };
  }

  x1 = new Float64Array(0);
  x2 = new Float64Array(0);
  xd = new Float64Array(0);
  k = new Float64Array(0);
  kd = new Float64Array(0);
  w = new Float64Array(0);
  wd = new Float64Array(0);
  ensure(off: number, diag: number, D: number): void {
    if (this.k.length < off) {
      this.x1 = new Float64Array(off * D);
      this.x2 = new Float64Array(off * D);
      this.k = new Float64Array(off);
      this.w = new Float64Array(off);
    }
    if (this.kd.length < diag) {
      this.xd = new Float64Array(diag * D);
      this.kd = new Float64Array(diag);
      this.wd = new Float64Array(diag);
    }
  }
}

/** The Vecchia log-likelihood (and gradient) at the state's current hyperparameters; outputs as in `s`. */
export function vecchiaLml(core: GPCore, s: VecchiaSetup, wantGrad: boolean): LmlResult {
  const { n, D, x, y } = s;
  const ev = core.evaluator;
  // A second evaluator for the diagonal: each keeps buffers of one length (no reallocation per call).
  const evd = new KernelEvaluator(core.node.kernel, core.stride, (name) => core.value(name));
  const noise = core.noiseOf(0);
  const grad = wantGrad ? core.gradBuffers() : undefined;
  const gNoise = grad?.get(core.node.noise);
  const mean = core.node.mean;
  const gC = mean.kind === 'constant' ? grad?.get(mean.c) : undefined;
  const gW = mean.kind === 'linear' ? grad?.get(mean.w) : undefined;
  const gB = mean.kind === 'linear' ? grad?.get(mean.b) : undefined;
  const qMax = s.m + 1;
  const nb = new Int32Array(BLOCK * qMax);
  const cnt = new Int32Array(BLOCK);
  const a = new Float64Array(qMax * qMax);
  const r = new Float64Array(qMax);
  const z = new Float64Array(qMax);
  const u = new Float64Array(qMax);
  const buf = new PairBuffers();
  let lml = 0;
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const b1 = Math.min(n, b0 + BLOCK);
    // Local point lists: the neighbours, then the point itself.
    let off = 0;
    let diag = 0;
    for (let i = b0; i < b1; i++) {
      const t = i - b0;
      const c = s.neighbours(i, nb, t * qMax);
      nb[t * qMax + c] = i;
      cnt[t] = c + 1;
      off += ((c + 1) * c) / 2;
      diag += c + 1;
    }
    buf.ensure(off, diag, D);
    let po = 0;
    let pd = 0;
    for (let t = 0; t < b1 - b0; t++) {
      const q = cnt[t]!;
      const pts = t * qMax;
      for (let ia = 0; ia < q; ia++) {
        const pa = nb[pts + ia]!;
        for (let c = 0; c < D; c++) buf.xd[pd * D + c] = x[pa * D + c]!;
        pd++;
        for (let ib = 0; ib < ia; ib++, po++) {
          const pb = nb[pts + ib]!;
          for (let c = 0; c < D; c++) {
            buf.x1[po * D + c] = x[pa * D + c]!;
            buf.x2[po * D + c] = x[pb * D + c]!;
          }
        }
      }
    }
    const { offPairs, diagPairs } = buf.pairs(ev, evd, off, diag);
    if (off > 0) ev.value(offPairs, buf.k);
    evd.value(diagPairs, buf.kd);
    po = 0;
    pd = 0;
    for (let t = 0; t < b1 - b0; t++) {
      const q = cnt[t]!;
      const pts = t * qMax;
      const po0 = po;
      const pd0 = pd;
      for (let ia = 0; ia < q; ia++) {
        a[ia * q + ia] = buf.kd[pd++]! + noise;
        for (let ib = 0; ib < ia; ib++) a[ia * q + ib] = buf.k[po++]!;
        const pa = nb[pts + ia]!;
        r[ia] = y[pa]! - core.meanAt(x, pa);
      }
      const i = nb[pts + q - 1]!;
      if (!smallCholesky(a, q)) {
        throw new PmixError(`the covariance of training point ${s.perm[i]! + 1} and its ${q - 1} neighbours is not positive definite (Vecchia approximation; duplicate inputs with no noise?)`, 'not-positive-definite', 'add noise (noise = 1e-6 in [1e-8, 1]) or a white() term');
      }
      const p = q - 1;
      for (let k = 0; k < p; k++) z[k] = r[k]!;
      forward(a, q, p, z);
      let e = r[p]!;
      for (let k = 0; k < p; k++) e -= a[p * q + k]! * z[k]!;
      const lam = a[p * q + p]!;
      const sv = lam * lam;
      lml += -0.5 * LOG_2PI - Math.log(lam) - (0.5 * e * e) / sv;
      if (!grad) continue;
      // b = A_cc^-1 r_c (in z), u = [-A_cc^-1 a; 1].
      backward(a, q, p, z);
      for (let k = 0; k < p; k++) u[k] = a[p * q + k]!;
      backward(a, q, p, u);
      for (let k = 0; k < p; k++) u[k] = -u[k]!;
      u[p] = 1;
      z[p] = 0;
      const es = e / sv;
      const cc = es * es - 1 / sv;
      let oo = po0;
      let dd = pd0;
      for (let ia = 0; ia < q; ia++) {
        const ua = u[ia]!;
        const ba = z[ia]!;
        // 1/2 tr(W dA) over the lower triangle: off-diagonal weights doubled.
        const waa = 0.5 * (2 * es * ba * ua + cc * ua * ua);
        buf.wd[dd++] = waa;
        if (gNoise) gNoise[0] += waa;
        for (let ib = 0; ib < ia; ib++) buf.w[oo++] = es * (ba * u[ib]! + ua * z[ib]!) + cc * ua * u[ib]!;
        // d lml / d m(x_a) = (e/s) u_a.
        const gm = es * ua;
        if (gC) gC[0] += gm;
        if (gB) gB[0] += gm;
        if (gW) {
          const pa = nb[pts + ia]!;
          for (let c = 0; c < core.inputs; c++) gW[c] += gm * x[pa * D + c]!;
        }
      }
    }
    if (grad) {
      if (off > 0) ev.grad(offPairs, buf.w, grad);
      evd.grad(diagPairs, buf.wd, grad);
    }
  }
  return { lml, jitter: 0, ...(grad ? { grad } : {}) };
}
