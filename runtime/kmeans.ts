// Weighted k-means (k-means++ seeding, then Lloyd iterations), used to initialize mixtures
// as scikit-learn's GaussianMixture(init_params='kmeans') does.
import type { Rng } from '../stdlib/random.js';

/**
 * Labels (0..k-1) for the n rows of the n x d matrix f (no NaN), rows weighted by w (rows with
 * weight 0 are ignored and labelled by their nearest centre).
 */
export function kmeans(f: Float64Array, n: number, d: number, k: number, w: Float64Array, rng: Rng, maxIter = 100, trials = 1): Int32Array {
  const labels = new Int32Array(n);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (w[i]! > 0) rows.push(i);
  if (rows.length === 0 || k === 1) return labels;
  const centres = seedPlusPlus(f, d, k, w, rows, rng, trials);
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

/**
 * k-means++ seeding. With `trials` > 1 each new centre is the best (lowest total weighted
 * distance) of that many candidates drawn by D^2 sampling: scikit-learn's greedy k-means++
 * (2 + floor(ln k) trials), whose seeds are more evenly spread than plain k-means++'s.
 */
function seedPlusPlus(f: Float64Array, d: number, k: number, w: Float64Array, rows: number[], rng: Rng, trials = 1): Float64Array {
  const centres = new Float64Array(k * d);
  const first = rows[rng.categorical(rows.map((i) => w[i]!))]!;
  for (let j = 0; j < d; j++) centres[j] = f[first * d + j]!;
  const dist = (i: number, p: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = f[i * d + j]! - f[p * d + j]!;
      s += t * t;
    }
    return s;
  };
  const best = rows.map((i) => dist(i, first));
  for (let c = 1; c < k; c++) {
    const probs = rows.map((i, r) => w[i]! * best[r]!);
    const total = probs.reduce((a, b) => a + b, 0);
    let pick = -1;
    let pickCost = Infinity;
    let pickBest: number[] | undefined;
    for (let t = 0; t < trials; t++) {
      const cand = total > 0 ? rows[rng.categorical(probs)]! : rows[rng.int(rows.length)]!;
      if (trials === 1) {
        pick = cand;
        break;
      }
      const next = rows.map((i, r) => Math.min(best[r]!, dist(i, cand)));
      const cost = next.reduce((a, b, r) => a + w[rows[r]!]! * b, 0);
      if (cost < pickCost) (pick = cand), (pickCost = cost), (pickBest = next);
    }
    for (let j = 0; j < d; j++) centres[c * d + j] = f[pick * d + j]!;
    if (pickBest) for (let r = 0; r < rows.length; r++) best[r] = pickBest[r]!;
    else for (let r = 0; r < rows.length; r++) best[r] = Math.min(best[r]!, dist(rows[r]!, pick));
  }
  return centres;
}

/**
 * Features for clustering: real/int columns standardized (weighted; centred only when
 * `standardize` is false), categorical one-hot, missing cells set to the column mean.
 */
export function clusterFeatures(x: Float64Array, n: number, cols: readonly { index: number; levels: number }[], v: number, w: Float64Array, standardize = true): { f: Float64Array; d: number } {
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
      f[i * d + off] = Number.isNaN(val) ? 0 : (val - mean) / (standardize && sd > 0 ? sd : 1);
    }
    off += 1;
  }
  return { f, d };
}
