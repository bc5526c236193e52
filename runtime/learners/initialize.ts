// Data-driven initialization, top down: the root receives every row (times its sample
// weight); each mixing unit splits the rows it receives among its components by weighted
// k-means on its variables (or at random); input layers fit their parameters to the rows they
// receive. Parameters written in the model text (init 'given') are kept.
import type { Rng } from '../../stdlib/random.js';
import { clusterFeatures, kmeans } from '../kmeans.js';
import { gather, type ModelState } from '../state.js';

export function initialize(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, mode: 'kmeans' | 'random', regCovar: number, rng: Rng): void {
  const v = state.graph.vars.length;
  const assigned = new Map<string, Float64Array>();
  const add = (id: string, units: number): Float64Array => {
    let a = assigned.get(id);
    if (!a) assigned.set(id, (a = new Float64Array(n * units)));
    return a;
  };
  add(state.graph.root, 1).set(rowWeights);
  for (let k = state.nodes.length - 1; k >= 0; k--) {
    const node = state.nodes[k]!;
    const a = assigned.get(node.id);
    if (!a) continue;
    switch (node.kind) {
      case 'product':
        for (const c of node.children) {
          const ca = add(c, state.node(c).units);
          for (let i = 0; i < a.length; i++) ca[i] += a[i]!;
        }
        break;
      case 'mixing': {
        const U = node.units;
        const A = node.arity;
        const split = new Float64Array(n * U * A); // [i, a*U + u]
        const cols = node.scope.map((index) => {
          const t = state.graph.vars[index]!.type;
          return { index, levels: t.kind === 'categorical' ? t.levels.length : 0 };
        });
        const wp = state.param(node.weights);
        const wv = state.values.get(node.weights)!;
        for (let u = 0; u < U; u++) {
          const wu = new Float64Array(n);
          for (let i = 0; i < n; i++) wu[i] = a[i * U + u]!;
          if (mode === 'kmeans') {
            const { f, d } = clusterFeatures(x, n, cols, v, wu);
            const labels = kmeans(f, n, d, A, wu, rng);
            for (let i = 0; i < n; i++) split[i * U * A + labels[i]! * U + u] = wu[i]!;
          } else {
            for (let i = 0; i < n; i++) {
              const r = Array.from({ length: A }, () => rng.uniformOpen());
              const s = r.reduce((p, q) => p + q, 0);
              for (let b = 0; b < A; b++) split[i * U * A + b * U + u] = (wu[i]! * r[b]!) / s;
            }
          }
          if (!wp.fixed && wp.init === 'data') {
            let total = 0;
            const mass = new Float64Array(A);
            for (let i = 0; i < n; i++) for (let b = 0; b < A; b++) mass[b] += split[i * U * A + b * U + u]!;
            for (let b = 0; b < A; b++) total += mass[b]!;
            // A pseudo-count keeps every component alive even when k-means left it empty.
            for (let b = 0; b < A; b++) wv[u * A + b] = (mass[b]! + 1e-3 * total / A + 1e-12) / (total * (1 + 1e-3) + A * 1e-12);
          }
        }
        // Hand the split to the children (their units concatenated in order).
        let off = 0;
        for (const c of node.children) {
          const cu = state.node(c).units;
          const ca = add(c, cu);
          for (let i = 0; i < n; i++) for (let j = 0; j < cu; j++) ca[i * cu + j] += split[i * U * A + off + j]!;
          off += cu;
        }
        break;
      }
      case 'sum': {
        // Dense sums: each input unit receives an equal share (random weights are set by the circuit learner).
        const I = node.children.reduce((s, c) => s + state.node(c).units, 0);
        let off = 0;
        for (const c of node.children) {
          const cu = state.node(c).units;
          const ca = add(c, cu);
          for (let i = 0; i < n; i++) {
            let tot = 0;
            for (let u = 0; u < node.units; u++) tot += a[i * node.units + u]!;
            for (let j = 0; j < cu; j++) ca[i * cu + j] += tot / I;
          }
          off += cu;
        }
        break;
      }
      case 'input': {
        const layer = state.layers.get(node.id)!;
        const dataRoles = Object.entries(layer.names).filter(([, nm]) => state.param(nm).init === 'data');
        if (dataRoles.length === 0) break;
        const xs = gather(x, n, v, node.scope);
        const fixed = new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).init === 'given').map(([r]) => r));
        const fresh = layer.family.init(xs, n, a, layer.ctx, rng, { regCovar, fixed });
        for (const [role] of dataRoles) {
          const src = fresh[role];
          if (src) layer.params[role]!.set(src);
        }
        break;
      }
      default:
        throw new Error(`cannot initialize node kind '${node.kind}' yet`);
    }
  }
}
