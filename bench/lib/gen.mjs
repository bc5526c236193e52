// Seeded synthetic data shared by the cases (pmix's own generator, so a seed fixes the data).
import { Rng } from '../../dist/stdlib/random.js';

/**
 * n points from a k-component mixture in d dimensions with full (correlated) covariances:
 * x = c_label + L_label z, L a random lower-triangular factor. Returns rows and true labels.
 */
export function mixtureData(n, d, k, seed) {
  const rng = new Rng(seed);
  const centres = Float64Array.from({ length: k * d }, () => 8 * rng.uniform() - 4);
  const factors = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) factors[c * d * d + a * d + b] = 0.3 * rng.normal();
      factors[c * d * d + a * d + a] = 0.3 + rng.uniform();
    }
  }
  const x = new Float64Array(n * d);
  const labels = new Int32Array(n);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    labels[i] = c;
    for (let a = 0; a < d; a++) z[a] = rng.normal();
    for (let a = 0; a < d; a++) {
      let s = centres[c * d + a];
      for (let b = 0; b <= a; b++) s += factors[c * d * d + a * d + b] * z[b];
      x[i * d + a] = s;
    }
  }
  return { x, labels };
}

/** A symmetric positive-definite n x n matrix: G G^T / m + diag(1..2), G n x m standard normal. */
export function spdMatrix(n, seed, m = 64) {
  const rng = new Rng(seed);
  const g = Float64Array.from({ length: n * m }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += g[i * m + k] * g[j * m + k];
      s /= m;
      if (i === j) s += 1 + rng.uniform();
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** Uniform values on [lo, hi) into a new array of the given constructor. */
export function uniformArray(Ctor, len, lo, hi, seed) {
  const rng = new Rng(seed);
  const out = new Ctor(len);
  for (let i = 0; i < len; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}
