// Weighted k-means (k-means++ seeding, then Lloyd iterations), used to initialize mixtures
// as scikit-learn's GaussianMixture(init_params='kmeans') does.
import type { Rng } from '../stdlib/random.js';

/**
 * Labels (0..k-1) for the n rows of the n x d matrix f (no NaN), rows weighted by w (rows with
 * weight 0 are ignored and labelled by their nearest centre).
 */
export function kmeans(f: Float64Array, n: number, d: number, k: number, w: Float64Array, rng: Rng, maxIter = 100): Int32Array {
  const labels = new Int32Array(n);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (w[i]! > 0) rows.push(i);
  if (rows.length === 0 || k === 1) return labels;
  const centres = seedPlusPlus(f, d, k, w, rows, rng);
  const dist2 = (i: number, c: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = f[i * d + j]! - centres[c * d + j]!;
      s += t * t;
    }
    return s;
  };
  const assign = (i: number): number => {
    let best = 0;
    let bd = Infinity;
    for (let c = 0; c < k; c++) {
      const dd = dist2(i, c);
      if (dd < bd) {
        bd = dd;
        best = c;
      }
    }
    return best;
  };
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    for (const i of rows) {
      const l = assign(i);
      if (l !== labels[i] || it === 0) changed++;
      labels[i] = l;
    }
    if (changed === 0) break;
    const sums = new Float64Array(k * d);
    const mass = new Float64Array(k);
    for (const i of rows) {
      const c = labels[i]!;
      mass[c] += w[i]!;
      for (let j = 0; j < d; j++) sums[c * d + j] += w[i]! * f[i * d + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (mass[c]! > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / mass[c]!;
      else {
        // An empty cluster restarts at a random row, so every component gets data.
        const i = rows[rng.int(rows.length)]!;
        for (let j = 0; j < d; j++) centres[c * d + j] = f[i * d + j]!;
      }
    }
  }
  for (let i = 0; i < n; i++) if (!(w[i]! > 0)) labels[i] = assign(i);
  return labels;
}

function seedPlusPlus(f: Float64Array, d: number, k: number, w: Float64Array, rows: number[], rng: Rng): Float64Array {
  const centres = new Float64Array(k * d);
  const first = rows[rng.categorical(rows.map((i) => w[i]!))]!;
  for (let j = 0; j < d; j++) centres[j] = f[first * d + j]!;
  const best = new Float64Array(rows.length).fill(Infinity);
  for (let c = 1; c < k; c++) {
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r]!;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = f[i * d + j]! - centres[(c - 1) * d + j]!;
        s += t * t;
      }
      if (s < best[r]!) best[r] = s;
    }
    const probs = rows.map((i, r) => w[i]! * best[r]!);
    const total = probs.reduce((a, b) => a + b, 0);
    const pick = total > 0 ? rows[rng.categorical(probs)]! : rows[rng.int(rows.length)]!;
    for (let j = 0; j < d; j++) centres[c * d + j] = f[pick * d + j]!;
  }
  return centres;
}

/**
 * Features for clustering: real/int columns standardized (weighted), categorical one-hot,
 * missing cells set to the column mean (0 after standardizing).
 */
export function clusterFeatures(x: Float64Array, n: number, cols: readonly { index: number; levels: number }[], v: number, w: Float64Array): { f: Float64Array; d: number } {
  const d = cols.reduce((s, c) => s + (c.levels > 2 ? c.levels : 1), 0);
  const f = new Float64Array(n * d);
  let off = 0;
  for (const c of cols) {
    if (c.levels > 2) {
      for (let i = 0; i < n; i++) {
        const val = x[i * v + c.index]!;
        if (!Number.isNaN(val)) f[i * d + off + val] = 1;
      }
      off += c.levels;
      continue;
    }
    let sw = 0;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const val = x[i * v + c.index]!;
      if (Number.isNaN(val) || !(w[i]! > 0)) continue;
      sw += w[i]!;
      s += w[i]! * val;
      s2 += w[i]! * val * val;
    }
    const mean = sw > 0 ? s / sw : 0;
    const sd = sw > 0 ? Math.sqrt(Math.max(s2 / sw - mean * mean, 0)) : 1;
    for (let i = 0; i < n; i++) {
      const val = x[i * v + c.index]!;
      f[i * d + off] = Number.isNaN(val) ? 0 : (val - mean) / (sd > 0 ? sd : 1);
    }
    off += 1;
  }
  return { f, d };
}
