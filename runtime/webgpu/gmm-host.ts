// The host's float64 side of the GMM device path: parameters packed for the kernels (centred
// means, precision factors, log-normalizers with the log weights folded in), the raw sums
// turned into statistics, and the M-step. Pure functions, no device: tested in Node.
import { paramStride, statEntries } from './gmm-wgsl.js';

/** A Gaussian mixture's parameters: cov is K x D (variances) or K x D x D (row-major). */
export interface GmmParams {
  readonly full: boolean;
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly cov: Float64Array;
}

/** Weighted statistics as the CPU kernels give them (stdlib's StatsOut without skipped rows). */
export interface GmmStats {
  readonly nk: Float64Array;
  readonly mean: Float64Array;
  /** Around mean: K x D (diagonal) or K x D x D. */
  readonly scatter: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** log 0 on the device (f32 has no -inf literal in WGSL; exp of it minus anything finite is 0). */
const NEG = -3.0e38;

/** Lower Cholesky factor of a D x D SPD matrix (row-major); throws naming the component otherwise. */
export function cholesky(a: Float64Array, D: number, what: string): Float64Array {
  const l = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * D + j]!;
      for (let k = 0; k < j; k++) s -= l[i * D + k]! * l[j * D + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error(`${what}: covariance is not positive definite (pivot ${i} is ${s})`);
        l[i * D + i] = Math.sqrt(s);
      } else l[i * D + j] = s / l[j * D + j]!;
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix (lower-triangular). */
export function invertLower(l: Float64Array, D: number): Float64Array {
  const m = new Float64Array(D * D);
  for (let j = 0; j < D; j++) {
    m[j * D + j] = 1 / l[j * D + j]!;
    for (let i = j + 1; i < D; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * D + k]! * m[k * D + j]!;
      m[i * D + j] = -s / l[i * D + i]!;
    }
  }
  return m;
}

/**
 * The kernels' parameters per component: mu - centre, then 1/var (diagonal) or M = L^-1 packed
 * by rows (full; Sigma = L L^T, so |M z|^2 = z^T Sigma^-1 z), then c = log w - D/2 log 2pi - 1/2 log det Sigma.
 */
export function packParams(p: GmmParams, D: number, centre: Float64Array): Float32Array {
  const K = p.weights.length;
  const P = paramStride(D, p.full);
  const out = new Float32Array(K * P);
  for (let k = 0; k < K; k++) {
    const o = k * P;
    for (let d = 0; d < D; d++) out[o + d] = p.means[k * D + d]! - centre[d]!;
    let halfLogDet = 0;
    if (p.full) {
      const l = cholesky(p.cov.subarray(k * D * D, (k + 1) * D * D), D, `component ${k + 1}`);
      const m = invertLower(l, D);
      for (let a = 0, t = 0; a < D; a++) {
        halfLogDet += Math.log(l[a * D + a]!);
        for (let j = 0; j <= a; j++, t++) out[o + D + t] = m[a * D + j]!;
      }
    } else {
      for (let d = 0; d < D; d++) {
        const v = p.cov[k * D + d]!;
        if (!(v > 0)) throw new Error(`component ${k + 1}: variance ${d + 1} is ${v}, not positive`);
        out[o + D + d] = 1 / v;
        halfLogDet += 0.5 * Math.log(v);
      }
    }
    const lw = Math.log(p.weights[k]!);
    const c = lw - 0.5 * D * LOG_2PI - halfLogDet;
    out[o + P - 1] = Number.isFinite(c) ? c : NEG;
  }
  return out;
}

/**
 * Statistics from the device's sums (K x E, entries as statEntries): the sums are around the
 * f32 means the device used (packed[k * P + d] + centre), so mean = that + s1 / nk and
 * scatter = S - s1 s1^T / nk with s1 small: float64 from here on.
 */
export function statsFromSums(sums: Float32Array | Float64Array, packed: Float32Array, K: number, D: number, full: boolean, centre: Float64Array): GmmStats {
  const entries = statEntries(D, full);
  const E = entries.length;
  const P = paramStride(D, full);
  const nk = new Float64Array(K);
  const mean = new Float64Array(K * D);
  const scatter = new Float64Array(full ? K * D * D : K * D);
  for (let k = 0; k < K; k++) {
    const s = (j: number): number => sums[k * E + j]!;
    const n = s(0);
    nk[k] = n;
    const s1 = Float64Array.from({ length: D }, (_, d) => s(1 + d));
    for (let d = 0; d < D; d++) mean[k * D + d] = centre[d]! + packed[k * P + d]! + (n > 0 ? s1[d]! / n : 0);
    if (n <= 0) continue;
    for (let j = 1 + D; j < E; j++) {
      const [a, b] = entries[j]!;
      const v = s(j) - (s1[a]! * s1[b]!) / n;
      if (full) {
        scatter[k * D * D + a * D + b] = v;
        scatter[k * D * D + b * D + a] = v;
      } else scatter[k * D + a] = Math.max(0, v);
    }
  }
  return { nk, mean, scatter };
}

/** The M-step in float64: weights nk / sum nk, the means, covariances scatter / nk + regCovar; a component with no mass keeps its parameters. */
export function mStep(stats: GmmStats, prev: GmmParams, D: number, regCovar: number): GmmParams {
  const K = stats.nk.length;
  const total = stats.nk.reduce((a, b) => a + b, 0);
  const weights = new Float64Array(K);
  const means = Float64Array.from(prev.means);
  const cov = Float64Array.from(prev.cov);
  const C = prev.full ? D * D : D;
  for (let k = 0; k < K; k++) {
    const n = stats.nk[k]!;
    weights[k] = n / total;
    if (!(n > 0)) continue;
    means.set(stats.mean.subarray(k * D, (k + 1) * D), k * D);
    for (let j = 0; j < C; j++) cov[k * C + j] = stats.scatter[k * C + j]! / n;
    for (let d = 0; d < D; d++) cov[k * C + (prev.full ? d * D + d : d)] += regCovar;
  }
  return { full: prev.full, weights, means, cov };
}

/** Column means of the rows (float64): the device works on x - centre, which keeps f32 rounding relative to the spread. */
export function columnMeans(x: Float64Array, n: number, D: number): Float64Array {
  const g = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) g[d] += x[i * D + d]!;
  for (let d = 0; d < D; d++) g[d] /= Math.max(1, n);
  return g;
}
