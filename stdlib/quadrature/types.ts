// The shape every quadrature rule returns: nodes and weights, so that an integral (or an
// expectation) is approximated by sum_k weights[k] * f(points[k]).

export interface Quadrature {
  readonly points: Float64Array;
  readonly weights: Float64Array;
}

// The rule names are the IR's (one definition, in the ground package).
import type { QuadratureRule } from '../../ir/types.js';
export type { QuadratureRule };

/** Rules guard their own n; the friendlier, range-naming check is `checkPoints` in index.ts. */
export function assertPointCount(rule: QuadratureRule, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${rule} needs an integer number of points >= ${min}, got ${n}`);
}

/** Interval bounds must be finite and ordered. */
export function assertInterval(rule: QuadratureRule, lower: number, upper: number): void {
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || !(lower < upper)) {
    throw new RangeError(`${rule} needs finite bounds with lower < upper, got [${lower}, ${upper}]`);
  }
}
