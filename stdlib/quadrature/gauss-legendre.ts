// Gauss-Legendre: the n-point rule exact for polynomials of degree <= 2n - 1 on [lower, upper].
// Roots of P_n by Newton on the three-term recurrence from the classic guess
// cos(pi (k - 1/4) / (n + 1/2)); it converges in a few steps for every n we allow.
import { assertInterval, assertPointCount, type Quadrature } from './types.js';

export function gaussLegendre(n: number, lower: number, upper: number): Quadrature {
  assertPointCount('gauss-legendre', n, 1);
  assertInterval('gauss-legendre', lower, upper);
  const mid = (lower + upper) / 2;
  const half = (upper - lower) / 2;
  const points = new Float64Array(n);
  const weights = new Float64Array(n);
  // Roots are symmetric: find the m positive ones (k = 1 is the largest) and mirror.
  const m = Math.floor((n + 1) / 2);
  for (let k = 1; k <= m; k++) {
    let x = Math.cos((Math.PI * (k - 0.25)) / (n + 0.5));
    if (n % 2 === 1 && k === m) x = 0; // the middle root of an odd rule is exactly 0
    else {
      // Newton is quadratic: once a step is below 1e-9, one more reaches rounding level.
      // (A tighter stopping test can cycle by an ulp forever.)
      let polish = false;
      for (let iter = 0; iter < 100; iter++) {
        const [pn, pn1] = legendrePair(n, x);
        // P_n'(x) = n (x P_n - P_{n-1}) / (x^2 - 1)
        const dx = (pn * (x * x - 1)) / (n * (x * pn - pn1));
        x -= dx;
        if (polish) break;
        if (Math.abs(dx) < 1e-9) polish = true;
      }
    }
    // w = 2 / ((1 - x^2) P_n'(x)^2). Keeping the x P_n term of P_n' (zero at an exact root)
    // cancels most of the error from x being rounded: 1e-12 instead of 1e-9 at the ends for n = 1024.
    const [pn, pn1] = legendrePair(n, x);
    const s = (1 - x) * (1 + x);
    const t = x * pn - pn1;
    const w = (2 * s) / (n * n * t * t);
    const lo = k - 1;
    const hi = n - k;
    points[lo] = mid - half * x;
    points[hi] = mid + half * x;
    weights[lo] = weights[hi] = half * w;
  }
  return { points, weights };
}

/** [P_n(x), P_{n-1}(x)] by Bonnet's recurrence. */
function legendrePair(n: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let j = 2; j <= n; j++) {
    const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
    p0 = p1;
    p1 = p2;
  }
  return [p1, p0];
}
