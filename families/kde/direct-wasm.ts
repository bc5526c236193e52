// The gaussian direct sum in blocks, in WebAssembly SIMD (f64x2): for each block of 2048
// training rows (copied transposed once) and 16 queries at a time, sqdist writes the log
// terms t = -|z_q - z_i|^2 / 2, the runtime's log-sum-exp kernel (runtime/kernels/
// mixture-wasm.ts, exp within 1 ulp of Math.exp) returns each query's block max and sum of
// exp(t + log w - max), and JS merges the blocks into a running (max, sum) per query. The
// kernel takes a term under e^-40 of its block's largest as 0: with 2048 terms a block, that
// is under 2048 e^-40 < 1e-14 of the block's sum, so of the total too.
import { kdeSumHeap } from '../../runtime/kernels/kde-sum-wasm.js';
import type { Plan } from './plan.js';

const heap = kdeSumHeap;
const QB = 16;
const TB = 2048;

let enabled = true;
/** Turns the WebAssembly path off (tests compare it with the plain loop). */
export function useKdeWasm(on: boolean): void {
  enabled = on;
}

/**
 * log sum_i w_i exp(-|z_q - z_i|^2 / 2) for the whitened queries zq (count x k) into out;
 * false when WebAssembly SIMD is not available (the caller runs the plain loop).
 */
export function gaussianBlockSums(p: Plan, n: number, zq: Float64Array, count: number, logW: Float64Array | null, out: Float64Array): boolean {
  if (!enabled) return false;
  const { Z, k } = p;
  // byte offsets: the block of rows transposed, the queries, the terms, exp(terms), log w, max, sum
  const zt = 0;
  const qo = zt + TB * k * 8;
  const vals = qo + QB * k * 8;
  const e = vals + QB * TB * 8;
  const lw = e + QB * TB * 8;
  const mo = lw + TB * 8;
  const so = mo + QB * 8;
  const mem = heap(so + QB * 8);
  if (!mem) return false;
  const { w, h } = mem;
  const M = new Float64Array(count).fill(-Infinity);
  const S = new Float64Array(count);
  for (let t0 = 0; t0 < n; t0 += TB) {
    const tb = Math.min(TB, n - t0);
    const ap = (tb + 3) & ~3;
    for (let b = 0; b < k; b++) {
      const row = zt / 8 + b * ap;
      for (let a = 0; a < tb; a++) h[row + a] = Z[(t0 + a) * k + b]!;
      for (let a = tb; a < ap; a++) h[row + a] = 0;
    }
    for (let a = 0; a < ap; a++) h[lw / 8 + a] = a < tb ? (logW ? logW[t0 + a]! : 0) : -Infinity;
    for (let q0 = 0; q0 < count; q0 += QB) {
      const rows = Math.min(QB, count - q0);
      h.set(zq.subarray(q0 * k, (q0 + rows) * k), qo / 8);
      w.sqdist(zt, qo, vals, rows, ap, k);
      w.lse(vals, lw, mo, so, e, rows, ap);
      for (let r = 0; r < rows; r++) {
        const bm = h[mo / 8 + r]!;
        const bs = h[so / 8 + r]!;
        if (!(bm > -Infinity)) continue; // every weight 0 in this block
        const i = q0 + r;
        if (bm > M[i]!) {
          S[i] = S[i]! * Math.exp(M[i]! - bm) + bs;
          M[i] = bm;
        } else S[i]! += bs * Math.exp(bm - M[i]!);
      }
    }
  }
  for (let i = 0; i < count; i++) out[i] = M[i] === -Infinity ? -Infinity : M[i]! + Math.log(S[i]!);
  return true;
}
