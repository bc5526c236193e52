// Binomial(n, p) over counts 0..n. n is structural: given by the user or set once to the
// largest observed count, never fitted.
import type { UnivariateDist } from './types.js';
import { betaI, lgamma } from '../special.js';
import { clampUnit, isCount, scalarArgs } from './util.js';

export const binomial: UnivariateDist = {
  name: 'Binomial',
  expects: 'an int column of counts',
  accepts: (t) => t.kind === 'int',
  discrete: true,
  sufficient: 'counts',
  tabulated: true,
  params: [
    { role: 'n', param: { kind: 'identity' }, structural: true },
    { role: 'p', param: { kind: 'unit' } },
  ],
  argNames: ['n', 'p'],
  logDensity(x, theta) {
    const n = theta[0]!;
    const p = theta[1]!;
    if (!isCount(x) || x > n) return -Infinity;
    const c = lgamma(n + 1) - lgamma(x + 1) - lgamma(n - x + 1);
    // Written so 0 * log(0) terms vanish at p = 0 or 1.
    const a = x === 0 ? 0 : x * Math.log(p);
    const b = x === n ? 0 : (n - x) * Math.log1p(-p);
    return c + a + b;
  },
  sample: (theta, rng) => rng.binomial(theta[0]!, theta[1]!),
  mean: (theta) => theta[0]! * theta[1]!,
  variance: (theta) => theta[0]! * theta[1]! * (1 - theta[1]!),
  mode: (theta) => Math.min(theta[0]!, Math.floor((theta[0]! + 1) * theta[1]!)),
  cdf(x, theta) {
    const n = theta[0]!;
    const k = Math.floor(x);
    if (k < 0) return 0;
    if (k >= n) return 1;
    // P(X <= k) = I_{1-p}(n - k, k + 1).
    return betaI(1 - theta[1]!, n - k, k + 1);
  },
  fit(xs, ws, prev, _levels, floor, fixed) {
    let n = prev && Number.isFinite(prev[0]) && prev[0]! > 0 ? prev[0]! : 0;
    if (n === 0) {
      // Every observed row (weighted or not) must be in the support of every unit.
      for (let i = 0; i < xs.length; i++) if (xs[i]! > n) n = xs[i]!;
      n = Math.max(1, Math.ceil(n));
    }
    if (fixed?.has('p') && prev) return [n, prev[1]!];
    let sw = 0;
    let sx = 0;
    for (let i = 0; i < xs.length; i++) {
      sw += ws[i]!;
      sx += ws[i]! * xs[i]!;
    }
    if (!(sw > 0)) return [n, prev ? prev[1]! : 0.5];
    return [n, clampUnit(sx / (sw * n), floor)];
  },
  gradLogDensity(x, theta, _levels, out) {
    const n = theta[0]!;
    const p = theta[1]!;
    out[0] = 0;
    out[1] = x / p - (n - x) / (1 - p);
  },
  fromArgs(args) {
    const r = scalarArgs(args, { n: 'count', p: 'unit' });
    if (r.values['n'] !== undefined && r.values['n'][0] === 0) {
      r.errors.push({ arg: 'n', message: 'n must be >= 1' });
      delete r.values['n'];
    }
    return r;
  },
};
