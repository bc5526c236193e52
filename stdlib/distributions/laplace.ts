// Laplace(loc, scale). Weighted MLE: loc = weighted median, scale = mean absolute deviation.
import type { UnivariateDist } from './types.js';
import { scalarArgs, weightedMedian } from './util.js';

export const laplace: UnivariateDist = {
  name: 'Laplace',
  expects: 'a real column',
  accepts: (t) => t.kind === 'real' || t.kind === 'int',
  discrete: false,
  params: [
    { role: 'loc', param: { kind: 'identity' } },
    { role: 'scale', param: { kind: 'positive' } },
  ],
  argNames: ['loc', 'scale'],
  logDensity: (x, theta) => -Math.log(2 * theta[1]!) - Math.abs(x - theta[0]!) / theta[1]!,
  sample(theta, rng) {
    // Difference of two exponentials is Laplace.
    return theta[0]! + theta[1]! * (Math.log(rng.uniformOpen()) - Math.log(rng.uniformOpen()));
  },
  mean: (theta) => theta[0]!,
  variance: (theta) => 2 * theta[1]! * theta[1]!,
  mode: (theta) => theta[0]!,
  cdf(x, theta) {
    const z = (x - theta[0]!) / theta[1]!;
    return z < 0 ? 0.5 * Math.exp(z) : 1 - 0.5 * Math.exp(-z);
  },
  fit(xs, ws, prev, _levels, floor, fixed) {
    const fixLoc = fixed?.has('loc') === true && prev !== undefined;
    const fixScale = fixed?.has('scale') === true && prev !== undefined;
    let sw = 0;
    for (let i = 0; i < ws.length; i++) sw += ws[i]!;
    if (!(sw > 0)) return prev ? [prev[0]!, prev[1]!] : [0, 1];
    // The median does not depend on the scale, so a fixed scale changes nothing for loc.
    const loc = fixLoc ? prev[0]! : weightedMedian(xs, ws);
    if (fixScale) return [loc, prev[1]!];
    let sa = 0;
    for (let i = 0; i < xs.length; i++) if (ws[i]! !== 0) sa += ws[i]! * Math.abs(xs[i]! - loc);
    return [loc, Math.max(sa / sw, floor)];
  },
  gradLogDensity(x, theta, _levels, out) {
    const d = x - theta[0]!;
    const b = theta[1]!;
    out[0] = Math.sign(d) / b;
    out[1] = -1 / b + Math.abs(d) / (b * b);
  },
  fromArgs: (args) => scalarArgs(args, { loc: 'real', scale: 'positive' }),
};
