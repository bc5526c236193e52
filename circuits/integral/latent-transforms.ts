// Allocation-free forms of latent-fn.ts's toNatural / chainToFree (the reference): in place or
// into the caller's buffer, the simplex's exps through an optional vectorized kernel (the
// runtime passes its wasm SIMD exp). Same numbers up to the kernel's few ulp of exp.
import type { NeuralParam } from '../../ir/types.js';

/** x[i] = exp(x[i]) for i < n, every such x[i] in [-708, 0]; false: not done (Math.exp runs). */
export type ExpInPlace = (x: Float64Array, n: number) => boolean;

/** Softmax of each run of `last` in v[0, n) in place; false: not done (v untouched, the loops run). */
export type SoftmaxInPlace = (v: Float64Array, n: number, last: number) => boolean;

/** Lowest input an ExpInPlace kernel must be exact on; lower (and NaN) entries are redone with Math.exp. */
const EXP_KERNEL_MIN = -708;

/** v (free values, first n entries) -> natural values in place; `last`: the simplex's length. */
export function toNaturalInPlace(kind: NeuralParam['output'], v: Float64Array, n: number, last: number, exp?: ExpInPlace, softmax?: SoftmaxInPlace): void {
  switch (kind) {
    case 'identity':
      return;
    case 'positive':
      for (let i = 0; i < n; i++) v[i] = Math.exp(v[i]!);
      return;
    case 'unit':
      for (let i = 0; i < n; i++) v[i] = 1 / (1 + Math.exp(-v[i]!));
      return;
    case 'simplex':
      if (softmax?.(v, n, last)) return;
      if (exp && simplexWithKernel(v, n, last, exp)) return;
      for (let off = 0; off < n; off += last) {
        let m = -Infinity;
        for (let i = 0; i < last; i++) m = Math.max(m, v[off + i]!);
        let s = 0;
        for (let i = 0; i < last; i++) s += v[off + i] = Math.exp(v[off + i]! - m);
        for (let i = 0; i < last; i++) v[off + i]! /= s;
      }
  }
}

/**
 * Softmax of each run of `last`: the shifted values into a scratch buffer, one kernel call for
 * every exp, then normalized into v. v is untouched where the kernel declines.
 */
function simplexWithKernel(v: Float64Array, n: number, last: number, exp: ExpInPlace): boolean {
  const t = scratch(n);
  let low = false;
  for (let off = 0; off < n; off += last) {
    let m = -Infinity;
    for (let i = 0; i < last; i++) m = Math.max(m, v[off + i]!);
    for (let i = 0; i < last; i++) {
      const d = (t[off + i] = v[off + i]! - m);
      if (!(d >= EXP_KERNEL_MIN)) low = true;
    }
  }
  // Entries outside the kernel's range (far below the max, NaN): Math.exp of the shifted value.
  const lows = low ? Float64Array.from(t.subarray(0, n)) : undefined;
  if (!exp(t, n)) return false;
  if (lows) for (let i = 0; i < n; i++) if (!(lows[i]! >= EXP_KERNEL_MIN)) t[i] = Math.exp(lows[i]!);
  for (let off = 0; off < n; off += last) {
    let s = 0;
    for (let i = 0; i < last; i++) s += t[off + i]!;
    for (let i = 0; i < last; i++) v[off + i] = t[off + i]! / s;
  }
  return true;
}

/** One buffer for the shifted values, grown as needed (the transforms never nest). */
let shiftScratch = new Float64Array(0);
function scratch(len: number): Float64Array {
  if (shiftScratch.length < len) shiftScratch = new Float64Array(Math.max(len, 2 * shiftScratch.length));
  return shiftScratch;
}

/** out[at + i * stride] = d/du_i from gv = d/dv (first n entries of v, gv). */
export function chainToFreeInto(kind: NeuralParam['output'], v: Float64Array, gv: Float64Array, n: number, last: number, out: Float64Array, stride = 1, at = 0): void {
  switch (kind) {
    case 'identity':
      for (let i = 0; i < n; i++) out[at + i * stride] = gv[i]!;
      return;
    case 'positive':
      for (let i = 0; i < n; i++) out[at + i * stride] = gv[i]! * v[i]!;
      return;
    case 'unit':
      for (let i = 0; i < n; i++) out[at + i * stride] = gv[i]! * v[i]! * (1 - v[i]!);
      return;
    case 'simplex':
      for (let off = 0; off < n; off += last) {
        let s = 0;
        for (let i = 0; i < last; i++) s += v[off + i]! * gv[off + i]!;
        for (let i = 0; i < last; i++) out[at + (off + i) * stride] = v[off + i]! * (gv[off + i]! - s);
      }
  }
}
