// Products of k input layers in closed form: for units u_1..u_k of layers L_1..L_k over the
// same variables, log of f_1(x) ... f_k(x) at observed coordinates times, for every
// marginalized coordinate, the integral of the product over it (the leaves of the product
// circuit: k = 2 for c * c, k = 3 for c+ * c * c). The product itself is the leaf family's
// declared capability (LeafFamily.squareProduct, e.g. stdlib/distributions/normal-product.ts
// and level-product.ts); here only what all families share: same variables, same family.
import { distributions } from '../../stdlib/distributions/index.js';
import type { ProductCoordSpec, TupleLeafOps } from '../../stdlib/distributions/index.js';
import type { LeafLayerView, LeafShape } from './view.js';

export type { TupleLeafOps } from '../../stdlib/distributions/index.js';

/**
 * A coordinate treated specially instead of being observed or integrated over the whole line:
 * integrated only over [lower[row], upper[row]] (a missing end is infinite: CDF pieces for
 * sampling, interval masses), or, with `moment`, integrated against (x - center)^k (moments of
 * the product; the result may be negative, so forward then reports signs).
 */
export type CdfSpec = ProductCoordSpec;

/** @deprecated the k = 2 name */
export type PairLeafOps = TupleLeafOps;

/** "A, B and C": the leaves that declare a closed-form product, in registry order. */
function squarable(): string {
  const names = [...distributions].filter(([, f]) => f.squareProduct).map(([n]) => n);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? 'none');
}

/** Why layers ls cannot be multiplied in closed form, or undefined when they can. */
export function tupleLeafProblem(ls: readonly LeafShape[]): string | undefined {
  const a = ls[0]!;
  for (const b of ls) {
    if (a.node.scope.join() !== b.node.scope.join()) return `input layers over different variables (${a.node.scope} vs ${b.node.scope}) meet in the product`;
    if (a.family.name !== b.family.name) return `${a.family.name} and ${b.family.name} leaves over the same variables have no closed-form product here`;
  }
  const product = a.family.squareProduct;
  if (!product) return `${a.family.name} leaves are not supported in squared circuits (they support ${squarable()})`;
  return product.problem(ls.map((l) => l.ctx));
}

export function pairLeafProblem(a: LeafShape, b: LeafShape): string | undefined {
  return tupleLeafProblem([a, b]);
}

export function tupleLeaf(ls: readonly LeafLayerView[]): TupleLeafOps {
  const problem = tupleLeafProblem(ls);
  if (problem) throw new Error(problem);
  return ls[0]!.family.squareProduct!.ops(ls);
}
