// One Gaussian component of the incremental mixture, with the exact running moments of the
// rows it is responsible for. A row x with weight omega = w r / count (r its responsibility)
// moves the mean by omega e (e = x - mean) and the covariance to
//   C' = (1 - omega) (C + omega e e^T),
// the exact weighted-moment update: a positive rank-one step, so C stays positive definite.
// The precision follows by Sherman-Morrison, with u = P e and d2 = e^T u (the Mahalanobis
// distance the responsibilities already needed),
//   P' = (P - omega/(1 + omega d2) u u^T) / (1 - omega),
// and log det C by the matrix determinant lemma,
//   log det C' = log det C + D log(1 - omega) + log(1 + omega d2):
// O(D^2) per row instead of a fresh O(D^3) factorization. (The FIGMM paper writes the
// covariance step as (1-omega) C + omega e* e*^T - dmu dmu^T, two rank-one steps one of them
// negative; the single positive step here is the same moments without the O(omega^2) error.)
// Rounding drifts P away from C^-1 over many updates: every `checkEvery` updates max|P C - I|
// is measured, and P and log det C are refactorized from C (Cholesky) when it exceeds the
// threshold; a step that cancels more than 3 digits (omega d2 > 1e3) refactorizes at once.
// Diagonal components keep the diagonal only (O(D) per row).
import { cholesky } from '../../../stdlib/distributions/index.js';

/** Above this omega d2 a Sherman-Morrison step would lose more than 3 digits to cancellation. */
export const CANCELLATION = 1e3;

export class Component {
  readonly D: number;
  readonly full: boolean;
  readonly mean: Float64Array;
  /** Covariance: D x D row-major when full, the D variances when diagonal. */
  readonly cov: Float64Array;
  /** Precision, laid out as cov. */
  readonly prec: Float64Array;
  logDet = 0;
  /** Weighted count of the rows it is responsible for (the paper's sp). */
  count: number;
  /** Rows seen since it was created (the paper's v). */
  age = 0;
  /** Rank-one updates since the last drift check. */
  sinceCheck = 0;
  /** Scratch: u = P e of the current row. */
  readonly u: Float64Array;
  readonly e: Float64Array;

  constructor(x: ArrayLike<number>, initVar: ArrayLike<number>, weight: number, full: boolean) {
    const D = x.length;
    this.D = D;
    this.full = full;
    this.mean = Float64Array.from(x);
    this.cov = new Float64Array(full ? D * D : D);
    this.prec = new Float64Array(full ? D * D : D);
    for (let d = 0; d < D; d++) {
      const at = full ? d * (D + 1) : d;
      this.cov[at] = initVar[d]!;
      this.prec[at] = 1 / initVar[d]!;
      this.logDet += Math.log(initVar[d]!);
    }
    this.count = weight;
    this.u = new Float64Array(D);
    this.e = new Float64Array(D);
  }

  /** Sets e = x - mean and u = P e; returns the squared Mahalanobis distance e^T P e. */
  distance(x: ArrayLike<number>): number {
    const { D, e, u, prec, mean } = this;
    for (let d = 0; d < D; d++) e[d] = x[d]! - mean[d]!;
    let d2 = 0;
    if (!this.full) {
      for (let d = 0; d < D; d++) {
        u[d] = prec[d]! * e[d]!;
        d2 += u[d]! * e[d]!;
      }
      return d2;
    }
    for (let a = 0; a < D; a++) {
      let s = 0;
      const row = a * D;
      for (let b = 0; b < D; b++) s += prec[row + b]! * e[b]!;
      u[a] = s;
      d2 += s * e[a]!;
    }
    return d2;
  }

  /**
   * The rank-one step for a row of weight w and responsibility r; `distance(x)` must have set e
   * and u for this row, and d2 is its return value.
   */
  update(w: number, r: number, d2: number): boolean {
    this.count += w * r;
    const omega = (w * r) / this.count;
    if (!(omega > Number.EPSILON)) return false; // below float64's resolution: nothing would change
    const { D, e, u, mean, cov, prec } = this;
    const keep = 1 - omega;
    for (let d = 0; d < D; d++) mean[d] += omega * e[d]!;
    if (!this.full) {
      // The lemma coordinate by coordinate: log c_d' = log c_d + log(1 - omega) + log(1 + omega e_d^2 / c_d).
      let ld = D * Math.log1p(-omega);
      for (let d = 0; d < D; d++) {
        ld += Math.log1p(omega * e[d]! * u[d]!);
        cov[d] = keep * (cov[d]! + omega * e[d]! * e[d]!);
        prec[d] = 1 / cov[d]!;
      }
      this.logDet += ld;
      return false;
    }
    this.logDet += D * Math.log1p(-omega) + Math.log1p(omega * d2);
    const beta = omega / (1 + omega * d2);
    const inv = 1 / keep;
    for (let a = 0; a < D; a++) {
      const ea = omega * e[a]!;
      const ua = beta * u[a]!;
      const row = a * D;
      for (let b = a; b < D; b++) {
        const c = keep * (cov[row + b]! + ea * e[b]!);
        const p = inv * (prec[row + b]! - ua * u[b]!);
        cov[row + b] = c;
        cov[b * D + a] = c;
        prec[row + b] = p;
        prec[b * D + a] = p;
      }
    }
    this.sinceCheck++;
    // P - beta u u^T shrinks P by 1 / (1 + omega d2) along u: the subtraction cancels about
    // log10(1 + omega d2) digits. A row that far out (an outlier at max_k) is refactorized at once.
    if (omega * d2 > CANCELLATION) return this.refactor();
    return false;
  }

  /** max |P C - I| (full components; diagonal ones keep P = 1/C exactly). */
  drift(): number {
    if (!this.full) return 0;
    const { D, cov, prec } = this;
    let worst = 0;
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < D; b++) {
        let s = 0;
        for (let k = 0; k < D; k++) s += prec[a * D + k]! * cov[k * D + b]!;
        const r = Math.abs(s - (a === b ? 1 : 0));
        if (!(r <= worst)) worst = r; // NaN counts as the worst drift
      }
    }
    return worst;
  }

  /** P = C^-1 and log det C from a fresh Cholesky factor of C; false when C is not positive definite. */
  refactor(): boolean {
    this.sinceCheck = 0;
    const { D, cov, prec } = this;
    if (!this.full) {
      let ld = 0;
      for (let d = 0; d < D; d++) {
        if (!(cov[d]! > 0)) return false;
        prec[d] = 1 / cov[d]!;
        ld += Math.log(cov[d]!);
      }
      this.logDet = ld;
      return true;
    }
    const f = inverseAndLogDet(cov, D);
    if (!f) return false;
    prec.set(f.inverse);
    this.logDet = f.logDet;
    return true;
  }
}

/** The inverse and log determinant of an SPD matrix from its Cholesky factor; undefined when it is not SPD. */
export function inverseAndLogDet(m: Float64Array, D: number): { inverse: Float64Array; logDet: number } | undefined {
  const l = m.slice(0, D * D);
  if (!cholesky(l, D)) return undefined;
  let logDet = 0;
  for (let d = 0; d < D; d++) logDet += 2 * Math.log(l[d * (D + 1)]!);
  // Columns of L^-1 by forward substitution, then P = L^-T L^-1.
  const li = new Float64Array(D * D);
  for (let c = 0; c < D; c++) {
    for (let i = c; i < D; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l[i * D + k]! * li[k * D + c]!;
      li[i * D + c] = s / l[i * D + i]!;
    }
  }
  const inverse = new Float64Array(D * D);
  for (let a = 0; a < D; a++) {
    for (let b = a; b < D; b++) {
      let s = 0;
      for (let k = b; k < D; k++) s += li[k * D + a]! * li[k * D + b]!;
      inverse[a * D + b] = s;
      inverse[b * D + a] = s;
    }
  }
  return { inverse, logDet };
}
