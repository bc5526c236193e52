import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import binomialLogpmf from '@stdlib/stats-base-dists-binomial-logpmf';
import { binomial } from '../../../stdlib/distributions/binomial.js';
import { checkGradient, draw, expectClose, expectMoments, expectWeightedIsReplicated, real } from './helpers.js';

const trials = fc.integer({ min: 1, max: 300 });

describe('Binomial', () => {
  it('logDensity matches @stdlib binomial logpmf', () => {
    fc.assert(
      fc.property(trials, real(1e-3, 1 - 1e-3), fc.nat(300), (n, p, k) => {
        const x = k % (n + 1);
        expectClose(binomial.logDensity(x, [n, p], 0), binomialLogpmf(x, n, p), 1e-9);
      }),
      { numRuns: 100 },
    );
    expect(binomial.logDensity(11, [10, 0.5], 0)).toBe(-Infinity);
    expect(binomial.logDensity(0, [10, 0], 0)).toBe(0);
  });

  it('sums to 1 and the cdf is the running sum', () => {
    fc.assert(
      fc.property(trials, real(1e-3, 1 - 1e-3), (n, p) => {
        let total = 0;
        for (let k = 0; k <= n; k++) {
          total += Math.exp(binomial.logDensity(k, [n, p], 0));
          expectClose(binomial.cdf!(k, [n, p], 0), total, 1e-8);
        }
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, theta] of [[10, 0.3], [200, 0.9], [3, 0.2]].entries()) {
      expectMoments(draw(binomial, theta, 20000, 91 + i), binomial.mean(theta, 0), binomial.variance(theta, 0));
    }
  });

  it('fit keeps n from prev, or sets it to the largest count; p = mean / n', () => {
    const xs = draw(binomial, [20, 0.35], 5000, 92);
    const ws = new Float64Array(5000).fill(1);
    const [n, p] = binomial.fit(xs, ws, [20, 0.5], 0, 1e-6);
    expect(n).toBe(20);
    expect(Math.abs(p! - 0.35)).toBeLessThan(0.01);
    const [n2] = binomial.fit(Float64Array.from([3, 7, 5]), Float64Array.from([1, 0, 1]), undefined, 0, 1e-6);
    expect(n2).toBe(7);
    expectWeightedIsReplicated(binomial, xs.subarray(0, 300), 93, 1e-12);
  });

  it('gradient: finite differences in p, zero in n', () => {
    const arb = fc.record({ theta: fc.tuple(fc.integer({ min: 1, max: 50 }), real(0.01, 0.99)), x: fc.nat(50) }).map(({ theta, x }) => ({ theta: [theta[0], theta[1]], x: x % (theta[0] + 1) }));
    checkGradient(binomial, arb);
  });

  it('fromArgs validates', () => {
    expect(binomial.fromArgs({ n: 2.5 }, 0).errors).toEqual([{ arg: 'n', message: 'n must be a non-negative integer' }]);
    expect(binomial.fromArgs({ n: 0 }, 0).errors[0]!.message).toMatch(/>= 1/);
    expect(binomial.fromArgs({ p: 1.2 }, 0).errors).toEqual([{ arg: 'p', message: 'p must be in (0, 1)' }]);
    expect(binomial.fromArgs({ n: 10, p: 0.2 }, 0).values).toEqual({ n: [10], p: [0.2] });
  });
});
