// Forward and backward passes of circuits split by rows over worker threads (Node only). Every node's
// values and flows live in SharedArrayBuffers; participant t (the caller is 0) evaluates rows
// [floor(n t / T), floor(n (t + 1) / T)) with the single-thread code on subarray views of
// them, so values and flows are those of one thread (bit for bit, but for the mixing kernel's
// row blocks). Edge counts are summed per participant and reduced in participant order (they
// differ from one thread's only in the order of the row sums). Workers (evaluate-worker.ts) import the built runtime; where they
// cannot (no worker_threads or SharedArrayBuffer, a browser, the TypeScript sources under a
// test runner) or a pass is small, the caller runs it alone. PMIX_THREADS sets T (default:
// every core); setEvaluateThreads overrides both.
import type { IRGraph } from '../ir/types.js';
import { defaultThreads } from './kernels/cholesky-engine.js';
import { getBuiltin } from './kernels/host-builtin.js';
import type { EdgeCounts, NodeValues } from './node-buffers.js';
import type { ModelState } from './state.js';
import { CTL_WORDS, W, WORKER_SRC } from './evaluate-worker.js';
import { accumulateLeafCounts, leafCountPlan, mergeLeafCounts, type LeafCountPlan, type LeafCountsRequest } from './leaf-counts.js';

type WorkerThreads = typeof import('node:worker_threads');
export type ForwardRows = (state: ModelState, x: Float64Array, n: number, reuse?: NodeValues, keep?: boolean) => NodeValues;
export type LogLikelihoodRows = (state: ModelState, x: Float64Array, n: number, out: Float64Array) => void;
export type BackwardRows = (state: ModelState, vals: NodeValues, n: number, rowWeights?: Float64Array, counts?: EdgeCounts, reuse?: NodeValues) => NodeValues;

interface PoolWorker {
  readonly port: import('node:worker_threads').MessagePort;
  /** Buffer keys the worker holds (it keeps those of its last job). */
  sent: Set<number>;
  graphKey: number;
}

interface Pool {
  readonly ctl: Int32Array;
  readonly workers: PoolWorker[];
}

let forced: number | undefined;
let minCells = 1 << 21;
let pool: Pool | null | undefined;
let lastThreads = 1;

/** Threads of the passes (the caller included); undefined returns to PMIX_THREADS / every core. `cells`: the smallest n x units split. */
export function setEvaluateThreads(threads: number | undefined, cells?: number): void {
  forced = threads;
  if (cells !== undefined) minCells = cells;
}

/** Threads that ran the last forward or backward pass (1 when the caller ran it alone). */
export function lastEvaluateThreads(): number {
  return lastThreads;
}

const WAIT_READY_MS = 20000;

function makePool(threads: number): Pool | null {
  const wt = getBuiltin<WorkerThreads>('node:worker_threads');
  // The workers import the built runtime next to this file; from the .ts sources they cannot.
  if (!wt || typeof SharedArrayBuffer !== 'function' || !import.meta.url.endsWith('.js')) return null;
  try {
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
    const evalUrl = new URL('./evaluate.js', import.meta.url).href;
    const stateUrl = new URL('./state.js', import.meta.url).href;
    const workers: PoolWorker[] = [];
    for (let k = 1; k < threads; k++) {
      const { port1, port2 } = new wt.MessageChannel();
      const w = new wt.Worker(WORKER_SRC, { eval: true, workerData: { ctlBuf: ctl.buffer, port: port2, evalUrl, stateUrl }, transferList: [port2] });
      w.unref();
      port1.unref();
      workers.push({ port: port1, sent: new Set(), graphKey: -1 });
    }
    // Block until every worker has imported the runtime (or failed): a pass then always has
    // the same participants, so results do not depend on start-up timing.
    // (Workers of a pool given up on stay blocked in Atomics.wait; they are unref'ed.)
    const t0 = Date.now();
    while (Atomics.load(ctl, W.READY) + Atomics.load(ctl, W.FAILED) < workers.length && Date.now() - t0 < WAIT_READY_MS) Atomics.wait(ctl, W.READY, Atomics.load(ctl, W.READY), 50);
    if (Atomics.load(ctl, W.READY) !== workers.length) return null;
    return { ctl, workers };
  } catch {
    return null;
  }
}

function threadsFor(state: ModelState, n: number): number {
  const T = forced ?? defaultThreads();
  if (T <= 1 || n < 2 * T) return 1;
  let units = 0;
  for (const nd of state.nodes) units += nd.units;
  return n * units >= minCells && eligible(state.graph) ? T : 1;
}

const eligibility = new WeakMap<IRGraph, boolean>();
/**
 * Circuits (a graph with a dense sum) of input, product, sum and mixing nodes only: families'
 * parts may hold state of their own, and mixtures keep their own kernels' threading.
 */
function eligible(g: IRGraph): boolean {
  let ok = eligibility.get(g);
  if (ok === undefined) eligibility.set(g, (ok = g.nodes.some((nd) => nd.kind === 'sum') && g.nodes.every((nd) => nd.kind === 'input' || nd.kind === 'product' || nd.kind === 'sum' || nd.kind === 'mixing')));
  return ok;
}

function getPool(T: number): Pool | null {
  if (pool === undefined || (pool && pool.workers.length < T - 1)) pool = makePool(T);
  return pool;
}

const keys = new WeakMap<SharedArrayBuffer, number>();
let nextKey = 1;
function keyOf(a: Float64Array): number {
  const b = a.buffer as SharedArrayBuffer;
  let k = keys.get(b);
  if (k === undefined) keys.set(b, (k = nextKey++));
  return k;
}
const isShared = (a: Float64Array): boolean => typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0;
function sharedArray(len: number, reuse?: Float64Array): Float64Array {
  return reuse && isShared(reuse) && reuse.length === len ? reuse : new Float64Array(new SharedArrayBuffer(len * 8));
}
let xShared: Float64Array = new Float64Array(0);
let rwShared: Float64Array = new Float64Array(0);
let countsShared: Float64Array = new Float64Array(0);
let leafShared: Float64Array = new Float64Array(0);
function scratch(cur: Float64Array, len: number): Float64Array {
  return isShared(cur) && cur.length >= len ? cur : new Float64Array(new SharedArrayBuffer(Math.max(len, 1) * 8));
}

const graphKeys = new WeakMap<IRGraph, number>();
let nextGraph = 1;

const bounds = (n: number, T: number, t: number): [number, number] => [Math.floor((n * t) / T), Math.floor((n * (t + 1)) / T)];
const views = (arrs: NodeValues, state: ModelState, lo: number, hi: number): NodeValues => new Map([...arrs].map(([id, a]) => [id, a.subarray(lo * state.node(id).units, hi * state.node(id).units)]));

interface Job {
  /** 'll': the root's values alone (logLikelihoodRows; `nodes` holds the root's array only). */
  kind: 'fwd' | 'bwd' | 'll';
  nodes: NodeValues;
  flows?: NodeValues;
  x?: Float64Array;
  v?: number;
  keep?: boolean;
  rw?: Float64Array;
  counts?: { arr: Float64Array; len: number; layout: [string, number][] };
  /** Level counts of discrete input layers: slot t of `arr` is participant t's (leaf-counts.ts). */
  leaf?: { arr: Float64Array; x: Float64Array; v: number; plan: LeafCountPlan };
}

/** Posts the job to every worker, runs participant 0's part, waits; returns the participants whose part threw. */
function dispatch(p: Pool, state: ModelState, n: number, T: number, job: Job, own: (lo: number, hi: number) => void): number[] {
  let gk = graphKeys.get(state.graph);
  if (gk === undefined) graphKeys.set(state.graph, (gk = nextGraph++));
  const names = [...state.values.keys()];
  let total = 0;
  for (const v of state.values.values()) total += v.length;
  const params = new Float64Array(total);
  let o = 0;
  for (const v of state.values.values()) {
    params.set(v, o);
    o += v.length;
  }
  const arrays: Float64Array[] = [...job.nodes.values(), ...(job.flows?.values() ?? []), ...[job.x, job.rw, job.counts?.arr, job.leaf?.arr, job.leaf?.x].filter((a): a is Float64Array => !!a)];
  const used = arrays.map(keyOf);
  const entry = (m: NodeValues): [string, number, number][] => [...m].map(([id, a]) => [id, keyOf(a), state.node(id).units]);
  const gen = Atomics.load(p.ctl, W.GEN) + 1;
  Atomics.store(p.ctl, W.DONE, 0);
  Atomics.store(p.ctl, W.ERR, 0);
  // The pool may hold more workers than this pass uses (an earlier pass asked for more): the rest sit it out.
  const parts = p.workers.slice(0, T - 1);
  parts.forEach((w, j) => {
    const t = j + 1;
    const [lo, hi] = bounds(n, T, t);
    const newBufs = arrays.filter((a, k) => !w.sent.has(used[k]!)).map((a) => [keyOf(a), a.buffer]);
    w.port.postMessage({
      gen,
      t,
      slot: j,
      kind: job.kind,
      lo,
      hi,
      graphKey: gk,
      graph: w.graphKey === gk ? undefined : state.graph,
      names,
      params,
      newBufs,
      keys: used,
      nodes: entry(job.nodes),
      flows: job.flows ? entry(job.flows) : [],
      x: job.x ? keyOf(job.x) : -1,
      v: job.v ?? 0,
      keep: job.keep ?? false,
      rw: job.rw ? keyOf(job.rw) : -1,
      counts: job.counts ? keyOf(job.counts.arr) : -1,
      countsLen: job.counts?.len ?? 0,
      countsLayout: job.counts?.layout ?? [],
      leaf: job.leaf ? { arr: keyOf(job.leaf.arr), x: keyOf(job.leaf.x), v: job.leaf.v, plan: job.leaf.plan } : null,
    });
    w.sent = new Set(used);
    w.graphKey = gk;
  });
  for (const w of p.workers.slice(T - 1)) w.port.postMessage({ gen, skip: true });
  Atomics.store(p.ctl, W.GEN, gen);
  Atomics.notify(p.ctl, W.GEN);
  const [lo0, hi0] = bounds(n, T, 0);
  own(lo0, hi0);
  for (let d; (d = Atomics.load(p.ctl, W.DONE)) < parts.length; ) Atomics.wait(p.ctl, W.DONE, d, 1000);
  const err = Atomics.load(p.ctl, W.ERR);
  const failed: number[] = [];
  parts.forEach((w, j) => {
    if (err & (1 << (j + 1))) {
      failed.push(j + 1);
      w.sent = new Set(); // resend everything next time
      w.graphKey = -1;
    }
  });
  return failed;
}

/** The forward pass on T threads, or undefined where it runs on one (the caller then does). */
export function threadedForward(state: ModelState, x: Float64Array, n: number, reuse: NodeValues | undefined, single: ForwardRows, keep = false): NodeValues | undefined {
  const T = threadsFor(state, n);
  const p = T > 1 ? getPool(T) : null;
  if (!p) {
    lastThreads = 1;
    return undefined;
  }
  const v = state.graph.vars.length;
  const vals: NodeValues = new Map();
  for (const nd of state.nodes) vals.set(nd.id, sharedArray(n * nd.units, reuse?.get(nd.id)));
  xShared = scratch(xShared, n * v);
  xShared.set(x.length === n * v ? x : x.subarray(0, n * v));
  const run = (lo: number, hi: number): void => {
    const vs = views(vals, state, lo, hi);
    for (const [id, a] of single(state, xShared.subarray(lo * v, hi * v), hi - lo, vs, keep)) if (a !== vs.get(id)) vs.get(id)?.set(a);
  };
  const failed = dispatch(p, state, n, T, { kind: 'fwd', nodes: vals, x: xShared, v, keep }, run);
  for (const t of failed) run(...bounds(n, T, t));
  lastThreads = T;
  return vals;
}

/**
 * log p(x_i) of every row on T threads (each runs `single`, the scaled-linear forward, on its
 * rows), into `out` where it is a shared array of the right length; undefined where it runs on one.
 */
export function threadedLogLikelihood(state: ModelState, x: Float64Array, n: number, out: Float64Array | undefined, single: LogLikelihoodRows): Float64Array | undefined {
  const T = threadsFor(state, n);
  const p = T > 1 ? getPool(T) : null;
  if (!p) {
    lastThreads = 1;
    return undefined;
  }
  const v = state.graph.vars.length;
  const root = state.graph.root;
  const U = state.node(root).units;
  const res = sharedArray(n * U, out);
  xShared = scratch(xShared, n * v);
  xShared.set(x.length === n * v ? x : x.subarray(0, n * v));
  const run = (lo: number, hi: number): void => single(state, xShared.subarray(lo * v, hi * v), hi - lo, res.subarray(lo * U, hi * U));
  const failed = dispatch(p, state, n, T, { kind: 'll', nodes: new Map([[root, res]]), x: xShared, v }, run);
  for (const t of failed) run(...bounds(n, T, t));
  lastThreads = T;
  if (out && out !== res && out.length === n * U) {
    out.set(res);
    return out;
  }
  return res;
}

/** The backward pass on T threads (vals from threadedForward), or undefined where it runs on one. */
export function threadedBackward(
  state: ModelState,
  vals: NodeValues,
  n: number,
  rowWeights: Float64Array | undefined,
  counts: EdgeCounts | undefined,
  reuse: NodeValues | undefined,
  single: BackwardRows,
  leafReq?: LeafCountsRequest,
): NodeValues | undefined {
  const T = threadsFor(state, n);
  const p = T > 1 && [...vals.values()].every(isShared) ? getPool(T) : null;
  if (!p) {
    lastThreads = 1;
    return undefined;
  }
  const flows: NodeValues = new Map();
  for (const nd of state.nodes) flows.set(nd.id, sharedArray(n * nd.units, reuse?.get(nd.id)));
  let rw: Float64Array | undefined;
  if (rowWeights) {
    rwShared = scratch(rwShared, n);
    rwShared.set(rowWeights.subarray(0, n));
    rw = rwShared;
  }
  let job: Job['counts'];
  if (counts) {
    const layout: [string, number][] = [];
    let len = 0;
    const seen = new Set<string>();
    for (const nd of state.nodes) {
      // Tied weights (one parameter, several nodes) have one slot.
      if ((nd.kind !== 'sum' && nd.kind !== 'mixing') || seen.has(nd.weights)) continue;
      seen.add(nd.weights);
      layout.push([nd.weights, len]);
      len += state.values.get(nd.weights)!.length;
    }
    countsShared = scratch(countsShared, len * (T - 1));
    job = { arr: countsShared, len, layout };
  }
  let leaf: Job['leaf'];
  const plan = leafReq ? leafCountPlan(state) : undefined;
  if (leafReq && plan) {
    const v = state.graph.vars.length;
    xShared = scratch(xShared, n * v);
    xShared.set(leafReq.x.length === n * v ? leafReq.x : leafReq.x.subarray(0, n * v));
    leafShared = scratch(leafShared, plan.len * T);
    leaf = { arr: leafShared, x: xShared, v, plan };
  }
  const own: EdgeCounts[] = Array.from({ length: T }, () => new Map());
  const run = (t: number) => (lo: number, hi: number): void => {
    const fs = views(flows, state, lo, hi);
    const out = single(state, views(vals, state, lo, hi), hi - lo, rw?.subarray(lo, hi), counts ? own[t] : undefined, fs);
    for (const [id, a] of out) if (a !== fs.get(id)) fs.get(id)?.set(a);
    if (leaf) accumulateLeafCounts(leaf.plan, leaf.x.subarray(lo * leaf.v, hi * leaf.v), leaf.v, hi - lo, fs, rw?.subarray(lo, hi), leaf.arr.subarray(t * leaf.plan.len, (t + 1) * leaf.plan.len));
  };
  const failed = dispatch(p, state, n, T, { kind: 'bwd', nodes: vals, flows, rw, counts: job, leaf }, run(0));
  for (const t of failed) run(t)(...bounds(n, T, t));
  if (counts && job) {
    // Participant order: 0 (the caller), then each worker's slot (or its redone part).
    for (let t = 0; t < T; t++) {
      for (const [name, off] of job.layout) {
        const size = state.values.get(name)!.length;
        const src = t === 0 || failed.includes(t) ? own[t]!.get(name) : job.arr.subarray((t - 1) * job.len + off, (t - 1) * job.len + off + size);
        if (!src) continue;
        let acc = counts.get(name);
        if (!acc) counts.set(name, (acc = new Float64Array(size)));
        for (let k = 0; k < size; k++) acc[k] += src[k]!;
      }
    }
  }
  if (leaf && leafReq) mergeLeafCounts(leaf.plan, leaf.arr, T, leafReq.out);
  lastThreads = T;
  return flows;
}
