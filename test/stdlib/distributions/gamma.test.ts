import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import gammaLogpdf from '@stdlib/stats-base-dists-gamma-logpdf';
import { gamma, inverseDigamma } from '../../../stdlib/distributions/gamma.js';
import { digamma } from '../../../stdlib/special.js';
import { Rng } from '../../../stdlib/random.js';
import { checkGradient, draw, expectClose, expectLocalMaximum, expectMoments, expectWeightedIsReplicated, integrateFromZero, real } from './helpers.js';

/** Integral of the density over [0, upper]. */
function mass(theta: number[], upper: number): number {
  return integrateFromZero((x) => gamma.logDensity(x, theta, 0), upper);
}

describe('Gamma', () => {
  it('logDensity matches @stdlib gamma logpdf', () => {
    fc.assert(
      fc.property(real(0.05, 50), real(0.05, 20), real(1e-3, 60), (a, b, x) => {
        // The oracle takes the log of the density, which underflows far in the tail.
        fc.pre(b * x < 400);
        expectClose(gamma.logDensity(x, [a, b], 0), gammaLogpdf(x, a, b), 1e-9);
      }),
      { numRuns: 100 },
    );
    expect(gamma.logDensity(-1, [2, 1], 0)).toBe(-Infinity);
  });

  it('integrates to 1', () => {
    fc.assert(
      fc.property(real(0.5, 30), real(0.1, 10), (a, b) => {
        const upper = a / b + 15 * Math.sqrt(a) / b + 20 / b;
        expect(Math.abs(mass([a, b], upper) - 1)).toBeLessThan(1e-4);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, theta] of [[2, 3], [0.5, 1], [10, 0.5]].entries()) {
      expectMoments(draw(gamma, theta, 20000, 11 + i), gamma.mean(theta, 0), gamma.variance(theta, 0));
    }
  });

  it('cdf matches the integral of the density', () => {
    for (const theta of [[2, 3], [0.7, 1.5], [9, 2]]) {
      for (const x of [0.1, 0.5, 1, 3, 8]) expectClose(gamma.cdf!(x, theta, 0), mass(theta, x), 1e-6);
    }
  });

  it('mode is the density maximum', () => {
    const t = [4, 2];
    const m = gamma.mode(t, 0);
    for (const e of [-1e-3, 1e-3]) expect(gamma.logDensity(m + e, t, 0)).toBeLessThan(gamma.logDensity(m, t, 0));
  });

  it('fit recovers the parameters of 5000 draws', () => {
    const xs = draw(gamma, [3, 2], 5000, 5);
    const [a, b] = gamma.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    // Standard errors at n = 5000 are about 2% for both.
    expect(Math.abs(a! / 3 - 1)).toBeLessThan(0.08);
    expect(Math.abs(b! / 2 - 1)).toBeLessThan(0.08);
  });

  it('weighted fit equals the fit on replicated rows', () => {
    expectWeightedIsReplicated(gamma, draw(gamma, [1.5, 0.7], 300, 8), 9, 1e-9);
  });

  it('fit is a maximum of the weighted log-likelihood', () => {
    const rng = new Rng(3);
    for (const theta of [[0.6, 2], [5, 1]]) {
      const xs = draw(gamma, theta, 500, 21);
      expectLocalMaximum(gamma, xs, Float64Array.from(xs, () => 2 * rng.uniform()));
    }
  });

  it('fit with a fixed role fits the other given it', () => {
    const xs = draw(gamma, [3, 2], 1000, 6);
    const ws = new Float64Array(1000).fill(1);
    const [a1, b1] = gamma.fit(xs, ws, [5, 1], 0, 1e-6, new Set(['shape']));
    expect(a1).toBe(5);
    expectClose(b1!, 5 / (xs.reduce((s, x) => s + x, 0) / 1000), 1e-12);
    const [a2, b2] = gamma.fit(xs, ws, [5, 1], 0, 1e-6, new Set(['rate']));
    expect(b2).toBe(1);
    // Score of the shape is zero: digamma(a) = log(rate) + mean(log x).
    const ml = xs.reduce((s, x) => s + Math.log(x), 0) / 1000;
    expectClose(digamma(a2!), Math.log(1) + ml, 1e-10);
  });

  it('inverseDigamma inverts digamma', () => {
    fc.assert(fc.property(real(1e-3, 1e4), (a) => expectClose(inverseDigamma(digamma(a)), a, 1e-10)), { numRuns: 100 });
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(gamma, fc.record({ theta: fc.tuple(real(0.2, 20), real(0.1, 10)), x: real(0.01, 30) }));
  });

  it('fromArgs validates', () => {
    expect(gamma.fromArgs({ rate: -1 }, 0).errors).toEqual([{ arg: 'rate', message: 'rate must be > 0' }]);
    expect(gamma.fromArgs({ shape: 0 }, 0).errors[0]!.arg).toBe('shape');
    expect(gamma.fromArgs({ shape: [1, 2] }, 0).errors[0]!.message).toMatch(/number/);
    expect(gamma.fromArgs({ shape: 2, rate: 0.5 }, 0)).toEqual({ values: { shape: [2], rate: [0.5] }, errors: [] });
  });
});
