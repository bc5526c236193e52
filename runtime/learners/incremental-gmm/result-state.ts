// The incremental mixture as an ordinary mixture state: the lowered graph with its component
// count set to the number of components the pass kept (params, the leaf's units and the
// mixing node's arity), so artifacts, queries, scores and plots treat it as any fitted mixture.
import type { IRGraph, IRParam } from '../../../ir/types.js';
import { ModelState } from '../../state.js';
import type { Component } from './component.js';
import type { IncrementalShape } from './shape.js';

/** regCovar (already in the data's units) is added to every variance, as EM's M-step does. */
export function mixtureState(graph: IRGraph, shape: IncrementalShape, comps: readonly Component[], regCovar: number): ModelState {
  const K = comps.length;
  const D = shape.leaf.scope.length;
  const total = comps.reduce((s, c) => s + c.count, 0);
  const { leaf, mixing } = shape;
  const params: Record<string, IRParam> = { ...graph.params };
  const set = (name: string, shapeOf: number[], value: number[]): void => {
    params[name] = { ...graph.params[name]!, shape: shapeOf, value, init: 'given' };
  };
  set(mixing.weights, [1, K], comps.map((c) => c.count / total));
  set(leaf.params[shape.meanRole]!, [K, D], comps.flatMap((c) => Array.from(c.mean)));
  if (shape.full) {
    set(
      leaf.params[shape.covRole]!,
      [K, D, D],
      comps.flatMap((c) => Array.from(c.cov, (v, i) => (i % (D + 1) === 0 ? v + regCovar : v))),
    );
  } else {
    set(leaf.params[shape.covRole]!, [K, D], comps.flatMap((c) => Array.from(c.cov, (v) => v + regCovar)));
  }
  const nodes = graph.nodes.map((n) => (n.id === leaf.id ? { ...leaf, units: K } : n.id === mixing.id ? { ...mixing, arity: K } : n));
  return new ModelState({ ...graph, params, nodes });
}
