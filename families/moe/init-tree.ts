// Starting responsibilities for tree gates: k-means numbers its clusters arbitrarily, but in a
// tree the experts that share a parent split one region between them, so clusters far apart in
// the inputs made siblings leave the gates a partition they cannot draw (a poor local optimum).
// The clusters are renumbered by their centroid's position along the inputs' principal axis, so
// that neighbours become siblings.
import type { MoeData } from './data.js';

export function orderForTree(R: Float64Array, d: MoeData, D: number, K: number): Float64Array {
  // the inputs' weighted mean and covariance, its leading eigenvector by power iteration
  const mean = new Float64Array(D);
  let sw = 0;
  for (let i = 0; i < d.n; i++) {
    sw += d.w[i]!;
    for (let j = 0; j < D; j++) mean[j] += d.w[i]! * d.X[i * D + j]!;
  }
  for (let j = 0; j < D; j++) mean[j] /= sw || 1;
  const C = new Float64Array(D * D);
  for (let i = 0; i < d.n; i++) for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) C[a * D + b] += d.w[i]! * (d.X[i * D + a]! - mean[a]!) * (d.X[i * D + b]! - mean[b]!);
  let v = Float64Array.from({ length: D }, (_, j) => 1 + j * 1e-3);
  for (let it = 0; it < 100; it++) {
    const u = new Float64Array(D);
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) u[a] += C[a * D + b]! * v[b]!;
    const norm = Math.hypot(...u) || 1;
    v = u.map((x) => x / norm);
  }
  // each cluster's responsibility-weighted centroid, projected
  const pos = Array.from({ length: K }, (_, k) => {
    let s = 0;
    let m = 0;
    for (let i = 0; i < d.n; i++) {
      const r = d.w[i]! * R[i * K + k]!;
      m += r;
      for (let j = 0; j < D; j++) s += r * d.X[i * D + j]! * v[j]!;
    }
    return { k, at: m > 0 ? s / m : 0 };
  });
  const order = pos.sort((a, b) => a.at - b.at || a.k - b.k).map((p) => p.k);
  const out = new Float64Array(R.length);
  for (let i = 0; i < d.n; i++) order.forEach((k, slot) => (out[i * K + slot] = R[i * K + k]!));
  return out;
}
