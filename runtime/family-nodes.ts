// Family nodes inside mixtures and products (a KDE as a component): the runtime evaluates,
// initializes, refits, summarizes and samples such a node through its family's hooks. The
// families sit above the runtime, so the registry hands the hooks down once
// (families/index.ts calls registerFamilyNodes); the runtime never names a family.
import type { FamilyNode, IRGraph } from '../ir/types.js';
import type { Rng } from '../stdlib/random.js';
import { PmixError } from './errors.js';
import type { ModelState } from './state.js';

export interface FamilyNodeHooks {
  /** out[i * units + u] = log p_u(row i); xs: n rows over the node's scope, NaN cells marginalized. */
  logDensity(state: ModelState, node: FamilyNode, xs: Float64Array, n: number, out: Float64Array): void;
  /** EM's start: unit u's share of row i is resp[i * units + u] (k-means split, times the row weights). */
  init(state: ModelState, node: FamilyNode, xs: Float64Array, n: number, resp: Float64Array): void;
  /**
   * EM's M-step with responsibilities resp (n x units, row weights included); `current`: the
   * node's log-values at the same rows before the step. A generalized M-step: it must not lower
   * sum_i resp[i, u] log p_u(x_i) for any unit, so EM never lowers the likelihood.
   */
  refitWeighted(state: ModelState, node: FamilyNode, xs: Float64Array, n: number, resp: Float64Array, current: Float64Array): void;
  /** Mean and variance of each scope variable of unit u given `local` (NaN = free; given ones get NaN). */
  moments(state: ModelState, node: FamilyNode, unit: number, local: Float64Array): { mean: Float64Array; variance: Float64Array };
  /** One draw of unit u given `local` (NaN = free) into out (one value per scope variable). */
  sample(state: ModelState, node: FamilyNode, unit: number, local: Float64Array, rng: Rng, out: Float64Array): void;
  /** Free scalar values (BIC/AIC): bandwidths chosen from the data. */
  freeParameters(state: ModelState, node: FamilyNode): number;
  /** Checks of the node in an artifact's graph (`at`: its field, e.g. ir.nodes[2]). */
  checkNode(graph: IRGraph, node: FamilyNode, at: string, fail: (field: string, message: string) => never): void;
}

let lookup: (family: string) => FamilyNodeHooks | undefined = () => undefined;

/** The registry's hooks by family name (families/index.ts). */
export function registerFamilyNodes(find: (family: string) => FamilyNodeHooks | undefined): void {
  lookup = find;
}

export function familyNodeHooks(node: FamilyNode): FamilyNodeHooks {
  const h = lookup(node.family);
  if (!h) throw new PmixError(`a ${node.family} node cannot be a part of a mixture or a product (its family has no component hooks)`, 'unsupported');
  return h;
}
