import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import laplaceLogpdf from '@stdlib/stats-base-dists-laplace-logpdf';
import { laplace } from '../../../stdlib/distributions/laplace.js';
import { Rng } from '../../../stdlib/random.js';
import { checkGradient, draw, expectClose, expectLocalMaximum, expectMoments, expectWeightedIsReplicated, integrate, pdf, real } from './helpers.js';

describe('Laplace', () => {
  it('logDensity matches @stdlib laplace logpdf', () => {
    fc.assert(
      fc.property(real(-20, 20), real(0.01, 20), real(-100, 100), (loc, scale, x) => {
        expectClose(laplace.logDensity(x, [loc, scale], 0), laplaceLogpdf(x, loc, scale), 1e-9);
      }),
      { numRuns: 100 },
    );
  });

  it('integrates to 1', () => {
    fc.assert(
      fc.property(real(-10, 10), real(0.05, 10), (loc, scale) => {
        // Split at the kink so the rule sees smooth pieces; 40 scales leave e^-40 outside.
        const f = pdf(laplace, [loc, scale]);
        const m = integrate(f, loc - 40 * scale, loc, 1e-9) + integrate(f, loc, loc + 40 * scale, 1e-9);
        expect(Math.abs(m - 1)).toBeLessThan(1e-4);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, theta] of [[0, 1], [3, 0.2], [-5, 4]].entries()) {
      expectMoments(draw(laplace, theta, 20000, 51 + i), laplace.mean(theta, 0), laplace.variance(theta, 0));
    }
  });

  it('cdf matches the integral of the density', () => {
    const theta = [1, 2];
    const f = pdf(laplace, theta);
    for (const x of [-4, 0, 1, 2.5, 7]) {
      const lo = -80;
      const numeric = x <= 1 ? integrate(f, lo, x, 1e-11) : integrate(f, lo, 1, 1e-11) + integrate(f, 1, x, 1e-11);
      expectClose(laplace.cdf!(x, theta, 0), numeric, 1e-6);
    }
  });

  it('fit recovers the parameters of 5000 draws', () => {
    const xs = draw(laplace, [2, 1.5], 5000, 52);
    const [loc, scale] = laplace.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    // Standard errors: loc about scale / sqrt(n) = 0.02, scale about 1.4%.
    expect(Math.abs(loc! - 2)).toBeLessThan(0.1);
    expect(Math.abs(scale! / 1.5 - 1)).toBeLessThan(0.06);
  });

  it('weighted fit equals the fit on replicated rows', () => {
    expectWeightedIsReplicated(laplace, draw(laplace, [0, 1], 301, 53), 54, 1e-12);
  });

  it('fit is a maximum of the weighted log-likelihood', () => {
    const rng = new Rng(55);
    const xs = draw(laplace, [1, 2], 501, 56);
    expectLocalMaximum(laplace, xs, Float64Array.from(xs, () => 2 * rng.uniform()));
  });

  it('weighted median: the middle of the median interval', () => {
    expect(laplace.fit(Float64Array.from([1, 2, 3, 4]), new Float64Array(4).fill(1), undefined, 0, 1e-9)[0]).toBe(2.5);
    expect(laplace.fit(Float64Array.from([1, 1, 1, 2]), new Float64Array(4).fill(1), undefined, 0, 1e-9)[0]).toBe(1);
    expect(laplace.fit(Float64Array.from([5, 1, 9]), Float64Array.from([1, 0.1, 0.2]), undefined, 0, 1e-9)[0]).toBe(5);
  });

  it('gradLogDensity matches finite differences (away from the kink)', () => {
    const arb = fc.record({ theta: fc.tuple(real(-5, 5), real(0.1, 5)), x: real(-20, 20) }).filter(({ theta, x }) => Math.abs(x - theta[0]) > 1e-3);
    checkGradient(laplace, arb);
  });

  it('fromArgs validates', () => {
    expect(laplace.fromArgs({ scale: 0 }, 0).errors).toEqual([{ arg: 'scale', message: 'scale must be > 0' }]);
    expect(laplace.fromArgs({ loc: 1 }, 0)).toEqual({ values: { loc: [1] }, errors: [] });
  });
});
