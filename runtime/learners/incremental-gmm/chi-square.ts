// The chi-square quantile the novelty test compares Mahalanobis distances with: the squared
// distance of a D-dimensional Gaussian's draw from its mean is chi-square with D degrees of freedom.
import { gammaP } from '../../../stdlib/special.js';

/** x with P(chi2_D <= x) = p, by bisection on the regularized lower incomplete gamma (to 1e-12 relative). */
export function chiSquareQuantile(p: number, D: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`chi-square level must lie in (0, 1), got ${p}`);
  const cdf = (x: number): number => gammaP(D / 2, x / 2);
  let lo = 0;
  let hi = Math.max(1, D);
  while (cdf(hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
