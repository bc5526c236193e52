import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import lognormalLogpdf from '@stdlib/stats-base-dists-lognormal-logpdf';
import { logNormal } from '../../../stdlib/distributions/log-normal.js';
import { checkGradient, draw, expectClose, expectMoments, expectWeightedIsReplicated, integrate, real } from './helpers.js';

/** Mass of (0, x] by integrating over t = log x (density of log x is Normal). */
function mass(theta: number[], lo: number, hi: number): number {
  return integrate((t) => Math.exp(t + logNormal.logDensity(Math.exp(t), theta, 0)), lo, hi, 1e-10);
}

describe('LogNormal', () => {
  it('logDensity matches @stdlib lognormal logpdf', () => {
    fc.assert(
      fc.property(real(-5, 5), real(0.05, 3), real(1e-3, 200), (mu, sigma, x) => {
        expectClose(logNormal.logDensity(x, [mu, sigma], 0), lognormalLogpdf(x, mu, sigma), 1e-9);
      }),
      { numRuns: 100 },
    );
    expect(logNormal.logDensity(0, [0, 1], 0)).toBe(-Infinity);
  });

  it('integrates to 1', () => {
    fc.assert(
      fc.property(real(-3, 3), real(0.1, 2), (mu, sigma) => {
        expect(Math.abs(mass([mu, sigma], mu - 12 * sigma, mu + 12 * sigma) - 1)).toBeLessThan(1e-4);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, theta] of [[0, 0.25], [1, 0.5], [-1, 0.3]].entries()) {
      expectMoments(draw(logNormal, theta, 20000, 61 + i), logNormal.mean(theta, 0), logNormal.variance(theta, 0));
    }
  });

  it('cdf matches the integral of the density', () => {
    const theta = [0.5, 0.8];
    for (const x of [0.2, 1, 1.6, 5]) expectClose(logNormal.cdf!(x, theta, 0), mass(theta, 0.5 - 12 * 0.8, Math.log(x)), 1e-6);
  });

  it('fit is the weighted mean and sd of log x (plus the floor)', () => {
    const xs = draw(logNormal, [1, 0.5], 5000, 62);
    const [mu, sigma] = logNormal.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    // Standard errors: mu 0.007, sigma 1%.
    expect(Math.abs(mu! - 1)).toBeLessThan(0.03);
    expect(Math.abs(sigma! / 0.5 - 1)).toBeLessThan(0.05);
    expectWeightedIsReplicated(logNormal, xs.subarray(0, 300), 63, 1e-10);
    const [, s2] = logNormal.fit(xs, new Float64Array(5000).fill(1), [0, 0.5], 0, 1e-12, new Set(['mu']));
    const ms = xs.reduce((s, x) => s + Math.log(x) ** 2, 0) / 5000;
    expectClose(s2!, Math.sqrt(ms), 1e-9);
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(logNormal, fc.record({ theta: fc.tuple(real(-3, 3), real(0.1, 3)), x: real(0.01, 50) }));
  });

  it('fromArgs validates', () => {
    expect(logNormal.fromArgs({ sigma: -0.5 }, 0).errors).toEqual([{ arg: 'sigma', message: 'sigma must be > 0' }]);
  });
});
