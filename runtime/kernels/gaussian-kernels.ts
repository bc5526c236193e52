// The Normal leaf's kernels (stdlib/distributions/normal-kernels.ts) on WebAssembly SIMD
// (gaussian-wasm.ts): rows stream through wasm memory in blocks that stay in L2, parameters
// are laid out once per call with the units axis innermost (padded to a multiple of 4).
// Declines (returns false / null) where wasm SIMD is unavailable.
import type { NormalKernels, Rows, StatsOut } from '../../stdlib/distributions/index.js';
import { gaussianWasm, type GaussianWasm } from './gaussian-wasm.js';
import { wasmHeap } from './wasm-heap.js';

/** Rows per block (even). */
const BLOCK = 256;

const up = (x: number, m: number): number => Math.ceil(x / m) * m;

/** Beyond this much wasm memory the kernels decline (the reference loops need none). */
const MAX_BYTES = 1 << 30;

const heap = wasmHeap(gaussianWasm, MAX_BYTES);

/** Float64 offsets of consecutive regions of the given lengths (16-byte aligned). */
function regions(...lengths: number[]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let o = 0;
  for (const len of lengths) {
    at.push(o);
    o += up(len, 2);
  }
  return { at, bytes: o * 8 };
}

/** Copies rows [i0, i0 + count) of `rows` into h at off (row stride s >= dims); pads to an even count with zeros. */
function copyRows(rows: Rows, i0: number, count: number, h: Float64Array, off: number, s: number): number {
  const D = rows.dims;
  if (s === D) h.set(rows.x.subarray(i0 * D, (i0 + count) * D), off);
  else for (let r = 0; r < count; r++) h.set(rows.x.subarray((i0 + r) * D, (i0 + r + 1) * D), off + r * s);
  if (count % 2 === 1) h.fill(0, off + count * s, off + (count + 1) * s);
  return count + (count % 2);
}

/** out[(i0 + r) * K + u] = h[off + r * Kp + u] for u < K. */
function copyOut(i0: number, count: number, h: Float64Array, off: number, K: number, Kp: number, out: Float64Array): void {
  if (K === Kp) out.set(h.subarray(off, off + count * K), i0 * K);
  else for (let r = 0; r < count; r++) out.set(h.subarray(off + r * Kp, off + r * Kp + K), (i0 + r) * K);
}

function logDensity(rows: Rows, K: number, params: number, fill: (h: Float64Array, at: number[], Kp: number) => void, run: (w: GaussianWasm, at: number[], x: number, o: number, n: number, Kp: number) => void, out: Float64Array): boolean {
  const D = rows.dims;
  const Kp = up(K, 4);
  const L = regions(params, Kp, BLOCK * D, BLOCK * Kp);
  const m = heap(L.bytes);
  if (m === null) return false;
  const [, , x, o] = L.at as [number, number, number, number];
  m.h.fill(0, 0, o);
  fill(m.h, L.at, Kp);
  for (let i0 = 0; i0 < rows.count; i0 += BLOCK) {
    const count = Math.min(BLOCK, rows.count - i0);
    const n = copyRows(rows, i0, count, m.h, x, D);
    run(m.w, L.at, x, o, n, Kp);
    copyOut(i0, count, m.h, o, K, Kp, out);
  }
  return true;
}

function diagLogDensity(rows: Rows, K: number, mu: Float64Array, prec: Float64Array, c: Float64Array, out: Float64Array): boolean {
  const D = rows.dims;
  // Regions: mu^T and -prec/2 (D x Kp each), then c.
  return logDensity(
    rows, K, 2 * D * up(K, 4),
    (h, at, kp) => {
      const base = at[0]!;
      for (let u = 0; u < K; u++) {
        for (let d = 0; d < D; d++) {
          h[base + d * kp + u] = mu[u * D + d]!;
          h[base + (D + d) * kp + u] = -0.5 * prec[u * D + d]!;
        }
        h[at[1]! + u] = c[u]!;
      }
    },
    (w, at, x, o, n, kp) => w.diag_ld(x * 8, D, at[0]! * 8, (at[0]! + D * kp) * 8, at[1]! * 8, o * 8, n, D, kp),
    out,
  );
}

function fullLogDensity(rows: Rows, K: number, mm: Float64Array, b: Float64Array, c: Float64Array, out: Float64Array): boolean {
  const D = rows.dims;
  const T = (D * (D + 1)) / 2;
  // Regions: m packed lower-triangular (T x Kp), b (D x Kp), then c.
  return logDensity(
    rows, K, (T + D) * up(K, 4),
    (h, at, kp) => {
      const base = at[0]!;
      for (let u = 0; u < K; u++) {
        for (let a = 0, t = 0; a < D; a++) {
          for (let j = 0; j <= a; j++, t++) h[base + t * kp + u] = mm[u * D * D + a * D + j]!;
          h[base + (T + a) * kp + u] = b[u * D + a]!;
        }
        h[at[1]! + u] = c[u]!;
      }
    },
    (w, at, x, o, n, kp) => w.full_ld(x * 8, D, at[0]! * 8, (at[0]! + T * kp) * 8, at[1]! * 8, o * 8, n, D, kp),
    out,
  );
}

/** Weights of rows [i0, i0 + count) into h at off (row stride Kp, padding 0); non-positive ones become 0. */
function copyResp(w: GaussianWasm, i0: number, count: number, resp: Float64Array, K: number, h: Float64Array, off: number, Kp: number): void {
  if (K === Kp) h.set(resp.subarray(i0 * K, (i0 + count) * K), off);
  else for (let r = 0; r < count; r++) h.set(resp.subarray((i0 + r) * K, (i0 + r + 1) * K), off + r * Kp);
  w.relu(off * 8, up(count * Kp, 2));
}

function stats(rows: Rows, resp: Float64Array, K: number, full: boolean): StatsOut | null {
  const D = rows.dims;
  const D2 = up(D, 2);
  const Kp = up(K, 4);
  // y = [z, 1] (full) or [z, z^2, 1] (diagonal), z = x - g padded to D2 columns.
  const J = full ? D2 + 1 : 2 * D2 + 1;
  const Jp = up(J, 4);
  const Dp = up(D, 4);
  const L = regions(BLOCK * D2, D2, BLOCK, BLOCK * Jp, BLOCK * Kp, Jp * Kp, full ? K * Dp : 0, full ? K * Dp * Dp : 0, full ? 2 * BLOCK * Dp : 0);
  const m = heap(L.bytes);
  if (m === null) return null;
  const { w, h } = m;
  const [xb, g, flags, y, r, acc, mu, s, dw] = L.at as [number, number, number, number, number, number, number, number, number];
  h.fill(0, 0, L.bytes / 8);
  // A centre near the data keeps sum r (x - g)^2 free of cancellation (diagonal case).
  if (!full) {
    const seen = new Float64Array(D);
    for (let i = 0; i < Math.min(rows.count, 1024); i++) {
      for (let d = 0; d < D; d++) {
        const v = rows.x[i * D + d]!;
        if (v === v) (h[g + d] += v), seen[d]++;
      }
    }
    for (let d = 0; d < D; d++) h[g + d] = seen[d]! > 0 ? h[g + d]! / seen[d]! : 0;
  }
  const skipped: number[] = [];
  const sweep = (first: boolean, each: (count: number) => void): void => {
    for (let i0 = 0; i0 < rows.count; i0 += BLOCK) {
      const count = Math.min(BLOCK, rows.count - i0);
      copyRows(rows, i0, count, h, xb, D2);
      w.prep(xb * 8, D2, g * 8, y * 8, Jp, flags * 8, count, D2, full ? 0 : 1);
      copyResp(w, i0, count, resp, K, h, r, Kp);
      for (let b = 0; b < count; b++) {
        if (h[flags + b] === 0) continue;
        h.fill(0, y + b * Jp, y + (b + 1) * Jp);
        h.fill(0, r + b * Kp, r + (b + 1) * Kp);
        if (first) skipped.push(i0 + b);
      }
      each(count);
    }
  };
  sweep(true, (count) => w.gemm_tn(y * 8, Jp, r * 8, Kp, acc * 8, count, Jp, Kp));
  const nk = Float64Array.from({ length: K }, (_, u) => h[acc + (J - 1) * Kp + u]!);
  const mean = new Float64Array(K * D);
  for (let u = 0; u < K; u++) for (let d = 0; d < D; d++) mean[u * D + d] = h[g + d]! + h[acc + d * Kp + u]! / nk[u]!;
  if (!full) {
    const scatter = new Float64Array(K * D);
    for (let u = 0; u < K; u++) {
      for (let d = 0; d < D; d++) {
        const s1 = h[acc + d * Kp + u]!;
        scatter[u * D + d] = Math.max(0, h[acc + (D2 + d) * Kp + u]! - (s1 * s1) / nk[u]!);
      }
    }
    return { nk, mean, scatter, skipped: Int32Array.from(skipped) };
  }
  // Second sweep: the scatter around the exact new means, as the reference computes it.
  const live = Array.from({ length: K }, (_, u) => u).filter((u) => nk[u]! > 0);
  for (const u of live) h.set(mean.subarray(u * D, (u + 1) * D), mu + u * Dp);
  sweep(false, (count) => {
    for (const u of live) w.scatter(y * 8, Jp, (mu + u * Dp) * 8, (r + u) * 8, Kp, dw * 8, (s + u * Dp * Dp) * 8, count, Dp);
  });
  const scatter = new Float64Array(K * D * D);
  for (const u of live) {
    for (let a = 0; a < D; a++) {
      for (let b = 0; b <= a; b++) {
        const v = h[s + u * Dp * Dp + a * Dp + b]!;
        scatter[u * D * D + a * D + b] = v;
        scatter[u * D * D + b * D + a] = v;
      }
    }
  }
  return { nk, mean, scatter, skipped: Int32Array.from(skipped) };
}

export const gaussianKernels: NormalKernels = { name: 'wasm-simd-f64', diagLogDensity, fullLogDensity, stats };
