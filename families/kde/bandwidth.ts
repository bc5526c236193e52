// Bandwidth rules, equal to scipy.stats.gaussian_kde's scott_factor / silverman_factor (a factor
// f of the data-whitened H = f^2 Cov, Cov = numpy.cov with aweights) and statsmodels'
// KDEMultivariate 'normal_reference' (per column 1.06 * std * n^(-1/(d + 4)), std with ddof 0).
// Weights count through the effective sample size n_eff = (sum w)^2 / sum w^2, as scipy does.

export interface WeightedData {
  readonly x: Float64Array; // n x d, row-major
  readonly n: number;
  readonly d: number;
  /** normalized weights (sum 1), or null for 1/n each */
  readonly w: Float64Array | null;
}

const weightOf = (s: WeightedData, i: number): number => (s.w ? s.w[i]! : 1 / s.n);

/** Effective sample size (sum w)^2 / sum w^2 (n without weights). */
export function effectiveSize(s: WeightedData): number {
  if (!s.w) return s.n;
  let q = 0;
  for (let i = 0; i < s.n; i++) q += s.w[i]! * s.w[i]!;
  return 1 / q;
}

/** Weighted mean of each column. */
export function columnMeans(s: WeightedData): Float64Array {
  const m = new Float64Array(s.d);
  for (let i = 0; i < s.n; i++) for (let j = 0; j < s.d; j++) m[j]! += weightOf(s, i) * s.x[i * s.d + j]!;
  return m;
}

/** numpy.cov(x.T, aweights=w): unbiased (ddof 1) weighted covariance, d x d. */
export function dataCovariance(s: WeightedData): Float64Array {
  const { n, d, x } = s;
  const m = columnMeans(s);
  const c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const w = weightOf(s, i);
    for (let a = 0; a < d; a++) {
      const da = x[i * d + a]! - m[a]!;
      for (let b = 0; b <= a; b++) c[a * d + b]! += w * da * (x[i * d + b]! - m[b]!);
    }
  }
  const norm = 1 - 1 / effectiveSize(s); // 1 - sum w^2
  for (let a = 0; a < d; a++)
    for (let b = 0; b <= a; b++) {
      c[a * d + b]! /= norm;
      c[b * d + a] = c[a * d + b]!;
    }
  return c;
}

/** scipy's scott_factor: n_eff^(-1 / (d + 4)). */
export function scottFactor(nEff: number, d: number): number {
  return nEff ** (-1 / (d + 4));
}

/** scipy's silverman_factor: (n_eff (d + 2) / 4)^(-1 / (d + 4)). */
export function silvermanFactor(nEff: number, d: number): number {
  return ((nEff * (d + 2)) / 4) ** (-1 / (d + 4));
}

/** statsmodels' normal_reference: 1.06 * std_j * n^(-1 / (4 + d)) per column (std with ddof 0). */
export function normalReference(s: WeightedData): Float64Array {
  const m = columnMeans(s);
  const v = new Float64Array(s.d);
  for (let i = 0; i < s.n; i++) for (let j = 0; j < s.d; j++) v[j]! += weightOf(s, i) * (s.x[i * s.d + j]! - m[j]!) ** 2;
  const f = 1.06 * effectiveSize(s) ** (-1 / (4 + s.d));
  return v.map((vj) => f * Math.sqrt(vj));
}
