// The inverse of an SPD matrix from its Cholesky factor, lower triangle, in the Cholesky
// engine's WebAssembly memory: the factor is copied in once (the blocked path of
// runtime/gp/linalg.ts used to copy each trailing sub-factor, ~n^3/(3w) values in all, which
// dominated at n = 5,000). For the column block c0..c1 of A^-1, with S = L[c0:, c0:]:
// A^-1[c0:, c0:c1] = S^-T S^-1 E (E: the first c1 - c0 columns of the identity), because L^-1
// is lower triangular. Two solves of order n - c0 per block on the trailing sub-factor in
// place (the kernels take a row count apart from the stride), shared with the worker threads
// by column blocks; ~n^3/3 multiply-adds in all.
import { CTL_BYTES } from './cholesky-threads.js';
import { engineStats, solveEngine } from './cholesky-engine.js';

/**
 * Overwrites the lower triangle (diagonal included) of l (row-major n x n, holding the lower
 * factor L) with that of A^-1; the upper triangle is left as it was. w: the column-block width
 * (rounded up to a multiple of 4). Returns the most threads a solve used; 0, l untouched: no
 * wasm here, or a worker failed.
 */
export function inverseLowerWasm(l: Float64Array, n: number, w: number, threads: number): number {
  const np = Math.ceil(n / 4) * 4;
  const wp = Math.max(4, Math.ceil(w / 4) * 4);
  const Lw = CTL_BYTES;
  const U = Lw + np * np * 8; // L^T, for the backward solves (they then stream rows, not columns)
  const INV = U + np * np * 8;
  const B = INV + np * 8;
  const eng = solveEngine(B + np * wp * 8);
  if (!eng) return 0;
  let m = eng.view();
  const l0 = Lw / 8;
  for (let i = 0; i < n; i++) m.set(l.subarray(i * n, i * n + i + 1), l0 + i * np);
  m.fill(0, l0 + n * np, l0 + np * np); // padding rows: identity (their 1 / diag below is 1)
  transposeInto(m, l0, U / 8, n, np);
  const inv0 = INV / 8;
  for (let i = 0; i < n; i++) m[inv0 + i] = 1 / l[i * n + i]!;
  m.fill(1, inv0 + n, inv0 + np);
  const b0 = B / 8;
  let used = 1;
  for (let c0 = 0; c0 < n; c0 += wp) {
    const k = Math.min(n, c0 + wp) - c0;
    const kp = Math.ceil(k / 4) * 4;
    const nr = np - c0;
    m = eng.view();
    // B column block by column block (cb: nr rows of 4 values): the solves stream it.
    m.fill(0, b0, b0 + nr * kp);
    for (let j = 0; j < k; j++) m[b0 + ((j >> 2) * nr + j) * 4 + (j & 3)] = 1;
    const o = { L: Lw + (c0 * np + c0) * 8, NP: np, B, KP: kp, INV: INV + c0 * 8, NR: nr, CBM: 1 };
    if (!eng.solve(o, false, threads) || !eng.solve({ ...o, L: U + (c0 * np + c0) * 8 }, true, threads)) return 0;
    used = Math.max(used, engineStats().threads);
    // Into L's own columns c0..c1 (rows c0..): later blocks read only columns from c1 on.
    for (let cb = 0; cb * 4 < k; cb++) {
      const q = Math.min(4, k - cb * 4);
      for (let i = 0; i < n - c0; i++) {
        const dst = l0 + (c0 + i) * np + c0 + cb * 4;
        const src = b0 + (cb * nr + i) * 4;
        for (let t = 0; t < q; t++) m[dst + t] = m[src + t]!;
      }
    }
  }
  for (let i = 0; i < n; i++) l.set(m.subarray(l0 + i * np, l0 + i * np + i + 1), i * n);
  return used;
}

/** U = L^T (rows 0..np of stride np from u0) from the lower triangle at l0: U[i, j] = L[j, i] for j >= i, zeros past n; in tiles (cache). */
function transposeInto(m: Float64Array, l0: number, u0: number, n: number, np: number): void {
  const T = 32;
  for (let i0 = 0; i0 < np; i0 += T) {
    const i1 = Math.min(np, i0 + T);
    for (let i = i0; i < i1; i++) m.fill(0, u0 + i * np + i0, u0 + (i + 1) * np); // from the tile column on: zeros past n
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = Math.min(n, j0 + T);
      for (let i = i0; i < Math.min(i1, n); i++) {
        const ui = u0 + i * np;
        for (let j = Math.max(i, j0); j < j1; j++) m[ui + j] = m[l0 + j * np + i]!;
      }
    }
  }
}
