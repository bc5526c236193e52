import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { digamma, trigamma } from '../../stdlib/special.js';
import { expectClose, real } from './distributions/helpers.js';

describe('trigamma', () => {
  it('known values', () => {
    expectClose(trigamma(1), (Math.PI * Math.PI) / 6, 1e-14);
    expectClose(trigamma(0.5), (Math.PI * Math.PI) / 2, 1e-14);
    expectClose(trigamma(-0.5), (Math.PI * Math.PI) / 2 + 4, 1e-12);
    expect(trigamma(0)).toBe(Infinity);
  });

  it('is the derivative of digamma and satisfies the recurrence', () => {
    fc.assert(
      fc.property(real(0.05, 1e4), (x) => {
        const h = 1e-5 * x;
        expectClose(trigamma(x), (digamma(x + h) - digamma(x - h)) / (2 * h), 1e-6);
        expectClose(trigamma(x), trigamma(x + 1) + 1 / (x * x), 1e-13);
      }),
      { numRuns: 100 },
    );
  });
});
