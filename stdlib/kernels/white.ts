// White noise: k(x, x') = noise when x and x' are the same training point, else 0. Like
// scikit-learn's WhiteKernel it adds to the training covariance only: predictions at new
// inputs are of the latent function (the noise-free mean and variance).
import type { BaseKernel } from './types.js';

export const white: BaseKernel = {
  name: 'white',
  description: 'noise on the diagonal of the training covariance',
  params: [{ name: 'noise', aliases: ['variance', 'noise_level'], shape: () => [], positive: true, init: { kind: 'output-var', factor: 0.1 }, bounds: [1e-10, 1e5] }],
  positional: 'noise',
  stationary: true,
  value([v], _ctx, pairs, out) {
    pairs.identity(out);
    const s = v![0]!;
    for (let p = 0; p < pairs.length; p++) out[p] *= s;
  },
  grad(_p, _ctx, pairs, w, _k, [g]) {
    const id = pairs.scratch(0);
    pairs.identity(id);
    let acc = 0;
    for (let p = 0; p < pairs.length; p++) acc += w[p]! * id[p]!;
    g![0] += acc;
  },
};
