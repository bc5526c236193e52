// Row blocks in and out of a WebAssembly kernel's memory, for the kernels that pad their row
// width to a multiple of 4 (the dense sum layers: sum-layer-fast.ts, signed-sum.ts).

/** x rounded up to a multiple of 4. */
export const up4 = (x: number): number => Math.ceil(x / 4) * 4;

/**
 * Copies rows [r0, r0 + rows) of an n x w array into a block of row width wp at `at`, padding
 * each row's tail with `pad`, and fills the rows up to rows4 with `tailPad`.
 */
export function copyIn(h: Float64Array, at: number, src: Float64Array, r0: number, rows: number, rows4: number, w: number, wp: number, pad: number, tailPad = pad): void {
  if (w === wp) h.set(src.subarray(r0 * w, (r0 + rows) * w), at);
  else {
    for (let r = 0; r < rows; r++) {
      h.set(src.subarray((r0 + r) * w, (r0 + r + 1) * w), at + r * wp);
      h.fill(pad, at + r * wp + w, at + (r + 1) * wp);
    }
  }
  h.fill(tailPad, at + rows * wp, at + rows4 * wp);
}

/** Copies `rows` rows of a block of row width wp at `at` back into rows r0.. of an n x w array. */
export function copyOut(h: Float64Array, at: number, dst: Float64Array, r0: number, rows: number, w: number, wp: number): void {
  if (w === wp) dst.set(h.subarray(at, at + rows * w), r0 * w);
  else for (let r = 0; r < rows; r++) dst.set(h.subarray(at + r * wp, at + r * wp + w), (r0 + r) * w);
}
