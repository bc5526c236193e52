// A mixing node (one unit) over one child on WebAssembly SIMD (mixture-wasm.ts): the forward
// log-sum-exp and the backward responsibilities, rows streamed through wasm memory in blocks.
// The forward keeps exp(t - max) of its last call in wasm memory (up to CACHE_ENTRIES), so
// the backward over the same values and weights (EM's E-step) scales them instead of taking
// every exp again. Rows the kernel cannot decide (a max that is not finite: NaN, all -inf,
// +inf) are redone with the reference loops. Each function returns false without wasm SIMD.
import { mixtureWasm } from './mixture-wasm.js';
import { wasmHeap } from './wasm-heap.js';

const BLOCK = 512;
/** Largest rows x width kept for the backward (64 MB of wasm memory). */
const CACHE_ENTRIES = 1 << 23;

const up = (x: number, m: number): number => Math.ceil(x / m) * m;

const heap = wasmHeap(mixtureWasm);

/** Float64 offsets: logw, vals and out blocks, four block vectors, counts; then (when cached) m, s (n each) and e (n x Ap). */
function layout(Ap: number, cacheRows: number): { logw: number; vals: number; out: number; a: number; b: number; c: number; d: number; counts: number; m: number; s: number; e: number; bytes: number } {
  const vals = Ap;
  const out = vals + BLOCK * Ap;
  const a = out + BLOCK * Ap;
  const counts = a + 4 * BLOCK;
  const m = counts + Ap;
  const s = m + up(cacheRows, 2);
  const e = s + up(cacheRows, 2);
  return { logw: 0, vals, out, a, b: a + BLOCK, c: a + 2 * BLOCK, d: a + 3 * BLOCK, counts, m, s, e, bytes: (e + cacheRows * Ap) * 8 };
}

/**
 * What the last forward left in wasm memory for the backward. Strong references to that one
 * forward's arrays (bounded: at most CACHE_ENTRIES rows): a WeakRef would keep every array it
 * ever pointed at alive until the current job ends, which a long synchronous loop (mode(),
 * a fit driven without yielding) never reaches, and memory grew without bound.
 */
let cache: { vals: Float64Array; out: Float64Array; w: Float64Array; n: number; A: number } | null = null;

function loadBlock(h: Float64Array, at: number, vals: Float64Array, i0: number, count: number, A: number, Ap: number): void {
  if (A === Ap) h.set(vals.subarray(i0 * A, (i0 + count) * A), at);
  else for (let r = 0; r < count; r++) h.set(vals.subarray((i0 + r) * A, (i0 + r + 1) * A), at + r * Ap);
}

/** out[(i0 + r) * A + a] = (or +=) h[at + r * Ap + a]. */
function storeBlock(h: Float64Array, at: number, out: Float64Array, i0: number, count: number, A: number, Ap: number, add: boolean): void {
  if (!add && A === Ap) out.set(h.subarray(at, at + count * A), i0 * A);
  else if (!add) for (let r = 0; r < count; r++) out.set(h.subarray(at + r * Ap, at + r * Ap + A), (i0 + r) * A);
  else for (let r = 0; r < count; r++) for (let a = 0; a < A; a++) out[(i0 + r) * A + a] += h[at + r * Ap + a]!;
}

function logWeights(h: Float64Array, at: number, w: ArrayLike<number>, A: number, Ap: number): void {
  for (let a = 0; a < Ap; a++) h[at + a] = a < A ? Math.log(w[a]!) : -Infinity;
}

/** The reference row: log sum_a w[a] exp(vals[i, a]), NaN ignored by the max as in evaluate.ts. */
function lseRow(vals: Float64Array, i: number, A: number, w: ArrayLike<number>): number {
  let m = -Infinity;
  for (let a = 0; a < A; a++) {
    const t = Math.log(w[a]!) + vals[i * A + a]!;
    if (t > m) m = t;
  }
  if (m === -Infinity || Number.isNaN(m)) return m;
  let s = 0;
  for (let a = 0; a < A; a++) s += Math.exp(Math.log(w[a]!) + vals[i * A + a]! - m);
  return m + Math.log(s);
}

/** The reference backward of row i (as evaluate.ts's loop). */
function respRow(vals: Float64Array, i: number, A: number, w: ArrayLike<number>, o: number, fl: number, rw: number, kidFlow: Float64Array, counts: Float64Array | undefined): void {
  if (fl === 0) return;
  for (let a = 0; a < A; a++) {
    if (w[a] === 0) continue;
    const e = fl * Math.exp(Math.log(w[a]!) + vals[i * A + a]! - o);
    if (!(e > 0)) continue;
    kidFlow[i * A + a] += e;
    if (counts) counts[a] += rw * e;
  }
}

/** out[i] = log sum_a w[a] exp(vals[i * A + a]) for i < n. */
export function mixtureForward(vals: Float64Array, n: number, A: number, w: ArrayLike<number>, out: Float64Array): boolean {
  const Ap = up(A, 4);
  const keep = n * Ap <= CACHE_ENTRIES;
  const L = layout(Ap, keep ? n : 0);
  const m = heap(L.bytes);
  if (m === null) return false;
  const { w: k, h } = m;
  cache = null;
  h.fill(0, L.vals, L.out);
  logWeights(h, L.logw, w, A, Ap);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const count = Math.min(BLOCK, n - i0);
    loadBlock(h, L.vals, vals, i0, count, A, Ap);
    const [mAt, sAt, eAt] = keep ? [L.m + i0, L.s + i0, L.e + i0 * Ap] : [L.a, L.b, L.out];
    k.lse(L.vals * 8, L.logw * 8, mAt * 8, sAt * 8, eAt * 8, count, Ap);
    for (let r = 0; r < count; r++) {
      const mx = h[mAt + r]!;
      out[i0 + r] = Number.isFinite(mx) ? mx + Math.log(h[sAt + r]!) : lseRow(vals, i0 + r, A, w);
    }
  }
  if (keep) cache = { vals, out, w: Float64Array.from(w), n, A };
  return true;
}

/**
 * kidFlow[i * A + a] += flow[i] w[a] exp(vals[i * A + a] - o[i]) (= when `fresh`: kidFlow is
 * still all zero) and, when given, counts[a] += rowWeight[i] times that (the edge counts of EM).
 */
export function mixtureBackward(vals: Float64Array, n: number, A: number, w: ArrayLike<number>, o: Float64Array, flow: Float64Array, rowWeights: Float64Array | undefined, kidFlow: Float64Array, fresh: boolean, counts: Float64Array | undefined): boolean {
  const Ap = up(A, 4);
  const c = cache;
  const cached = c !== null && c.vals === vals && c.out === o && c.n === n && c.A === A && c.w.every((v, a) => v === w[a]);
  cache = null; // the backward scales the kept values in place
  const L = layout(Ap, cached ? n : 0);
  const m = heap(L.bytes);
  if (m === null) return false;
  const { w: k, h } = m;
  h.fill(0, L.counts, L.counts + Ap);
  if (!cached) h.fill(0, L.vals, L.out);
  logWeights(h, L.logw, w, A, Ap);
  const redo: number[] = [];
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const count = Math.min(BLOCK, n - i0);
    if (rowWeights) h.set(rowWeights.subarray(i0, i0 + count), L.c);
    else h.fill(1, L.c, L.c + count);
    let at = L.out;
    if (cached) {
      // exp(t - o) = exp(t - m) / s; rows the forward redid keep no values: the reference does them.
      at = L.e + i0 * Ap;
      for (let r = 0; r < count; r++) {
        const ok = Number.isFinite(h[L.m + i0 + r]!);
        h[L.b + r] = ok ? flow[i0 + r]! / h[L.s + i0 + r]! : 0;
        if (!ok) {
          h.fill(0, at + r * Ap, at + (r + 1) * Ap);
          redo.push(i0 + r);
        }
      }
      k.scale(at * 8, L.b * 8, L.c * 8, L.counts * 8, count, Ap);
    } else {
      loadBlock(h, L.vals, vals, i0, count, A, Ap);
      h.set(o.subarray(i0, i0 + count), L.a);
      h.set(flow.subarray(i0, i0 + count), L.b);
      k.resp(L.vals * 8, L.logw * 8, L.a * 8, L.b * 8, L.c * 8, L.out * 8, L.counts * 8, count, Ap);
    }
    storeBlock(h, at, kidFlow, i0, count, A, Ap, !fresh);
  }
  if (counts) for (let a = 0; a < A; a++) counts[a] += h[L.counts + a]!;
  for (const i of redo) respRow(vals, i, A, w, o[i]!, flow[i]!, rowWeights ? rowWeights[i]! : 1, kidFlow, counts);
  return true;
}
