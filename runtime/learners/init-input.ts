// Fits an input layer's data-initialized parameters to the rows assigned to its units (resp:
// n x units weights); parameters written in the model text stay. Circuits then draw discrete
// leaves around that fit (perturb-leaf.ts).
import type { Rng } from '../../stdlib/random.js';
import { gather, type ModelState } from '../state.js';
import { perturbLeaf } from './perturb-leaf.js';

export function initInputLayer(state: ModelState, id: string, x: Float64Array, n: number, resp: Float64Array, regCovar: number, rng: Rng, perturb: boolean): void {
  const layer = state.layers.get(id)!;
  const dataRoles = Object.entries(layer.names).filter(([, nm]) => state.param(nm).init === 'data');
  if (dataRoles.length === 0) return;
  const xs = gather(x, n, state.graph.vars.length, layer.node.scope);
  const fixed = new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).init === 'given').map(([r]) => r));
  const fresh = layer.family.init(xs, n, resp, layer.ctx, rng, { regCovar, fixed });
  for (const [role, name] of dataRoles) {
    const src = fresh[role];
    if (!src) continue;
    layer.params[role]!.set(src);
    if (perturb) perturbLeaf(state.param(name), layer.params[role]!, rng);
  }
}
