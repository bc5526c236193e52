// Beta(alpha, beta) over (0, 1). Weighted MLE: Newton on the digamma equations from a
// moment-matching start, with step halving (the log-likelihood is concave in (alpha, beta)).
import type { UnivariateDist } from './types.js';
import { betaI, digamma, lgamma, trigamma } from '../special.js';
import { scalarArgs, UNIT_INTERVAL } from './util.js';

const EDGE = 1e-12;

function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

export const beta: UnivariateDist = {
  name: 'Beta',
  expects: 'a real column of values in (0, 1)',
  accepts: (t) => t.kind === 'real',
  support: UNIT_INTERVAL,
  discrete: false,
  params: [
    { role: 'alpha', param: { kind: 'positive' } },
    { role: 'beta', param: { kind: 'positive' } },
  ],
  argNames: ['alpha', 'beta'],
  logDensity(x, theta) {
    const a = theta[0]!;
    const b = theta[1]!;
    if (x < 0 || x > 1) return -Infinity;
    if (x === 0) return a < 1 ? Infinity : a === 1 ? -lbeta(a, b) : -Infinity;
    if (x === 1) return b < 1 ? Infinity : b === 1 ? -lbeta(a, b) : -Infinity;
    return (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lbeta(a, b);
  },
  sample: (theta, rng) => rng.beta(theta[0]!, theta[1]!),
  mean: (theta) => theta[0]! / (theta[0]! + theta[1]!),
  variance(theta) {
    const a = theta[0]!;
    const b = theta[1]!;
    return (a * b) / ((a + b) * (a + b) * (a + b + 1));
  },
  mode(theta) {
    const a = theta[0]!;
    const b = theta[1]!;
    if (a > 1 && b > 1) return (a - 1) / (a + b - 2);
    if (a === 1 && b === 1) return 0.5;
    if (a <= 1 && b >= 1) return 0;
    if (a >= 1 && b <= 1) return 1;
    return a < b ? 0 : 1; // U-shaped: the higher of the two unbounded ends
  },
  cdf: (x, theta) => (x <= 0 ? 0 : x >= 1 ? 1 : betaI(x, theta[0]!, theta[1]!)),
  fit(xs, ws, prev, _levels, floor, fixed) {
    const fixA = fixed?.has('alpha') === true && prev !== undefined;
    const fixB = fixed?.has('beta') === true && prev !== undefined;
    if (fixA && fixB) return [prev[0]!, prev[1]!];
    let sw = 0;
    let sx = 0;
    let sxx = 0;
    let slx = 0;
    let sly = 0;
    for (let i = 0; i < xs.length; i++) {
      const w = ws[i]!;
      if (w === 0) continue;
      const x = Math.min(Math.max(xs[i]!, EDGE), 1 - EDGE);
      sw += w;
      sx += w * x;
      sxx += w * x * x;
      slx += w * Math.log(x);
      sly += w * Math.log1p(-x);
    }
    if (!(sw > 0)) return prev ? [prev[0]!, prev[1]!] : [1, 1];
    const m = sx / sw;
    const v = Math.max(sxx / sw - m * m, 0);
    const mlx = slx / sw;
    const mly = sly / sw;
    // Concentration cap: keeps all-equal data from driving alpha + beta to infinity.
    const capSum = Math.max(1 / Math.max(floor, 1e-12), 10);
    const c = v > 0 && v < m * (1 - m) ? (m * (1 - m)) / v - 1 : 2;
    let a = fixA ? prev[0]! : Math.min(m * c, capSum);
    let b = fixB ? prev[1]! : Math.min((1 - m) * c, capSum);
    const f = (p: number, q: number): number => (p - 1) * mlx + (q - 1) * mly - lbeta(p, q);
    let fc = f(a, b);
    for (let it = 0; it < 100; it++) {
      const dab = digamma(a + b);
      const g1 = mlx - digamma(a) + dab;
      const g2 = mly - digamma(b) + dab;
      const t = trigamma(a + b);
      const h11 = t - trigamma(a);
      const h22 = t - trigamma(b);
      let da: number;
      let db: number;
      if (fixA) {
        da = 0;
        db = -g2 / h22;
      } else if (fixB) {
        da = -g1 / h11;
        db = 0;
      } else {
        const det = h11 * h22 - t * t;
        da = -(h22 * g1 - t * g2) / det;
        db = -(h11 * g2 - t * g1) / det;
      }
      let step = 1;
      let na = a + da;
      let nb = b + db;
      let fn = na > 0 && nb > 0 ? f(na, nb) : -Infinity;
      while (!(fn >= fc - 1e-14 * Math.abs(fc)) && step > 1e-10) {
        step /= 2;
        na = a + step * da;
        nb = b + step * db;
        fn = na > 0 && nb > 0 ? f(na, nb) : -Infinity;
      }
      if (step <= 1e-10) break;
      const moved = Math.abs(na - a) / a + Math.abs(nb - b) / b;
      a = na;
      b = nb;
      fc = fn;
      if (a + b > capSum) {
        const r = capSum / (a + b);
        if (!fixA) a *= r;
        if (!fixB) b *= r;
        break;
      }
      if (moved < 1e-13) break;
    }
    return [a, b];
  },
  gradLogDensity(x, theta, _levels, out) {
    const a = theta[0]!;
    const b = theta[1]!;
    const dab = digamma(a + b);
    out[0] = Math.log(x) - digamma(a) + dab;
    out[1] = Math.log1p(-x) - digamma(b) + dab;
  },
  fromArgs: (args) => scalarArgs(args, { alpha: 'positive', beta: 'positive' }),
};
