// Shared checks for the distribution tests: quadrature, moment checks, fits, gradients.
import { expect } from 'vitest';
import fc from 'fast-check';
import type { UnivariateDist } from '../../../stdlib/distributions/types.js';
import { Rng } from '../../../stdlib/random.js';

/** |a - b| <= rel * max(1, |b|): relative, with an absolute floor near 0. */
export function expectClose(a: number, b: number, rel = 1e-9, what = ''): void {
  const ok = a === b || Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
  if (!ok) expect.fail(`${what} ${a} != ${b} (rel ${rel})`);
}

/** Adaptive Simpson on [a, b] with absolute tolerance tol. */
export function integrate(f: (x: number) => number, a: number, b: number, tol = 1e-10): number {
  const simpson = (l: number, r: number, fl: number, fm: number, fr: number): number => ((r - l) / 6) * (fl + 4 * fm + fr);
  const rec = (l: number, r: number, fl: number, fm: number, fr: number, whole: number, eps: number, depth: number): number => {
    const m = (l + r) / 2;
    const lm = (l + m) / 2;
    const rm = (m + r) / 2;
    const flm = f(lm);
    const frm = f(rm);
    const left = simpson(l, m, fl, flm, fm);
    const right = simpson(m, r, fm, frm, fr);
    // The relative floor stops refinement once rounding noise dominates (else it never ends).
    const err = Math.abs(left + right - whole);
    if (!Number.isFinite(err)) throw new Error(`integrand not finite near ${m}`);
    if (depth <= 0 || err <= 15 * eps || err <= 1e-13 * Math.abs(left + right)) return left + right + (left + right - whole) / 15;
    return rec(l, m, fl, flm, fm, left, eps / 2, depth - 1) + rec(m, r, fm, frm, fr, right, eps / 2, depth - 1);
  };
  // Split into pieces first so narrow peaks are not missed by the first coarse estimate.
  const pieces = 64;
  let total = 0;
  for (let k = 0; k < pieces; k++) {
    const l = a + ((b - a) * k) / pieces;
    const r = a + ((b - a) * (k + 1)) / pieces;
    const fl = f(l);
    const fm = f((l + r) / 2);
    const fr = f(r);
    total += rec(l, r, fl, fm, fr, simpson(l, r, fl, fm, fr), tol / pieces, 30);
  }
  return total;
}

/**
 * Integral of exp(logf) over [0, upper] via x = u^2 (dx = 2u du), which removes an
 * x^(a - 1) singularity at 0 for a >= 0.5.
 */
export function integrateFromZero(logf: (x: number) => number, upper: number, tol = 1e-9): number {
  return integrate((u) => {
    const v = Math.max(u, 1e-150);
    return 2 * v * Math.exp(logf(v * v));
  }, 0, Math.sqrt(upper), tol);
}

/** The density of d at x (not log). */
export const pdf = (d: UnivariateDist, theta: readonly number[], levels = 0) => (x: number): number => Math.exp(d.logDensity(x, theta, levels));

/** Sample mean and variance agree with the stated moments within k standard errors. */
export function expectMoments(xs: Float64Array, mean: number, variance: number, k = 5): void {
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n - 1;
  m4 /= n;
  const seMean = Math.sqrt(variance / n);
  const seVar = Math.sqrt(Math.max(m4 - m2 * m2, 0) / n);
  expect(Math.abs(m - mean)).toBeLessThan(k * seMean + 1e-12);
  expect(Math.abs(m2 - variance)).toBeLessThan(k * seVar + 1e-12);
}

export function draw(d: UnivariateDist, theta: readonly number[], n: number, seed: number, levels = 0): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => d.sample(theta, rng, levels));
}

export function weightedLogLik(d: UnivariateDist, xs: Float64Array, ws: Float64Array, theta: readonly number[], levels = 0): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) if (ws[i]! !== 0) s += ws[i]! * d.logDensity(xs[i]!, theta, levels);
  return s;
}

/** A fit with integer weights equals the fit on rows replicated that many times. */
export function expectWeightedIsReplicated(d: UnivariateDist, xs: Float64Array, seed: number, rel: number, levels = 0): void {
  const rng = new Rng(seed);
  const ws = Float64Array.from(xs, () => rng.int(4));
  const rep: number[] = [];
  xs.forEach((x, i) => {
    for (let k = 0; k < ws[i]!; k++) rep.push(x);
  });
  const a = d.fit(xs, ws, undefined, levels, 1e-10);
  const b = d.fit(Float64Array.from(rep), new Float64Array(rep.length).fill(1), undefined, levels, 1e-10);
  a.forEach((v, k) => expectClose(v, b[k]!, rel, `theta[${k}]`));
}

/** The fit is a local maximum of the weighted log-likelihood: every +-1% move lowers it. */
export function expectLocalMaximum(d: UnivariateDist, xs: Float64Array, ws: Float64Array, levels = 0): void {
  const theta = d.fit(xs, ws, undefined, levels, 1e-10);
  const best = weightedLogLik(d, xs, ws, theta, levels);
  for (let k = 0; k < theta.length; k++) {
    for (const s of [-1, 1]) {
      const t = theta.slice();
      t[k] = t[k]! + s * 0.01 * Math.max(Math.abs(t[k]!), 1e-3);
      expect(weightedLogLik(d, xs, ws, t, levels)).toBeLessThan(best);
    }
  }
}

/** gradLogDensity agrees with central finite differences of logDensity. */
export function checkGradient(d: UnivariateDist, arb: fc.Arbitrary<{ theta: number[]; x: number }>, levels = 0, rel = 1e-5): void {
  fc.assert(
    fc.property(arb, ({ theta, x }) => {
      const g = new Float64Array(theta.length);
      d.gradLogDensity(x, theta, levels, g);
      for (let k = 0; k < theta.length; k++) {
        if (d.params[k]?.structural) {
          expect(g[k]).toBe(0);
          continue;
        }
        const h = 1e-6 * Math.max(1, Math.abs(theta[k]!));
        const up = theta.slice();
        const dn = theta.slice();
        up[k] = up[k]! + h;
        dn[k] = dn[k]! - h;
        const fd = (d.logDensity(x, up, levels) - d.logDensity(x, dn, levels)) / (2 * h);
        expectClose(g[k]!, fd, rel, `d/dtheta[${k}] at x=${x} theta=${theta.join(',')}`);
      }
    }),
    { numRuns: 100 },
  );
}

/** fc double in [lo, hi] without NaN/infinities. */
export const real = (lo: number, hi: number): fc.Arbitrary<number> => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
