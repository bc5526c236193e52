// What the squared-circuit algebra reads of a model: the IR structure, the live parameter
// values and the leaf layers. runtime/state.ts's ModelState satisfies it structurally, so
// circuits/ computes on a fitted model without importing the runtime.
import type { InputNode, IRGraph, IRNode } from '../../ir/types.js';
import type { LayerContext, LayerParams, LeafFamily } from '../../stdlib/distributions/index.js';
import { getDistribution } from '../../stdlib/distributions/index.js';

export interface LeafLayerView {
  readonly node: InputNode;
  readonly family: LeafFamily;
  readonly ctx: LayerContext;
  /** role -> live values */
  readonly params: LayerParams;
  /** role -> IR parameter name */
  readonly names: Readonly<Record<string, string>>;
}

/** A leaf layer's structure without values (what compatibility checks read). */
export type LeafShape = Pick<LeafLayerView, 'node' | 'family' | 'ctx'>;

/** The structure of an input node of an IR graph, for checks made before any values exist. */
export function leafShape(graph: IRGraph, node: InputNode): LeafShape | undefined {
  const family = getDistribution(node.dist);
  if (!family) return undefined;
  const levels = node.scope.map((i) => {
    const t = graph.vars[i]!.type;
    return t.kind === 'categorical' ? t.levels.length : t.kind === 'bool' ? 2 : 0;
  });
  return { node, family, ctx: { dims: node.scope.length, units: node.units, variant: node.variant ?? '', levels } };
}

export interface CircuitView {
  readonly graph: IRGraph;
  readonly values: ReadonlyMap<string, Float64Array>;
  readonly layers: ReadonlyMap<string, LeafLayerView>;
  node(id: string): IRNode;
}

/** A sum or mixing node's weights as a dense [units, inputs] matrix (mixing: W[u, a*U+u] = w[u, a]). */
export function denseWeights(view: CircuitView, id: string): { W: Float64Array; U: number; I: number } {
  const node = view.node(id);
  if (node.kind === 'sum') {
    const W = view.values.get(node.weights)!;
    return { W, U: node.units, I: W.length / node.units };
  }
  if (node.kind !== 'mixing') throw new Error(`node ${id} has no weights`);
  const w = view.values.get(node.weights)!;
  const U = node.units;
  const A = node.arity;
  const W = new Float64Array(U * A * U);
  for (let u = 0; u < U; u++) for (let a = 0; a < A; a++) W[u * A * U + a * U + u] = w[u * A + a]!;
  return { W, U, I: A * U };
}

/** Adds the gradient of a dense-weight matrix back onto the node's own weights parameter. */
export function addDenseGrad(view: CircuitView, id: string, G: Float64Array, into: Float64Array): void {
  const node = view.node(id);
  if (node.kind === 'sum') {
    for (let k = 0; k < G.length; k++) into[k] += G[k]!;
    return;
  }
  if (node.kind !== 'mixing') return;
  const U = node.units;
  const A = node.arity;
  for (let u = 0; u < U; u++) for (let a = 0; a < A; a++) into[u * A + a] += G[u * A * U + a * U + u]!;
}

/** The concatenated-input index of each child's first unit, and the total. */
export function childOffsets(view: CircuitView, children: readonly string[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let t = 0;
  for (const c of children) {
    offsets.push(t);
    t += view.node(c).units;
  }
  return { offsets, total: t };
}
