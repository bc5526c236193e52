// The log-space sum layer of tensorized circuits: out[f, b, :] = log(exp(A[f, b, :]) @ W[f])
// for F folds of a B x K log-value matrix A and a K x J non-negative weight matrix W,
// computed stably: m = max_i A[f, b, i]; out = log(exp(A - m) @ W) + m (rows whose values
// are all -inf give -inf). exp is taken once per element of A, then a plain matmul.
// Float32 runs on WebAssembly SIMD (lse-wasm.ts) over row blocks copied into wasm memory;
// float64 (or no wasm SIMD) runs the same blocked scheme in plain JS.
import { lseWasm, type LseWasm } from './lse-wasm.js';

export type Floats = Float32Array | Float64Array;

/** Rows of A per block: A, exp(A) and the output block stay in L2. */
const BLOCK_ROWS = 256;

const up = (x: number, m: number): number => Math.ceil(x / m) * m;

export function logMatmulExp(A: Floats, W: Floats, F: number, B: number, K: number, J: number, out: Floats): void {
  if (A.length < F * B * K || W.length < F * K * J || out.length < F * B * J) throw new Error('logMatmulExp: an array is shorter than F, B, K, J imply');
  if (A instanceof Float32Array && W instanceof Float32Array && out instanceof Float32Array && wasmFor(K, J)) wasmPath(A, W, F, B, K, J, out);
  else jsPath(A, W, F, B, K, J, out);
}

let cache: { inst: LseWasm; bytes: number; kp: number; jp: number } | null | undefined;

function layout(K: number, J: number): { kp: number; jp: number; w: number; a: number; m: number; c: number; bytes: number } {
  const kp = up(K, 4);
  const jp = up(J, 8);
  const w = 0;
  const a = w + kp * jp * 4;
  const m = a + BLOCK_ROWS * kp * 4;
  const c = m + BLOCK_ROWS * 4;
  return { kp, jp, w, a, m, c, bytes: c + BLOCK_ROWS * jp * 4 };
}

function wasmFor(K: number, J: number): LseWasm | null {
  const { bytes: need, kp, jp } = layout(K, J);
  if (cache === null) return null;
  if (cache === undefined || cache.bytes < need || cache.kp !== kp || cache.jp !== jp) {
    const inst = lseWasm(need, kp, jp);
    cache = inst ? { inst, bytes: need, kp, jp } : null;
  }
  return cache?.inst ?? null;
}

function wasmPath(A: Float32Array, W: Float32Array, F: number, B: number, K: number, J: number, out: Float32Array): void {
  const inst = wasmFor(K, J)!;
  const L = layout(K, J);
  const heap = new Float32Array(inst.memory.buffer);
  const wv = heap.subarray(L.w / 4, L.a / 4);
  const av = heap.subarray(L.a / 4, L.m / 4);
  const cv = heap.subarray(L.c / 4, L.bytes / 4);
  for (let f = 0; f < F; f++) {
    // Padding: extra weight rows/columns are 0, extra A columns -inf (exp 0, max unchanged).
    if (K === L.kp && J === L.jp) wv.set(W.subarray(f * K * J, (f + 1) * K * J));
    else {
      wv.fill(0);
      for (let i = 0; i < K; i++) wv.set(W.subarray((f * K + i) * J, (f * K + i + 1) * J), i * L.jp);
    }
    for (let b0 = 0; b0 < B; b0 += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, B - b0);
      const rows4 = up(rows, 4);
      const base = f * B + b0;
      if (K === L.kp) av.set(A.subarray(base * K, (base + rows) * K));
      else {
        for (let r = 0; r < rows; r++) {
          av.set(A.subarray((base + r) * K, (base + r + 1) * K), r * L.kp);
          av.fill(-Infinity, r * L.kp + K, (r + 1) * L.kp);
        }
      }
      av.fill(0, rows * L.kp, rows4 * L.kp);
      inst.rowmax_exp(L.a, L.m, rows4, L.kp);
      inst.gemm(L.a, L.w, L.c, rows4);
      inst.log_add(L.c, L.m, rows4, L.jp);
      if (J === L.jp) out.set(cv.subarray(0, rows * J), base * J);
      else for (let r = 0; r < rows; r++) out.set(cv.subarray(r * L.jp, r * L.jp + J), (base + r) * J);
    }
  }
}

/** The same blocked scheme in float64 JS: 4 rows of exp(A - m) at a time against rows of W. */
function jsPath(A: Floats, W: Floats, F: number, B: number, K: number, J: number, out: Floats): void {
  const R = BLOCK_ROWS;
  const e = new Float64Array(R * K);
  const c = new Float64Array(R * J);
  const m = new Float64Array(R);
  for (let f = 0; f < F; f++) {
    const wo = f * K * J;
    for (let b0 = 0; b0 < B; b0 += R) {
      const rows = Math.min(R, B - b0);
      const base = f * B + b0;
      for (let r = 0; r < rows; r++) {
        const ao = (base + r) * K;
        let mx = -Infinity;
        for (let i = 0; i < K; i++) if (!(A[ao + i]! <= mx)) mx = A[ao + i]!;
        if (mx === -Infinity) mx = 0;
        m[r] = mx;
        for (let i = 0; i < K; i++) e[r * K + i] = Math.exp(A[ao + i]! - mx);
      }
      c.fill(0);
      let r = 0;
      for (; r + 4 <= rows; r += 4) {
        const c0 = r * J, c1 = c0 + J, c2 = c1 + J, c3 = c2 + J;
        for (let i = 0; i < K; i++) {
          const e0 = e[r * K + i]!, e1 = e[(r + 1) * K + i]!, e2 = e[(r + 2) * K + i]!, e3 = e[(r + 3) * K + i]!;
          const wr = wo + i * J;
          for (let j = 0; j < J; j++) {
            const w = W[wr + j]!;
            c[c0 + j] += e0 * w;
            c[c1 + j] += e1 * w;
            c[c2 + j] += e2 * w;
            c[c3 + j] += e3 * w;
          }
        }
      }
      for (; r < rows; r++) {
        for (let i = 0; i < K; i++) {
          const ei = e[r * K + i]!;
          for (let j = 0; j < J; j++) c[r * J + j] += ei * W[wo + i * J + j]!;
        }
      }
      for (let q = 0; q < rows; q++) for (let j = 0; j < J; j++) out[(base + q) * J + j] = Math.log(c[q * J + j]!) + m[q]!;
    }
  }
}
