// Gaussian building blocks shared by the Normal family's density, gradient, EM and
// conditioning: per-unit covariance matrices, marginals over observed coordinates (cached
// per missing pattern) and Gaussian conditionals.
import type { LayerContext, LayerParams } from './types.js';
import { cholesky, invFromChol, logDetChol, solveLower, solveLowerT, subMatrix } from './linalg.js';

/** A covariance that is not positive definite; `unit` is undefined for a tied covariance. */
export class NotPositiveDefiniteError extends Error {
  constructor(readonly unit: number | undefined) {
    super(
      unit === undefined
        ? 'tied covariance (shared by all units) is not positive definite; increase reg_covar'
        : `component covariance of unit ${unit} is not positive definite; increase reg_covar`,
    );
    this.name = 'NotPositiveDefiniteError';
  }
}

/** The full D x D covariance of unit u, whatever the variant. */
export function covOf(p: LayerParams, ctx: LayerContext, u: number): Float64Array {
  const D = ctx.dims;
  const out = new Float64Array(D * D);
  switch (ctx.variant) {
    case 'diag':
      for (let d = 0; d < D; d++) out[d * D + d] = p['var']![u * D + d]!;
      return out;
    case 'spherical':
      for (let d = 0; d < D; d++) out[d * D + d] = p['var']![u]!;
      return out;
    case 'tied':
      out.set(p['cov']!.subarray(0, D * D));
      return out;
    default:
      out.set(p['cov']!.subarray(u * D * D, (u + 1) * D * D));
      return out;
  }
}

export function meanOf(p: LayerParams, ctx: LayerContext, u: number): Float64Array {
  return p['mean']!.subarray(u * ctx.dims, (u + 1) * ctx.dims);
}

/** The unit whose covariance an error should name (none for tied). */
export function errorUnit(ctx: LayerContext, u: number): number | undefined {
  return ctx.variant === 'tied' ? undefined : u;
}

/** Cholesky factor of a copy of a, or throws naming the unit. */
export function cholOrThrow(a: Float64Array, n: number, unit: number | undefined): Float64Array {
  const l = a.slice();
  if (!cholesky(l, n)) throw new NotPositiveDefiniteError(unit);
  return l;
}

/** Observed coordinates of row i; returns '' for a complete row, else a key of the pattern. */
export function observedOf(x: Float64Array, i: number, D: number, obs: number[]): string {
  obs.length = 0;
  for (let d = 0; d < D; d++) if (!Number.isNaN(x[i * D + d]!)) obs.push(d);
  // The prefix keeps an all-missing row's key apart from the complete rows' ''.
  return obs.length === D ? '' : `o${obs.join(',')}`;
}

export interface Marginal {
  readonly obs: readonly number[];
  readonly chol: Float64Array;
  readonly logdet: number;
  /** Inverse of the marginal covariance, computed on first use. */
  inv(): Float64Array;
}

/** Per-call cache of the marginal over the observed coordinates, per missing pattern and unit. */
export class MarginalCache {
  private readonly map = new Map<string, (Marginal | undefined)[]>();
  private readonly covs: (Float64Array | undefined)[] = [];

  constructor(
    private readonly p: LayerParams,
    private readonly ctx: LayerContext,
  ) {}

  cov(u: number): Float64Array {
    const cu = this.ctx.variant === 'tied' ? 0 : u;
    return (this.covs[cu] ??= covOf(this.p, this.ctx, cu));
  }

  get(key: string, obs: readonly number[], u: number): Marginal {
    const cu = this.ctx.variant === 'tied' ? 0 : u;
    let perUnit = this.map.get(key);
    if (perUnit === undefined) this.map.set(key, (perUnit = []));
    let m = perUnit[cu];
    if (m === undefined) {
      const n = obs.length;
      const full = this.cov(cu);
      const chol = cholOrThrow(key === '' ? full : subMatrix(full, this.ctx.dims, obs), n, errorUnit(this.ctx, u));
      let inv: Float64Array | undefined;
      m = { obs: obs.slice(), chol, logdet: logDetChol(chol, n), inv: () => (inv ??= invFromChol(chol, n)) };
      perUnit[cu] = m;
    }
    return m;
  }
}

export interface Conditional {
  readonly obs: readonly number[];
  readonly mis: readonly number[];
  /** Regression coefficients Sigma_mo Sigma_oo^-1, |mis| x |obs|. */
  readonly b: Float64Array;
  /** Conditional covariance Sigma_mm - Sigma_mo Sigma_oo^-1 Sigma_om, |mis| x |mis|. */
  readonly c: Float64Array;
}

/** The Gaussian conditional of the coordinates `mis` given `obs` for covariance cov (D x D). */
export function conditional(cov: Float64Array, D: number, obs: readonly number[], mis: readonly number[], unit: number | undefined): Conditional {
  const no = obs.length;
  const nm = mis.length;
  const c = subMatrix(cov, D, mis);
  const b = new Float64Array(nm * no);
  if (no === 0) return { obs, mis, b, c };
  const l = cholOrThrow(subMatrix(cov, D, obs), no, unit);
  const som = subMatrix(cov, D, obs, mis); // |obs| x |mis|
  const col = new Float64Array(no);
  for (let j = 0; j < nm; j++) {
    for (let i = 0; i < no; i++) col[i] = som[i * nm + j]!;
    solveLower(l, no, col);
    solveLowerT(l, no, col); // col = Sigma_oo^-1 Sigma_o,mis[j]
    for (let i = 0; i < no; i++) b[j * no + i] = col[i]!;
  }
  for (let i = 0; i < nm; i++) {
    for (let j = 0; j < nm; j++) {
      let s = 0;
      for (let k = 0; k < no; k++) s += b[i * no + k]! * som[k * nm + j]!;
      c[i * nm + j] = c[i * nm + j]! - s;
    }
  }
  // Exact symmetry keeps later Cholesky factorizations of c well defined.
  for (let i = 0; i < nm; i++) {
    for (let j = i + 1; j < nm; j++) {
      const v = 0.5 * (c[i * nm + j]! + c[j * nm + i]!);
      c[i * nm + j] = v;
      c[j * nm + i] = v;
    }
  }
  return { obs, mis, b, c };
}

/** Conditional mean mu_m + B (x_o - mu_o) for the observed values xo (indexed like obs). */
export function conditionalMean(cond: Conditional, mu: ArrayLike<number>, xo: (k: number) => number, out: Float64Array): void {
  const no = cond.obs.length;
  for (let i = 0; i < cond.mis.length; i++) {
    let s = mu[cond.mis[i]!]!;
    for (let k = 0; k < no; k++) s += cond.b[i * no + k]! * (xo(k) - mu[cond.obs[k]!]!);
    out[i] = s;
  }
}
