// Small dense float64 linear algebra for the experts' and the gate's normal equations (a few
// dozen unknowns at most): Cholesky factor, solves and log-determinant, row-major n x n.

/** Lower Cholesky factor of the SPD matrix a (n x n), or undefined when a is not positive definite. */
export function chol(a: ArrayLike<number>, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return undefined;
    const s = Math.sqrt(d);
    l[j * n + j] = s;
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / s;
    }
  }
  return l;
}

/** Solves L L^T x = b in place (b of length n). */
export function cholSolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let v = b[i]!;
    for (let k = 0; k < i; k++) v -= l[i * n + k]! * b[k]!;
    b[i] = v / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = b[i]!;
    for (let k = i + 1; k < n; k++) v -= l[k * n + i]! * b[k]!;
    b[i] = v / l[i * n + i]!;
  }
  return b;
}

/** Solves L z = b in place (forward substitution). */
export function forward(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let v = b[i]!;
    for (let k = 0; k < i; k++) v -= l[i * n + k]! * b[k]!;
    b[i] = v / l[i * n + i]!;
  }
  return b;
}

export function logDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Cholesky with escalating jitter (relative to the mean diagonal) for nearly singular normal equations. */
export function cholJitter(a: Float64Array, n: number): Float64Array {
  const plain = chol(a, n);
  if (plain) return plain;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += Math.abs(a[i * n + i]!) / n;
  const base = mean > 0 ? mean : 1;
  for (let e = -12; e <= 0; e++) {
    const b = Float64Array.from(a);
    for (let i = 0; i < n; i++) b[i * n + i] += base * 10 ** e;
    const l = chol(b, n);
    if (l) return l;
  }
  throw new Error('normal equations not positive definite');
}

export const LOG_2PI = Math.log(2 * Math.PI);

export function logSumExp(v: ArrayLike<number>, from: number, count: number): number {
  let m = -Infinity;
  for (let k = 0; k < count; k++) if (v[from + k]! > m) m = v[from + k]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < count; k++) s += Math.exp(v[from + k]! - m);
  return m + Math.log(s);
}
