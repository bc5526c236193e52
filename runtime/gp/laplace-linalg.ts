// Small dense helpers of the Laplace approximation: a full symmetric training covariance,
// matrix-vector products, and an LU factorization with partial pivoting for I + K W when W
// has negative entries (non-log-concave likelihoods), where B = I + W^1/2 K W^1/2 is undefined.

/** y = A x for the n x n row-major A. */
export function matVec(a: Float64Array, n: number, x: Float64Array, out = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const r = i * n;
    for (let j = 0; j < n; j++) s += a[r + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** Mirrors the lower triangle of a row-major n x n matrix onto its upper one. */
export function mirrorLower(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
}

/**
 * Inverse and log |det| of the general n x n matrix a (row-major, overwritten by its
 * inverse), by LU with partial pivoting. sign is the determinant's sign (0 when singular).
 */
export function luInverse(a: Float64Array, n: number): { logAbsDet: number; sign: number } {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let logAbsDet = 0;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) return { logAbsDet: -Infinity, sign: 0 };
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
      sign = -sign;
    }
    const piv = a[k * n + k]!;
    if (piv < 0) sign = -sign;
    logAbsDet += Math.log(Math.abs(piv));
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= piv);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j]!;
    }
  }
  // Solve L U X = P I column by column, into a fresh matrix.
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) col[i] = perm[i] === c ? 1 : 0;
    for (let i = 0; i < n; i++) {
      let s = col[i]!;
      for (let j = 0; j < i; j++) s -= a[i * n + j]! * col[j]!;
      col[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = col[i]!;
      for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * col[j]!;
      col[i] = s / a[i * n + i]!;
    }
    for (let i = 0; i < n; i++) inv[i * n + c] = col[i]!;
  }
  a.set(inv);
  return { logAbsDet, sign };
}
