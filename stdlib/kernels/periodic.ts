// Periodic (exp-sine-squared, MacKay): k = exp(-2 sum_d sin^2(pi (x_d - x'_d) / period) / ls^2).
// On one input it equals scikit-learn's ExpSineSquared; on several it sums over dimensions
// (as GPyTorch's PeriodicKernel) rather than using the Euclidean distance.
import { DEFAULT_BOUNDS, type BaseKernel } from './types.js';

export const periodic: BaseKernel = {
  name: 'periodic',
  description: 'exp(-2 sin^2(pi |x - x\'| / period) / ls^2)',
  params: [
    { name: 'period', aliases: ['p'], shape: () => [], positive: true, init: { kind: 'const', value: 1 }, bounds: DEFAULT_BOUNDS },
    { name: 'ls', aliases: ['lengthscale', 'length_scale'], shape: () => [], positive: true, init: { kind: 'const', value: 1 }, bounds: DEFAULT_BOUNDS },
  ],
  positional: 'period',
  stationary: true,
  value([period, ls], ctx, pairs, out) {
    const per = period![0]!;
    const l = ls![0]!;
    const d = pairs.scratch(0);
    out.fill(0, 0, pairs.length);
    for (let c = 0; c < ctx.dims; c++) {
      pairs.diff(c, d);
      for (let p = 0; p < pairs.length; p++) {
        const sn = Math.sin((Math.PI * d[p]!) / per);
        out[p] += sn * sn;
      }
    }
    for (let p = 0; p < pairs.length; p++) out[p] = Math.exp((-2 * out[p]!) / (l * l));
  },
  grad([period, ls], ctx, pairs, w, k, [gp, gl]) {
    const per = period![0]!;
    const l = ls![0]!;
    const d = pairs.scratch(0);
    let dl = 0;
    let dp = 0;
    for (let c = 0; c < ctx.dims; c++) {
      pairs.diff(c, d);
      for (let p = 0; p < pairs.length; p++) {
        const a = (Math.PI * d[p]!) / per;
        const sn = Math.sin(a);
        const wk = w[p]! * k[p]!;
        // dk/dls = k 4 S / ls^3; dk/dperiod = k (2 / ls^2) sum_d sin(2 a_d) pi d_d / period^2
        dl += (wk * 4 * sn * sn) / (l * l * l);
        dp += (wk * 2 * Math.sin(2 * a) * Math.PI * d[p]!) / (l * l * per * per);
      }
    }
    gl![0] += dl;
    gp![0] += dp;
  },
  gradX([period, ls], ctx, pairs, w, k, g1, g2) {
    const per = period![0]!;
    const l = ls![0]!;
    const d = pairs.scratch(0);
    // dk/dx_d = k (-2 / ls^2) sin(2 a_d) pi / period, a_d = pi (x_d - x'_d) / period; dk/dx' = -dk/dx.
    const f = (-2 * Math.PI) / (l * l * per);
    for (let c = 0; c < ctx.dims; c++) {
      pairs.diff(c, d);
      for (let p = 0; p < pairs.length; p++) d[p] = f * w[p]! * k[p]! * Math.sin((2 * Math.PI * d[p]!) / per);
      pairs.scatter(c, g1, d, g2, d, -1);
    }
  },
};
