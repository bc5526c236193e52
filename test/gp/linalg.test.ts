// The inverse of a kernel matrix from its Cholesky factor (the LML gradient's K^-1): the
// blocked path (fast triangular solves, n >= 256) and the plain JS one both equal a naive
// Gauss-Jordan inverse to 1e-9 relative, and each other.
import { describe, expect, it } from 'vitest';
import { cholesky } from '../../runtime/kernels/cholesky.js';
import { inverseBlocked, inverseFromCholesky, inverseJs } from '../../runtime/gp/linalg.js';
import { lcg } from './helpers.js';

function kernelMatrix(n: number): Float64Array {
  const u = lcg(n);
  const x = Float64Array.from({ length: n }, () => 10 * u());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-0.5 * (x[i]! - x[j]!) ** 2) + (i === j ? 0.1 : 0);
  return a;
}

/** Gauss-Jordan with partial pivoting on [A | I]. */
function naiveInverse(a: Float64Array, n: number): Float64Array {
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: 2 * n }, (_, j) => (j < n ? a[i * n + j]! : j - n === i ? 1 : 0)));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      if (f !== 0) for (let j = 0; j < 2 * n; j++) m[r]![j] -= f * m[c]![j]!;
    }
  }
  return Float64Array.from({ length: n * n }, (_, k) => m[Math.floor(k / n)]![n + (k % n)]!);
}

describe('inverse from the Cholesky factor', () => {
  for (const n of [50, 300]) {
    it(`n = ${n}: blocked, JS and the default all equal a naive inverse to 1e-9`, () => {
      const a = kernelMatrix(n);
      const want = naiveInverse(a, n);
      const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
      for (const f of [inverseBlocked, inverseJs, inverseFromCholesky]) {
        const l = Float64Array.from(a);
        expect(cholesky(l, n).ok).toBe(true);
        f(l, n);
        let err = 0;
        for (let k = 0; k < n * n; k++) err = Math.max(err, Math.abs(l[k]! - want[k]!));
        expect(err / scale, f.name).toBeLessThan(1e-9);
      }
    });
  }
  it('blocked with a width that does not divide n', () => {
    const n = 70;
    const a = kernelMatrix(n);
    const l1 = Float64Array.from(a);
    cholesky(l1, n);
    const l2 = Float64Array.from(l1);
    inverseBlocked(l1, n, 16);
    inverseJs(l2, n);
    for (let k = 0; k < n * n; k++) expect(Math.abs(l1[k]! - l2[k]!)).toBeLessThan(1e-9 * (1 + Math.abs(l2[k]!)));
  });
});
