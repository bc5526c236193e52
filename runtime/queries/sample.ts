// Ancestral sampling, top down: a mixing/sum unit picks an input by its weights, a product
// unit passes the unit index to every part, an input unit draws from its distribution.
// Conditional sampling (evidence): one upward pass on the evidence, then the same walk with
// each unit's input chosen by its posterior weight w * exp(child(e) - unit(e)), and each leaf
// drawing from its conditional given the evidence in its scope. Iterative (no recursion) and
// row by row: memory is the output plus one stack, and seeded draws are those of before.
import type { FamilyNode, IRNode, MixingNode, SumNode } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';
import type { LayerContext, LayerParams } from '../../stdlib/distributions/index.js';
import { forward } from '../evaluate.js';
import type { ModelState } from '../state.js';
import { concatChildren, sumShape } from './upward.js';
import { topDown } from './top-down.js';
import { familyNodeHooks } from '../family-nodes.js';

/** Evidence that has zero probability under the model: nothing can be drawn given it. */
export class ImpossibleEvidenceError extends Error {}

/**
 * n draws as an n x vars matrix (row-major). `evidence`: a row over all variables (NaN = free);
 * when given, the draws are from p(free | evidence) and carry the evidence values.
 */
export function sampleRows(state: ModelState, n: number, rng: Rng, evidence?: Float64Array): Float64Array {
  const V = state.graph.vars.length;
  const out = new Float64Array(n * V).fill(NaN);
  const conditional = evidence && evidence.some((e) => !Number.isNaN(e)) ? evidence : undefined;
  const weights = conditional ? posteriorWeights(state, conditional) : (node: SumNode | MixingNode) => state.values.get(node.weights)!;
  const leaves = new Map<string, { params: LayerParams; ctx: LayerContext; free: number[] } | null>();
  const buf = new Float64Array(V);
  let row = out.subarray(0, V);
  const visit = {
    choose(node: SumNode | MixingNode, unit: number): number {
      const w = weights(node);
      const A = w.length / node.units;
      const a = rng.categorical(w, unit * A, A);
      return node.kind === 'mixing' ? a * node.units + unit : a;
    },
    leaf(node: Extract<IRNode, { kind: 'input' }>, unit: number): void {
      const layer = state.layers.get(node.id)!;
      if (!conditional || node.scope.every((v) => Number.isNaN(conditional[v]!))) {
        layer.family.sample(layer.params, layer.ctx, unit, rng, buf);
        node.scope.forEach((v, j) => (row[v] = buf[j]!));
        return;
      }
      // The leaf's conditional given the evidence in its scope, once per (leaf, unit).
      const key = `${node.id}#${unit}`;
      let c = leaves.get(key);
      if (c === undefined) {
        const ev = Float64Array.from(node.scope, (v) => conditional[v]!);
        const free = node.scope.filter((v) => Number.isNaN(conditional[v]!));
        c = free.length ? { ...layer.family.condition(layer.params, layer.ctx, unit, ev), free } : null;
        leaves.set(key, c);
      }
      if (c) {
        layer.family.sample(c.params, c.ctx, 0, rng, buf);
        c.free.forEach((v, j) => (row[v] = buf[j]!));
      }
    },
  };
  const part = {
    family(node: FamilyNode, unit: number): void {
      const local = Float64Array.from(node.scope, (v) => (conditional ? conditional[v]! : NaN));
      const draw = new Float64Array(node.scope.length);
      familyNodeHooks(node).sample(state, node, unit, local, rng, draw);
      node.scope.forEach((v, j) => Number.isNaN(local[j]!) && (row[v] = draw[j]!));
    },
  };
  Object.assign(visit, part);
  for (let i = 0; i < n; i++) {
    row = out.subarray(i * V, (i + 1) * V);
    topDown(state, state.graph.root, 0, visit);
    if (conditional) conditional.forEach((e, v) => !Number.isNaN(e) && (row[v] = e));
  }
  return out;
}

/** Per sum/mixing node, its weights reweighted by the evidence: w[u, a] * exp(input_a(e) - unit_u(e)). */
function posteriorWeights(state: ModelState, evidence: Float64Array): (node: SumNode | MixingNode) => Float64Array {
  const vals = forward(state, evidence, 1);
  if (!(vals.get(state.graph.root)![0]! > -Infinity)) throw new ImpossibleEvidenceError('the given values have zero probability under the model: nothing can be sampled given them');
  const cache = new Map<string, Float64Array>();
  return (node) => {
    let pw = cache.get(node.id);
    if (pw) return pw;
    const w = state.values.get(node.weights)!;
    const inp = concatChildren(state, vals, node.children);
    const own = vals.get(node.id)!;
    const { A, index } = sumShape(node, inp.length);
    pw = new Float64Array(w.length);
    for (let u = 0; u < node.units; u++) {
      for (let a = 0; a < A; a++) {
        const wv = w[u * A + a]!;
        pw[u * A + a] = wv > 0 ? Math.exp(Math.log(wv) + inp[index(u, a)]! - own[u]!) : 0;
      }
    }
    cache.set(node.id, pw);
    return pw;
  };
}
