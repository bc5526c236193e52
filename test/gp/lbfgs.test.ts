// L-BFGS with bounds: the Rosenbrock minimum, an active bound, a quadratic in many dimensions.
import { describe, expect, it } from 'vitest';
import { minimize } from '../../runtime/learners/lbfgs.js';

describe('lbfgs', () => {
  it('finds the Rosenbrock minimum (1, 1)', () => {
    const r = minimize((x, g) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, Float64Array.from([-1.2, 1]), { maxIter: 500, gtol: 1e-8, ftol: 0 });
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });

  it('stops at an active bound with the other variable optimal', () => {
    // min (x - 3)^2 + (y + 1)^2 over x <= 2, y >= 0: (2, 0)
    const r = minimize((x, g) => {
      g[0] = 2 * (x[0]! - 3);
      g[1] = 2 * (x[1]! + 1);
      return (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2;
    }, Float64Array.from([0, 1]), { lower: Float64Array.from([-10, 0]), upper: Float64Array.from([2, 10]) });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(2, 8);
    expect(r.x[1]).toBeCloseTo(0, 8);
  });

  it('solves an ill-conditioned 50-dimensional quadratic', () => {
    const n = 50;
    const r = minimize((x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const c = 1 + i * 2;
        g[i] = c * (x[i]! - i);
        f += 0.5 * c * (x[i]! - i) ** 2;
      }
      return f;
    }, new Float64Array(n), { gtol: 1e-9, ftol: 0, maxIter: 1000 });
    for (let i = 0; i < n; i++) expect(r.x[i]).toBeCloseTo(i, 6);
  });
});
