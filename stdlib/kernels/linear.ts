// Linear (dot product): k = sum_d v_d x_d x'_d, one variance or one per dimension. A
// Bayesian linear regression through the origin; add constant() for an intercept.
import { DEFAULT_BOUNDS, type BaseKernel } from './types.js';

export const linear: BaseKernel = {
  name: 'linear',
  description: 'sum_d variance_d x_d x\'_d',
  params: [{ name: 'variance', aliases: ['var'], shape: () => [], ard: true, positive: true, init: { kind: 'const', value: 1 }, bounds: DEFAULT_BOUNDS }],
  positional: 'variance',
  stationary: false,
  value([v], ctx, pairs, out) {
    const t = pairs.scratch(0);
    out.fill(0, 0, pairs.length);
    for (let c = 0; c < ctx.dims; c++) {
      const vc = v!.length === 1 ? v![0]! : v![c]!;
      pairs.prod(c, t);
      for (let p = 0; p < pairs.length; p++) out[p] += vc * t[p]!;
    }
  },
  grad([v], ctx, pairs, w, _k, [g]) {
    for (let c = 0; c < ctx.dims; c++) g![v!.length === 1 ? 0 : c] += pairs.weightedProd(c, w);
  },
  gradX([v], ctx, pairs, w, _k, g1, g2) {
    // dk/dx_c = v_c x'_c, dk/dx'_c = v_c x_c.
    const t = pairs.scratch(0);
    for (let c = 0; c < ctx.dims; c++) {
      const vc = v!.length === 1 ? v![0]! : v![c]!;
      if (g1) {
        pairs.side(c, 2, t);
        for (let p = 0; p < pairs.length; p++) t[p] = vc * w[p]! * t[p]!;
        pairs.scatter(c, g1, t, undefined, undefined);
      }
      if (g2) {
        pairs.side(c, 1, t);
        for (let p = 0; p < pairs.length; p++) t[p] = vc * w[p]! * t[p]!;
        pairs.scatter(c, undefined, undefined, g2, t);
      }
    }
  },
};
