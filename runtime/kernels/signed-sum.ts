// One dense sum node with signed weights over all rows, in signed log space (squared circuits):
// out_u = sum_i W[u, i] in_i with values as (log|x|, sign). The WebAssembly SIMD kernel
// (signed-sum-wasm.ts) runs blocks of R rows copied into its memory; the reference is
// circuits/squared/signed-log.ts's signedMatVec row by row (useFastSignedSum(false), or
// where wasm SIMD is missing), which the kernel is tested against.
import { signedMatVec, signedMatVecBack } from '../../circuits/squared/signed-log.js';
import { R, signedSumWasm, type SignedSumWasm } from './signed-sum-wasm.js';
import { copyIn, copyOut, up4 } from './block-copy.js';

let enabled = true;

/** Turns the wasm signed sum kernel on or off (off: the row-by-row reference). */
export function useFastSignedSum(on: boolean): void {
  enabled = on;
}

const instances = new Map<string, SignedSumWasm | null>();

function kernel(U: number, I: number): SignedSumWasm | null {
  if (!enabled) return null;
  const key = `${up4(I)},${up4(U)}`;
  let k = instances.get(key);
  if (k === undefined) instances.set(key, (k = signedSumWasm(up4(I), up4(U))));
  return k;
}

/**
 * inL, inS: n x I (inS undefined: every input positive, i.e. sign 1 where finite); W: U x I;
 * writes outL, outS (n x U). The reference: signedMatVec per row.
 */
export function signedSumForward(inL: Float64Array, inS: Float64Array | undefined, W: Float64Array, n: number, U: number, I: number, outL: Float64Array, outS: Float64Array): void {
  const k = kernel(U, I);
  if (!k) {
    const s = inS ?? ones(n * I);
    const tmp = new Float64Array(I);
    for (let i = 0; i < n; i++) signedMatVec(W, U, I, inL, s, i * I, 1, outL, outS, i * U, 1, tmp);
    return;
  }
  const L = k.layout;
  const h = new Float64Array(k.memory.buffer);
  const Ip = up4(I);
  const Up = up4(U);
  const wt = L.WT / 8;
  h.fill(0, wt, wt + Ip * Up);
  for (let u = 0; u < U; u++) for (let i = 0; i < I; i++) h[wt + i * Up + u] = W[u * I + i]!;
  for (let r0 = 0; r0 < n; r0 += R) {
    const rows = Math.min(R, n - r0);
    const rows4 = up4(rows);
    copyIn(h, L.A / 8, inL, r0, rows, rows4, I, Ip, -Infinity);
    if (inS) copyIn(h, L.SA / 8, inS, r0, rows, rows4, I, Ip, 0);
    k.fwd(rows4, inS !== undefined);
    copyOut(h, L.O / 8, outL, r0, rows, U, Up);
    copyOut(h, L.OS / 8, outS, r0, rows, U, Up);
  }
}

/**
 * The backward of signedSumForward with flows f = x dL/dx (L = log|root|): inF (n x I) +=
 * f_u W[u, i] in_i / out_u summed over u, gW (U x I) += f_u in_i / out_u summed over rows.
 * The reference is signedMatVecBack per row; it also takes the rows whose largest input lies
 * more than 700 nats above an output with flow (exp(m - out) would overflow in the kernel).
 */
export function signedSumBackward(
  inL: Float64Array, inS: Float64Array, outL: Float64Array, outS: Float64Array, outF: Float64Array,
  W: Float64Array, n: number, U: number, I: number, inF: Float64Array, gW: Float64Array,
): void {
  const k = kernel(U, I);
  if (!k) {
    for (let i = 0; i < n; i++) signedMatVecBack(W, U, I, inL, inS, i * I, 1, outL, outS, i * U, 1, outF, inF, gW, 1);
    return;
  }
  const L = k.layout;
  const h = new Float64Array(k.memory.buffer);
  const Ip = up4(I);
  const Up = up4(U);
  const wt = L.WT / 8;
  const w = L.W / 8;
  h.fill(0, wt, wt + 2 * Ip * Up);
  for (let u = 0; u < U; u++) {
    for (let i = 0; i < I; i++) {
      h[wt + i * Up + u] = W[u * I + i]!;
      h[w + u * Ip + i] = W[u * I + i]!;
    }
  }
  const t = L.T / 8;
  h.fill(0, t, t + Up * Ip);
  const aside: number[] = [];
  for (let r0 = 0; r0 < n; r0 += R) {
    const rows = Math.min(R, n - r0);
    const rows4 = up4(rows);
    copyIn(h, L.A / 8, inL, r0, rows, rows4, I, Ip, -Infinity);
    copyIn(h, L.SA / 8, inS, r0, rows, rows4, I, Ip, 0);
    copyIn(h, L.O / 8, outL, r0, rows, rows4, U, Up, -Infinity);
    copyIn(h, L.OS / 8, outS, r0, rows, rows4, U, Up, 0);
    copyIn(h, L.FL / 8, outF, r0, rows, rows4, U, Up, 0);
    copyIn(h, L.CF / 8, inF, r0, rows, rows4, I, Ip, 0);
    for (let r = r0; r < r0 + rows; r++) {
      if (!overflows(inL, outL, outF, r, U, I)) continue;
      aside.push(r);
      h.fill(0, L.FL / 8 + (r - r0) * Up, L.FL / 8 + (r - r0 + 1) * Up);
    }
    k.bwd(rows4);
    copyOut(h, L.CF / 8, inF, r0, rows, I, Ip);
  }
  for (let u = 0; u < U; u++) for (let i = 0; i < I; i++) gW[u * I + i] += h[t + u * Ip + i]!;
  for (const r of aside) signedMatVecBack(W, U, I, inL, inS, r * I, 1, outL, outS, r * U, 1, outF, inF, gW, 1);
}

/** Whether row r has an output with flow more than 700 nats below its largest input (or a non-finite largest input). */
function overflows(inL: Float64Array, outL: Float64Array, outF: Float64Array, r: number, U: number, I: number): boolean {
  let m = -Infinity;
  for (let j = r * I; j < (r + 1) * I; j++) if (inL[j]! > m) m = inL[j]!;
  if (m === -Infinity) return false;
  if (!(m < Infinity)) return true;
  for (let u = r * U; u < (r + 1) * U; u++) if (outF[u] !== 0 && outL[u] !== -Infinity && outL[u]! < m - 700) return true;
  return false;
}

let onesCache = new Float64Array(0);
/** A read-only array of at least len ones (the signs of a positive node). */
export function ones(len: number): Float64Array {
  if (onesCache.length < len) onesCache = new Float64Array(Math.max(len, 2 * onesCache.length)).fill(1);
  return onesCache.subarray(0, len);
}
