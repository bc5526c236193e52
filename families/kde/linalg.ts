// Small dense float64 helpers for bandwidth matrices (d x d, row-major): Cholesky, triangular
// solves, sub-matrices. The matrices are tiny (d <= a few dozen), so plain loops.

/** Lower Cholesky factor of an SPD matrix, or null when it is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  return l;
}

/** Inverse of a lower-triangular matrix (lower triangular). */
export function invertLower(l: Float64Array, d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    m[c * d + c] = 1 / l[c * d + c]!;
    for (let i = c + 1; i < d; i++) {
      let s = 0;
      for (let k = c; k < i; k++) s += l[i * d + k]! * m[k * d + c]!;
      m[i * d + c] = -s / l[i * d + i]!;
    }
  }
  return m;
}

/** sum of log diag(l): log sqrt(det A) for A = L L^T. */
export function logDetHalf(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i]!);
  return s;
}

/** The rows and columns idx of a d x d matrix. */
export function subMatrix(a: Float64Array, d: number, idx: ArrayLike<number>): Float64Array {
  const k = idx.length;
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = a[idx[i]! * d + idx[j]!]!;
  return out;
}

/** Whether a d x d matrix is diagonal. */
export function isDiagonal(a: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j && a[i * d + j] !== 0) return false;
  return true;
}

/** Inverse of an SPD matrix through its Cholesky factor. */
export function spdInverse(a: Float64Array, d: number): Float64Array | null {
  const l = cholesky(a, d);
  if (!l) return null;
  const li = invertLower(l, d);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < d; k++) s += li[k * d + i]! * li[k * d + j]!;
      out[i * d + j] = s;
    }
  return out;
}
