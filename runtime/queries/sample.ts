// Ancestral sampling, top down: a mixing unit picks a component by its weights, a product
// unit passes the unit index to every part, an input unit draws from its distribution.
import type { Rng } from '../../stdlib/random.js';
import type { ModelState } from '../state.js';

/** n draws as an n x vars matrix (row-major). */
export function sampleRows(state: ModelState, n: number, rng: Rng): Float64Array {
  const V = state.graph.vars.length;
  const out = new Float64Array(n * V).fill(NaN);
  for (let i = 0; i < n; i++) drawUnit(state, state.graph.root, 0, rng, out.subarray(i * V, (i + 1) * V));
  return out;
}

function drawUnit(state: ModelState, id: string, unit: number, rng: Rng, row: Float64Array): void {
  const node = state.node(id);
  switch (node.kind) {
    case 'input': {
      const layer = state.layers.get(id)!;
      const buf = new Float64Array(node.scope.length);
      layer.family.sample(layer.params, layer.ctx, unit, rng, buf);
      node.scope.forEach((v, j) => (row[v] = buf[j]!));
      return;
    }
    case 'product':
      if (node.mode === 'hadamard') {
        for (const c of node.children) drawUnit(state, c, unit, rng, row);
      } else {
        let rest = unit;
        for (let c = node.children.length - 1; c >= 0; c--) {
          const cu = state.node(node.children[c]!).units;
          drawUnit(state, node.children[c]!, rest % cu, rng, row);
          rest = Math.floor(rest / cu);
        }
      }
      return;
    case 'mixing':
    case 'sum': {
      const w = state.values.get(node.weights)!;
      const A = node.kind === 'mixing' ? node.arity : w.length / node.units;
      const a = rng.categorical(w, unit * A, A);
      let j = node.kind === 'mixing' ? a * node.units + unit : a;
      for (const c of node.children) {
        const cu = state.node(c).units;
        if (j < cu) return drawUnit(state, c, j, rng, row);
        j -= cu;
      }
      return;
    }
    default:
      throw new Error(`sampling node kind '${node.kind}' is not available yet`);
  }
}
