// Data-driven initialization, top down: the root receives every row (times its sample
// weight); each mixing unit splits the rows it receives among its components by weighted
// k-means on its variables (or at random); input layers fit their parameters to the rows they
// receive. Parameters written in the model text (init 'given') are kept. Circuits with
// init = kmeans are initialized coherently from one clustering (initialize-circuit.ts).
import type { Rng } from '../../stdlib/random.js';
import { clusterFeatures, kmeans } from '../kmeans.js';
import type { ModelState } from '../state.js';
import { initializeCircuit } from './initialize-circuit.js';
import { initInputLayer } from './init-input.js';
import { gather } from '../state.js';
import { familyNodeHooks } from '../family-nodes.js';

/**
 * How a restart starts: 'kmeans' clusters standardized columns, 'kmeans-raw' the raw values
 * (scikit-learn's choice), 'random' splits every row at random (soft assignments).
 */
export type InitMode = 'kmeans' | 'kmeans-greedy' | 'kmeans-raw' | 'random';

export function initialize(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, mode: InitMode, regCovar: number, rng: Rng): void {
  const v = state.graph.vars.length;
  const assigned = new Map<string, Float64Array>();
  const add = (id: string, units: number): Float64Array => {
    let a = assigned.get(id);
    if (!a) assigned.set(id, (a = new Float64Array(n * units)));
    return a;
  };
  const circuit = state.nodes.some((nd) => nd.kind === 'sum');
  if (circuit && mode !== 'random') return initializeCircuit(state, x, n, rowWeights, regCovar, rng);
  add(state.graph.root, 1).set(rowWeights);
  // Circuits: the cluster labels a sum node split its rows by, handed down to the nodes below
  // (for sums over too few distinct rows to cluster on their own variables).
  const inherited = new Map<string, Int32Array>();
  for (let k = state.nodes.length - 1; k >= 0; k--) {
    const node = state.nodes[k]!;
    const a = assigned.get(node.id);
    if (!a) continue;
    switch (node.kind) {
      case 'product':
        if (node.mode === 'hadamard') {
          for (const c of node.children) {
            const ca = add(c, state.node(c).units);
            for (let i = 0; i < a.length; i++) ca[i] += a[i]!;
          }
        } else {
          // Kronecker: unit (j1, j2, ...) hands its rows to unit j_c of each child c.
          const kids = node.children.map((c) => ({ units: state.node(c).units, a: add(c, state.node(c).units) }));
          const U = node.units;
          for (let i = 0; i < n; i++) {
            for (let u = 0; u < U; u++) {
              const m = a[i * U + u]!;
              if (m === 0) continue;
              let rest = u;
              for (let c = kids.length - 1; c >= 0; c--) {
                const kd = kids[c]!;
                kd.a[i * kd.units + (rest % kd.units)] += m;
                rest = Math.floor(rest / kd.units);
              }
            }
          }
        }
        for (const c of node.children) if (!inherited.has(c) && inherited.has(node.id)) inherited.set(c, inherited.get(node.id)!);
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
          if (mode !== 'random') {
            const { f, d } = clusterFeatures(x, n, cols, v, wu, mode !== 'kmeans-raw');
            const labels = kmeans(f, n, d, A, wu, rng, 300, mode === 'kmeans' ? 1 : 2 + Math.floor(Math.log(A)));
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
        // Dense sums (circuits): the rows reaching the node are split among its I input units
        // (one weighted k-means on the node's variables, or at random), so the units below
        // start different; the weights start at random (Dirichlet(1)) to break the symmetry
        // between the node's own units.
        const I = node.children.reduce((s, c) => s + state.node(c).units, 0);
        const U = node.units;
        const mass = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let u = 0; u < U; u++) mass[i] += a[i * U + u]!;
        const labels = splitRows(state, node.scope, x, n, v, mass, I, mode, rng, inherited.get(node.id));
        for (const c of node.children) if (!inherited.has(c)) inherited.set(c, labels);
        const wp = state.param(node.weights);
        if (!wp.fixed && wp.init === 'data') {
          const wv = state.values.get(node.weights)!;
          for (let u = 0; u < U; u++) {
            let s = 0;
            for (let j = 0; j < I; j++) s += wv[u * I + j] = -Math.log(rng.uniformOpen());
            for (let j = 0; j < I; j++) wv[u * I + j] /= s;
          }
        }
        let off = 0;
        for (const c of node.children) {
          const cu = state.node(c).units;
          const ca = add(c, cu);
          for (let i = 0; i < n; i++) {
            const j = labels[i]! - off;
            if (j >= 0 && j < cu) ca[i * cu + j] += mass[i]!;
          }
          off += cu;
        }
        break;
      }
      case 'input':
        initInputLayer(state, node.id, x, n, a, regCovar, rng, circuit);
        break;
      case 'family':
        familyNodeHooks(node).init(state, node, gather(x, n, v, node.scope), n, a);
        break;
      default:
        throw new Error(`cannot initialize node kind '${node.kind}' yet`);
    }
  }
}

/** A label in [0, k) per row: weighted k-means clusters of the rows on `scope`, or uniform at random. */
function splitRows(state: ModelState, scope: readonly number[], x: Float64Array, n: number, v: number, mass: Float64Array, k: number, mode: InitMode, rng: Rng, inherited?: Int32Array): Int32Array {
  if (k === 1) return new Int32Array(n);
  let rows = 0;
  for (let i = 0; i < n; i++) if (mass[i]! > 0) rows++;
  if (mode !== 'random' && rows >= k && distinctRows(x, n, v, scope, mass, k) >= k) {
    const cols = scope.map((index) => {
      const t = state.graph.vars[index]!.type;
      return { index, levels: t.kind === 'categorical' ? t.levels.length : 0 };
    });
    const { f, d } = clusterFeatures(x, n, cols, v, mass);
    // A few Lloyd iterations: the split only has to start the units apart.
    return Int32Array.from(kmeans(f, n, d, k, mass, rng, 10));
  }
  // Too few distinct rows here: split by an ancestor's clusters (finer context), else at random.
  if (mode !== 'random' && inherited) return Int32Array.from(inherited, (l) => l % k);
  return Int32Array.from({ length: n }, () => rng.int(k));
}

/** The number of distinct rows (on `scope`) among those with mass, counted up to `cap`. */
function distinctRows(x: Float64Array, n: number, v: number, scope: readonly number[], mass: Float64Array, cap: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < n && seen.size < cap; i++) {
    if (!(mass[i]! > 0)) continue;
    let key = '';
    for (const c of scope) key += `${x[i * v + c]},`;
    seen.add(key);
  }
  return seen.size;
}

