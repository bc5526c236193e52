// The experts' weighted Newton ascent (families/moe/newton.ts): on a concave quadratic one exact
// step lands on the maximizer A^-1 b (solved independently here), and so do finite differences of
// the gradient; on a non-concave objective the damped solve and the halving never lower it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newtonAscent, type NewtonProblem } from '../../families/moe/newton.js';
import { solve } from './helpers.js';

/** f(x) = b . x - x' A x / 2. */
function quadratic(A: number[][], b: number[]): NewtonProblem {
  const n = b.length;
  return {
    objective: (x) => b.reduce((s, v, i) => s + v * x[i]! - 0.5 * x[i]! * A[i]!.reduce((t, a, j) => t + a * x[j]!, 0), 0),
    derivatives(x, g, H) {
      for (let i = 0; i < n; i++) {
        g[i] = b[i]! - A[i]!.reduce((t, a, j) => t + a * x[j]!, 0);
        if (H) for (let j = 0; j < n; j++) H[i * n + j] = A[i]![j]!;
      }
    },
  };
}

const spd = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }).map((v) => {
  const B = [0, 1, 2].map((i) => [0, 1, 2].map((j) => v[i * 3 + j]!));
  return B.map((r, i) => r.map((_, j) => B.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? 0.5 : 0)));
});
const vec = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 });

describe('newtonAscent', () => {
  it('one exact step reaches the maximizer of a concave quadratic; finite differences agree', () => {
    fc.assert(
      fc.property(spd, vec, (A, b) => {
        const want = solve(A, b);
        for (const hessian of ['exact', 'differences'] as const) {
          const x = new Float64Array(3);
          newtonAscent(quadratic(A, b), x, { steps: 1, hessian, solve: hessian === 'exact' ? 'jitter' : 'damped', halvings: 30, tol: 1e-15 });
          want.forEach((v, i) => expect(Math.abs(x[i]! - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
        }
      }),
      { numRuns: 40, seed: 2 },
    );
  });

  it('never lowers a non-concave objective, and climbs to a local maximum of it', () => {
    // f(x) = sum_i (x_i^2 - x_i^4 / 4): maxima at +-sqrt(2), a minimum at 0 (Hessian positive there)
    const n = 2;
    const p: NewtonProblem = {
      objective: (x) => Array.from(x).reduce((s, v) => s + v * v - v ** 4 / 4, 0),
      derivatives(x, g) {
        for (let i = 0; i < n; i++) g[i] = 2 * x[i]! - x[i]! ** 3;
      },
    };
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (a, b) => {
        const x = Float64Array.from([a, b]);
        const f0 = p.objective(x);
        const f = newtonAscent(p, x, { steps: 60, hessian: 'differences', solve: 'damped', halvings: 40, tol: 1e-15 });
        expect(f).toBeGreaterThanOrEqual(f0);
        expect(f).toBe(p.objective(x));
        // away from the saddle lines the ascent reaches a maximum
        x.forEach((v, i) => {
          if (Math.abs([a, b][i]!) > 1e-3) expect(Math.abs(Math.abs(v) - Math.SQRT2)).toBeLessThan(1e-6);
        });
      }),
      { numRuns: 40, seed: 4 },
    );
  });
});
