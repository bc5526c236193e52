// Keeps a materialized integral circuit's parameters in step with its functions: refresh
// recomputes every neural parameter from the current net and constant values (after each
// learner step), and latentGradients carries gradients w.r.t. the circuit's parameters on to the
// functions' own parameters (quadrature weights and points stay fixed).
import { latentValues, TrunkCache } from '../../circuits/integral/latent-fn.js';
import { denseMatMulWasm } from '../kernels/dense-wasm.js';
import type { ModelState } from '../state.js';

export function hasLatentParams(state: ModelState): boolean {
  return Object.values(state.graph.params).some((p) => p.param.kind === 'neural');
}

function neural(state: ModelState) {
  return Object.values(state.graph.params).filter((p) => p.param.kind === 'neural' && p.param.grid);
}

/** The nets' matmul: wasm SIMD (falls back to the JS loops by itself where that cannot run). */
const nets = (A: Float64Array, B: Float64Array, m: number, k: number, n: number, out: Float64Array): boolean => denseMatMulWasm(A, B, m, k, n, out);

const shapesOf = (state: ModelState) => (name: string): readonly number[] => state.param(name).shape;

/** Recomputes every neural parameter's values in place. */
export function refreshLatent(state: ModelState): void {
  const cache = new TrunkCache(nets);
  const get = (name: string): Float64Array => state.values.get(name)!;
  for (const p of neural(state)) state.values.get(p.name)!.set(latentValues(p, get, shapesOf(state), cache).v);
}

/** Adds, into grads, the gradient w.r.t. the functions' parameters implied by grads of the neural parameters. */
export function latentGradients(state: ModelState, grads: Map<string, Float64Array>): void {
  const cache = new TrunkCache(nets);
  const get = (name: string): Float64Array => state.values.get(name)!;
  const sink = (name: string): Float64Array => {
    let g = grads.get(name);
    if (!g) grads.set(name, (g = new Float64Array(state.values.get(name)!.length)));
    return g;
  };
  for (const p of neural(state)) {
    const g = grads.get(p.name);
    if (!g) continue;
    latentValues(p, get, shapesOf(state), cache).backward(g, sink);
  }
  cache.flush(sink);
}
