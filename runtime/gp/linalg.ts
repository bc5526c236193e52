// Dense float64 linear algebra of exact GPs beyond the Cholesky factor itself
// (runtime/kernels/cholesky.ts): the inverse of a matrix from its factor, in place, for the
// gradient of the log marginal likelihood, which needs every entry of K^-1.
import { solveLower, solveLowerT } from '../kernels/cholesky.js';
import { inverseLowerWasm } from '../kernels/cholesky-inverse.js';
import { defaultThreads } from '../kernels/default-threads.js';

/** Column-block width of the blocked inverse (measured best of 128/256/512 at n = 2000 on 2 cores). */
const INV_BLOCK = 128;
/** Below this order the plain JS loops win (the blocked path copies sub-factors). */
const INV_BLOCKED_MIN = 256;

/**
 * Overwrites the lower Cholesky factor L (row-major n x n) with A^-1 = L^-T L^-1, full and
 * symmetric: blocked triangular solves from order 256 (inverseBlocked), plain JS below.
 */
export function inverseFromCholesky(l: Float64Array, n: number): void {
  if (n >= INV_BLOCKED_MIN) inverseBlocked(l, n);
  else inverseJs(l, n);
}

/**
 * As inverseFromCholesky, but only the lower triangle (diagonal included) is guaranteed; the
 * upper one is left unspecified (the LML gradient reads only the lower one: no mirroring).
 */
export function inverseLowerFromCholesky(l: Float64Array, n: number): void {
  lastThreads = n >= INV_BLOCKED_MIN ? inverseLowerWasm(l, n, INV_BLOCK, defaultThreads()) : 0;
  if (lastThreads > 0) return;
  lastThreads = 1;
  inverseFromCholesky(l, n);
}

let lastThreads = 1;

/** The most threads the last inverseLowerFromCholesky used (the bench reports it). */
export function lastInverseThreads(): number {
  return lastThreads;
}

/**
 * The blocked inverse, with the fast triangular solves of runtime/kernels/cholesky.ts (wasm
 * SIMD, threaded, many right-hand sides). For the column block c0..c1 of A^-1, with S the
 * trailing factor L[c0:, c0:]: the rows c0.. of those columns are S^-T S^-1 E (E the first
 * c1 - c0 columns of the identity), because L^-1 is lower triangular, so A^-1[c0:, c0:c1] =
 * (L^-1)[c0:, c0:]^T (L^-1)[c0:, c0:c1] and (L^-1)[c0:, c0:] = S^-1. Two solves of order
 * n - c0 per block, ~n^3/3 multiply-adds in all. The block's columns overwrite L's, which
 * later blocks no longer read; the upper triangle is mirrored at the end.
 */
export function inverseBlocked(l: Float64Array, n: number, w: number = INV_BLOCK): void {
  if (inverseLowerWasm(l, n, w, defaultThreads()) > 0) {
    mirrorLower(l, n);
    return;
  }
  inverseBlockedCopies(l, n, w);
}

/** The blocked inverse with a copy of each trailing sub-factor (solves through the public API): the path without wasm. */
export function inverseBlockedCopies(l: Float64Array, n: number, w: number = INV_BLOCK): void {
  for (let c0 = 0; c0 < n; c0 += w) {
    const c1 = Math.min(n, c0 + w);
    const k = c1 - c0;
    const m = n - c0;
    const sub = new Float64Array(m * m);
    for (let i = 0; i < m; i++) sub.set(l.subarray((c0 + i) * n + c0, (c0 + i) * n + c0 + i + 1), i * m);
    const b = new Float64Array(m * k);
    for (let j = 0; j < k; j++) b[j * k + j] = 1;
    solveLower(sub, m, b, k);
    solveLowerT(sub, m, b, k);
    for (let i = 0; i < m; i++) l.set(b.subarray(i * k, (i + 1) * k), (c0 + i) * n + c0);
  }
  // Rows c0..c1 of block c0 hold their upper part too; the lower triangle is complete: mirror it.
  mirrorLower(l, n);
}

/** Copies the lower triangle onto the upper one. */
function mirrorLower(l: Float64Array, n: number): void {
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) l[b * n + a] = l[a * n + b]!;
}

/**
 * The plain JS inverse, all in the one buffer: M = L^-1 row by row (forward substitution,
 * ~n^3/6 multiply-adds), M^T into the upper triangle, then A^-1[a, b] = sum_{k >= a}
 * M^T[a, k] M^T[b, k] for b <= a (contiguous dot products, ~n^3/6) into the lower triangle,
 * mirrored at the end.
 */
export function inverseJs(l: Float64Array, n: number): void {
  const t = new Float64Array(n);
  // 1. M = L^-1 (lower), row i from rows j < i of M: M[i, :] = (e_i - sum_j L[i, j] M[j, :]) / L[i, i].
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    t.fill(0, 0, i + 1);
    let j = 0;
    for (; j + 4 <= i; j += 4) {
      const l0 = l[ri + j]!, l1 = l[ri + j + 1]!, l2 = l[ri + j + 2]!, l3 = l[ri + j + 3]!;
      const m0 = j * n, m1 = m0 + n, m2 = m1 + n, m3 = m2 + n;
      // Row j + q of M has entries 0..j+q; the shared part first, then the tails.
      for (let c = 0; c <= j; c++) t[c] -= l0 * l[m0 + c]! + l1 * l[m1 + c]! + l2 * l[m2 + c]! + l3 * l[m3 + c]!;
      t[j + 1] -= l1 * l[m1 + j + 1]! + l2 * l[m2 + j + 1]! + l3 * l[m3 + j + 1]!;
      t[j + 2] -= l2 * l[m2 + j + 2]! + l3 * l[m3 + j + 2]!;
      t[j + 3] -= l3 * l[m3 + j + 3]!;
    }
    for (; j < i; j++) {
      const lj = l[ri + j]!;
      const mj = j * n;
      for (let c = 0; c <= j; c++) t[c] -= lj * l[mj + c]!;
    }
    t[i] += 1;
    const d = 1 / l[ri + i]!;
    for (let c = 0; c <= i; c++) l[ri + c] = t[c]! * d;
  }
  // 2. Transpose M into the upper triangle (M^T[a, k] = M[k, a], k >= a).
  for (let a = 0; a < n; a++) for (let k = a + 1; k < n; k++) l[a * n + k] = l[k * n + a]!;
  // 3. A^-1[a, b], b <= a, from rows of M^T; the diagonal waits in `diag` (it overlaps M^T).
  const diag = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const ra = a * n;
    let b = 0;
    for (; b + 4 <= a; b += 4) {
      const r0 = b * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = a; k < n; k++) {
        const x = l[ra + k]!;
        s0 += x * l[r0 + k]!;
        s1 += x * l[r1 + k]!;
        s2 += x * l[r2 + k]!;
        s3 += x * l[r3 + k]!;
      }
      l[ra + b] = s0;
      l[ra + b + 1] = s1;
      l[ra + b + 2] = s2;
      l[ra + b + 3] = s3;
    }
    for (; b < a; b++) {
      let s = 0;
      const rb = b * n;
      for (let k = a; k < n; k++) s += l[ra + k]! * l[rb + k]!;
      l[ra + b] = s;
    }
    let s = 0;
    for (let k = a; k < n; k++) s += l[ra + k]! * l[ra + k]!;
    diag[a] = s;
  }
  for (let a = 0; a < n; a++) {
    l[a * n + a] = diag[a]!;
    for (let b = 0; b < a; b++) l[b * n + a] = l[a * n + b]!;
  }
}
