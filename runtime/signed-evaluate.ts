// Evaluation of a circuit with signed (possibly negative) sum weights in signed log space:
// every unit holds log|x| and sign(x). Kept apart from evaluate.ts so the monotone path
// stays as it is. The backward pass carries flows f = x * dL/dx with L = log|c(x)| (real,
// possibly negative): a product hands its flow to each child, a sum splits it by
// W[u,i] in_i / out_u, and an input layer's flows are the coefficients of its family's
// gradLogDensity, so every parameter gets an exact reverse-mode gradient.
import type { IRNode } from '../ir/types.js';
import type { LayerParams } from '../stdlib/distributions/index.js';
import { signedMatVec, signedMatVecBack } from '../circuits/squared/signed-log.js';
import { addDenseGrad, childOffsets, denseWeights } from '../circuits/squared/view.js';
import { gather, type ModelState } from './state.js';

export interface SignedValues {
  readonly l: Map<string, Float64Array>;
  readonly s: Map<string, Float64Array>;
}

/** The nodes of the sub-circuit rooted at `root`, in the graph's (topological) order. */
export function subCircuit(state: ModelState, root: string): IRNode[] {
  const keep = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const id = stack.pop()!;
    if (keep.has(id)) continue;
    keep.add(id);
    const nd = state.node(id);
    if ('children' in nd) stack.push(...nd.children);
  }
  return state.nodes.filter((nd) => keep.has(nd.id));
}

/** Unit u of a Kronecker product -> unit of child c (mixed radix, last child fastest). */
function kronIndex(units: readonly number[], u: number, c: number): number {
  let rest = u;
  for (let k = units.length - 1; k > c; k--) rest = Math.floor(rest / units[k]!);
  return rest % units[c]!;
}

/** x: n rows over all variables (NaN cells: the leaves integrate them out, i.e. log 1). */
export function signedForward(state: ModelState, root: string, x: Float64Array, n: number): SignedValues {
  const V = state.graph.vars.length;
  const L = new Map<string, Float64Array>();
  const S = new Map<string, Float64Array>();
  for (const node of subCircuit(state, root)) {
    const U = node.units;
    const l = new Float64Array(n * U);
    const s = new Float64Array(n * U);
    switch (node.kind) {
      case 'input': {
        const layer = state.layers.get(node.id)!;
        layer.family.logDensity(layer.params, layer.ctx, gather(x, n, V, node.scope), n, l);
        for (let k = 0; k < l.length; k++) s[k] = l[k] === -Infinity ? 0 : 1;
        break;
      }
      case 'product': {
        s.fill(1);
        const units = node.children.map((c) => state.node(c).units);
        node.children.forEach((c, ci) => {
          const cl = L.get(c)!;
          const cs = S.get(c)!;
          const cu = units[ci]!;
          for (let u = 0; u < U; u++) {
            const j = node.mode === 'hadamard' ? u : kronIndex(units, u, ci);
            for (let i = 0; i < n; i++) {
              l[i * U + u] += cl[i * cu + j]!;
              s[i * U + u] *= cs[i * cu + j]!;
            }
          }
        });
        break;
      }
      case 'sum':
      case 'mixing': {
        const { W, I } = denseWeights(state, node.id);
        const { offsets } = childOffsets(state, node.children);
        const tl = new Float64Array(I);
        const ts = new Float64Array(I);
        const tmp = new Float64Array(I);
        for (let i = 0; i < n; i++) {
          node.children.forEach((c, ci) => {
            const cu = state.node(c).units;
            tl.set(L.get(c)!.subarray(i * cu, (i + 1) * cu), offsets[ci]!);
            ts.set(S.get(c)!.subarray(i * cu, (i + 1) * cu), offsets[ci]!);
          });
          signedMatVec(W, U, I, tl, ts, 0, 1, l, s, i * U, 1, tmp);
        }
        break;
      }
      default:
        throw new Error(`a squared circuit cannot contain a '${node.kind}' node under its square`);
    }
    L.set(node.id, l);
    S.set(node.id, s);
  }
  return { l: L, s: S };
}

/**
 * Adds sum_i rootFlow[i] * d log|c(x_i)| / d theta to grads (natural space, by parameter
 * name). Rows where c(x_i) = 0 contribute nothing.
 */
export function signedBackward(state: ModelState, root: string, vals: SignedValues, x: Float64Array, n: number, rootFlow: Float64Array, grads: Map<string, Float64Array>): void {
  const V = state.graph.vars.length;
  const nodes = subCircuit(state, root);
  const F = new Map<string, Float64Array>();
  for (const nd of nodes) F.set(nd.id, new Float64Array(n * nd.units));
  const rl = vals.l.get(root)!;
  const rf = F.get(root)!;
  for (let i = 0; i < n; i++) rf[i] = rl[i] === -Infinity ? 0 : rootFlow[i]!;
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    const f = F.get(node.id)!;
    const U = node.units;
    switch (node.kind) {
      case 'input': {
        const layer = state.layers.get(node.id)!;
        const g: LayerParams = {};
        for (const [role, nm] of Object.entries(layer.names)) g[role] = grads.get(nm)!;
        layer.family.gradLogDensity(layer.params, layer.ctx, gather(x, n, V, node.scope), n, f, g);
        break;
      }
      case 'product': {
        const units = node.children.map((c) => state.node(c).units);
        node.children.forEach((c, ci) => {
          const cf = F.get(c)!;
          const cu = units[ci]!;
          for (let u = 0; u < U; u++) {
            const j = node.mode === 'hadamard' ? u : kronIndex(units, u, ci);
            for (let i = 0; i < n; i++) cf[i * cu + j] += f[i * U + u]!;
          }
        });
        break;
      }
      case 'sum':
      case 'mixing': {
        const { W, I } = denseWeights(state, node.id);
        const { offsets } = childOffsets(state, node.children);
        const gW = new Float64Array(U * I);
        const tl = new Float64Array(I);
        const ts = new Float64Array(I);
        const tf = new Float64Array(I);
        for (let i = 0; i < n; i++) {
          node.children.forEach((c, ci) => {
            const cu = state.node(c).units;
            tl.set(vals.l.get(c)!.subarray(i * cu, (i + 1) * cu), offsets[ci]!);
            ts.set(vals.s.get(c)!.subarray(i * cu, (i + 1) * cu), offsets[ci]!);
          });
          tf.fill(0);
          signedMatVecBack(W, U, I, tl, ts, 0, 1, vals.l.get(node.id)!, vals.s.get(node.id)!, i * U, 1, f, tf, gW, 1);
          node.children.forEach((c, ci) => {
            const cu = state.node(c).units;
            const cf = F.get(c)!;
            for (let j = 0; j < cu; j++) cf[i * cu + j] += tf[offsets[ci]! + j]!;
          });
        }
        addDenseGrad(state, node.id, gW, grads.get(node.weights)!);
        break;
      }
      default:
        break;
    }
  }
}
