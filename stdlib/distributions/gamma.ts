// Gamma(shape, rate) over x > 0. Weighted MLE: Newton on the shape (Minka 2002,
// "Estimating a Gamma distribution"), then rate = shape / mean.
import type { UnivariateDist } from './types.js';
import { digamma, gammaP, lgamma, trigamma } from '../special.js';
import { scalarArgs, NON_NEGATIVE } from './util.js';

/** Solves digamma(a) = y for a > 0 (Minka's starting point, then Newton). */
export function inverseDigamma(y: number): number {
  let a = y >= -2.22 ? Math.exp(y) + 0.5 : -1 / (y - digamma(1));
  for (let i = 0; i < 30; i++) {
    const step = (digamma(a) - y) / trigamma(a);
    let next = a - step;
    if (!(next > 0)) next = a / 2;
    if (Math.abs(next - a) <= 1e-14 * a) return next;
    a = next;
  }
  return a;
}

export const gamma: UnivariateDist = {
  name: 'Gamma',
  expects: 'a real column of positive values',
  accepts: (t) => t.kind === 'real' || t.kind === 'int',
  support: NON_NEGATIVE,
  discrete: false,
  params: [
    { role: 'shape', param: { kind: 'positive' } },
    { role: 'rate', param: { kind: 'positive' } },
  ],
  argNames: ['shape', 'rate'],
  logDensity(x, theta) {
    const a = theta[0]!;
    const b = theta[1]!;
    if (x < 0) return -Infinity;
    if (x === 0) return a < 1 ? Infinity : a === 1 ? Math.log(b) : -Infinity;
    return a * Math.log(b) - lgamma(a) + (a - 1) * Math.log(x) - b * x;
  },
  sample: (theta, rng) => rng.gamma(theta[0]!) / theta[1]!,
  mean: (theta) => theta[0]! / theta[1]!,
  variance: (theta) => theta[0]! / (theta[1]! * theta[1]!),
  mode: (theta) => (theta[0]! >= 1 ? (theta[0]! - 1) / theta[1]! : 0),
  cdf: (x, theta) => (x <= 0 ? 0 : gammaP(theta[0]!, theta[1]! * x)),
  fit(xs, ws, prev, _levels, floor, fixed) {
    const fixShape = fixed?.has('shape') === true && prev !== undefined;
    const fixRate = fixed?.has('rate') === true && prev !== undefined;
    if (fixShape && fixRate) return [prev[0]!, prev[1]!];
    let sw = 0;
    let sx = 0;
    let slog = 0;
    for (let i = 0; i < xs.length; i++) {
      const w = ws[i]!;
      if (w === 0) continue;
      const x = Math.max(xs[i]!, floor);
      sw += w;
      sx += w * x;
      slog += w * Math.log(x);
    }
    if (!(sw > 0)) return prev ? [prev[0]!, prev[1]!] : [1, 1];
    const m = sx / sw;
    const ml = slog / sw;
    if (fixShape) return [prev[0]!, prev[0]! / m];
    if (fixRate) return [inverseDigamma(Math.log(prev[1]!) + ml), prev[1]!];
    // The shape is capped so the fitted variance m^2 / a stays >= floor (all-equal data).
    const cap = Math.max((m * m) / floor, 1);
    const s = Math.log(m) - ml;
    let a = s > 0 ? (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s) : cap;
    for (let i = 0; i < 50 && a < cap; i++) {
      const g = ml - Math.log(m) + Math.log(a) - digamma(a);
      const h = a * a * (1 / a - trigamma(a));
      const next = 1 / (1 / a + g / h);
      if (!(next > 0) || !Number.isFinite(next)) break;
      const done = Math.abs(next - a) <= 1e-13 * a;
      a = next;
      if (done) break;
    }
    a = Math.min(a, cap);
    return [a, a / m];
  },
  gradLogDensity(x, theta, _levels, out) {
    const a = theta[0]!;
    const b = theta[1]!;
    out[0] = Math.log(b) - digamma(a) + Math.log(x);
    out[1] = a / b - x;
  },
  fromArgs: (args) => scalarArgs(args, { shape: 'positive', rate: 'positive' }),
};
