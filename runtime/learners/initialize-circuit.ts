// Initialization of circuits (graphs with dense sum nodes), coherent from the root down: one
// weighted k-means of the rows on all the model's variables gives every row a label c in
// [0, K); in every layer the row then sits on the unit that stands for label c (unit c mod
// width; for a Kronecker unit, the one whose every factor is c), input units are fitted to
// the rows of their label, and each sum's weights are the counts of that assignment (one
// M-step of a hard clustering), blended with a Dirichlet draw so units can move apart.
// At the start the circuit is thus about a mixture of K factorized clusters, which EM then
// refines at every level. (Splitting rows independently at each sum pairs up unrelated
// clusters across levels: deep circuits then start near independence and EM crawls.)
import type { IRNode } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';
import { clusterFeatures, kmeans } from '../kmeans.js';
import type { ModelState } from '../state.js';
import { initInputLayer } from './init-input.js';

/** The share of each sum weight row drawn at random (the rest follows the clustering). */
const NOISE = 0.2;
const LLOYD_ITERATIONS = 20;

export function initializeCircuit(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, regCovar: number, rng: Rng): void {
  const v = state.graph.vars.length;
  const K = Math.max(1, ...state.nodes.filter((nd) => (nd.kind === 'sum' || nd.kind === 'mixing') && nd.id !== state.graph.root).map((nd) => nd.units));
  const labels = rowLabels(state, x, n, v, rowWeights, K, rng);
  const units = (id: string): number => state.node(id).units;
  const assigned = new Map<string, Float64Array>();
  const add = (id: string): Float64Array => {
    let a = assigned.get(id);
    if (!a) assigned.set(id, (a = new Float64Array(n * units(id))));
    return a;
  };
  add(state.graph.root).set(rowWeights);
  for (let k = state.nodes.length - 1; k >= 0; k--) {
    const node = state.nodes[k]!;
    const a = assigned.get(node.id);
    if (!a) continue;
    const U = node.units;
    switch (node.kind) {
      case 'product':
        for (const c of node.children) {
          const ca = add(c);
          const cu = units(c);
          for (let i = 0; i < n; i++) {
            for (let u = 0; u < U; u++) {
              const m = a[i * U + u]!;
              if (m !== 0) ca[i * cu + (node.mode === 'hadamard' ? u : kroneckerDigit(state, node, c, u))] += m;
            }
          }
        }
        break;
      case 'mixing': {
        const A = node.arity;
        const w = state.values.get(node.weights)!;
        const free = !state.param(node.weights).fixed && state.param(node.weights).init === 'data';
        // The children's units concatenated are [arity, units]: component a of unit u.
        const flat = node.children.flatMap((c) => Array.from({ length: units(c) }, (_, j) => ({ c, j })));
        for (let u = 0; u < U; u++) {
          for (let b = 0; b < A; b++) {
            const { c, j } = flat[b * U + u]!;
            const ca = add(c);
            for (let i = 0; i < n; i++) ca[i * units(c) + j] += a[i * U + u]! / A;
          }
          if (free) blend(w, u * A, A, new Float64Array(A).fill(1), rng);
        }
        break;
      }
      case 'sum': {
        const inputs = node.children.flatMap((c) => Array.from({ length: units(c) }, (_, j) => ({ c, j })));
        const I = inputs.length;
        const parts = node.children.length;
        const counts = new Float64Array(U * I);
        let off = 0;
        const offsets = node.children.map((c) => {
          const o = off;
          off += units(c);
          return o;
        });
        for (let i = 0; i < n; i++) {
          const lab = labels[i]!;
          let mass = 0;
          for (let u = 0; u < U; u++) mass += a[i * U + u]!;
          if (mass === 0) continue;
          node.children.forEach((c, p) => {
            const j = coherentUnit(state, c, lab);
            add(c)[i * units(c) + j] += mass / parts;
            for (let u = 0; u < U; u++) counts[u * I + offsets[p]! + j] += a[i * U + u]! / parts;
          });
        }
        const wp = state.param(node.weights);
        if (!wp.fixed && wp.init === 'data') {
          const w = state.values.get(node.weights)!;
          for (let u = 0; u < U; u++) {
            const row = counts.subarray(u * I, (u + 1) * I);
            // A unit no row reached follows its label's coherent inputs.
            if (!row.some((c) => c > 0)) node.children.forEach((c, p) => (row[offsets[p]! + coherentUnit(state, c, u)] = 1));
            blend(w, u * I, I, row, rng);
          }
        }
        break;
      }
      case 'input':
        initInputLayer(state, node.id, x, n, a, regCovar, rng, true);
        break;
      default:
        throw new Error(`cannot initialize node kind '${node.kind}' yet`);
    }
  }
}

/** Labels in [0, K): weighted k-means on every variable (all rows one label when K is 1). */
function rowLabels(state: ModelState, x: Float64Array, n: number, v: number, w: Float64Array, K: number, rng: Rng): Int32Array {
  let rows = 0;
  for (let i = 0; i < n; i++) if (w[i]! > 0) rows++;
  if (K <= 1 || rows < K) return Int32Array.from({ length: n }, () => (K <= 1 ? 0 : rng.int(K)));
  const cols = state.graph.vars.map((vr, index) => ({ index, levels: vr.type.kind === 'categorical' ? vr.type.levels.length : 0 }));
  const { f, d } = clusterFeatures(x, n, cols, v, w);
  return Int32Array.from(kmeans(f, n, d, K, w, rng, LLOYD_ITERATIONS));
}

/** The unit of node `id` that stands for label c. */
function coherentUnit(state: ModelState, id: string, c: number): number {
  const node = state.node(id);
  if (node.kind === 'product' && node.mode === 'kronecker') {
    let u = 0;
    for (const k of node.children) u = u * state.node(k).units + (c % state.node(k).units);
    return u;
  }
  return c % node.units;
}

/** The factor of Kronecker unit u that belongs to child c (mixed radix, last child fastest). */
function kroneckerDigit(state: ModelState, node: Extract<IRNode, { kind: 'product' }>, c: string, u: number): number {
  let rest = u;
  for (let k = node.children.length - 1; k >= 0; k--) {
    const cu = state.node(node.children[k]!).units;
    if (node.children[k] === c) return rest % cu;
    rest = Math.floor(rest / cu);
  }
  return 0;
}

/** w[off..off+len) = (1 - NOISE) * counts / sum + NOISE * Dirichlet(1). */
function blend(w: Float64Array, off: number, len: number, counts: ArrayLike<number>, rng: Rng): void {
  let total = 0;
  for (let j = 0; j < len; j++) total += counts[j]!;
  const draw = Array.from({ length: len }, () => -Math.log(rng.uniformOpen()));
  const dt = draw.reduce((s, d) => s + d, 0);
  for (let j = 0; j < len; j++) w[off + j] = (1 - NOISE) * (total > 0 ? counts[j]! / total : 1 / len) + (NOISE * draw[j]!) / dt;
}
