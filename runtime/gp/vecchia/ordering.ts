// The Vecchia ordering and conditioning sets. Points are ordered by their first input
// (coordinate ordering; ties by row), and each is conditioned on its m nearest previous
// points in Euclidean distance over the inputs divided by their standard deviations (so
// the sets do not depend on the hyperparameters and are found once per fit). With one
// input the m nearest previous points are the m preceding ones (nothing stored); with more,
// a kd-tree finds them and they are stored (4 n m bytes).
import type { GPData } from '../data.js';
import { KdTree } from './kdtree.js';

export interface VecchiaSetup {
  readonly n: number;
  /** Input columns (the GP's stride: Vecchia GPs have one output, no task column). */
  readonly D: number;
  /** The most neighbours a point conditions on: min(m, n - 1). */
  readonly m: number;
  /** Points and outputs in the ordering (row-major n x D). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** perm[i]: the data row of ordered point i. */
  readonly perm: Int32Array;
  /** Writes into out[at..] the ordered indices (all below i, nearest first) point i conditions on; returns how many. */
  neighbours(i: number, out: Int32Array, at?: number): number;
}

/** 1 / (standard deviation) of each column (1 where a column is constant). */
export function columnScales(x: Float64Array, n: number, D: number): Float64Array {
  const inv = new Float64Array(D);
  for (let c = 0; c < D; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * D + c]!;
    const mean = s / Math.max(1, n);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * D + c]! - mean) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, n));
    inv[c] = sd > 0 && Number.isFinite(sd) ? 1 / sd : 1;
  }
  return inv;
}

export function scaled(x: Float64Array, n: number, D: number, inv: Float64Array): Float64Array {
  return Float64Array.from({ length: n * D }, (_, k) => x[k]! * inv[k % D]!);
}

export function vecchiaSetup(d: GPData, m: number): VecchiaSetup {
  const { n, stride: D } = d;
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  perm.sort((a, b) => d.x[a * D]! - d.x[b * D]! || a - b);
  const x = new Float64Array(n * D);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = perm[i]!;
    for (let c = 0; c < D; c++) x[i * D + c] = d.x[r * D + c]!;
    y[i] = d.y[r]!;
  }
  const mm = Math.max(0, Math.min(m, n - 1));
  if (D === 1) {
    return {
      n, D, m: mm, x, y, perm,
      neighbours(i, out, at = 0) {
        const k = Math.min(mm, i);
        for (let t = 0; t < k; t++) out[at + t] = i - 1 - t;
        return k;
      },
    };
  }
  // Found on first use (predictions from a saved model never need them).
  let sets: Int32Array | undefined;
  const find = (): Int32Array => {
    const pts = scaled(x, n, D, columnScales(x, n, D));
    const tree = new KdTree(pts, n, D);
    const all = new Int32Array(n * mm);
    const tmp = new Int32Array(mm);
    for (let i = 0; i < n; i++) {
      const k = tree.knn(pts, i * D, Math.min(mm, i), i, tmp);
      all.set(tmp.subarray(0, k), i * mm);
    }
    return all;
  };
  return {
    n, D, m: mm, x, y, perm,
    neighbours(i, out, at = 0) {
      sets ??= find();
      const k = Math.min(mm, i);
      for (let t = 0; t < k; t++) out[at + t] = sets[i * mm + t]!;
      return k;
    },
  };
}
