// Gauss-Hermite in the probabilists' form: E_{z ~ N(0,1)}[f(z)] ~ sum_k w_k f(z_k), weights
// summing to 1, exact for polynomials of degree <= 2n - 1. Golub-Welsch gives the nodes as
// eigenvalues of the Jacobi matrix (robust for any n); Newton on the orthonormal recurrence
// then polishes them and yields weights with full relative accuracy, even in the far tails.
import { assertPointCount, type Quadrature } from './types.js';

// The recurrence is rescaled by this factor whenever it grows past it, so large n cannot overflow.
const BIG = 1e150;
const LOG_BIG = Math.log(BIG);

export function gaussHermite(n: number): Quadrature {
  assertPointCount('gauss-hermite', n, 1);
  // Jacobi matrix of He_n: zero diagonal, off-diagonal sqrt(1), ..., sqrt(n - 1).
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let j = 0; j < n - 1; j++) e[j] = Math.sqrt(j + 1);
  tridiagonalEigenvalues(d, e);
  d.sort();
  const points = new Float64Array(n);
  const weights = new Float64Array(n);
  // Nodes are symmetric: polish the non-negative half and mirror it.
  for (let k = Math.floor(n / 2); k < n; k++) {
    let x = n % 2 === 1 && k === (n - 1) / 2 ? 0 : d[k]!;
    if (x !== 0) {
      let polish = false;
      for (let iter = 0; iter < 50; iter++) {
        const { pn, pn1 } = hermitePair(n, x);
        const dx = pn / (Math.sqrt(n) * pn1); // p_n' = sqrt(n) p_{n-1}
        x -= dx;
        if (polish) break;
        if (Math.abs(dx) < 1e-9) polish = true;
      }
    }
    // Christoffel-Darboux at a root: w = 1 / sum_{j<n} p_j(x)^2 = 1 / (n p_{n-1}(x)^2).
    const { pn1, logScale } = hermitePair(n, x);
    const w = Math.exp(-Math.log(n) - 2 * (Math.log(Math.abs(pn1)) + logScale));
    points[n - 1 - k] = -x;
    points[k] = x; // after the mirror, so an odd rule's middle node is +0
    weights[k] = weights[n - 1 - k] = w;
  }
  return { points, weights };
}

/** Orthonormal probabilists' Hermite p_n(x), p_{n-1}(x), both times exp(-logScale). */
function hermitePair(n: number, x: number): { pn: number; pn1: number; logScale: number } {
  let p0 = 0;
  let p1 = 1;
  let logScale = 0;
  for (let j = 0; j < n; j++) {
    // p_{j+1} = (x p_j - sqrt(j) p_{j-1}) / sqrt(j + 1)
    const p2 = (x * p1 - Math.sqrt(j) * p0) / Math.sqrt(j + 1);
    p0 = p1;
    p1 = p2;
    if (Math.abs(p1) > BIG) {
      p0 /= BIG;
      p1 /= BIG;
      logScale += LOG_BIG;
    }
  }
  return { pn: p1, pn1: p0, logScale };
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix with diagonal d and off-diagonal e[0..n-2]
 * (e[n-1] unused), in place into d, by implicit QL with Wilkinson-style shifts (tqli).
 */
function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): void {
  const n = d.length;
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter === 60) throw new Error('gauss-hermite: tridiagonal eigenvalues did not converge');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the matrix split; deflate and restart this l.
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
