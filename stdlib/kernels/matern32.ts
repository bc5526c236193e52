// Matern 3/2: k = (1 + sqrt(3) r) exp(-sqrt(3) r).
import { LENGTHSCALE, lengthscaleGrad, scaledSqdist, stationaryGradX } from './stationary.js';
import type { BaseKernel } from './types.js';

const S3 = Math.sqrt(3);

export const matern32: BaseKernel = {
  name: 'matern32',
  description: 'Matern nu = 3/2: (1 + sqrt(3) r) exp(-sqrt(3) r)',
  params: [LENGTHSCALE],
  positional: 'ls',
  stationary: true,
  value([ls], _ctx, pairs, out) {
    scaledSqdist(ls!, pairs, out);
    for (let p = 0; p < pairs.length; p++) {
      const r = S3 * Math.sqrt(out[p]!);
      // An infinite distance is no correlation (not Infinity * 0).
      out[p] = r < Infinity ? (1 + r) * Math.exp(-r) : 0;
    }
  },
  grad([ls], _ctx, pairs, w, _k, [g]) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    // df/ds = -3/2 exp(-sqrt(3) r)
    for (let p = 0; p < pairs.length; p++) t[p] = -1.5 * w[p]! * Math.exp(-S3 * Math.sqrt(s[p]!));
    lengthscaleGrad(ls!, pairs, t, s, g!);
  },
  gradX([ls], _ctx, pairs, w, _k, g1, g2) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    for (let p = 0; p < pairs.length; p++) t[p] = -1.5 * w[p]! * Math.exp(-S3 * Math.sqrt(s[p]!));
    stationaryGradX(ls!, pairs, t, g1, g2);
  },
};
