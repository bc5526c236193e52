// One upward pass over a circuit for a single row, with the leaves' log-values supplied by the
// caller (densities of evidence, interval masses, max over free variables) and sums taken as
// log-sum-exp (sum-product) or max (max-product, recording the argmax input of each unit).
// Bottom-up over the topological order: each node once, so shared sub-circuits (DAGs) are
// evaluated once and never double counted.
import type { IRNode, MixingNode, SumNode } from '../../ir/types.js';
import type { InputLayer, ModelState } from '../state.js';

export type LeafValues = (node: Extract<IRNode, { kind: 'input' }>, layer: InputLayer) => Float64Array;

export interface UpwardResult {
  /** node id -> its units' log-values */
  readonly values: Map<string, Float64Array>;
  /** max-product only: node id -> per unit, the index of the winning input (of the concatenated children) */
  readonly argmax: Map<string, Int32Array>;
}

/** The number of weighted inputs of each unit and where input a of unit u is in the concatenated children. */
export function sumShape(node: SumNode | MixingNode, inputs: number): { A: number; index: (u: number, a: number) => number } {
  if (node.kind === 'mixing') return { A: node.arity, index: (u, a) => a * node.units + u };
  return { A: inputs, index: (_u, a) => a };
}

/** Concatenated child log-values of a node. */
export function concatChildren(state: ModelState, values: Map<string, Float64Array>, children: readonly string[]): Float64Array {
  const parts = children.map((c) => values.get(c)!);
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function upward(state: ModelState, leaf: LeafValues, op: 'sum' | 'max'): UpwardResult {
  const values = new Map<string, Float64Array>();
  const argmax = new Map<string, Int32Array>();
  for (const node of state.nodes) {
    const out = new Float64Array(node.units);
    switch (node.kind) {
      case 'input':
        out.set(leaf(node, state.layers.get(node.id)!));
        break;
      case 'product': {
        const kids = node.children.map((c) => values.get(c)!);
        for (let u = 0; u < node.units; u++) {
          let rest = u;
          let s = 0;
          for (let c = kids.length - 1; c >= 0; c--) {
            const k = kids[c]!;
            s += node.mode === 'hadamard' ? k[u]! : k[rest % k.length]!;
            rest = Math.floor(rest / k.length);
          }
          out[u] = s;
        }
        break;
      }
      case 'sum':
      case 'mixing': {
        const inp = concatChildren(state, values, node.children);
        const w = state.values.get(node.weights)!;
        const { A, index } = sumShape(node, inp.length);
        const best = op === 'max' ? new Int32Array(node.units) : undefined;
        for (let u = 0; u < node.units; u++) {
          let m = -Infinity;
          let arg = 0;
          for (let a = 0; a < A; a++) {
            const t = w[u * A + a]! > 0 ? Math.log(w[u * A + a]!) + inp[index(u, a)]! : -Infinity;
            if (t > m) {
              m = t;
              arg = a;
            }
          }
          if (best) {
            best[u] = index(u, arg);
            out[u] = m;
            continue;
          }
          if (m === -Infinity || Number.isNaN(m)) {
            out[u] = m;
            continue;
          }
          let s = 0;
          for (let a = 0; a < A; a++) if (w[u * A + a]! > 0) s += Math.exp(Math.log(w[u * A + a]!) + inp[index(u, a)]! - m);
          out[u] = m + Math.log(s);
        }
        if (best) argmax.set(node.id, best);
        break;
      }
      default:
        throw new Error(`node kind '${node.kind}' is not supported by circuit queries yet`);
    }
    values.set(node.id, out);
  }
  return { values, argmax };
}
