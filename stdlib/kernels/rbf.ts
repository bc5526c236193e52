// Squared exponential: k = exp(-s / 2), s the squared distance scaled by the lengthscales.
import { LENGTHSCALE, lengthscaleGrad, scaledSqdist, stationaryGradX } from './stationary.js';
import type { BaseKernel } from './types.js';

export const rbf: BaseKernel = {
  name: 'rbf',
  description: 'squared exponential exp(-r^2 / 2), r = |x - x\'| / ls',
  params: [LENGTHSCALE],
  positional: 'ls',
  stationary: true,
  value([ls], _ctx, pairs, out) {
    scaledSqdist(ls!, pairs, out);
    for (let p = 0; p < pairs.length; p++) out[p] = Math.exp(-0.5 * out[p]!);
  },
  grad([ls], _ctx, pairs, w, k, [g]) {
    const s = pairs.scratch(0);
    const t = pairs.scratch(1);
    scaledSqdist(ls!, pairs, s);
    for (let p = 0; p < pairs.length; p++) t[p] = -0.5 * w[p]! * k[p]!;
    lengthscaleGrad(ls!, pairs, t, s, g!);
  },
  gradX([ls], _ctx, pairs, w, k, g1, g2) {
    const t = pairs.scratch(1);
    for (let p = 0; p < pairs.length; p++) t[p] = -0.5 * w[p]! * k[p]!;
    stationaryGradX(ls!, pairs, t, g1, g2);
  },
};
