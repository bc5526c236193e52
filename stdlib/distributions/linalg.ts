// Small dense float64 routines on row-major n x n matrices (Normal leaves, GP kernels).
// Plain loops: the matrices here are tiny, so clarity and no allocation beat blocking.

/** In-place lower Cholesky factor a = L L^T (upper triangle zeroed); false if not positive definite. */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solves L y = b in place (b becomes y). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Solves L^T x = b in place. */
export function solveLowerT(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Solves (L L^T) x = b in place. */
export function cholSolve(l: Float64Array, n: number, b: Float64Array): void {
  solveLower(l, n, b);
  solveLowerT(l, n, b);
}

/** log det(L L^T) from the Cholesky factor. */
export function logDetChol(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Inverse of an SPD matrix (a is left unchanged); null if not positive definite. */
export function invSpd(a: Float64Array, n: number): Float64Array | null {
  const l = a.slice(0, n * n);
  if (!cholesky(l, n)) return null;
  return invFromChol(l, n);
}

/** (L L^T)^-1 from the Cholesky factor L. */
export function invFromChol(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    cholSolve(l, n, col);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i]!;
  }
  // Symmetrize away rounding so callers can rely on exact symmetry.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (inv[i * n + j]! + inv[j * n + i]!);
      inv[i * n + j] = v;
      inv[j * n + i] = v;
    }
  }
  return inv;
}

/** The square submatrix a[idx, idx] of an n x n matrix. */
export function subMatrix(a: ArrayLike<number>, n: number, rows: readonly number[], cols: readonly number[] = rows): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = a[rows[i]! * n + cols[j]!]!;
  }
  return out;
}

/** L z for lower-triangular L, written to out. */
export function mulLower(l: Float64Array, n: number, z: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += l[i * n + k]! * z[k]!;
    out[i] = s;
  }
}

/** Whether a row-major n x n matrix is symmetric (to rounding) and positive definite. */
export function isSpd(m: ArrayLike<number>, n: number): boolean {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = m[i]!;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i * n + j]!;
      const y = a[j * n + i]!;
      if (!(Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y), 1e-300))) return false;
    }
  }
  return cholesky(a, n);
}

/** L^-1 of a lower-triangular n x n L (lower triangular; the upper triangle is zero). */
export function invLower(l: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    m[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k]! * m[k * n + j]!;
      m[i * n + j] = -s / l[i * n + i]!;
    }
  }
  return m;
}
