// Exponential(rate) over x >= 0.
import type { UnivariateDist } from './types.js';
import { scalarArgs, weightedMoments, NON_NEGATIVE } from './util.js';

export const exponential: UnivariateDist = {
  name: 'Exponential',
  expects: 'a real column of non-negative values',
  accepts: (t) => t.kind === 'real' || t.kind === 'int',
  support: NON_NEGATIVE,
  discrete: false,
  sufficient: 'mean',
  params: [{ role: 'rate', param: { kind: 'positive' } }],
  argNames: ['rate'],
  logDensity(x, theta) {
    const r = theta[0]!;
    return x < 0 ? -Infinity : Math.log(r) - r * x;
  },
  sample: (theta, rng) => -Math.log(rng.uniformOpen()) / theta[0]!,
  mean: (theta) => 1 / theta[0]!,
  variance: (theta) => 1 / (theta[0]! * theta[0]!),
  mode: () => 0,
  cdf: (x, theta) => (x <= 0 ? 0 : -Math.expm1(-theta[0]! * x)),
  fit(xs, ws, prev, _levels, floor, fixed) {
    if (fixed?.has('rate') && prev) return [prev[0]!];
    const { sw, mean } = weightedMoments(xs, ws);
    if (!(sw > 0)) return [prev ? prev[0]! : 1];
    return [1 / Math.max(mean, floor)];
  },
  gradLogDensity(x, theta, _levels, out) {
    out[0] = 1 / theta[0]! - x;
  },
  fromArgs: (args) => scalarArgs(args, { rate: 'positive' }),
};
