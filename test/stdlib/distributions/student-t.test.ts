import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import tLogpdf from '@stdlib/stats-base-dists-t-logpdf';
import { studentT } from '../../../stdlib/distributions/student-t.js';
import { Rng } from '../../../stdlib/random.js';
import { checkGradient, draw, expectClose, expectLocalMaximum, expectMoments, expectWeightedIsReplicated, integrate, real, weightedLogLik } from './helpers.js';

const pdf = (theta: number[]) => (x: number): number => Math.exp(studentT.logDensity(x, theta, 0));

describe('StudentT', () => {
  it('logDensity matches @stdlib t logpdf (standardized)', () => {
    fc.assert(
      fc.property(real(0.1, 200), real(-10, 10), real(0.05, 10), real(-50, 50), (df, loc, scale, x) => {
        expectClose(studentT.logDensity(x, [df, loc, scale], 0), tLogpdf((x - loc) / scale, df) - Math.log(scale), 1e-9);
      }),
      { numRuns: 100 },
    );
  });

  it('integrates to 1 (tails added in closed form through the cdf)', () => {
    fc.assert(
      fc.property(real(1, 50), real(-5, 5), real(0.2, 5), (df, loc, scale) => {
        const t = [df, loc, scale];
        const w = 30 * scale;
        const inner = integrate(pdf(t), loc - w, loc + w, 1e-9);
        // The heavy tails beyond +-30 scales are not negligible for small df.
        const tails = studentT.cdf!(loc - w, t, 0) + 1 - studentT.cdf!(loc + w, t, 0);
        expect(Math.abs(inner + tails - 1)).toBeLessThan(1e-4);
        expect(tails).toBeLessThan(0.03);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    // df > 4 so the sample variance has a finite variance itself.
    for (const [i, theta] of [[8, 1, 2], [30, -3, 0.5]].entries()) {
      expectMoments(draw(studentT, theta, 20000, 41 + i), studentT.mean(theta, 0), studentT.variance(theta, 0));
    }
    expect(studentT.variance([2, 0, 1], 0)).toBe(Infinity);
    expect(studentT.mean([1, 0, 1], 0)).toBeNaN();
  });

  it('cdf matches the integral of the density', () => {
    for (const theta of [[3, 1, 2], [0.8, 0, 1], [15, -2, 0.5]]) {
      for (const x of [-3, -0.5, 0, 1, 2.5]) {
        const lo = theta[1]! - 40 * theta[2]!;
        const numeric = studentT.cdf!(lo, theta, 0) + integrate(pdf(theta), lo, x, 1e-11);
        expectClose(studentT.cdf!(x, theta, 0), numeric, 1e-6);
      }
    }
    expect(studentT.cdf!(1, [4, 1, 3], 0)).toBeCloseTo(0.5, 14);
  });

  it('fit recovers the parameters of 5000 draws', () => {
    const xs = draw(studentT, [4, 2, 1.5], 5000, 12);
    const [df, loc, scale] = studentT.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    // Standard errors at n = 5000: df about 6%, loc about 0.03, scale about 2%.
    expect(Math.abs(df! / 4 - 1)).toBeLessThan(0.25);
    expect(Math.abs(loc! - 2)).toBeLessThan(0.1);
    expect(Math.abs(scale! / 1.5 - 1)).toBeLessThan(0.08);
  });

  it('weighted fit equals the fit on replicated rows', () => {
    expectWeightedIsReplicated(studentT, draw(studentT, [3, 0, 1], 300, 13), 14, 1e-6);
  });

  it('fit is a maximum of the weighted log-likelihood', () => {
    const rng = new Rng(15);
    for (const theta of [[2.5, 1, 1], [10, -1, 3]]) {
      const xs = draw(studentT, theta, 800, 16);
      expectLocalMaximum(studentT, xs, Float64Array.from(xs, () => 2 * rng.uniform()));
    }
  });

  it('from previous parameters (an EM M-step) the likelihood never decreases and reaches the MLE', () => {
    const xs = draw(studentT, [3, 1, 2], 2000, 19);
    const ws = Float64Array.from(xs, (_, i) => 0.5 + (i % 3));
    const mle = studentT.fit(xs, ws, undefined, 0, 1e-12);
    let theta = [40, -2, 6];
    let ll = weightedLogLik(studentT, xs, ws, theta);
    for (let it = 0; it < 100; it++) {
      theta = studentT.fit(xs, ws, theta, 0, 1e-12);
      const now = weightedLogLik(studentT, xs, ws, theta);
      expect(now).toBeGreaterThanOrEqual(ll - 1e-9 * Math.abs(ll));
      ll = now;
    }
    theta.forEach((v, k) => expectClose(v, mle[k]!, 1e-5));
  });

  it('fit with df fixed keeps it and fits loc/scale', () => {
    const xs = draw(studentT, [5, 1, 2], 2000, 18);
    const ws = new Float64Array(2000).fill(1);
    const [df, loc, scale] = studentT.fit(xs, ws, [5, 0, 1], 0, 1e-12, new Set(['df']));
    expect(df).toBe(5);
    // Score of loc and scale vanish at the fitted values.
    const g = new Float64Array(3);
    const sum = [0, 0, 0];
    for (const x of xs) {
      studentT.gradLogDensity(x, [df!, loc!, scale!], 0, g);
      g.forEach((v, k) => (sum[k] = sum[k]! + v));
    }
    expect(Math.abs(sum[1]!)).toBeLessThan(1e-6);
    expect(Math.abs(sum[2]!)).toBeLessThan(1e-6);
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(studentT, fc.record({ theta: fc.tuple(real(0.3, 50), real(-5, 5), real(0.2, 5)), x: real(-20, 20) }));
  });

  it('fromArgs validates', () => {
    expect(studentT.fromArgs({ df: 0 }, 0).errors).toEqual([{ arg: 'df', message: 'df must be > 0' }]);
    expect(studentT.fromArgs({ scale: -1 }, 0).errors[0]!.arg).toBe('scale');
    expect(studentT.fromArgs({ loc: Infinity }, 0).errors[0]!.message).toMatch(/finite/);
    expect(studentT.fromArgs({ df: 3, loc: -1, scale: 2 }, 0).values).toEqual({ df: [3], loc: [-1], scale: [2] });
  });
});
