// StudentT(df, loc, scale) over the reals; the fit lives in student-t-fit.ts.
import type { UnivariateDist } from './types.js';
import { betaI, digamma, lgamma } from '../special.js';
import { scalarArgs } from './util.js';
import { fitStudentT } from './student-t-fit.js';

export const studentT: UnivariateDist = {
  name: 'StudentT',
  expects: 'a real column',
  accepts: (t) => t.kind === 'real' || t.kind === 'int',
  discrete: false,
  params: [
    { role: 'df', param: { kind: 'positive' } },
    { role: 'loc', param: { kind: 'identity' } },
    { role: 'scale', param: { kind: 'positive' } },
  ],
  argNames: ['df', 'loc', 'scale'],
  logDensity(x, theta) {
    const df = theta[0]!;
    const s = theta[2]!;
    const z = (x - theta[1]!) / s;
    return lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * (Math.log(df) + Math.log(Math.PI)) - Math.log(s) - ((df + 1) / 2) * Math.log1p((z * z) / df);
  },
  sample(theta, rng) {
    const df = theta[0]!;
    const chi2 = 2 * rng.gamma(df / 2);
    return theta[1]! + (theta[2]! * rng.normal()) / Math.sqrt(chi2 / df);
  },
  mean: (theta) => (theta[0]! > 1 ? theta[1]! : NaN),
  variance(theta) {
    const df = theta[0]!;
    if (df > 2) return (theta[2]! * theta[2]! * df) / (df - 2);
    return df > 1 ? Infinity : NaN;
  },
  mode: (theta) => theta[1]!,
  cdf(x, theta) {
    const df = theta[0]!;
    const z = (x - theta[1]!) / theta[2]!;
    const tail = 0.5 * betaI(df / (df + z * z), df / 2, 0.5);
    return z < 0 ? tail : 1 - tail;
  },
  fit: (xs, ws, prev, _levels, floor, fixed) => fitStudentT(xs, ws, prev, floor, fixed),
  gradLogDensity(x, theta, _levels, out) {
    const df = theta[0]!;
    const s = theta[2]!;
    const z = (x - theta[1]!) / s;
    const z2 = z * z;
    out[0] = 0.5 * (digamma((df + 1) / 2) - digamma(df / 2) - 1 / df - Math.log1p(z2 / df) + ((df + 1) * z2) / (df * (df + z2)));
    out[1] = ((df + 1) * z) / (s * (df + z2));
    out[2] = -1 / s + ((df + 1) * z2) / (s * (df + z2));
  },
  fromArgs: (args) => scalarArgs(args, { df: 'positive', loc: 'real', scale: 'positive' }),
};
