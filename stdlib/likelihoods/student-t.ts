// Student-t likelihood for robust regression: y = f + e, e ~ scale * t_df. Not log-concave:
// W = -d2 is negative for residuals beyond scale * sqrt(df), so Laplace's Newton steps use
// max(W, 0) and a line search (runtime/gp/laplace.ts). Parameters: scale (learned, starts at
// the outputs' sd / 2) and df (an option, 4 unless given; fixed).
import { lgamma } from '../special.js';
import type { LikDerivs, Likelihood, LikParamDerivs } from './types.js';

export const studentTLikelihood: Likelihood = {
  name: 'student_t',
  links: ['identity'],
  params: [
    { name: 'scale', description: 'the scale of the noise', learnable: true, init: 'data', bounds: [1e-5, 1e5] },
    { name: 'df', description: 'degrees of freedom', learnable: false, init: 4, bounds: [0.01, 1e6] },
  ],
  logConcave: false,
  badValue: (y) => (Number.isFinite(y) ? undefined : `a student_t output is a finite number, got ${y}`),
  derivs(y: number, f: number, _link, theta, out: LikDerivs): void {
    const [sigma, nu] = theta as [number, number];
    const r = y - f;
    const c = nu * sigma * sigma;
    const a = r * r + c;
    out.lp = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(Math.PI * c) - ((nu + 1) / 2) * Math.log1p((r * r) / c);
    out.d1 = ((nu + 1) * r) / a;
    out.d2 = ((nu + 1) * (r * r - c)) / (a * a);
    out.d3 = ((nu + 1) * 2 * r * (r * r - 3 * c)) / (a * a * a);
  },
  paramDerivs(y: number, f: number, _link, theta, j: number): LikParamDerivs {
    if (j !== 0) throw new Error('student_t: only the scale is learned');
    const [sigma, nu] = theta as [number, number];
    const r = y - f;
    const c = nu * sigma * sigma;
    const a = r * r + c;
    const dc = 2 * nu * sigma;
    return {
      lp: -1 / sigma + ((nu + 1) * r * r) / (sigma * a),
      d1: (-(nu + 1) * r * dc) / (a * a),
      d2: (((nu + 1) * (c - 3 * r * r)) / (a * a * a)) * dc,
    };
  },
  moments(f: number, _link, theta): { mean: number; variance: number } {
    const [sigma, nu] = theta as [number, number];
    return { mean: f, variance: nu > 2 ? (sigma * sigma * nu) / (nu - 2) : Infinity };
  },
  init(y: Float64Array): number[] {
    const m = y.reduce((s, v) => s + v, 0) / Math.max(1, y.length);
    const sd = Math.sqrt(y.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, y.length)) || 1;
    return [sd / 2, 4];
  },
};
