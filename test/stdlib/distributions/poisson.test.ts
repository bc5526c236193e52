import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import poissonLogpmf from '@stdlib/stats-base-dists-poisson-logpmf';
import { poisson } from '../../../stdlib/distributions/poisson.js';
import { checkGradient, draw, expectClose, expectMoments, expectWeightedIsReplicated, real } from './helpers.js';

describe('Poisson', () => {
  it('logDensity matches @stdlib poisson logpmf', () => {
    fc.assert(
      fc.property(real(0.01, 200), fc.integer({ min: 0, max: 400 }), (rate, x) => {
        expectClose(poisson.logDensity(x, [rate], 0), poissonLogpmf(x, rate), 1e-9);
      }),
      { numRuns: 100 },
    );
    expect(poisson.logDensity(1.5, [2], 0)).toBe(-Infinity);
    expect(poisson.logDensity(-1, [2], 0)).toBe(-Infinity);
  });

  it('sums to 1 and the cdf is the running sum', () => {
    fc.assert(
      fc.property(real(0.01, 100), (rate) => {
        let total = 0;
        const top = Math.ceil(rate + 20 * Math.sqrt(rate) + 30);
        for (let k = 0; k <= top; k++) {
          total += Math.exp(poisson.logDensity(k, [rate], 0));
          if (k % 7 === 0) expectClose(poisson.cdf!(k + 0.5, [rate], 0), total, 1e-9);
        }
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, rate] of [0.3, 4, 55].entries()) expectMoments(draw(poisson, [rate], 20000, 81 + i), rate, rate);
  });

  it('fit: rate = weighted mean, floored', () => {
    const xs = draw(poisson, [6], 5000, 82);
    const [rate] = poisson.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    expect(Math.abs(rate! / 6 - 1)).toBeLessThan(0.03);
    expectWeightedIsReplicated(poisson, xs.subarray(0, 300), 83, 1e-12);
    expect(poisson.fit(new Float64Array(4), new Float64Array(4).fill(1), undefined, 0, 1e-6)).toEqual([1e-6]);
  });

  it('mode', () => {
    expect(poisson.mode([3.7], 0)).toBe(3);
    expect(poisson.mode([0.5], 0)).toBe(0);
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(poisson, fc.record({ theta: fc.tuple(real(0.05, 50)), x: fc.integer({ min: 0, max: 80 }) }));
  });

  it('fromArgs validates', () => {
    expect(poisson.fromArgs({ rate: -1 }, 0).errors).toEqual([{ arg: 'rate', message: 'rate must be > 0' }]);
    expect(poisson.fromArgs({ rate: 0 }, 0).errors).toHaveLength(1);
  });
});
