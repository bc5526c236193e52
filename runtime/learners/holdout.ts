// A validation split for early stopping: a seeded shuffle of the rows, the last fraction held
// out. Both parts are copied (rows x vars) with their row weights.
import type { Rng } from '../../stdlib/random.js';

export interface RowSet {
  readonly x: Float64Array;
  readonly n: number;
  readonly weights: Float64Array;
}

export function splitHoldout(x: Float64Array, n: number, v: number, weights: Float64Array, fraction: number, rng: Rng): { train: RowSet; valid?: RowSet } {
  if (!(fraction > 0)) return { train: { x, n, weights } };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const held = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  if (held < 1) return { train: { x, n, weights } };
  const take = (idx: readonly number[]): RowSet => {
    const xs = new Float64Array(idx.length * v);
    const ws = new Float64Array(idx.length);
    idx.forEach((r, i) => {
      xs.set(x.subarray(r * v, (r + 1) * v), i * v);
      ws[i] = weights[r]!;
    });
    return { x: xs, n: idx.length, weights: ws };
  };
  return { train: take(order.slice(0, n - held)), valid: take(order.slice(n - held)) };
}

/** Rows `idx` of a row set, into reusable buffers. */
export function takeRows(set: RowSet, v: number, idx: ArrayLike<number>, start: number, count: number, xb: Float64Array, wb: Float64Array): void {
  for (let i = 0; i < count; i++) {
    const r = idx[start + i]!;
    xb.set(set.x.subarray(r * v, (r + 1) * v), i * v);
    wb[i] = set.weights[r]!;
  }
}
