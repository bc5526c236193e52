// The fused E-step of a diagonal Gaussian mixture (gmm-diag-wasm.ts) over all rows, with the
// statistics the M-step needs: per row the log-likelihood, per component the weighted count,
// mean and diagonal scatter. The data and row weights are copied into wasm memory once per
// owner (one EM run) and stay there across iterations. With worker_threads and
// SharedArrayBuffer the memory is shared and the rows are split across up to `threads`
// threads (gmm-diag-threads.ts); the calling thread always takes part, so the pool is optional.
// Results depend on the thread count by rounding only (the slots' sums are added in a fixed order).
import type { StatsOut } from '../../stdlib/distributions/index.js';
import { getBuiltin } from './host-builtin.js';
import { defaultThreads } from './default-threads.js';
import { BLOCK, gmmDiagModule, type GmmDiagExports } from './gmm-diag-wasm.js';
import { CTL_BYTES, help, W, WORKER_SRC } from './gmm-diag-threads.js';

type WorkerThreads = typeof import('node:worker_threads');

/**
 * Below this many rows per thread the E-step stays on the calling thread: waking a worker and
 * reducing its statistics costs about what 4,096 rows (K = 32, D = 16) take.
 */
export const MIN_ROWS_PER_THREAD = 8192;
let minRows = MIN_ROWS_PER_THREAD;

/** For measurements (bench/gmm-threads-breakeven.mjs): the rows per thread below which fewer threads are used. */
export function setMinRowsPerThread(rows: number = MIN_ROWS_PER_THREAD): void {
  minRows = Math.max(1, rows);
}

interface Engine {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly module: WebAssembly.Module;
  readonly ex: GmmDiagExports;
  readonly ctl: Int32Array;
  workers: { dead: boolean }[];
  /** Whose rows are in memory (an EM run's token), and their shape. */
  loaded: { owner: object; n: number; d: number; bytes: number } | null;
  gen: number;
}

let engine: Engine | null | undefined;
let lastThreads = 1;

function makeEngine(): Engine | null {
  const wt = getBuiltin<WorkerThreads>('node:worker_threads');
  for (const shared of wt && typeof SharedArrayBuffer === 'function' ? [true, false] : [false]) {
    try {
      const module = gmmDiagModule(shared);
      if (!module) return null;
      const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true }) : new WebAssembly.Memory({ initial: 1 });
      const ex = new WebAssembly.Instance(module, { env: { mem: memory } }).exports as unknown as GmmDiagExports;
      return { memory, shared, module, ex, ctl: new Int32Array(memory.buffer, 0, CTL_BYTES / 4), workers: [], loaded: null, gen: 0 };
    } catch {
      // no shared memory here (e.g. a browser page without cross-origin isolation): try unshared
    }
  }
  return null;
}

/** The default number of threads: PMIX_THREADS, else every core. */
export const gmmThreads = defaultThreads;

/** Threads (the calling one included) of the last fused E-step. */
export function gmmLastThreads(): number {
  return lastThreads;
}

function spawn(e: Engine, threads: number): void {
  if (!e.shared) return;
  const wt = getBuiltin<WorkerThreads>('node:worker_threads');
  if (!wt) return;
  const want = Math.min(15, threads - 1);
  while (e.workers.filter((w) => !w.dead).length < want) {
    try {
      const w = new wt.Worker(WORKER_SRC, { eval: true, workerData: { memory: e.memory, module: e.module, block: BLOCK } });
      const pw = { dead: false };
      w.on('error', () => (pw.dead = true));
      w.on('exit', () => (pw.dead = true));
      w.unref();
      e.workers.push(pw);
    } catch {
      return;
    }
  }
}

/**
 * Starts the worker threads now and resolves, with the number ready, once they are (or after
 * timeoutMs). Optional: the first threaded E-step starts them, and runs without them until they are.
 */
export async function warmGmmThreads(threads = gmmThreads(), timeoutMs = 5000): Promise<number> {
  const e = getEngine();
  if (!e || !e.shared || threads <= 1) return 0;
  spawn(e, threads);
  const live = (): number => e.workers.filter((w) => !w.dead).length;
  const t0 = Date.now();
  while (Atomics.load(e.ctl, W.READY) < live() && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 2));
  return Math.min(live(), Atomics.load(e.ctl, W.READY));
}

function getEngine(): Engine | null {
  if (engine === undefined) engine = makeEngine();
  return engine;
}

const up = (x: number, m: number): number => Math.ceil(x / m) * m;

export interface DiagEStepInput {
  /** Identifies the rows: x and rw are copied in only when it changes. */
  readonly owner: object;
  readonly x: Float64Array;
  readonly rw: Float64Array;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** K x D means and precisions (1 / variance), K constants c[u] + log w[u]. */
  readonly mean: Float64Array;
  readonly prec: Float64Array;
  readonly c: Float64Array;
}

export interface DiagEStepOut {
  /** Per-row log-likelihood (-Infinity where every component has zero density). */
  readonly ll: Float64Array;
  /** Statistics of the weighted responsibilities (the diagonal scatter K x D). */
  readonly stats: StatsOut;
  readonly threads: number;
}

/** One fused E-step on up to `threads` threads; null without wasm SIMD, out of memory, or when a worker failed. */
export function gmmDiagEStep(job: DiagEStepInput, threads: number): DiagEStepOut | null {
  const e = getEngine();
  if (!e) return null;
  const { n, d, k } = job;
  const kp = up(k, 4);
  const jp = up(2 * d + 1, 4);
  const total = Math.max(1, Math.min(threads, 64, Math.floor(n / minRows)));
  // Layout (bytes): control | x ((n + 1) x d: diag_ld may read the row after an odd block) | rw | m | s | mu | p | c | g | slots.
  const r16 = (b: number): number => up(b, 16);
  const X = CTL_BYTES;
  const RW = X + r16((n + 1) * d * 8);
  const M = RW + r16(n * 8);
  const S = M + r16(n * 8);
  const MU = S + r16(n * 8);
  const P = MU + d * kp * 8;
  const C = P + d * kp * 8;
  const G = C + kp * 8;
  const SLOT0 = G + r16(d * 8);
  const YOFF = BLOCK * kp * 8;
  const ACCOFF = YOFF + BLOCK * jp * 8;
  const STRIDE = ACCOFF + jp * kp * 8 + 16; // + the i32 count of non-zero unit groups
  const bytes = SLOT0 + total * STRIDE;
  try {
    const have = e.memory.buffer.byteLength;
    if (have < bytes) e.memory.grow(Math.ceil((bytes - have) / 65536));
  } catch {
    return null;
  }
  let h = new Float64Array(e.memory.buffer);
  const L = e.loaded;
  if (!L || L.owner !== job.owner || L.n !== n || L.d !== d || L.bytes !== RW) {
    h.set(job.x.subarray(0, n * d), X / 8);
    h.fill(0, X / 8 + n * d, RW / 8);
    h.set(job.rw.subarray(0, n), RW / 8);
    // A centre near the data keeps sum r (x - g)^2 free of cancellation (as gaussian-kernels.ts).
    const seen = new Float64Array(d);
    const g = new Float64Array(d);
    for (let i = 0; i < Math.min(n, 1024); i++) for (let a = 0; a < d; a++) (g[a] += job.x[i * d + a]!), seen[a]++;
    for (let a = 0; a < d; a++) h[G / 8 + a] = seen[a]! > 0 ? g[a]! / seen[a]! : 0;
    e.loaded = { owner: job.owner, n, d, bytes: RW };
  }
  for (let u = 0; u < kp; u++) {
    for (let a = 0; a < d; a++) {
      h[MU / 8 + a * kp + u] = u < k ? job.mean[u * d + a]! : 0;
      h[P / 8 + a * kp + u] = u < k ? -0.5 * job.prec[u * d + a]! : 0;
    }
    h[C / 8 + u] = u < k ? job.c[u]! : -Infinity;
  }
  const ctl = e.ctl;
  const words: [number, number][] = [[W.X, X], [W.RW, RW], [W.MU, MU], [W.P, P], [W.C, C], [W.G, G], [W.M, M], [W.S, S], [W.SLOT0, SLOT0], [W.STRIDE, STRIDE], [W.YOFF, YOFF], [W.ACCOFF, ACCOFF], [W.N, n], [W.D, d], [W.KP, kp], [W.JP, jp]];
  for (const [i, val] of words) Atomics.store(ctl, i, val);
  Atomics.store(ctl, W.DONE, 0);
  Atomics.store(ctl, W.ERR, 0);
  let failed = false;
  if (total > 1) spawn(e, total);
  e.gen = (e.gen + 1) & 0xffff;
  Atomics.store(ctl, W.WORK, (e.gen << 16) | (total << 8));
  if (total > 1 && e.shared) {
    Atomics.add(ctl, W.GEN, 1);
    Atomics.notify(ctl, W.GEN);
  }
  const mine = help(e.ex, e.memory, ctl, BLOCK, () => (failed = true));
  for (let s = 0; s < 4000 && Atomics.load(ctl, W.DONE) < total; s++);
  for (let dn; (dn = Atomics.load(ctl, W.DONE)) < total; ) Atomics.wait(ctl, W.DONE, dn, 1000);
  if (failed || Atomics.load(ctl, W.ERR) !== 0) return null;
  // Threads that ran slots: the caller, and at most one worker per slot it left.
  lastThreads = Math.min(total, 1 + total - mine);
  h = new Float64Array(e.memory.buffer);
  const ll = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = h[M / 8 + i]!;
    ll[i] = Number.isFinite(m) ? m + Math.log(h[S / 8 + i]!) : m;
  }
  // The slots' accumulators (jp x kp: rows z, z^2, then the ones column's counts), in slot order.
  const acc = new Float64Array(jp * kp);
  for (let s = 0; s < total; s++) {
    const o = (SLOT0 + s * STRIDE + ACCOFF) / 8;
    for (let j = 0; j < acc.length; j++) acc[j] += h[o + j]!;
  }
  const nk = Float64Array.from({ length: k }, (_, u) => acc[2 * d * kp + u]!);
  const mean = new Float64Array(k * d);
  const scatter = new Float64Array(k * d);
  for (let u = 0; u < k; u++) {
    for (let a = 0; a < d; a++) {
      const s1 = acc[a * kp + u]!;
      mean[u * d + a] = h[G / 8 + a]! + s1 / nk[u]!;
      scatter[u * d + a] = Math.max(0, acc[(d + a) * kp + u]! - (s1 * s1) / nk[u]!);
    }
  }
  return { ll, stats: { nk, mean, scatter, skipped: new Int32Array(0) }, threads: lastThreads };
}
