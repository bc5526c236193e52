// The Poisson log-pmf keeps full precision for large counts and rates, against values computed
// with mpmath at 400 digits (x log r - r - loggamma(x + 1)); the textbook formula in float64
// gave -16 for -18.19 at 1e15 and -9.4e-17 for -346.3 at 1e300.
import { describe, expect, it } from 'vitest';
import { poisson } from '../../stdlib/distributions/poisson.js';
import logpmf from '@stdlib/stats-base-dists-poisson-logpmf';

// [count, rate, log P(X = count)] from mpmath (mp.dps = 400).
const MPMATH: [number, number, number][] = [
  [0, 3.5, -3.5],
  [1, 3.5, -2.2472370315046320043],
  [7, 3.5, -3.2558205815978383303],
  [100, 97.3, -3.2594766363675523953],
  [12345, 12000.5, -10.527603498178108898],
  [1000000, 1001000, -8.3263608119869763178],
  [1e15, 1e15, -18.188326730660015455],
  [1000000030000000, 1e15, -18.638326741160015298],
  [1e15, 2e15, -306852819440072.87891],
  [1e300, 1e300, -346.30670248231152537],
  [5e299, 1e300, -1.5342640972002735335e299],
  [3, 1e-300, -2074.1183431638691705],
  [1e8, 100010000, -10.629245575180655495],
];

describe('Poisson log-pmf precision', () => {
  for (const [x, r, want] of MPMATH) {
    it(`log P(X = ${x}) at rate ${r} to 1e-13 relative`, () => {
      const got = poisson.logDensity(x, [r], []);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
    });
  }
  it('agrees with the textbook formula (@stdlib) where that one is exact enough: small counts', () => {
    for (let x = 0; x <= 60; x++) for (const r of [0.01, 0.7, 3, 25.5, 80]) expect(poisson.logDensity(x, [r], [])).toBeCloseTo(logpmf(x, r), 12);
  });
});
