// EM's E-step for the plain diagonal Gaussian mixture (`mixture(k) of Normal(diag)` or
// Normal(spherical): a mixing root over one layer whose family declares diagGaussianEM) in one fused pass
// (kernels/gmm-diag-engine.ts): log-densities, log-sum-exp, responsibilities and the Normal
// M-step's statistics without the forward/backward node buffers, on worker threads where the
// data is large enough. Declines (null) for any other model, rows with a missing cell, and
// where wasm SIMD is unavailable; em.ts then runs the general forward/backward, which stays
// the reference this path is tested against (test/runtime/gmm-fused.test.ts).
import type { MixingNode } from '../../ir/types.js';
import type { DiagGaussianEM, StatsOut } from '../../stdlib/distributions/index.js';
import { fusedKernelsOn } from '../evaluate.js';
import { gmmDiagEStep, gmmThreads } from '../kernels/gmm-diag-engine.js';
import type { InputLayer, ModelState } from '../state.js';

let enabled = true;
let threadsOverride: number | undefined;

/** Turns the fused path on or off (off: every E-step runs forward/backward). */
export function useFusedGmm(on: boolean): void {
  enabled = on;
}

/** For tests and the bench: the E-step's threads (undefined: PMIX_THREADS, else every core). */
export function setFusedGmmThreads(threads: number | undefined): void {
  threadsOverride = threads;
}

export interface FusedEStep {
  /** Per-row log-likelihood. */
  readonly rowLL: Float64Array;
  /** Expected edge counts of the mixing node (= the components' weighted counts). */
  readonly counts: Float64Array;
  /** The Normal layer's statistics (for normalMstepFromStats). */
  readonly stats: StatsOut;
}

export interface FusedGmm {
  readonly mixing: MixingNode;
  readonly layer: InputLayer;
  readonly em: DiagGaussianEM;
  /** The E-step under the state's current parameters; null: run the reference this time. */
  estep(): FusedEStep | null;
}

/** The fused E-step for this state and data, or null when it does not apply. */
export function fusedGmm(state: ModelState, xsByNode: ReadonlyMap<string, Float64Array>, n: number, rowWeights: Float64Array): FusedGmm | null {
  if (!enabled || !fusedKernelsOn() || n === 0 || state.nodes.length !== 2) return null;
  const root = state.node(state.graph.root);
  const mixing = root.kind === 'mixing' ? root : undefined;
  const input = state.nodes.find((nd) => nd.kind === 'input');
  if (!mixing || !input || mixing.units !== 1 || mixing.children.length !== 1 || mixing.children[0] !== input.id) return null;
  const layer = state.layers.get(input.id);
  const em = layer?.family.diagGaussianEM;
  if (!layer || !em || !em.applies(layer.ctx) || input.units !== mixing.arity) return null;
  const xs = xsByNode.get(input.id);
  const d = layer.ctx.dims;
  const k = mixing.arity;
  if (!xs || d === 0 || xs.length < n * d) return null;
  for (let i = 0; i < n * d; i++) if (Number.isNaN(xs[i]!)) return null;
  for (let i = 0; i < n; i++) if (!(rowWeights[i]! >= 0 && rowWeights[i]! < Infinity)) return null;
  const owner = {};
  return {
    mixing,
    layer,
    em,
    estep() {
      const w = state.values.get(mixing.weights)!;
      let terms;
      try {
        terms = em.terms(layer.params, layer.ctx);
      } catch {
        return null; // (a variance that is not positive): the reference reports it
      }
      const { mean, prec, c } = terms;
      for (let u = 0; u < k; u++) c[u] = c[u]! + Math.log(w[u]!);
      if (!prec.every((p) => p > 0 && p < Infinity) || c.some((v) => Number.isNaN(v) || v === Infinity)) return null;
      const out = gmmDiagEStep({ owner, x: xs, rw: rowWeights, n, d, k, mean, prec, c }, threadsOverride ?? gmmThreads());
      if (!out) return null;
      return { rowLL: out.ll, counts: out.stats.nk, stats: out.stats };
    },
  };
}
