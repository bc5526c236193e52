// Which models the incremental mixture fits: one mixture over all the variables whose
// components are one Normal(full) or Normal(diag) leaf (`mixture(k = K) of Normal(full)`);
// anything else is refused with the leaf or node that is not, and where it is written.
import type { InputNode, IRGraph, MixingNode } from '../../../ir/types.js';

export interface IncrementalShape {
  readonly mixing: MixingNode;
  readonly leaf: InputNode;
  readonly full: boolean;
}

const where = (n: { source?: { line: number; column: number } }): string => (n.source ? ` (line ${n.source.line}, column ${n.source.column})` : '');

/** The model's mixing node and Normal leaf, or the reason in words why the incremental mixture cannot fit it. */
export function incrementalShape(graph: IRGraph): IncrementalShape | string {
  const root = graph.nodes.find((n) => n.id === graph.root);
  const want = 'incremental fits mixture(k = K) of Normal(full) or Normal(diag) over all the variables';
  if (!root || root.kind !== 'mixing' || root.units !== 1 || root.children.length !== 1) return `${want}; this model's root${root ? where(root) : ''} is not such a mixture`;
  const leaf = graph.nodes.find((n) => n.id === root.children[0]);
  if (!leaf || leaf.kind !== 'input') return `${want}; its components${leaf ? where(leaf) : ''} are ${leaf?.kind ?? 'missing'} nodes, not one Normal leaf`;
  if (leaf.dist !== 'Normal') return `${want}; the ${leaf.dist} leaf${where(leaf)} is not a Normal`;
  const variant = leaf.variant ?? 'full';
  if (variant !== 'full' && variant !== 'diag') return `${want}; the Normal(${variant}) leaf${where(leaf)} is neither full nor diag`;
  if (graph.nodes.length !== 2 || leaf.scope.length !== graph.vars.length) return `${want}; this model has other nodes besides the mixture and its Normal leaf`;
  for (const name of [root.weights, ...Object.values(leaf.params)]) {
    if (graph.params[name]?.fixed) return `${want}, learning every parameter; ${name}${where(leaf)} is fixed`;
  }
  return { mixing: root, leaf, full: variant === 'full' };
}
