// Folded evaluation of a circuit's dense sums: the sum nodes of one depth and one shape
// (circuits/fold.ts) run as one batched op of the sum-layer kernel over [folds, rows, inputs].
// Where every node of a fold has one child (the usual circuit), the WebAssembly kernel
// (kernels/sum-layer-fast.ts) runs node by node straight on the child's array; the batched JS
// kernel is the reference (useFusedKernels(false)) and the path for several children.
import type { SumNode } from '../ir/types.js';
import type { SumFold } from '../circuits/fold.js';
import { sumLayerBackward, sumLayerForward } from './kernels/sum-layer.js';
import { sumNodeBackward, sumNodeForward } from './kernels/sum-layer-fast.js';
import { buffer, getOrInit, type EdgeCounts, type NodeValues } from './node-buffers.js';
import type { ModelState } from './state.js';
import { dropKept, keepFor, keptFor } from './sum-kept.js';

/** The concatenated child values of every node of a fold, as one [F, n, I] array. */
function gatherFoldInputs(state: ModelState, fold: SumFold, vals: NodeValues, n: number): Float64Array {
  const I = fold.inputs;
  const A = new Float64Array(fold.nodes.length * n * I);
  fold.nodes.forEach((id, f) => {
    const node = state.node(id) as SumNode;
    let off = 0;
    for (const c of node.children) {
      const cu = state.node(c).units;
      const cv = vals.get(c)!;
      // A single child fills the fold's block: one contiguous copy.
      if (cu === I) A.set(cv.length === n * I ? cv : cv.subarray(0, n * I), f * n * I);
      else for (let i = 0; i < n; i++) for (let j = 0; j < cu; j++) A[(f * n + i) * I + off + j] = cv[i * cu + j]!;
      off += cu;
    }
  });
  return A;
}

function foldWeights(state: ModelState, fold: SumFold): Float64Array {
  const UI = fold.units * fold.inputs;
  const W = new Float64Array(fold.nodes.length * UI);
  fold.nodes.forEach((id, f) => W.set(state.values.get((state.node(id) as SumNode).weights)!, f * UI));
  return W;
}

/** The single child of every node of the fold, each with all `inputs` units; undefined when some node has several. */
function singleChildren(state: ModelState, fold: SumFold): string[] | undefined {
  const kids: string[] = [];
  for (const id of fold.nodes) {
    const c = (state.node(id) as SumNode).children;
    if (c.length !== 1 || state.node(c[0]!).units !== fold.inputs) return undefined;
    kids.push(c[0]!);
  }
  return kids;
}

/** The fast path: node by node on the child's and the node's own arrays (no gathered copies); false where it declines. */
function fastForward(state: ModelState, fold: SumFold, vals: NodeValues, n: number, reuse: NodeValues | undefined, keep: boolean): boolean {
  const kids = singleChildren(state, fold);
  if (!kids) return false;
  const [U, I] = [fold.units, fold.inputs];
  for (let f = 0; f < fold.nodes.length; f++) {
    const id = fold.nodes[f]!;
    const o = buffer(reuse, id, n * U, false);
    const W = state.values.get((state.node(id) as SumNode).weights)!;
    if (!sumNodeForward(vals.get(kids[f]!)!, W, n, U, I, o, keep ? keepFor(o, n, U, I) : undefined)) {
      dropKept(o);
      return false;
    }
    if (!keep) dropKept(o);
    vals.set(id, o);
  }
  return true;
}

function fastBackward(state: ModelState, fold: SumFold, vals: NodeValues, flows: NodeValues, n: number, rowWeights: Float64Array | undefined, counts: EdgeCounts | undefined, untouched: Set<string>): boolean {
  const kids = singleChildren(state, fold);
  if (!kids) return false;
  const U = fold.units;
  const I = fold.inputs;
  for (let f = 0; f < fold.nodes.length; f++) {
    const node = state.node(fold.nodes[f]!) as SumNode;
    const c = kids[f]!;
    const acc = counts ? getOrInit(counts, node.weights, U * I) : undefined;
    // Declining happens for the whole fold at its first node (no kernel), before any flow moved.
    const out = vals.get(node.id)!;
    const W = state.values.get(node.weights)!;
    if (!sumNodeBackward(vals.get(c)!, out, flows.get(node.id)!, W, n, U, I, rowWeights, flows.get(c)!, acc, untouched.has(c), keptFor(out, n, U, I))) return false;
    untouched.delete(c);
  }
  return true;
}

/** `keep`: keep what the backward pass that follows needs (sum-kept.ts; the wasm path only). */
export function foldedSumForward(state: ModelState, fold: SumFold, vals: NodeValues, n: number, reuse: NodeValues | undefined, keep = false): void {
  if (fastForward(state, fold, vals, n, reuse, keep)) return;
  const F = fold.nodes.length;
  const U = fold.units;
  const out = new Float64Array(F * n * U);
  sumLayerForward(gatherFoldInputs(state, fold, vals, n), foldWeights(state, fold), F, n, U, fold.inputs, out);
  fold.nodes.forEach((id, f) => {
    const o = buffer(reuse, id, n * U, false);
    o.set(out.subarray(f * n * U, (f + 1) * n * U));
    dropKept(o);
    vals.set(id, o);
  });
}

/**
 * `untouched`: nodes whose flow no parent has written yet (their arrays hold garbage): the
 * wasm path overwrites them, the batched one zeroes them first.
 */
export function foldedSumBackward(state: ModelState, fold: SumFold, vals: NodeValues, flows: NodeValues, n: number, rowWeights: Float64Array | undefined, counts: EdgeCounts | undefined, untouched: Set<string>): void {
  if (fastBackward(state, fold, vals, flows, n, rowWeights, counts, untouched)) return;
  for (const id of fold.nodes) {
    for (const c of (state.node(id) as SumNode).children) {
      if (!untouched.has(c)) continue;
      flows.get(c)!.fill(0);
      untouched.delete(c);
    }
  }
  const F = fold.nodes.length;
  const U = fold.units;
  const I = fold.inputs;
  const A = gatherFoldInputs(state, fold, vals, n);
  const W = foldWeights(state, fold);
  const out = new Float64Array(F * n * U);
  const flow = new Float64Array(F * n * U);
  fold.nodes.forEach((id, f) => {
    out.set(vals.get(id)!, f * n * U);
    flow.set(flows.get(id)!, f * n * U);
  });
  const inFlow = new Float64Array(F * n * I);
  const cnt = counts ? new Float64Array(F * U * I) : undefined;
  sumLayerBackward(A, out, flow, W, F, n, U, I, rowWeights, inFlow, cnt);
  fold.nodes.forEach((id, f) => {
    const node = state.node(id) as SumNode;
    let off = 0;
    for (const c of node.children) {
      const cu = state.node(c).units;
      const cf = flows.get(c)!;
      if (cu === I) {
        const base = f * n * I;
        for (let k = 0; k < n * I; k++) cf[k] += inFlow[base + k]!;
      } else for (let i = 0; i < n; i++) for (let j = 0; j < cu; j++) cf[i * cu + j] += inFlow[(f * n + i) * I + off + j]!;
      off += cu;
    }
    if (counts && cnt) {
      const acc = getOrInit(counts, node.weights, U * I);
      for (let k = 0; k < U * I; k++) acc[k] += cnt[f * U * I + k]!;
    }
  });
}
