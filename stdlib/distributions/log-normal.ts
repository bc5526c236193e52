// LogNormal(mu, sigma): log x ~ Normal(mu, sigma), x > 0.
import type { UnivariateDist } from './types.js';
import { LOG_2PI, normalCdf } from '../special.js';
import { scalarArgs, weightedMoments, POSITIVE } from './util.js';

export const logNormal: UnivariateDist = {
  name: 'LogNormal',
  expects: 'a real column of positive values',
  accepts: (t) => t.kind === 'real' || t.kind === 'int',
  support: POSITIVE,
  discrete: false,
  params: [
    { role: 'mu', param: { kind: 'identity' } },
    { role: 'sigma', param: { kind: 'positive' } },
  ],
  argNames: ['mu', 'sigma'],
  logDensity(x, theta) {
    if (!(x > 0)) return -Infinity;
    const lx = Math.log(x);
    const s = theta[1]!;
    const z = (lx - theta[0]!) / s;
    return -lx - Math.log(s) - 0.5 * LOG_2PI - 0.5 * z * z;
  },
  sample: (theta, rng) => Math.exp(theta[0]! + theta[1]! * rng.normal()),
  mean: (theta) => Math.exp(theta[0]! + 0.5 * theta[1]! * theta[1]!),
  variance(theta) {
    const s2 = theta[1]! * theta[1]!;
    return Math.expm1(s2) * Math.exp(2 * theta[0]! + s2);
  },
  mode: (theta) => Math.exp(theta[0]! - theta[1]! * theta[1]!),
  cdf: (x, theta) => (x <= 0 ? 0 : normalCdf((Math.log(x) - theta[0]!) / theta[1]!)),
  fit(xs, ws, prev, _levels, floor, fixed) {
    const fixMu = fixed?.has('mu') === true && prev !== undefined;
    const fixSigma = fixed?.has('sigma') === true && prev !== undefined;
    // Non-positive values are outside the support; clamp so one bad cell cannot give NaN.
    const lg = (x: number): number => Math.log(Math.max(x, 1e-300));
    const { sw, mean, variance } = weightedMoments(xs, ws, lg);
    if (!(sw > 0)) return prev ? [prev[0]!, prev[1]!] : [0, 1];
    const mu = fixMu ? prev[0]! : mean;
    if (fixSigma) return [mu, prev[1]!];
    // Spread around a fixed mu includes the squared offset of the mean.
    const v = fixMu ? variance + (mean - mu) * (mean - mu) : variance;
    return [mu, Math.sqrt(v + floor)];
  },
  gradLogDensity(x, theta, _levels, out) {
    const s = theta[1]!;
    const d = Math.log(x) - theta[0]!;
    out[0] = d / (s * s);
    out[1] = -1 / s + (d * d) / (s * s * s);
  },
  fromArgs: (args) => scalarArgs(args, { mu: 'real', sigma: 'positive' }),
};
