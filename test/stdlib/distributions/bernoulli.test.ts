import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bernoulli } from '../../../stdlib/distributions/bernoulli.js';
import { checkGradient, draw, expectClose, expectMoments, expectWeightedIsReplicated, real } from './helpers.js';

describe('Bernoulli', () => {
  it('logDensity is log p / log(1 - p), -Infinity off {0, 1}', () => {
    fc.assert(
      fc.property(real(1e-6, 1 - 1e-6), (p) => {
        expectClose(bernoulli.logDensity(1, [p], 0), Math.log(p), 1e-12);
        expectClose(bernoulli.logDensity(0, [p], 0), Math.log(1 - p), 1e-9);
        expectClose(Math.exp(bernoulli.logDensity(0, [p], 0)) + Math.exp(bernoulli.logDensity(1, [p], 0)), 1, 1e-12);
      }),
      { numRuns: 100 },
    );
    expect(bernoulli.logDensity(2, [0.5], 0)).toBe(-Infinity);
  });

  it('accepts bool and int columns', () => {
    expect(bernoulli.accepts({ kind: 'bool' })).toBe(true);
    expect(bernoulli.accepts({ kind: 'int' })).toBe(true);
    expect(bernoulli.accepts({ kind: 'real' })).toBe(false);
  });

  it('samples, cdf and mode', () => {
    expectMoments(draw(bernoulli, [0.3], 20000, 101), 0.3, 0.21);
    expect(bernoulli.cdf!(0, [0.3], 0)).toBeCloseTo(0.7, 14);
    expect(bernoulli.cdf!(1, [0.3], 0)).toBe(1);
    expect(bernoulli.mode([0.3], 0)).toBe(0);
  });

  it('fit is the weighted mean, kept inside (0, 1)', () => {
    const xs = draw(bernoulli, [0.3], 5000, 102);
    const [p] = bernoulli.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    expect(Math.abs(p! - 0.3)).toBeLessThan(0.03);
    expectWeightedIsReplicated(bernoulli, xs.subarray(0, 300), 103, 1e-12);
    expect(bernoulli.fit(new Float64Array(5), new Float64Array(5).fill(1), undefined, 0, 1e-6)).toEqual([1e-6]);
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(bernoulli, fc.record({ theta: fc.tuple(real(0.01, 0.99)), x: fc.constantFrom(0, 1) }));
  });

  it('fromArgs validates', () => {
    expect(bernoulli.fromArgs({ p: 1.5 }, 0).errors).toEqual([{ arg: 'p', message: 'p must be in [0, 1]' }]);
    // 0 and 1 are valid values (an indicator); the lowering allows them only on fixed parameters.
    expect(bernoulli.fromArgs({ p: 0 }, 0)).toEqual({ values: { p: [0] }, errors: [] });
  });
});
