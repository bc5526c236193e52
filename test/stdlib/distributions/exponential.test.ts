import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import exponentialLogpdf from '@stdlib/stats-base-dists-exponential-logpdf';
import { exponential } from '../../../stdlib/distributions/exponential.js';
import { checkGradient, draw, expectClose, expectMoments, expectWeightedIsReplicated, integrate, pdf, real } from './helpers.js';

describe('Exponential', () => {
  it('logDensity matches @stdlib exponential logpdf', () => {
    fc.assert(
      fc.property(real(0.01, 50), real(0, 100), (rate, x) => {
        expectClose(exponential.logDensity(x, [rate], 0), exponentialLogpdf(x, rate), 1e-9);
      }),
      { numRuns: 100 },
    );
    expect(exponential.logDensity(-0.1, [1], 0)).toBe(-Infinity);
  });

  it('integrates to 1 and the cdf matches the integral', () => {
    fc.assert(
      fc.property(real(0.05, 20), (rate) => {
        expect(Math.abs(integrate(pdf(exponential, [rate]), 0, 40 / rate, 1e-9) - 1)).toBeLessThan(1e-4);
        const x = 1.3 / rate;
        expectClose(exponential.cdf!(x, [rate], 0), integrate(pdf(exponential, [rate]), 0, x, 1e-11), 1e-6);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, rate] of [0.5, 3].entries()) expectMoments(draw(exponential, [rate], 20000, 71 + i), 1 / rate, 1 / rate ** 2);
  });

  it('fit: rate = 1 / weighted mean', () => {
    const xs = draw(exponential, [2.5], 5000, 72);
    const [rate] = exponential.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    // Standard error 1.4%.
    expect(Math.abs(rate! / 2.5 - 1)).toBeLessThan(0.06);
    expectWeightedIsReplicated(exponential, xs.subarray(0, 300), 73, 1e-12);
    // All-zero data would give an infinite rate: the floor bounds it.
    expect(exponential.fit(new Float64Array(3), new Float64Array(3).fill(1), undefined, 0, 1e-6)[0]).toBe(1e6);
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(exponential, fc.record({ theta: fc.tuple(real(0.05, 20)), x: real(0, 30) }));
  });

  it('fromArgs validates', () => {
    expect(exponential.fromArgs({ rate: -1 }, 0).errors).toEqual([{ arg: 'rate', message: 'rate must be > 0' }]);
    expect(exponential.fromArgs({ rate: 2 }, 0).values).toEqual({ rate: [2] });
  });
});
