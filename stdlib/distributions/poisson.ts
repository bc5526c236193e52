// Poisson(rate) over counts 0, 1, 2, ...
import type { UnivariateDist } from './types.js';
import { gammaP, lgamma } from '../special.js';
import { isCount, scalarArgs, weightedMoments } from './util.js';
import { poissonLogPmf } from '../poisson-log-pmf.js';

export const poisson: UnivariateDist = {
  name: 'Poisson',
  expects: 'an int column of counts',
  accepts: (t) => t.kind === 'int',
  discrete: true,
  sufficient: 'mean',
  defaultFor: ['int'],
  tabulated: true,
  params: [{ role: 'rate', param: { kind: 'positive' } }],
  argNames: ['rate'],
  logDensity(x, theta) {
    const r = theta[0]!;
    if (!isCount(x)) return -Infinity;
    return poissonLogPmf(x, r, lgamma);
  },
  sample: (theta, rng) => rng.poisson(theta[0]!),
  mean: (theta) => theta[0]!,
  variance: (theta) => theta[0]!,
  mode: (theta) => Math.floor(theta[0]!),
  cdf(x, theta) {
    const k = Math.floor(x);
    if (k < 0) return 0;
    // P(X <= k) = Q(k + 1, rate), the upper regularized incomplete gamma.
    return 1 - gammaP(k + 1, theta[0]!);
  },
  fit(xs, ws, prev, _levels, floor, fixed) {
    if (fixed?.has('rate') && prev) return [prev[0]!];
    const { sw, mean } = weightedMoments(xs, ws);
    if (!(sw > 0)) return [prev ? prev[0]! : 1];
    return [Math.max(mean, floor)];
  },
  gradLogDensity(x, theta, _levels, out) {
    out[0] = x / theta[0]! - 1;
  },
  fromArgs: (args) => scalarArgs(args, { rate: 'positive' }),
};
