import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { categorical } from '../../../stdlib/distributions/categorical.js';
import { Rng } from '../../../stdlib/random.js';
import { expectClose, expectMoments, expectWeightedIsReplicated } from './helpers.js';

/** A random probability vector of length L with entries >= 1e-3. */
const simplex = (L: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 1e-3, max: 1, noNaN: true }), { minLength: L, maxLength: L }).map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  });
const withLevels = fc.integer({ min: 2, max: 8 }).chain((L) => simplex(L).map((p) => ({ L, p })));

describe('Categorical', () => {
  it('logDensity is log probs[x]; sums to 1 over the levels', () => {
    fc.assert(
      fc.property(withLevels, ({ L, p }) => {
        let total = 0;
        for (let k = 0; k < L; k++) {
          expect(categorical.logDensity(k, p, L)).toBe(Math.log(p[k]!));
          total += Math.exp(categorical.logDensity(k, p, L));
        }
        expectClose(total, 1, 1e-12);
        expect(categorical.logDensity(L, p, L)).toBe(-Infinity);
        expect(categorical.logDensity(0.5, p, L)).toBe(-Infinity);
      }),
      { numRuns: 100 },
    );
  });

  it('samples follow probs; mean/variance are those of the level index', () => {
    const p = [0.1, 0.6, 0.3];
    const rng = new Rng(111);
    const xs = Float64Array.from({ length: 20000 }, () => categorical.sample(p, rng, 3));
    expectMoments(xs, categorical.mean(p, 3), categorical.variance(p, 3));
    for (let k = 0; k < 3; k++) {
      const f = xs.filter((x) => x === k).length / 20000;
      expect(Math.abs(f - p[k]!)).toBeLessThan(5 * Math.sqrt((p[k]! * (1 - p[k]!)) / 20000));
    }
    expect(categorical.mode(p, 3)).toBe(1);
  });

  it('fit: weighted frequencies, floored away from 0', () => {
    const xs = Float64Array.from([0, 1, 1, 2, 2, 2]);
    const ws = Float64Array.from([1, 1, 1, 1, 1, 2]);
    const p = categorical.fit(xs, ws, undefined, 4, 1e-9);
    [1 / 7, 2 / 7, 4 / 7].forEach((v, k) => expectClose(p[k]!, v, 1e-8));
    expect(p[3]).toBeGreaterThan(0);
    expectClose(p.reduce((a, b) => a + b, 0), 1, 1e-12);
    const rng = new Rng(112);
    expectWeightedIsReplicated(categorical, Float64Array.from({ length: 300 }, () => rng.int(5)), 113, 1e-12, 5);
  });

  it('fit recovers probs from 5000 draws', () => {
    const p = [0.05, 0.5, 0.15, 0.3];
    const rng = new Rng(114);
    const xs = Float64Array.from({ length: 5000 }, () => categorical.sample(p, rng, 4));
    const q = categorical.fit(xs, new Float64Array(5000).fill(1), undefined, 4, 1e-6);
    // Standard errors sqrt(p (1 - p) / n) are at most 0.007.
    p.forEach((v, k) => expect(Math.abs(q[k]! - v)).toBeLessThan(0.03));
  });

  it('gradLogDensity: 1 / p at the observed level, 0 elsewhere', () => {
    const g = new Float64Array(3);
    categorical.gradLogDensity(2, [0.2, 0.3, 0.5], 3, g);
    expect(Array.from(g)).toEqual([0, 0, 2]);
  });

  it('fromArgs validates probs', () => {
    expect(categorical.fromArgs({ probs: [0.2, 0.8] }, 2)).toEqual({ values: { probs: [0.2, 0.8] }, errors: [] });
    expect(categorical.fromArgs({ probs: [0.2, 0.7] }, 2).errors[0]!.message).toMatch(/sum to 1/);
    expect(categorical.fromArgs({ probs: [-0.2, 1.2] }, 2).errors[0]!.message).toMatch(/non-negative/);
    expect(categorical.fromArgs({ probs: [0.5, 0.5] }, 3).errors[0]!.message).toMatch(/3 entries/);
    expect(categorical.fromArgs({ probs: 1 }, 1).errors[0]!.arg).toBe('probs');
    // Within 1e-6 of 1 is accepted and renormalized.
    const v = categorical.fromArgs({ probs: [0.5, 0.5000001] }, 2).values['probs']!;
    expectClose(v[0]! + v[1]!, 1, 1e-15);
  });
});
