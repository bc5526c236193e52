// Initialization of a squared model from data. Each of its circuits (c; every c_r of sos; c+
// and c of c_plus * square(c)) is initialized as the monotone circuit of the same structure
// would be (k-means, top down; learners/initialize.ts), on a copy whose signed weights are read
// as simplex weights. Then every data-initialized signed weight gets a random sign (each
// weight negative with probability 1/2, its magnitude the k-means weight times a log-normal
// factor): a start with subtraction available. An all-positive start is a monotone mixture,
// squared, and Adam tends to stay in that basin (cirkit draws squared circuits' weights from a
// zero-mean Gaussian for the same reason). Weights written in the model text keep their values
// (negative ones included), as do all other parameters given in the text.
import type { IRGraph, IRParam } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';
import { initialize } from '../learners/initialize.js';
import { subCircuit } from '../signed-evaluate.js';
import { ModelState } from '../state.js';
import { circuitRoots, squareOf } from './squared-model.js';

export function initializeSquared(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, mode: 'kmeans' | 'random', regCovar: number, rng: Rng): void {
  const sq = squareOf(state);
  const params: Record<string, IRParam> = {};
  for (const [k, p] of Object.entries(state.graph.params)) {
    if (p.param.kind !== 'signed') {
      params[k] = p;
      continue;
    }
    // |w| normalized per row stands in for given signed weights during initialization
    const last = p.shape[p.shape.length - 1]!;
    const v = p.value.map(Math.abs);
    for (let r = 0; r < v.length / last; r++) {
      let t = 0;
      for (let j = 0; j < last; j++) t += v[r * last + j]!;
      for (let j = 0; j < last; j++) v[r * last + j] = t > 0 ? v[r * last + j]! / t : 1 / last;
    }
    params[k] = { ...p, param: { kind: 'simplex' }, value: v };
  }
  for (const root of circuitRoots(sq)) {
    const nodes = subCircuit(state, root);
    const used = new Set<string>();
    for (const nd of nodes) {
      if (nd.kind === 'input') Object.values(nd.params).forEach((nm) => used.add(nm));
      if (nd.kind === 'sum' || nd.kind === 'mixing') used.add(nd.weights);
    }
    const own = Object.fromEntries(Object.entries(params).filter(([k]) => used.has(k)));
    const monotone: IRGraph = { ...state.graph, family: nodes.some((nd) => nd.kind === 'sum') ? 'circuit' : 'mixture', params: own, nodes, root };
    const m = new ModelState(monotone);
    initialize(m, x, n, rowWeights, mode, regCovar, rng.fork());
    for (const [k, v] of m.values) {
      const p = state.param(k);
      if (p.param.kind === 'signed' && p.init === 'given') continue;
      state.values.get(k)!.set(v);
      if (p.param.kind === 'signed') {
        const w = state.values.get(k)!;
        for (let i = 0; i < w.length; i++) w[i] = (rng.uniform() < 0.5 ? -1 : 1) * Math.abs(w[i]!) * Math.exp(0.3 * rng.normal());
      }
    }
  }
}
