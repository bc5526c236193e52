import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import betaLogpdf from '@stdlib/stats-base-dists-beta-logpdf';
import { beta } from '../../../stdlib/distributions/beta.js';
import { digamma } from '../../../stdlib/special.js';
import { Rng } from '../../../stdlib/random.js';
import { checkGradient, draw, expectClose, expectLocalMaximum, expectMoments, expectWeightedIsReplicated, integrateFromZero, real } from './helpers.js';

/** Mass of [0, x]: [0, min(x, 1/2)] with x = u^2 and [1/2, x] with x = 1 - u^2 (both ends may be singular). */
function mass(theta: number[], x: number): number {
  const ld = (v: number): number => beta.logDensity(v, theta, 0);
  const left = integrateFromZero(ld, Math.min(x, 0.5));
  if (x <= 0.5) return left;
  // Beta(a, b) at 1 - v is Beta(b, a) at v (exact near v = 0, unlike evaluating 1 - v).
  const flipped = (v: number): number => beta.logDensity(v, [theta[1]!, theta[0]!], 0);
  return left + integrateFromZero(flipped, 0.5) - integrateFromZero(flipped, 1 - x);
}

describe('Beta', () => {
  it('logDensity matches @stdlib beta logpdf', () => {
    fc.assert(
      fc.property(real(0.05, 60), real(0.05, 60), real(1e-4, 1 - 1e-4), (a, b, x) => {
        expectClose(beta.logDensity(x, [a, b], 0), betaLogpdf(x, a, b), 1e-9);
      }),
      { numRuns: 100 },
    );
    expect(beta.logDensity(1.5, [2, 2], 0)).toBe(-Infinity);
    expect(beta.logDensity(0, [1, 3], 0)).toBeCloseTo(Math.log(3), 12);
  });

  it('integrates to 1', () => {
    fc.assert(
      fc.property(real(0.5, 40), real(0.5, 40), (a, b) => {
        expect(Math.abs(mass([a, b], 1) - 1)).toBeLessThan(1e-4);
      }),
      { numRuns: 25 },
    );
  });

  it('samples have the stated mean and variance', () => {
    for (const [i, theta] of [[2, 5], [0.5, 0.5], [30, 10]].entries()) {
      expectMoments(draw(beta, theta, 20000, 31 + i), beta.mean(theta, 0), beta.variance(theta, 0));
    }
  });

  it('cdf matches the integral of the density', () => {
    for (const theta of [[2, 5], [0.6, 0.8], [7, 3]]) {
      for (const x of [0.05, 0.3, 0.5, 0.7, 0.95]) expectClose(beta.cdf!(x, theta, 0), mass(theta, x), 1e-6);
    }
  });

  it('mode', () => {
    expectClose(beta.mode([3, 5], 0), 2 / 6);
    expect(beta.mode([0.5, 2], 0)).toBe(0);
    expect(beta.mode([2, 0.5], 0)).toBe(1);
  });

  it('fit recovers the parameters of 5000 draws', () => {
    const xs = draw(beta, [2, 5], 5000, 4);
    const [a, b] = beta.fit(xs, new Float64Array(5000).fill(1), undefined, 0, 1e-6);
    // Standard errors at n = 5000 are about 2%.
    expect(Math.abs(a! / 2 - 1)).toBeLessThan(0.08);
    expect(Math.abs(b! / 5 - 1)).toBeLessThan(0.08);
  });

  it('weighted fit equals the fit on replicated rows', () => {
    expectWeightedIsReplicated(beta, draw(beta, [0.8, 1.7], 300, 2), 3, 1e-8);
  });

  it('fit is a maximum of the weighted log-likelihood', () => {
    const rng = new Rng(5);
    for (const theta of [[0.5, 0.7], [4, 9]]) {
      const xs = draw(beta, theta, 500, 17);
      expectLocalMaximum(beta, xs, Float64Array.from(xs, () => 2 * rng.uniform()));
    }
  });

  it('fit with a fixed alpha solves the beta score equation', () => {
    const xs = draw(beta, [2, 5], 1000, 7);
    const [a, b] = beta.fit(xs, new Float64Array(1000).fill(1), [3, 1], 0, 1e-6, new Set(['alpha']));
    expect(a).toBe(3);
    const mly = xs.reduce((s, x) => s + Math.log1p(-x), 0) / 1000;
    expectClose(mly - digamma(b!) + digamma(3 + b!), 0, 1e-9);
  });

  it('gradLogDensity matches finite differences', () => {
    checkGradient(beta, fc.record({ theta: fc.tuple(real(0.2, 30), real(0.2, 30)), x: real(0.01, 0.99) }));
  });

  it('fromArgs validates', () => {
    expect(beta.fromArgs({ alpha: -2 }, 0).errors).toEqual([{ arg: 'alpha', message: 'alpha must be > 0' }]);
    expect(beta.fromArgs({ alpha: 2, beta: 3 }, 0).values).toEqual({ alpha: [2], beta: [3] });
  });
});
