// Special functions from @stdlib (well-tested, double precision), in one place so the
// distributions import them by meaning, not by package.
import gammalnImpl from '@stdlib/math-base-special-gammaln';
import digammaImpl from '@stdlib/math-base-special-digamma';
import gammaincImpl from '@stdlib/math-base-special-gammainc';
import betaincImpl from '@stdlib/math-base-special-betainc';
import erfcImpl from '@stdlib/math-base-special-erfc';

export const LOG_2PI = Math.log(2 * Math.PI);

/** log |Gamma(x)|. */
export function lgamma(x: number): number {
  return gammalnImpl(x);
}

export function digamma(x: number): number {
  return digammaImpl(x);
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  return gammaincImpl(x, a);
}

/** Regularized incomplete beta I_x(a, b). */
export function betaI(x: number, a: number, b: number): number {
  return betaincImpl(x, a, b);
}

export function erfc(x: number): number {
  return erfcImpl(x);
}

/** Standard normal CDF, accurate in the tails. */
export function normalCdf(z: number): number {
  return 0.5 * erfcImpl(-z / Math.SQRT2);
}

/** log(sum(exp(v))) over v[offset .. offset + length), stable; -Infinity for an empty or all -Infinity input. */
export function logSumExp(v: ArrayLike<number>, offset = 0, length = v.length - offset): number {
  let m = -Infinity;
  for (let i = 0; i < length; i++) {
    const a = v[offset + i]!;
    if (a > m) m = a;
  }
  if (m === -Infinity || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < length; i++) s += Math.exp(v[offset + i]! - m);
  return m + Math.log(s);
}

/** Trigamma psi'(x): recurrence up to x >= 10, then the asymptotic series (relative error < 1e-15). */
export function trigamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x <= 0 && Math.floor(x) === x) return Infinity;
  if (x < 0) {
    // Reflection: psi'(1 - x) + psi'(x) = pi^2 / sin^2(pi x).
    const s = Math.sin(Math.PI * x);
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let acc = 0;
  while (x < 10) {
    acc += 1 / (x * x);
    x += 1;
  }
  const z = 1 / (x * x);
  const series = z * (1 / 6 - z * (1 / 30 - z * (1 / 42 - z * (1 / 30 - z * (5 / 66 - (z * 691) / 2730)))));
  return acc + 1 / x + z / 2 + series / x;
}
