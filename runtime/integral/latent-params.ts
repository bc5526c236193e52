// Keeps a materialized integral circuit's parameters in step with its functions: refresh
// recomputes every neural parameter from the current net and constant values (after each
// learner step), and latentGradients carries gradients w.r.t. the circuit's parameters on to the
// functions' own parameters (quadrature weights and points stay fixed).
// The fast path (useNetKernels, on by default) evaluates the nets batched (latent-batch.ts:
// the output layers of functions sharing hidden layers as one layer) with the wasm SIMD
// matmul and sin/cos, and keeps the last refresh's forward pass for latentGradients while the functions'
// parameters are unchanged, as they are between a learner's refresh and its next gradient:
// one forward pass per step, not two. The batcher (its groups and buffers) and the copies of the
// parameters read are made once per state, not per step; the simplex outputs' softmax runs in
// wasm SIMD (exp-wasm.ts). Off: the per-parameter JS reference (latent-fn.ts).
import { LatentBatcher, type LatentBatch, type LatentKernels } from '../../circuits/integral/latent-batch.js';
import { latentValues, TrunkCache } from '../../circuits/integral/latent-fn.js';
import { denseMatMulWasm } from '../kernels/dense-wasm.js';
import { sinCosWasm } from '../kernels/sincos-wasm.js';
import { denseNetBackwardWasm, denseNetForwardWasm } from '../kernels/dense-net-wasm.js';
import { expInPlaceWasm, softmaxInPlaceWasm } from '../kernels/exp-wasm.js';
import type { ModelState } from '../state.js';

export function hasLatentParams(state: ModelState): boolean {
  return Object.values(state.graph.params).some((p) => p.param.kind === 'neural');
}

function neural(state: ModelState) {
  return Object.values(state.graph.params).filter((p) => p.param.kind === 'neural' && p.param.grid);
}

/** The nets' wasm SIMD kernels (each declines where wasm SIMD cannot run; the nets then use their JS loops). */
const perMatmul: LatentKernels = {
  matmul: (A, B, m, k, n, out) => denseMatMulWasm(A, B, m, k, n, out),
  sinCos: sinCosWasm,
  expInPlace: expInPlaceWasm,
  softmaxInPlace: softmaxInPlaceWasm,
};
/** sin and linear nets whole in one wasm memory (dense-net-wasm.ts); tanh / relu nets take the per-matmul path. */
const wholeNet: LatentKernels = {
  ...perMatmul,
  net: { forward: (layers, x, rows) => denseNetForwardWasm(layers, x, rows), backward: (layers, trace, gy, grads) => denseNetBackwardWasm(layers, trace, gy, grads) },
};
let nets = wholeNet;

let fast = true;
/**
 * On (the default): the nets batched, their matmuls in wasm SIMD, the refresh's forward pass
 * reused by the next gradient. Off: the per-parameter JS reference, a fresh forward pass for
 * every gradient (for the tests and the bench's A/B). `wholeNet: false` keeps the nets on the
 * per-matmul wasm kernels (the previous fast path, for the A/B) instead of dense-net-wasm.ts.
 */
export function useNetKernels(on: boolean, opts: { wholeNet?: boolean } = {}): void {
  fast = on;
  nets = opts.wholeNet === false ? perMatmul : wholeNet;
}

const shapesOf = (state: ModelState) => (name: string): readonly number[] => state.param(name).shape;

/** One evaluation of every neural parameter, with copies of the function parameters it read. */
interface Evaluated {
  readonly batch: LatentBatch;
  readonly read: ReadonlyMap<string, Float64Array>;
}

const lastEvaluated = new WeakMap<ModelState, Evaluated>();

/** Per state: the batcher for the current kernels, and one copy buffer per parameter read. */
interface Prepared {
  readonly kernels: LatentKernels;
  readonly batcher: LatentBatcher;
  readonly copies: Map<string, Float64Array>;
}
const prepared = new WeakMap<ModelState, Prepared>();

function evaluate(state: ModelState): Evaluated {
  let pr = prepared.get(state);
  if (!pr || pr.kernels !== nets) prepared.set(state, (pr = { kernels: nets, batcher: new LatentBatcher(neural(state), shapesOf(state), nets), copies: new Map() }));
  const { copies } = pr;
  const read = new Map<string, Float64Array>();
  const get = (name: string): Float64Array => {
    const v = state.values.get(name)!;
    if (!read.has(name)) {
      let c = copies.get(name);
      if (!c || c.length !== v.length) copies.set(name, (c = new Float64Array(v.length)));
      c.set(v);
      read.set(name, c);
    }
    return v;
  };
  return { batch: pr.batcher.evaluate(get), read };
}

/** Whether the parameters an evaluation read still hold the values it read. */
function current(state: ModelState, e: Evaluated): boolean {
  for (const [name, was] of e.read) {
    const now = state.values.get(name);
    if (!now || now.length !== was.length) return false;
    for (let i = 0; i < was.length; i++) if (now[i] !== was[i]) return false;
  }
  return true;
}

const valueOf = (state: ModelState) => (name: string): Float64Array => state.values.get(name)!;

/** Recomputes every neural parameter's values in place. */
export function refreshLatent(state: ModelState): void {
  if (!fast) {
    const cache = new TrunkCache();
    for (const p of neural(state)) state.values.get(p.name)!.set(latentValues(p, valueOf(state), shapesOf(state), cache).v);
    lastEvaluated.delete(state);
    return;
  }
  const e = evaluate(state);
  for (const [name, v] of e.batch.values) state.values.get(name)!.set(v);
  lastEvaluated.set(state, e);
}

/** Adds, into grads, the gradient w.r.t. the functions' parameters implied by grads of the neural parameters. */
export function latentGradients(state: ModelState, grads: Map<string, Float64Array>): void {
  const sink = (name: string): Float64Array => {
    let g = grads.get(name);
    if (!g) grads.set(name, (g = new Float64Array(state.values.get(name)!.length)));
    return g;
  };
  if (!fast) {
    const cache = new TrunkCache();
    for (const p of neural(state)) {
      const g = grads.get(p.name);
      if (g) latentValues(p, valueOf(state), shapesOf(state), cache).backward(g, sink);
    }
    cache.flush(sink);
    return;
  }
  const kept = lastEvaluated.get(state);
  const e = kept && current(state, kept) ? kept : evaluate(state);
  // The neural parameters' own gradients, read before the sink adds the functions' entries.
  const gv = new Map(neural(state).flatMap((p) => (grads.has(p.name) ? [[p.name, grads.get(p.name)!] as const] : [])));
  e.batch.backward(gv, sink);
}
