// Starting values of an integral circuit's functions: Glorot-uniform layers with zero biases,
// except that each input function's output bias (or constant) is the free value of its
// distribution fitted to all rows, so every quadrature point starts near the data's marginal
// and the random layers spread the points around it. Values written in the model text stay.
import type { IRParam, NeuralParam } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';
import { glorotUniform } from '../../stdlib/nets/dense-net.js';
import { gather, type ModelState } from '../state.js';
import { refreshLatent } from './latent-params.js';
import { toFreeValue } from '../../circuits/integral/latent-fn.js';

const FIRST_SCALE = 10;

/** A start away from 0 and 1 (a pixel never on in the training rows starts at 1e-4, not 0). */
function atLeast(kind: NeuralParam['output'], v: number): number {
  if (kind === 'unit') return Math.min(Math.max(v, 1e-4), 1 - 1e-4);
  if (kind === 'positive' || kind === 'simplex') return Math.max(v, 1e-4);
  return v;
}

export function initializeIntegral(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, regCovar: number, rng: Rng): void {
  const layersOf = new Map<string, { w: IRParam; b: IRParam }>();
  for (const p of Object.values(state.graph.params)) {
    if (p.param.kind !== 'neural' || p.param.fn.kind !== 'net') continue;
    for (const l of p.param.fn.layers) layersOf.set(l.w, { w: state.param(l.w), b: state.param(l.b) });
  }
  const first = new Set<string>();
  for (const p of Object.values(state.graph.params)) if (p.param.kind === 'neural' && p.param.fn.kind === 'net' && p.param.fn.layers.length > 1) first.add(p.param.fn.layers[0]!.w);
  for (const { w, b } of layersOf.values()) {
    if (w.init !== 'data') continue;
    if (first.has(w.name)) {
      // The layer reading the latents: steep units whose switching points spread over the
      // latent's range, so the quadrature points start as different components (a Glorot
      // layer is nearly linear over [-1, 1], and every point would start as the same one).
      state.values.get(w.name)!.set(Float64Array.from({ length: w.value.length }, () => FIRST_SCALE * (2 * rng.uniform() - 1)));
      state.values.get(b.name)!.set(Float64Array.from({ length: b.value.length }, () => FIRST_SCALE * (2 * rng.uniform() - 1)));
      continue;
    }
    state.values.get(w.name)!.set(glorotUniform(w.shape[0]!, w.shape[1]!, () => rng.uniform()));
    state.values.get(b.name)!.fill(0);
  }
  // Output biases of input functions from a one-component fit of each input layer.
  const V = state.graph.vars.length;
  for (const layer of state.layers.values()) {
    const roles = Object.entries(layer.names).filter(([, nm]) => state.param(nm).param.kind === 'neural');
    if (roles.length === 0) continue;
    const xs = gather(x, n, V, layer.node.scope);
    const fit = layer.family.init(xs, n, rowWeights, { ...layer.ctx, units: 1 }, rng, { regCovar, fixed: new Set() });
    for (const [role, nm] of roles) {
      const p = state.param(nm).param as NeuralParam;
      const vals = fit[role];
      if (!vals) continue;
      const target = p.fn.kind === 'net' ? state.param(p.fn.layers[p.fn.layers.length - 1]!.b) : p.fn.kind === 'constant' ? state.param(p.fn.param) : undefined;
      if (!target || target.init !== 'data') continue;
      const out = state.values.get(target.name)!;
      for (let i = 0; i < out.length; i++) out[i] = toFreeValue(p.output, atLeast(p.output, vals[i % vals.length]!));
    }
  }
  refreshLatent(state);
}
