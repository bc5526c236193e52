// Matern 5/2: k = (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r).
import { LENGTHSCALE, lengthscaleGrad, scaledSqdist, stationaryGradX } from './stationary.js';
import type { BaseKernel } from './types.js';

const S5 = Math.sqrt(5);

export const matern52: BaseKernel = {
  name: 'matern52',
  description: 'Matern nu = 5/2: (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)',
  params: [LENGTHSCALE],
  positional: 'ls',
  stationary: true,
  value([ls], _ctx, pairs, out) {
    scaledSqdist(ls!, pairs, out);
    for (let p = 0; p < pairs.length; p++) {
      const s = out[p]!;
      const r = S5 * Math.sqrt(s);
      // An infinite distance is no correlation (not Infinity * 0).
      out[p] = r < Infinity ? (1 + r + (5 / 3) * s) * Math.exp(-r) : 0;
    }
  },
  grad([ls], _ctx, pairs, w, _k, [g]) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    // df/ds = -5/6 (1 + sqrt(5) r) exp(-sqrt(5) r)
    for (let p = 0; p < pairs.length; p++) {
      const r = S5 * Math.sqrt(s[p]!);
      t[p] = (-5 / 6) * w[p]! * (1 + r) * Math.exp(-r);
    }
    lengthscaleGrad(ls!, pairs, t, s, g!);
  },
  gradX([ls], _ctx, pairs, w, _k, g1, g2) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    for (let p = 0; p < pairs.length; p++) {
      const r = S5 * Math.sqrt(s[p]!);
      t[p] = (-5 / 6) * w[p]! * (1 + r) * Math.exp(-r);
    }
    stationaryGradX(ls!, pairs, t, g1, g2);
  },
};
