// The composite midpoint rule: n equal cells, one point at each cell's centre, equal weights.
// O(h^2) on smooth integrands and never evaluates the ends (safe for integrable end singularities).
import { assertInterval, assertPointCount, type Quadrature } from './types.js';

export function midpoint(n: number, lower: number, upper: number): Quadrature {
  assertPointCount('midpoint', n, 1);
  assertInterval('midpoint', lower, upper);
  const h = (upper - lower) / n;
  const points = new Float64Array(n);
  const weights = new Float64Array(n).fill(h);
  for (let k = 0; k < n; k++) points[k] = lower + (k + 0.5) * h;
  return { points, weights };
}
