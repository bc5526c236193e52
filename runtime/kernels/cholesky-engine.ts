// The WebAssembly side of cholesky.ts: one memory (shared, when worker_threads and
// SharedArrayBuffer exist), the kernels of cholesky-wasm.ts instantiated on it, and a pool
// of worker threads that share the trailing update, the panel solve and multi-column
// triangular solves with the calling thread (protocol in cholesky-threads.ts). The calling
// thread does the serial part (each diagonal block, in JS) and the copies in and out.
import { cholModule, fmaAvailable, MAX_PAGES, type CholExports } from './cholesky-wasm.js';
import { C, colRange, CTL_BYTES, KIND_BWD, KIND_CHOL, KIND_FWD, SPIN, TRSM_CHUNK, WORKER_SRC } from './cholesky-threads.js';
import { getBuiltin } from './host-builtin.js';
import { defaultThreads } from './default-threads.js';

type WorkerThreads = typeof import('node:worker_threads');

interface PoolWorker {
  readonly port: import('node:worker_threads').MessagePort;
  readonly sent: Set<number>;
  dead: boolean;
}

interface Engine {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly ctl: Int32Array;
  readonly kernels: Map<number, CholExports>;
  readonly workers: PoolWorker[];
  /** Workers that joined the last job (the next one waits until they have left it). */
  pending: number;
}

export interface EngineStats {
  /** Threads (the calling one included) that did the last wasm factorization or solve. */
  readonly threads: number;
  /** Whether the kernels use f64x2.relaxed_madd (FMA). */
  readonly fma: boolean;
  /** Whether the memory is shared (worker threads possible). */
  readonly shared: boolean;
}

let engine: Engine | null | undefined;
let lastThreads = 1;
let joinWaitMs = 0;
/** The most a big solve job waits for ready workers to join (see solveJob). */
const SOLVE_JOIN_WAIT_MS = 2;

/**
 * For tests: each threaded call waits up to `ms` for its workers to join (normally it goes on
 * at once with whichever workers woke in time, so small calls often run on one thread).
 */
export function setJoinWait(ms: number): void {
  joinWaitMs = ms;
}

function makeEngine(): Engine | null {
  const wt = getBuiltin<WorkerThreads>('node:worker_threads');
  if (wt && typeof SharedArrayBuffer === 'function') {
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      return { memory, shared: true, ctl: new Int32Array(memory.buffer, 0, CTL_BYTES / 4), kernels: new Map(), workers: [], pending: 0 };
    } catch {
      // no shared memory here (e.g. a browser page without cross-origin isolation)
    }
  }
  try {
    const memory = new WebAssembly.Memory({ initial: 1 });
    return { memory, shared: false, ctl: new Int32Array(CTL_BYTES / 4), kernels: new Map(), workers: [], pending: 0 };
  } catch {
    return null;
  }
}

function getEngine(): Engine | null {
  if (engine === undefined) engine = makeEngine();
  return engine;
}

/** The kernels for panel width nb on the engine's memory, grown to `bytes`; null to use JS. */
function kernels(e: Engine, nb: number, bytes: number): CholExports | null {
  const have = e.memory.buffer.byteLength;
  if (have < bytes) {
    try {
      e.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return null;
    }
  }
  let ex = e.kernels.get(nb);
  if (!ex) {
    const mod = cholModule(nb, e.shared);
    if (!mod) return null;
    ex = new WebAssembly.Instance(mod, { env: { mem: e.memory } }).exports as unknown as CholExports;
    e.kernels.set(nb, ex);
  }
  return ex;
}

export { defaultThreads } from './default-threads.js';

/** Starts workers until the pool has threads - 1 of them (no-op without worker_threads). */
function spawn(e: Engine, threads: number): void {
  if (!e.shared) return;
  const wt = getBuiltin<WorkerThreads>('node:worker_threads');
  if (!wt) return;
  const want = Math.min(15, threads - 1);
  while (e.workers.filter((w) => !w.dead).length < want) {
    try {
      const { port1, port2 } = new wt.MessageChannel();
      const w = new wt.Worker(WORKER_SRC, { eval: true, workerData: { memory: e.memory, port: port2 }, transferList: [port2] });
      const pw: PoolWorker = { port: port1, sent: new Set(), dead: false };
      w.on('error', () => (pw.dead = true));
      w.on('exit', () => (pw.dead = true));
      w.unref();
      port1.unref();
      e.workers.push(pw);
    } catch {
      return;
    }
  }
}

/**
 * Starts the worker threads now and resolves, with the number running, once they are ready
 * (or after timeoutMs). Optional: cholesky() starts them itself on first use, and the call
 * that does runs on one thread.
 */
export async function warmCholeskyThreads(threads = defaultThreads(), timeoutMs = 5000): Promise<number> {
  const e = getEngine();
  if (!e || !e.shared || threads <= 1) return 0;
  spawn(e, threads);
  const live = (): number => e.workers.filter((w) => !w.dead).length;
  const t0 = Date.now();
  while (Atomics.load(e.ctl, C.READY) < live() && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 2));
  return Math.min(live(), Atomics.load(e.ctl, C.READY));
}

export function engineStats(): EngineStats {
  return { threads: lastThreads, fma: fmaAvailable(), shared: !!getEngine()?.shared };
}

function waitGE(ctl: Int32Array, idx: number, target: number): void {
  for (let s = 0; s < SPIN && Atomics.load(ctl, idx) < target; s++);
  for (let v; (v = Atomics.load(ctl, idx)) < target; ) Atomics.wait(ctl, idx, v, 1000);
}

/** A job with the pool: open() before the caller's setup, close() when the threads are fixed. */
class Job {
  private rel = 0;
  private arrivals = 0;
  workers = 0;
  constructor(
    private readonly e: Engine | null,
    private readonly ex: CholExports,
  ) {}
  get threaded(): boolean {
    return this.e !== null;
  }
  static open(e: Engine, ex: CholExports, threads: number, nb: number, params: Partial<Record<keyof typeof C, number>>): Job {
    if (!e.shared || threads <= 1) return new Job(null, ex);
    spawn(e, threads);
    const live = e.workers.filter((w) => !w.dead);
    if (Atomics.load(e.ctl, C.READY) === 0 || live.length === 0) return new Job(null, ex);
    const mod = cholModule(nb, true);
    for (const w of live) {
      if (mod && !w.sent.has(nb)) {
        w.port.postMessage({ nb, module: mod });
        w.sent.add(nb);
      }
    }
    const ctl = e.ctl;
    if (e.pending > 0) waitGE(ctl, C.LEFT, e.pending);
    e.pending = 0;
    for (const [k, v] of Object.entries(params)) ctl[C[k as keyof typeof C]] = v!;
    ctl[C.NB] = nb;
    ctl[C.MAXJ] = threads - 1;
    for (const k of [C.ARR, C.REL, C.WORK, C.STOP, C.ERR, C.TT, C.LEFT]) Atomics.store(ctl, k, 0);
    Atomics.store(ctl, C.JOIN, 0);
    Atomics.add(ctl, C.GEN, 1);
    Atomics.notify(ctl, C.GEN);
    return new Job(e, ex);
  }
  /**
   * Closes the join window, after waiting up to waitMs for the ready workers to join; returns
   * the participants (the caller included).
   */
  close(waitMs = joinWaitMs): number {
    if (!this.e) return 1;
    const ctl = this.e.ctl;
    if (waitMs > 0) {
      const want = Math.min(ctl[C.MAXJ]!, Atomics.load(ctl, C.READY));
      const t0 = performance.now();
      while (Atomics.load(ctl, C.JOIN) < want && performance.now() - t0 < waitMs);
    }
    this.workers = Math.max(0, Atomics.exchange(ctl, C.JOIN, -1));
    this.e.pending = this.workers;
    Atomics.store(this.e.ctl, C.TT, this.workers + 1);
    return this.workers + 1;
  }
  release(stop = false): void {
    if (!this.e) return;
    const ctl = this.e.ctl;
    if (stop) Atomics.store(ctl, C.STOP, 1);
    Atomics.store(ctl, C.WORK, 0);
    Atomics.store(ctl, C.REL, ++this.rel);
    Atomics.notify(ctl, C.REL);
  }
  gather(): void {
    if (!this.e) return;
    waitGE(this.e.ctl, C.ARR, this.workers * ++this.arrivals);
  }
  /** Items [0, total) in chunks: all of them without threads, else those this thread grabs. */
  grab(total: number, chunk: number, f: (s: number, t: number) => void): void {
    if (!this.e) {
      if (total > 0) f(0, total);
      return;
    }
    for (;;) {
      const s = Atomics.add(this.e.ctl, C.WORK, chunk);
      if (s >= total) return;
      f(s, Math.min(total, s + chunk));
    }
  }
  get failed(): boolean {
    return !!this.e && Atomics.load(this.e.ctl, C.ERR) !== 0;
  }
}

export interface WasmCholResult {
  readonly pivot: number;
  /** false: a worker failed; the input is untouched and the caller should redo it. */
  readonly done: boolean;
}

/**
 * Factors the row-major n x n `a` in place (lower triangle read; L written there and zeros
 * above), panel width nb (a multiple of 4) on up to `threads` threads. null: no wasm here.
 */
export function choleskyWasm(a: Float64Array, n: number, nb: number, threads: number): WasmCholResult | null {
  const e = getEngine();
  if (!e) return null;
  const np = Math.ceil(n / 4) * 4;
  const A = CTL_BYTES;
  const P = A + np * np * 8;
  const L = P + np * nb * 8;
  const INV = L + nb * nb * 8;
  const ex = kernels(e, nb, INV + nb * 8);
  if (!ex) return null;
  const job = Job.open(e, ex, n >= 2 * nb ? threads : 1, nb, { KIND: KIND_CHOL, N: n, NP: np, A, P, L, INV });
  const m = new Float64Array(e.memory.buffer);
  const a0 = A / 8;
  for (let i = 0; i < n; i++) m.set(a.subarray(i * n, i * n + i + 1), a0 + i * np);
  m.fill(0, a0 + n * np, a0 + np * np);
  let pivot = diagBlock(m, a0, np, 0, Math.min(nb, n), L / 8, INV / 8, nb);
  lastThreads = job.close();
  job.release(pivot >= 0);
  if (pivot < 0) {
    for (let k0 = 0; k0 + nb < n; k0 += nb) {
      const k1 = k0 + nb;
      const nrb = (n - k1 + 3) >> 2;
      job.grab(nrb, job.threaded ? TRSM_CHUNK : nrb, (r0, r1) => ex.trsm(A, np, P, L, INV, k0, r0, r1));
      job.gather();
      job.release();
      job.grab(nrb, 1, (r0, r1) => ex.syrk(A, np, P, k1, nrb - r1, nrb - r0));
      job.gather();
      pivot = diagBlock(m, a0, np, k1, Math.min(k1 + nb, n), L / 8, INV / 8, nb);
      if (k1 + nb >= n) break;
      job.release(pivot >= 0);
      if (pivot >= 0) break;
    }
  }
  if (job.failed) return { pivot: -1, done: false };
  for (let i = 0; i < n; i++) {
    a.set(m.subarray(a0 + i * np, a0 + i * np + i + 1), i * n);
    a.fill(0, i * n + i + 1, (i + 1) * n);
  }
  return { pivot, done: true };
}

/**
 * Unblocked factorization of the diagonal block rows/columns [k0, k1) of m (stride s, from
 * offset o), which the trailing updates have brought up to date; then, for a full block,
 * L11 packed for trsm (zeros on and above the diagonal) and 1 / diag. Returns the first
 * non-positive pivot, or -1.
 */
function diagBlock(m: Float64Array, o: number, s: number, k0: number, k1: number, l11: number, inv: number, nb: number): number {
  for (let c = k0; c < k1; c++) {
    const rc = o + c * s;
    let d = m[rc + c]!;
    for (let l = k0; l < c; l++) d -= m[rc + l]! * m[rc + l]!;
    if (!(d > 0)) return c;
    const dc = Math.sqrt(d);
    m[rc + c] = dc;
    for (let r = c + 1; r < k1; r++) {
      const rr = o + r * s;
      let t = m[rr + c]!;
      for (let l = k0; l < c; l++) t -= m[rr + l]! * m[rc + l]!;
      m[rr + c] = t / dc;
    }
  }
  if (k1 - k0 === nb) {
    for (let c = 0; c < nb; c++) {
      const rc = o + (k0 + c) * s + k0;
      for (let l = 0; l < nb; l++) m[l11 + c * nb + l] = l < c ? m[rc + l]! : 0;
      m[inv + c] = 1 / m[rc + c]!;
    }
  }
  return -1;
}

/** Panel width whose compiled kernels the solves use: any works, they do not depend on it. */
const SOLVE_NB = 64;

/** Byte offsets into the engine's memory of one solve's operands (see cholesky-wasm.ts, fwd / bwd). */
export interface SolveOperands {
  /** L's first row (of the rows solved), stride NP values. */
  readonly L: number;
  readonly NP: number;
  /** The right-hand sides: NR rows of KP values (KP a multiple of 4). */
  readonly B: number;
  readonly KP: number;
  /** 1 / diag(L) for the rows solved. */
  readonly INV: number;
  /** Rows solved: a multiple of 4, at most NP. */
  readonly NR: number;
  /** 1: B is stored column block by column block (block cb: NR rows of 4 values at B + cb NR 32 bytes). */
  readonly CBM?: number;
}

/** The engine's memory (grown to `bytes`) for callers that lay out their own solves, or null (no wasm). */
export interface SolveEngine {
  /** A view of the whole memory (take it again after solveEngine grows it). */
  view(): Float64Array;
  /** L X = B or L^T X = B in place on operands already in memory; false if a worker failed. */
  solve(o: SolveOperands, back: boolean, threads: number): boolean;
}

export function solveEngine(bytes: number): SolveEngine | null {
  const e = getEngine();
  if (!e) return null;
  const ex = kernels(e, SOLVE_NB, bytes);
  if (!ex) return null;
  return { view: () => new Float64Array(e.memory.buffer), solve: (o, back, threads) => solveJob(e, ex, o, back, threads, () => {}) };
}

/** One solve on the pool; `setup` (the copies in) runs while the workers wake. */
function solveJob(e: Engine, ex: CholExports, o: SolveOperands, back: boolean, threads: number, setup: () => void): boolean {
  const ncb = o.KP / 4;
  const job = Job.open(e, ex, ncb >= 2 && o.NR >= 256 ? Math.min(threads, ncb) : 1, SOLVE_NB, { KIND: back ? KIND_BWD : KIND_FWD, N: o.NR, NCB: ncb, ...o, CBM: o.CBM ?? 0 });
  setup();
  // A solve job has no setup to hide the workers' wake-up (tens of microseconds from
  // Atomics.wait): without a wait the caller closed the window first and ran big solves (the
  // GP's inverse: ~25 ms per block at n = 2,000) alone. Wait up to SOLVE_JOIN_WAIT_MS for
  // jobs of at least ~1 ms of work.
  const tt = job.close(o.NR * o.NR * o.KP >= 2e7 ? Math.max(joinWaitMs, SOLVE_JOIN_WAIT_MS) : joinWaitMs);
  lastThreads = tt;
  job.release();
  const run = o.CBM ? (back ? ex.bwdc : ex.fwdc) : back ? ex.bwd : ex.fwd;
  job.grab(tt, 1, (s) => {
    const [c0, c1] = colRange(ncb, s, tt);
    if (c1 > c0) run(o.L, o.NP, o.B, o.KP, o.INV, c0, c1, o.NR);
  });
  job.gather();
  return !job.failed;
}

/**
 * Solves L X = B (back = false) or L^T X = B (back = true) in place on the n x k row-major
 * b, L lower triangular from cholesky. false: no wasm here (or a worker failed; b untouched).
 */
export function solveWasm(l: Float64Array, n: number, b: Float64Array, k: number, back: boolean, threads: number): boolean {
  const e = getEngine();
  if (!e) return false;
  const np = Math.ceil(n / 4) * 4;
  const kp = Math.ceil(k / 4) * 4;
  const Lw = CTL_BYTES;
  const B = Lw + np * np * 8;
  const INV = B + np * kp * 8;
  const ex = kernels(e, SOLVE_NB, INV + np * 8);
  if (!ex) return false;
  const m = new Float64Array(e.memory.buffer);
  const ok = solveJob(e, ex, { L: Lw, NP: np, B, KP: kp, INV, NR: np }, back, threads, () => {
    const l0 = Lw / 8;
    for (let i = 0; i < n; i++) m.set(l.subarray(i * n, i * n + i + 1), l0 + i * np);
    m.fill(0, l0 + n * np, l0 + np * np);
    const b0 = B / 8;
    if (kp === k) m.set(b, b0);
    else {
      for (let i = 0; i < n; i++) {
        m.set(b.subarray(i * k, (i + 1) * k), b0 + i * kp);
        m.fill(0, b0 + i * kp + k, b0 + (i + 1) * kp);
      }
    }
    m.fill(0, b0 + n * kp, b0 + np * kp);
    const inv0 = INV / 8;
    for (let i = 0; i < n; i++) m[inv0 + i] = 1 / l[i * n + i]!;
    m.fill(1, inv0 + n, inv0 + np);
  });
  if (!ok) return false;
  const b0 = B / 8;
  if (kp === k) b.set(m.subarray(b0, b0 + n * k));
  else for (let i = 0; i < n; i++) b.set(m.subarray(b0 + i * kp, b0 + i * kp + k), i * k);
  return true;
}
