// Matern 1/2 (exponential, Ornstein-Uhlenbeck): k = exp(-r).
import { LENGTHSCALE, lengthscaleGrad, scaledSqdist, stationaryGradX } from './stationary.js';
import type { BaseKernel } from './types.js';

export const matern12: BaseKernel = {
  name: 'matern12',
  description: 'Matern nu = 1/2: exp(-r)',
  params: [LENGTHSCALE],
  positional: 'ls',
  stationary: true,
  value([ls], _ctx, pairs, out) {
    scaledSqdist(ls!, pairs, out);
    for (let p = 0; p < pairs.length; p++) out[p] = Math.exp(-Math.sqrt(out[p]!)); // s = Infinity gives 0
  },
  grad([ls], _ctx, pairs, w, k, [g]) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    // df/ds = -exp(-r) / (2r); at r = 0 every distance is 0, so the term vanishes.
    for (let p = 0; p < pairs.length; p++) {
      const r = Math.sqrt(s[p]!);
      t[p] = r > 0 ? (-w[p]! * k[p]!) / (2 * r) : 0;
    }
    lengthscaleGrad(ls!, pairs, t, s, g!);
  },
  gradX([ls], _ctx, pairs, w, k, g1, g2) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    // At r = 0 (a point with itself) the kink's subgradient 0.
    for (let p = 0; p < pairs.length; p++) {
      const r = Math.sqrt(s[p]!);
      t[p] = r > 0 ? (-w[p]! * k[p]!) / (2 * r) : 0;
    }
    stationaryGradX(ls!, pairs, t, g1, g2);
  },
};
