// The Normal leaf's collapse test (LeafFamily.degeneracy), for EM's collapse repair: with
// reg_covar = 0 (or negligible against the data's scale) a component that owns a cluster of
// identical rows shrinks onto one point, its covariance becomes singular and its density
// infinite. The repair itself (runtime/learners/collapse.ts) re-initializes such a unit.
import type { LayerContext, LayerParams, LeafDegeneracy } from './types.js';
import { cholesky } from './linalg.js';

/** A conditional variance below this fraction of the column's variance is a collapse. */
const RELATIVE_FLOOR = 1e-12;

/** The D x D covariance of unit u, whatever the variant. */
function unitCov(p: LayerParams, ctx: LayerContext, u: number): Float64Array {
  const D = ctx.dims;
  const m = new Float64Array(D * D);
  switch (ctx.variant) {
    case 'diag':
      for (let d = 0; d < D; d++) m[d * D + d] = p['var']![u * D + d]!;
      return m;
    case 'spherical':
      for (let d = 0; d < D; d++) m[d * D + d] = p['var']![u]!;
      return m;
    case 'tied':
      m.set(p['cov']!.subarray(0, D * D));
      return m;
    default:
      m.set(p['cov']!.subarray(u * D * D, (u + 1) * D * D));
      return m;
  }
}

export const normalDegeneracy: LeafDegeneracy = {
  units: (ctx) => (ctx.variant === 'tied' ? 1 : ctx.units),
  /** Singular, or a spike (a conditional variance ~0) against the data's variances. */
  collapsed(p, ctx, u, dataVar) {
    const D = ctx.dims;
    const l = unitCov(p, ctx, u);
    if (!cholesky(l, D)) return true;
    for (let d = 0; d < D; d++) if (l[d * D + d]! ** 2 <= RELATIVE_FLOOR * dataVar[d]!) return true;
    return false;
  },
};
