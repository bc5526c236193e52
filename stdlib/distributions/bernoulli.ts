// Bernoulli(p) over {0, 1}: bool columns (false = 0, true = 1) and int 0/1 columns.
import type { UnivariateDist } from './types.js';
import { clampUnit, scalarArgs, weightedMoments, ZERO_ONE } from './util.js';

export const bernoulli: UnivariateDist = {
  name: 'Bernoulli',
  expects: 'a bool column or an int column of 0/1',
  accepts: (t) => t.kind === 'bool' || t.kind === 'int',
  support: ZERO_ONE,
  discrete: true,
  sufficient: 'mean',
  defaultFor: ['bool'],
  tabulated: true,
  levelProduct: true,
  finiteLevels: () => 2,
  positiveValues(theta) {
    const p = theta[0]!;
    const out: number[] = [];
    if (p < 1) out.push(0);
    if (p > 0) out.push(1);
    return out;
  },
  params: [{ role: 'p', param: { kind: 'unit' } }],
  argNames: ['p'],
  logDensity(x, theta) {
    const p = theta[0]!;
    if (x === 1) return Math.log(p);
    if (x === 0) return Math.log1p(-p);
    return -Infinity;
  },
  sample: (theta, rng) => (rng.uniform() < theta[0]! ? 1 : 0),
  mean: (theta) => theta[0]!,
  variance: (theta) => theta[0]! * (1 - theta[0]!),
  mode: (theta) => (theta[0]! > 0.5 ? 1 : 0),
  cdf(x, theta) {
    if (x < 0) return 0;
    return x < 1 ? 1 - theta[0]! : 1;
  },
  fit(xs, ws, prev, _levels, floor, fixed, smoothing = 0) {
    if (fixed?.has('p') && prev) return [prev[0]!];
    const { sw, mean } = weightedMoments(xs, ws);
    if (!(sw > 0) && !(smoothing > 0)) return [prev ? prev[0]! : 0.5];
    // Laplace smoothing: a pseudo-count alpha for each of the two outcomes.
    return [clampUnit(((sw > 0 ? mean * sw : 0) + smoothing) / (sw + 2 * smoothing), floor)];
  },
  gradLogDensity(x, theta, _levels, out) {
    const p = theta[0]!;
    out[0] = x === 1 ? 1 / p : x === 0 ? -1 / (1 - p) : 0;
  },
  fromArgs: (args) => scalarArgs(args, { p: 'probability' }),
};
