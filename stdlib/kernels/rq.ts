// Rational quadratic: k = (1 + s / (2 alpha))^(-alpha), a scale mixture of RBFs.
import { LENGTHSCALE, lengthscaleGrad, scaledSqdist, stationaryGradX } from './stationary.js';
import { DEFAULT_BOUNDS, type BaseKernel } from './types.js';

export const rq: BaseKernel = {
  name: 'rq',
  description: 'rational quadratic (1 + r^2 / (2 alpha))^(-alpha)',
  params: [LENGTHSCALE, { name: 'alpha', shape: () => [], positive: true, init: { kind: 'const', value: 1 }, bounds: DEFAULT_BOUNDS }],
  positional: 'ls',
  stationary: true,
  value([ls, alpha], _ctx, pairs, out) {
    const a = alpha![0]!;
    scaledSqdist(ls!, pairs, out);
    for (let p = 0; p < pairs.length; p++) out[p] = Math.pow(1 + out[p]! / (2 * a), -a);
  },
  grad([ls, alpha], _ctx, pairs, w, k, [gl, ga]) {
    const a = alpha![0]!;
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    let da = 0;
    for (let p = 0; p < pairs.length; p++) {
      const u = 1 + s[p]! / (2 * a);
      // df/ds = -1/2 u^(-alpha-1) = -1/2 k / u; df/dalpha = k (s / (2 alpha u) - log u)
      t[p] = (-0.5 * w[p]! * k[p]!) / u;
      da += w[p]! * k[p]! * (s[p]! / (2 * a * u) - Math.log(u));
    }
    ga![0] += da;
    lengthscaleGrad(ls!, pairs, t, s, gl!);
  },
  gradX([ls, alpha], _ctx, pairs, w, k, g1, g2) {
    const a = alpha![0]!;
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    for (let p = 0; p < pairs.length; p++) t[p] = (-0.5 * w[p]! * k[p]!) / (1 + s[p]! / (2 * a));
    stationaryGradX(ls!, pairs, t, g1, g2);
  },
};
