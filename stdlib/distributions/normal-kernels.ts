// Fused dense kernels of the Normal leaf on rows without missing cells, registered by the
// runtime (runtime/kernels/gaussian-kernels.ts, WebAssembly SIMD) the way a faster tfjs
// kernel is registered: stdlib keeps no backend code, and with nothing registered (or a
// kernel that declines by returning false) the plain loops of normal-ref.ts / normal-fit.ts
// run instead. They are also the reference the kernels are tested against.

/** The first `count` rows of a row-major array with `dims` columns, NaN = missing. */
export interface Rows {
  readonly x: Float64Array;
  readonly dims: number;
  readonly count: number;
}

/** Per-unit weighted statistics of the rows: nk[u], mean (K x D), scatter around mean (K x D x D, or K x D when diagonal). */
export interface StatsOut {
  readonly nk: Float64Array;
  readonly mean: Float64Array;
  readonly scatter: Float64Array;
  /** Rows left out because a cell is missing (NaN), ascending. */
  readonly skipped: Int32Array;
}

/** Log-densities are written for every listed row; a row with a missing cell gets NaN for every unit. */
export interface NormalKernels {
  readonly name: string;
  /** out[i * K + u] = c[u] - 0.5 sum_d (x[i, d] - mu[u, d])^2 prec[u, d] for the listed rows i. */
  diagLogDensity(rows: Rows, K: number, mu: Float64Array, prec: Float64Array, c: Float64Array, out: Float64Array): boolean;
  /**
   * out[i * K + u] = c[u] - 0.5 |M_u x_i - b_u|^2, M_u lower triangular (K x D x D row-major,
   * the inverse Cholesky factor of the covariance), b_u = M_u mu_u.
   */
  fullLogDensity(rows: Rows, K: number, m: Float64Array, b: Float64Array, c: Float64Array, out: Float64Array): boolean;
  /** Statistics with weights resp[i * K + u] (only positive weights count); null when declined. */
  stats(rows: Rows, resp: Float64Array, K: number, full: boolean): StatsOut | null;
}

let registered: NormalKernels | undefined;

/** Installs (or with undefined removes) the kernels the Normal leaf uses on complete rows. */
export function registerNormalKernels(k: NormalKernels | undefined): void {
  registered = k;
}

export function normalKernels(): NormalKernels | undefined {
  return registered;
}
