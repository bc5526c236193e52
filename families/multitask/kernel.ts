// The RBF kernels of the multitask form, k(a, b) = v exp(-(a - b)^2 / (2 ls^2)), and their
// derivatives with respect to log v and log ls (the hyperparameters move on the log scale).

export interface Rbf {
  readonly variance: number;
  readonly lengthscale: number;
}

export const rbf = (k: Rbf, a: number, b: number): number => k.variance * Math.exp(-((a - b) ** 2) / (2 * k.lengthscale ** 2));

/** The Gram matrix [a.length, b.length], row-major. */
export function gram(k: Rbf, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i * b.length + j] = rbf(k, a[i]!, b[j]!);
  return out;
}

/** d K / d log ls of the square Gram matrix on t (d K / d log v is K itself). */
export function gramDLogLs(k: Rbf, t: ArrayLike<number>): Float64Array {
  const n = t.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r2 = (t[i]! - t[j]!) ** 2 / k.lengthscale ** 2;
      out[i * n + j] = k.variance * Math.exp(-r2 / 2) * r2;
    }
  }
  return out;
}
