// The WebAssembly SIMD path of one dense sum node (one fold member) of a circuit: blocks of R
// rows are copied into the kernel's memory (sum-layer-wasm.ts), run there fused (max, exp,
// matmul, log forward; exp, two matmuls and the edge-count update backward), and copied back.
// Declines (returns false) where wasm SIMD is missing or the fast path is off: the caller then
// runs the reference loops of sum-layer.ts, which these are tested against.
import { R, sumLayerWasm, type SumLayerWasm } from './sum-layer-wasm.js';
import { copyIn, copyOut, up4 } from './block-copy.js';

let enabled = true;

/** Turns the wasm sum layer on or off (evaluate.ts's useFusedKernels switches it). */
export function useFastSumLayer(on: boolean): void {
  enabled = on;
}

const instances = new Map<string, SumLayerWasm | null>();

function kernel(U: number, I: number): SumLayerWasm | null {
  if (!enabled) return null;
  const key = `${up4(I)},${up4(U)}`;
  let k = instances.get(key);
  if (k === undefined) instances.set(key, (k = sumLayerWasm(up4(I), up4(U))));
  return k;
}

/** W [U x I] into the kernel's W (U x Ip) and WT (Ip x Up), zero-padded. */
function loadWeights(h: Float64Array, k: SumLayerWasm, W: Float64Array, U: number, I: number): void {
  const L = k.layout;
  const Ip = up4(I);
  const Up = up4(U);
  const wt = L.WT / 8;
  const w = L.W / 8;
  h.fill(0, wt, wt + 2 * Ip * Up);
  for (let u = 0; u < U; u++) {
    for (let i = 0; i < I; i++) {
      const x = W[u * I + i]!;
      h[w + u * Ip + i] = x;
      h[wt + i * Up + u] = x;
    }
  }
}

/**
 * What a forward pass keeps for its backward (sumNodeForward's `keep`, sumNodeBackward's
 * `kept`): E = exp(A - m) (n x I, m the row max of A) and the linear sums O = E @ W^T (n x U),
 * so the backward takes r = flow / O and reuses E instead of two exps per entry.
 */
export interface SumNodeKept {
  readonly E: Float64Array;
  readonly O: Float64Array;
}

/**
 * out[n, u] = log sum_i W[u, i] exp(A[n, i]) for one sum node: A n x I, W U x I, out n x U.
 * With `keep` (arrays of n x I and n x U), also E and the linear O (SumNodeKept).
 */
export function sumNodeForward(A: Float64Array, W: Float64Array, n: number, U: number, I: number, out: Float64Array, keep?: SumNodeKept): boolean {
  const k = kernel(U, I);
  if (!k) return false;
  const L = k.layout;
  const h = new Float64Array(k.memory.buffer);
  const Ip = up4(I);
  const Up = up4(U);
  loadWeights(h, k, W, U, I);
  for (let r0 = 0; r0 < n; r0 += R) {
    const rows = Math.min(R, n - r0);
    const rows4 = up4(rows);
    copyIn(h, L.A / 8, A, r0, rows, rows4, I, Ip, -Infinity, 0);
    if (keep) {
      k.fwdKeep(rows4);
      copyOut(h, L.FL / 8, out, r0, rows, U, Up);
      copyOut(h, L.A / 8, keep.E, r0, rows, I, Ip);
      copyOut(h, L.O / 8, keep.O, r0, rows, U, Up);
    } else {
      k.fwd(rows4);
      copyOut(h, L.O / 8, out, r0, rows, U, Up);
    }
  }
  return true;
}

/**
 * The backward pass of one sum node: inFlow (n x I) += d log p / d A (= when `fresh`: inFlow's
 * contents are then ignored), and, with counts (U x I), counts += W * sum_n rowWeight[n]
 * r[n, u] exp(A[n, i] - m_n) (the expected edge flows). `kept`: what sumNodeForward kept for
 * these A, W and out (then A and out are not read).
 */
export function sumNodeBackward(
  A: Float64Array,
  out: Float64Array,
  flow: Float64Array,
  W: Float64Array,
  n: number,
  U: number,
  I: number,
  rowWeights: Float64Array | undefined,
  inFlow: Float64Array,
  counts: Float64Array | undefined,
  fresh = false,
  kept?: SumNodeKept,
): boolean {
  const k = kernel(U, I);
  if (!k) return false;
  const L = k.layout;
  const h = new Float64Array(k.memory.buffer);
  const Ip = up4(I);
  const Up = up4(U);
  loadWeights(h, k, W, U, I);
  const t = L.T / 8;
  if (counts) h.fill(0, t, t + Up * Ip);
  const rw = L.RW / 8;
  for (let r0 = 0; r0 < n; r0 += R) {
    const rows = Math.min(R, n - r0);
    const rows4 = up4(rows);
    if (kept) {
      copyIn(h, L.A / 8, kept.E, r0, rows, rows4, I, Ip, 0);
      copyIn(h, L.O / 8, kept.O, r0, rows, rows4, U, Up, 0);
    } else {
      copyIn(h, L.A / 8, A, r0, rows, rows4, I, Ip, -Infinity, 0);
      copyIn(h, L.O / 8, out, r0, rows, rows4, U, Up, -Infinity, 0);
    }
    copyIn(h, L.FL / 8, flow, r0, rows, rows4, U, Up, 0);
    if (fresh) h.fill(0, L.CF / 8, L.CF / 8 + rows4 * Ip);
    else copyIn(h, L.CF / 8, inFlow, r0, rows, rows4, I, Ip, 0);
    if (counts) {
      if (rowWeights) h.set(rowWeights.subarray(r0, r0 + rows), rw);
      else h.fill(1, rw, rw + rows);
      h.fill(0, rw + rows, rw + rows4);
    }
    if (kept) k.bwdKept(rows4, counts ? 1 : 0);
    else k.bwd(rows4, counts ? 1 : 0);
    copyOut(h, L.CF / 8, inFlow, r0, rows, I, Ip);
  }
  if (counts) for (let u = 0; u < U; u++) for (let i = 0; i < I; i++) counts[u * I + i] += h[t + u * Ip + i]! * W[u * I + i]!;
  return true;
}
