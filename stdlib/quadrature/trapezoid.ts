// The composite trapezoid rule: n equally spaced points including both ends, half weights at
// the ends. O(h^2) on smooth integrands; spectrally accurate on smooth periodic ones.
import { assertInterval, assertPointCount, type Quadrature } from './types.js';

export function trapezoid(n: number, lower: number, upper: number): Quadrature {
  assertPointCount('trapezoid', n, 2);
  assertInterval('trapezoid', lower, upper);
  const h = (upper - lower) / (n - 1);
  const points = new Float64Array(n);
  const weights = new Float64Array(n).fill(h);
  for (let k = 0; k < n; k++) points[k] = lower + k * h;
  points[n - 1] = upper;
  weights[0] = weights[n - 1] = h / 2;
  return { points, weights };
}
