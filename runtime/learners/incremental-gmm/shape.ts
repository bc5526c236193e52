// Which models the incremental mixture fits: one mixture over all the variables whose
// components are one Gaussian leaf with moment parameters and a full or diagonal covariance
// (LeafFamily.gaussianMoments: Normal(full), Normal(diag)); anything else is refused with the
// leaf or node that is not, and where it is written.
import type { InputNode, IRGraph, MixingNode } from '../../../ir/types.js';
import { getDistribution } from '../../../stdlib/distributions/index.js';

export interface IncrementalShape {
  readonly mixing: MixingNode;
  readonly leaf: InputNode;
  readonly full: boolean;
  /** The leaf's roles of the mean and of the covariance (matrix when full, variances when not). */
  readonly meanRole: string;
  readonly covRole: string;
}

const where = (n: { source?: { line: number; column: number } }): string => (n.source ? ` (line ${n.source.line}, column ${n.source.column})` : '');

/** The model's mixing node and Gaussian leaf, or the reason in words why the incremental mixture cannot fit it. */
export function incrementalShape(graph: IRGraph): IncrementalShape | string {
  const root = graph.nodes.find((n) => n.id === graph.root);
  const want = 'incremental fits mixture(k = K) of Normal(full) or Normal(diag) over all the variables';
  if (!root || root.kind !== 'mixing' || root.units !== 1 || root.children.length !== 1) return `${want}; this model's root${root ? where(root) : ''} is not such a mixture`;
  const leaf = graph.nodes.find((n) => n.id === root.children[0]);
  if (!leaf || leaf.kind !== 'input') return `${want}; its components${leaf ? where(leaf) : ''} are ${leaf?.kind ?? 'missing'} nodes, not one Normal leaf`;
  const moments = getDistribution(leaf.dist)?.gaussianMoments;
  if (!moments) return `${want}; the ${leaf.dist} leaf${where(leaf)} is not a Gaussian`;
  const variant = leaf.variant ?? '';
  const cov = moments.covariance[variant];
  if (!cov) return `${want}; the ${leaf.dist}(${variant}) leaf${where(leaf)} has neither a full nor a diagonal covariance of its own`;
  if (graph.nodes.length !== 2 || leaf.scope.length !== graph.vars.length) return `${want}; this model has other nodes besides the mixture and its Normal leaf`;
  for (const name of [root.weights, ...Object.values(leaf.params)]) {
    if (graph.params[name]?.fixed) return `${want}, learning every parameter; ${name}${where(leaf)} is fixed`;
  }
  return { mixing: root, leaf, full: cov.layout === 'matrix', meanRole: moments.meanRole, covRole: cov.role };
}
