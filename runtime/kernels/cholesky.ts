// Dense float64 Cholesky for Gaussian processes: A = L L^T in place on a row-major n x n
// Float64Array (lower triangle read, L written there, upper triangle zeroed), blocked
// right-looking with panel width `block`. Where WebAssembly SIMD exists (cholesky-engine.ts),
// the panel solve and the trailing update (nearly all the flops) run in wasm f64x2 kernels
// (FMA where relaxed SIMD is available) on a padded copy, shared with worker threads when
// worker_threads and SharedArrayBuffer exist; else plain JS. The triangular solves likewise.
// A non-positive pivot is reported, not thrown. cholesky-ref.ts holds the textbook references.
import { choleskyWasm, defaultThreads, engineStats, solveWasm, warmCholeskyThreads, type EngineStats } from './cholesky-engine.js';

export { warmCholeskyThreads };
export type { EngineStats as CholeskyEngineStats };

export interface CholeskyInfo {
  readonly ok: boolean;
  /** The first index whose pivot was not positive (or NaN); -1 when ok. The matrix is then partly overwritten. */
  readonly pivot: number;
}

export interface CholeskyOptions {
  /** Panel width; 64 measured best on the 2-core machine for n = 2000 (the wasm path rounds it up to a multiple of 4). */
  readonly block?: number;
  /** false forces the plain JS path. */
  readonly wasm?: boolean;
  /**
   * Threads (the calling one included) for the wasm path: default PMIX_THREADS or every core,
   * for n >= 2 * block. Worker threads start on first use (that call runs on one thread; see
   * warmCholeskyThreads); without worker_threads or SharedArrayBuffer (browsers) it is 1.
   */
  readonly threads?: number;
}

export interface SolveOptions {
  /** false forces the plain JS path. */
  readonly wasm?: boolean;
  /** Threads for the wasm path (used when k > 4 and n >= 256): default as for cholesky. */
  readonly threads?: number;
}

type Update = (k0: number, kb: number, i0: number) => void;

/** Threads, FMA and shared memory of the wasm path, as used by its last call. */
export function choleskyStats(): EngineStats {
  return engineStats();
}

export function cholesky(a: Float64Array, n: number, opts: CholeskyOptions = {}): CholeskyInfo {
  const nb = Math.max(2, (opts.block ?? 64) & ~1);
  if (opts.wasm !== false && n > nb) {
    const nbw = Math.max(4, Math.ceil(nb / 4) * 4);
    const threads = opts.threads ?? defaultThreads();
    let r = choleskyWasm(a, n, nbw, threads);
    if (r && !r.done) r = choleskyWasm(a, n, nbw, 1);
    if (r?.done) return r.pivot < 0 ? { ok: true, pivot: -1 } : { ok: false, pivot: r.pivot };
  }
  const info = factor(a, n, n, nb, (k0, kb, i0) => updateJs(a, n, k0, kb, i0));
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return info;
}

/** Blocked right-looking factorization of m (row stride s); the trailing update is `update`. */
function factor(m: Float64Array, n: number, s: number, nb: number, update: Update): CholeskyInfo {
  for (let k0 = 0; k0 < n; k0 += nb) {
    const k1 = Math.min(n, k0 + nb);
    // Diagonal block, unblocked (left-looking within the block).
    for (let c = k0; c < k1; c++) {
      let d = m[c * s + c]!;
      for (let l = k0; l < c; l++) d -= m[c * s + l]! * m[c * s + l]!;
      if (!(d > 0)) return { ok: false, pivot: c };
      m[c * s + c] = Math.sqrt(d);
      for (let r = c + 1; r < k1; r++) {
        let t = m[r * s + c]!;
        for (let l = k0; l < c; l++) t -= m[r * s + l]! * m[c * s + l]!;
        m[r * s + c] = t / m[c * s + c]!;
      }
    }
    // Panel below it: rows solved against L11^T, two rows at a time.
    let r = k1;
    for (; r + 1 < n; r += 2) {
      const r0 = r * s;
      const r1 = r0 + s;
      for (let c = k0; c < k1; c++) {
        const cc = c * s;
        let t0 = m[r0 + c]!;
        let t1 = m[r1 + c]!;
        for (let l = k0; l < c; l++) {
          const lv = m[cc + l]!;
          t0 -= m[r0 + l]! * lv;
          t1 -= m[r1 + l]! * lv;
        }
        m[r0 + c] = t0 / m[cc + c]!;
        m[r1 + c] = t1 / m[cc + c]!;
      }
    }
    for (; r < n; r++) {
      for (let c = k0; c < k1; c++) {
        let t = m[r * s + c]!;
        for (let l = k0; l < c; l++) t -= m[r * s + l]! * m[c * s + l]!;
        m[r * s + c] = t / m[c * s + c]!;
      }
    }
    if (k1 < n) update(k0, k1 - k0, k1);
  }
  return { ok: true, pivot: -1 };
}

/** Plain JS trailing update: A[i, j] -= A[i, k0:k0+kb] . A[j, k0:k0+kb] for i0 <= j <= i. */
function updateJs(m: Float64Array, n: number, k0: number, kb: number, i0: number): void {
  for (let i = i0; i < n; i++) {
    const ri = i * n + k0;
    let j = i0;
    for (; j + 3 <= i; j += 4) {
      const a0 = j * n + k0, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let l = 0; l < kb; l++) {
        const x = m[ri + l]!;
        s0 += x * m[a0 + l]!;
        s1 += x * m[a1 + l]!;
        s2 += x * m[a2 + l]!;
        s3 += x * m[a3 + l]!;
      }
      m[i * n + j] -= s0;
      m[i * n + j + 1] -= s1;
      m[i * n + j + 2] -= s2;
      m[i * n + j + 3] -= s3;
    }
    for (; j <= i; j++) {
      let t = 0;
      for (let l = 0; l < kb; l++) t += m[ri + l]! * m[j * n + k0 + l]!;
      m[i * n + j] -= t;
    }
  }
}

/** Solves L X = B in place for the n x k row-major right-hand sides B (L from cholesky). */
export function solveLower(l: Float64Array, n: number, b: Float64Array, k: number, opts: SolveOptions = {}): void {
  if (opts.wasm !== false && n >= 32 && solveWasm(l, n, b, k, false, opts.threads ?? defaultThreads())) return;
  for (let i = 0; i < n; i++) {
    const bi = i * k;
    let j = 0;
    for (; j + 4 <= i; j += 4) {
      const l0 = l[i * n + j]!, l1 = l[i * n + j + 1]!, l2 = l[i * n + j + 2]!, l3 = l[i * n + j + 3]!;
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      for (let c = 0; c < k; c++) b[bi + c] -= l0 * b[b0 + c]! + l1 * b[b1 + c]! + l2 * b[b2 + c]! + l3 * b[b3 + c]!;
    }
    for (; j < i; j++) {
      const lj = l[i * n + j]!;
      for (let c = 0; c < k; c++) b[bi + c] -= lj * b[j * k + c]!;
    }
    const d = 1 / l[i * n + i]!;
    for (let c = 0; c < k; c++) b[bi + c] *= d;
  }
}

/** Solves L^T X = B in place for the n x k row-major right-hand sides B. */
export function solveLowerT(l: Float64Array, n: number, b: Float64Array, k: number, opts: SolveOptions = {}): void {
  if (opts.wasm !== false && n >= 32 && solveWasm(l, n, b, k, true, opts.threads ?? defaultThreads())) return;
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * k;
    let j = i + 1;
    for (; j + 4 <= n; j += 4) {
      const l0 = l[j * n + i]!, l1 = l[(j + 1) * n + i]!, l2 = l[(j + 2) * n + i]!, l3 = l[(j + 3) * n + i]!;
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      for (let c = 0; c < k; c++) b[bi + c] -= l0 * b[b0 + c]! + l1 * b[b1 + c]! + l2 * b[b2 + c]! + l3 * b[b3 + c]!;
    }
    for (; j < n; j++) {
      const lj = l[j * n + i]!;
      for (let c = 0; c < k; c++) b[bi + c] -= lj * b[j * k + c]!;
    }
    const d = 1 / l[i * n + i]!;
    for (let c = 0; c < k; c++) b[bi + c] *= d;
  }
}

/** log det A = 2 sum log L_ii. */
export function logDetChol(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}
