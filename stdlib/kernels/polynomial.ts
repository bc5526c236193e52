// Polynomial: k = (x . x' + offset)^degree, degree a fixed whole number (an option).
import { DEFAULT_BOUNDS, type BaseKernel } from './types.js';

export const polynomial: BaseKernel = {
  name: 'polynomial',
  description: '(x . x\' + offset)^degree',
  params: [{ name: 'offset', aliases: ['c'], shape: () => [], positive: true, init: { kind: 'const', value: 1 }, bounds: DEFAULT_BOUNDS }],
  options: [{ name: 'degree', min: 1, default: 2, description: 'the power, a whole number' }],
  stationary: false,
  value([c], ctx, pairs, out) {
    dotPlus(ctx.dims, pairs, c![0]!, out);
    const deg = ctx.options.degree ?? 2;
    for (let p = 0; p < pairs.length; p++) out[p] = Math.pow(out[p]!, deg);
  },
  grad([c], ctx, pairs, w, _k, [g]) {
    const u = pairs.scratch(1);
    dotPlus(ctx.dims, pairs, c![0]!, u);
    const deg = ctx.options.degree ?? 2;
    let acc = 0;
    for (let p = 0; p < pairs.length; p++) acc += w[p]! * deg * Math.pow(u[p]!, deg - 1);
    g![0] += acc;
  },
  gradX([c], ctx, pairs, w, _k, g1, g2) {
    // dk/dx_d = degree u^(degree-1) x'_d, u = x . x' + offset; dk/dx'_d likewise with x_d.
    const u = pairs.scratch(1);
    const t = pairs.scratch(2);
    dotPlus(ctx.dims, pairs, c![0]!, u);
    const deg = ctx.options.degree ?? 2;
    for (let p = 0; p < pairs.length; p++) u[p] = w[p]! * deg * Math.pow(u[p]!, deg - 1);
    for (let d = 0; d < ctx.dims; d++) {
      if (g1) {
        pairs.side(d, 2, t);
        for (let p = 0; p < pairs.length; p++) t[p] *= u[p]!;
        pairs.scatter(d, g1, t, undefined, undefined);
      }
      if (g2) {
        pairs.side(d, 1, t);
        for (let p = 0; p < pairs.length; p++) t[p] *= u[p]!;
        pairs.scatter(d, undefined, undefined, g2, t);
      }
    }
  },
};

function dotPlus(dims: number, pairs: Parameters<BaseKernel['value']>[2], c: number, out: Float64Array): void {
  const t = pairs.scratch(0);
  out.fill(c, 0, pairs.length);
  for (let d = 0; d < dims; d++) {
    pairs.prod(d, t);
    for (let p = 0; p < pairs.length; p++) out[p] += t[p]!;
  }
}
