// The Normal leaf's log-density as straightforward loops: the reference the fused kernels
// (normal-kernels.ts) are tested against, and the path for rows with missing cells (the
// marginal Gaussian of the observed coordinates, one Cholesky per missing pattern and unit).
import type { LayerContext, LayerParams } from './types.js';
import { LOG_2PI } from '../special.js';
import { solveLower } from './linalg.js';
import { MarginalCache, meanOf, NotPositiveDefiniteError, observedOf } from './gaussian.js';

export const isDiagonal = (ctx: LayerContext): boolean => ctx.variant === 'diag' || ctx.variant === 'spherical';

/** Per-unit variances of a diag/spherical layer, checked positive. */
export function diagVars(p: LayerParams, ctx: LayerContext): Float64Array {
  const D = ctx.dims;
  const out = new Float64Array(ctx.units * D);
  for (let u = 0; u < ctx.units; u++) {
    for (let d = 0; d < D; d++) {
      const v = ctx.variant === 'diag' ? p['var']![u * D + d]! : p['var']![u]!;
      if (!(v > 0)) throw new NotPositiveDefiniteError(u);
      out[u * D + d] = v;
    }
  }
  return out;
}

/** out[i * units + u] = log p_u(x_i), missing cells marginalized. */
export function logDensityRef(p: LayerParams, ctx: LayerContext, x: Float64Array, n: number, out: Float64Array): void {
  const { units: K, dims: D } = ctx;
  if (isDiagonal(ctx)) {
    const vars = diagVars(p, ctx);
    const logs = vars.map((va) => Math.log(va) + LOG_2PI);
    const mu = p['mean']!;
    for (let i = 0; i < n; i++) {
      for (let u = 0; u < K; u++) {
        let s = 0;
        for (let d = 0; d < D; d++) {
          const v = x[i * D + d]!;
          if (Number.isNaN(v)) continue;
          const z = v - mu[u * D + d]!;
          s += (z * z) / vars[u * D + d]! + logs[u * D + d]!;
        }
        out[i * K + u] = -0.5 * s;
      }
    }
    return;
  }
  // Fast path: one Cholesky per unit per call, then a forward solve per complete row.
  const cache = new MarginalCache(p, ctx);
  const all = Array.from({ length: D }, (_, d) => d);
  const fulls = Array.from({ length: K }, (_, u) => cache.get('', all, u));
  const mus = Array.from({ length: K }, (_, u) => meanOf(p, ctx, u));
  const obs: number[] = [];
  const z = new Float64Array(D);
  const constant = D * LOG_2PI;
  for (let i = 0; i < n; i++) {
    const row = i * D;
    let complete = true;
    for (let d = 0; d < D; d++) if (Number.isNaN(x[row + d]!)) complete = false;
    if (complete) {
      for (let u = 0; u < K; u++) {
        const l = fulls[u]!.chol;
        const mu = mus[u]!;
        let q = 0;
        for (let a = 0; a < D; a++) {
          let s = x[row + a]! - mu[a]!;
          for (let k = 0; k < a; k++) s -= l[a * D + k]! * z[k]!;
          const v = s / l[a * D + a]!;
          z[a] = v;
          q += v * v;
        }
        out[i * K + u] = -0.5 * (constant + fulls[u]!.logdet + q);
      }
      continue;
    }
    const key = observedOf(x, i, D, obs);
    const no = obs.length;
    for (let u = 0; u < K; u++) {
      if (no === 0) {
        out[i * K + u] = 0;
        continue;
      }
      const m = cache.get(key, obs, u);
      const mu = mus[u]!;
      for (let k = 0; k < no; k++) z[k] = x[row + obs[k]!]! - mu[obs[k]!]!;
      const zz = z.subarray(0, no);
      solveLower(m.chol, no, zz);
      let q = 0;
      for (let k = 0; k < no; k++) q += zz[k]! * zz[k]!;
      out[i * K + u] = -0.5 * (no * LOG_2PI + m.logdet + q);
    }
  }
}
