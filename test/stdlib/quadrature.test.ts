import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_POINTS, gaussHermite, gaussLegendre, latentRule, midpoint, trapezoid, type Quadrature } from '../../stdlib/quadrature/index.js';
import { expectClose } from './distributions/helpers.js';

const apply = (q: Quadrature, f: (z: number) => number): number => {
  let s = 0;
  for (let k = 0; k < q.points.length; k++) s += q.weights[k]! * f(q.points[k]!);
  return s;
};
const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const isAscending = (a: Float64Array): boolean => a.every((v, k) => k === 0 || v > a[k - 1]!);
/** Exact integral of x^d over [a, b]. */
const monomial = (d: number, a: number, b: number): number => (b ** (d + 1) - a ** (d + 1)) / (d + 1);

describe('gaussLegendre', () => {
  it('is exact on monomials up to degree 2n - 1', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 20]) {
      for (const [a, b] of [[0, 1], [-1, 1], [0.5, 3], [-2, -0.25]] as const) {
        const q = gaussLegendre(n, a, b);
        for (let d = 0; d <= 2 * n - 1; d++) {
          const exact = monomial(d, a, b);
          const got = apply(q, (x) => x ** d);
          // Odd monomials on [-1, 1] integrate to 0: compare absolutely there.
          if (exact === 0) expect(Math.abs(got)).toBeLessThan(1e-15);
          else expect(relErr(got, exact), `n=${n} d=${d} [${a}, ${b}]`).toBeLessThan(1e-13);
        }
      }
    }
  });

  it('integrates random polynomials of degree <= 2n - 1 exactly on random intervals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.array(fc.integer({ min: -1000, max: 1000 }).map((v) => v / 1000), { minLength: 24, maxLength: 24 }),
        (n, a, width, coef) => {
          const b = a + width;
          const c = coef.slice(0, 2 * n);
          const q = gaussLegendre(n, a, b);
          const got = apply(q, (x) => c.reduceRight((acc, ck) => acc * x + ck, 0));
          const exact = c.reduce((s, ck, d) => s + ck * monomial(d, a, b), 0);
          // Relative to a bound on the integral of |p|, since the terms can cancel.
          const m = Math.max(Math.abs(a), Math.abs(b), 1);
          const scale = c.reduce((s, ck, d) => s + Math.abs(ck) * m ** d, 0) * width;
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(1e-13 * scale + 1e-300);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with 64 points integrates exp on [-1, 1] and the Runge function on [0, 1] to rounding level', () => {
    const q = gaussLegendre(64, -1, 1);
    expect(relErr(apply(q, Math.exp), Math.E - 1 / Math.E)).toBeLessThan(1e-15);
    const runge = gaussLegendre(64, 0, 1);
    expect(relErr(apply(runge, (x) => 1 / (1 + 25 * x * x)), Math.atan(5) / 5)).toBeLessThan(1e-14);
  });

  it('has ascending nodes symmetric about the midpoint, weights summing to the width', () => {
    for (const n of [1, 2, 7, 64, 301]) {
      const q = gaussLegendre(n, 2, 5);
      expect(isAscending(q.points)).toBe(true);
      expect(q.points[0]).toBeGreaterThan(2);
      expect(q.points[n - 1]).toBeLessThan(5);
      expectClose(sum(q.weights), 3, 1e-14);
      for (let k = 0; k < n; k++) {
        expect(Math.abs(q.points[k]! - 3.5 + (q.points[n - 1 - k]! - 3.5))).toBeLessThan(1e-15);
        expect(q.weights[k]).toBe(q.weights[n - 1 - k]);
        expect(q.weights[k]).toBeGreaterThan(0);
      }
    }
  });

  it('n = 1 is the midpoint rule', () => {
    const q = gaussLegendre(1, -3, 1);
    expect(Array.from(q.points)).toEqual([-1]);
    expect(Array.from(q.weights)).toEqual([4]);
  });

  it('stays accurate at n = 1024', () => {
    const n = 1024;
    const q = gaussLegendre(n, -1, 1);
    expect(isAscending(q.points)).toBe(true);
    expectClose(sum(q.weights), 2, 1e-14);
    expect(relErr(apply(q, Math.exp), Math.E - 1 / Math.E)).toBeLessThan(1e-14);
    // High-degree checks: int x^2046 and int cos(300 x), both needing many nodes.
    expect(relErr(apply(q, (x) => x ** 2046), 2 / 2047)).toBeLessThan(1e-12);
    expect(relErr(apply(q, (x) => Math.cos(300 * x)), (2 * Math.sin(300)) / 300)).toBeLessThan(1e-12);
    // Extreme nodes match the asymptotic 1 - x_1 ~ j_{0,1}^2 / (2 (n + 1/2)^2).
    const j01 = 2.404825557695773;
    expect(relErr(1 - q.points[n - 1]!, (j01 * j01) / (2 * (n + 0.5) ** 2))).toBeLessThan(1e-5);
  });

  it('works at MAX_POINTS', () => {
    const q = gaussLegendre(MAX_POINTS, 0, 1);
    expect(isAscending(q.points)).toBe(true);
    expectClose(sum(q.weights), 1, 1e-13);
    expect(relErr(apply(q, Math.exp), Math.E - 1)).toBeLessThan(1e-14);
  });
});

describe('gaussHermite (probabilists)', () => {
  const doubleFactorial = (k: number): number => (k <= 0 ? 1 : k * doubleFactorial(k - 2));

  it('reproduces the normal moments E[z^2m] = (2m - 1)!! for 2m <= 2n - 1 and odd moments 0', () => {
    for (const n of [1, 2, 3, 5, 10, 20]) {
      const q = gaussHermite(n);
      for (let d = 0; d <= 2 * n - 1; d++) {
        const got = apply(q, (z) => z ** d);
        if (d % 2 === 1) expect(Math.abs(got)).toBeLessThan(1e-12 * doubleFactorial(d));
        else expect(relErr(got, doubleFactorial(d - 1)), `n=${n} d=${d}`).toBeLessThan(1e-13);
      }
    }
  });

  it('integrates E[cos z] = exp(-1/2) with 40 points', () => {
    expect(relErr(apply(gaussHermite(40), Math.cos), Math.exp(-0.5))).toBeLessThan(1e-13);
  });

  it('has ascending symmetric nodes and positive weights summing to 1, for n up to 200', () => {
    for (const n of [1, 2, 3, 40, 101, 200]) {
      const q = gaussHermite(n);
      expect(isAscending(q.points)).toBe(true);
      expectClose(sum(q.weights), 1, 1e-14);
      for (let k = 0; k < n; k++) {
        expect(q.points[k]! + q.points[n - 1 - k]!).toBe(0);
        expect(q.weights[k]).toBe(q.weights[n - 1 - k]);
        expect(q.weights[k]).toBeGreaterThan(0);
      }
    }
    expect(Array.from(gaussHermite(1).points)).toEqual([0]);
    expect(Array.from(gaussHermite(2).points)).toEqual([-1, 1]);
  });

  it('at n = 200 matches moments of high order and a smooth expectation', () => {
    const q = gaussHermite(200);
    expect(relErr(apply(q, (z) => z ** 20), doubleFactorial(19))).toBeLessThan(1e-12);
    // E[exp(z)] = exp(1/2)
    expect(relErr(apply(q, Math.exp), Math.exp(0.5))).toBeLessThan(1e-13);
  });
});

describe('trapezoid and midpoint', () => {
  // Smooth, not periodic on [0, 2]: the error is O(n^-2), not spectral.
  const f = Math.exp;
  const exact = Math.exp(2) - 1;

  it('converge at O(n^-2): doubling the cells divides the error by ~4', () => {
    for (const n of [20, 40, 80]) {
      // Trapezoid with n points has n - 1 cells: double the cells with 2n - 1 points.
      const eT = apply(trapezoid(n, 0, 2), f) - exact;
      const eT2 = apply(trapezoid(2 * n - 1, 0, 2), f) - exact;
      expect(eT / eT2).toBeGreaterThan(3.9);
      expect(eT / eT2).toBeLessThan(4.1);
      const eM = apply(midpoint(n, 0, 2), f) - exact;
      const eM2 = apply(midpoint(2 * n, 0, 2), f) - exact;
      expect(eM / eM2).toBeGreaterThan(3.9);
      expect(eM / eM2).toBeLessThan(4.1);
      // Opposite signs for convex f; midpoint's error is about half the trapezoid's.
      expect(eT).toBeGreaterThan(0);
      expect(eM).toBeLessThan(0);
    }
  });

  it('are exact for linear functions and have weights summing to the width', () => {
    for (const q of [trapezoid(2, -1, 3), trapezoid(17, -1, 3), midpoint(1, -1, 3), midpoint(16, -1, 3)]) {
      expectClose(apply(q, (x) => 2 - 3 * x), 8 - 12, 1e-14);
      expectClose(sum(q.weights), 4, 1e-14);
      expect(isAscending(q.points)).toBe(true);
    }
  });

  it('put points where they say: trapezoid at the ends, midpoint at cell centres', () => {
    const t = trapezoid(5, 0, 1);
    expect(Array.from(t.points)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(t.weights)).toEqual([0.125, 0.25, 0.25, 0.25, 0.125]);
    const m = midpoint(4, 0, 1);
    expect(Array.from(m.points)).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(Array.from(m.weights)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('latentRule', () => {
  it('on an interval returns weights against the uniform density (summing to 1)', () => {
    const domain = { kind: 'interval', lower: -2, upper: 6 } as const;
    for (const rule of ['gauss-legendre', 'trapezoid', 'midpoint'] as const) {
      const q = latentRule(domain, rule, 33);
      expectClose(sum(q.weights), 1, 1e-14);
      // E[z] under uniform(-2, 6) = 2
      expectClose(apply(q, (z) => z), 2, 1e-13);
    }
  });

  it('on a normal latent: gauss-hermite as is, interval rules on [-8, 8] times phi', () => {
    const gh = latentRule({ kind: 'normal' }, 'gauss-hermite', 30);
    expect(Array.from(gh.weights)).toEqual(Array.from(gaussHermite(30).weights));
    // Midpoint on a Gaussian integrand converges spectrally (it is periodic-like): ~1e-13 here.
    const q = latentRule({ kind: 'normal' }, 'midpoint', 400);
    expect(Math.abs(apply(q, (z) => z * z) - 1)).toBeLessThan(1e-10);
    expect(Math.abs(sum(q.weights) - 1)).toBeLessThan(1e-10);
    expect(q.points[0]).toBeGreaterThan(-8);
    expect(q.points[399]).toBeLessThan(8);
    const gl = latentRule({ kind: 'normal' }, 'gauss-legendre', 100);
    expect(Math.abs(apply(gl, Math.cos) - Math.exp(-0.5))).toBeLessThan(1e-12);
  });

  it('rejects bad point counts naming the rule and the range', () => {
    const normal = { kind: 'normal' } as const;
    expect(() => latentRule(normal, 'gauss-legendre', 0)).toThrow(/gauss-legendre.*1 to 4096.*got 0/);
    expect(() => latentRule(normal, 'midpoint', 2.5)).toThrow(/midpoint.*1 to 4096/);
    expect(() => latentRule(normal, 'trapezoid', 1)).toThrow(/trapezoid.*2 to 4096/);
    expect(() => latentRule(normal, 'gauss-hermite', MAX_POINTS + 1)).toThrow(/gauss-hermite.*1 to 4096.*got 4097/);
    expect(() => latentRule(normal, 'gauss-hermite', Number.NaN)).toThrow(/gauss-hermite/);
    expect(latentRule(normal, 'trapezoid', 2).points.length).toBe(2);
  });

  it('rejects gauss-hermite on an interval', () => {
    expect(() => latentRule({ kind: 'interval', lower: 0, upper: 1 }, 'gauss-hermite', 10)).toThrow(
      'gauss-hermite integrates over the real line under a normal weight; use gauss-legendre, trapezoid or midpoint on an interval',
    );
  });

  it('rejects an empty or unbounded interval', () => {
    expect(() => latentRule({ kind: 'interval', lower: 1, upper: 1 }, 'midpoint', 10)).toThrow(/lower < upper/);
    expect(() => latentRule({ kind: 'interval', lower: 0, upper: Infinity }, 'gauss-legendre', 10)).toThrow(/finite/);
  });
});
