// A fitted model's parameters by the names users wrote (Model.params(), docs/api.md), instead
// of the artifact's internal names (n0.mean). Families give it through their optional
// `params(state)` hook (runtime/family.ts).
import type { IRGraph, IRNode } from '../ir/types.js';
import type { ModelState } from './state.js';
import type { GpParams } from './gp/params-view.js';
import type { GraphParams } from './graph-params-view.js';

/** One leaf's parameters: a vector over its variables is a record by variable name, a
 * matrix (a covariance) rows in `variables` order, a categorical's probabilities by level. */
export type ParamValue = number | readonly number[] | readonly (readonly number[])[] | Readonly<Record<string, number>>;

export interface LeafParams {
  readonly distribution: string;
  readonly variant?: string;
  readonly variables: readonly string[];
  readonly params: Readonly<Record<string, ParamValue>>;
}

export interface ComponentParams {
  /** Numbered from 1, as in the text output. */
  readonly component: number;
  readonly weight: number;
  readonly leaves: readonly LeafParams[];
}

export interface MixtureParams {
  readonly kind: 'mixture';
  readonly weights: readonly number[];
  readonly components: readonly ComponentParams[];
}

/** A view of one model's parameters, told apart by `kind`; more kinds come with their families. */
export type ModelParams = MixtureParams | GpParams | GraphParams;

/** The slice of `values` for unit `u` of a parameter shaped [units, ...rest]. */
function unitSlice(values: Float64Array, shape: readonly number[], u: number): { data: number[]; rest: number[] } {
  const rest = shape.slice(1);
  const size = rest.reduce((a, b) => a * b, 1);
  return { data: Array.from(values.subarray(u * size, (u + 1) * size)), rest };
}

/** A leaf's parameter for one unit, shaped by what it is over (see ParamValue). */
function leafValue(graph: IRGraph, node: Extract<IRNode, { kind: 'input' }>, values: Float64Array, shape: readonly number[], u: number): ParamValue {
  const names = node.scope.map((i) => graph.vars[i]!.name);
  const { data, rest } = unitSlice(values, shape, u);
  const d = names.length;
  const only = graph.vars[node.scope[0]!]!;
  if (d === 1 && only.type.kind === 'categorical' && data.length === only.type.levels.length) {
    const levels = only.type.levels;
    return Object.fromEntries(levels.map((l, i) => [l, data[i]!]));
  }
  if (rest.length === 2 && rest[0] === d && rest[1] === d) return Array.from({ length: d }, (_, i) => data.slice(i * d, (i + 1) * d));
  if (data.length === d) return Object.fromEntries(names.map((n, i) => [n, data[i]!]));
  return data.length === 1 ? data[0]! : data;
}

/**
 * The view of a flat mixture (a root mixing node over leaves, or over a product of leaves, with
 * one unit per component); undefined for other shapes (nested mixtures, circuits).
 */
export function mixtureParams(state: ModelState): MixtureParams | undefined {
  const g = state.graph;
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const root = byId.get(g.root);
  if (!root || root.kind !== 'mixing') return undefined;
  const k = root.arity;
  // Components are the units of one child (mixture(k = 3) of ...) or one child each (mixture { A, B }).
  const shared = root.children.length === 1;
  if (!shared && root.children.length !== k) return undefined;
  const leavesOf = (id: string): IRNode[] => {
    const child = byId.get(id)!;
    return child.kind === 'product' ? child.children.map((c) => byId.get(c)!) : [child];
  };
  const parts = root.children.map(leavesOf);
  if (!parts.every((leaves) => leaves.every((l) => l.kind === 'input' && l.units === (shared ? k : 1)))) return undefined;
  const weights = Array.from(state.values.get(root.weights)!);
  const components = weights.map((weight, c) => {
    const u = shared ? c : 0;
    return {
      component: c + 1,
      weight,
      leaves: parts[shared ? 0 : c]!.map((l) => {
        const leaf = l as Extract<IRNode, { kind: 'input' }>;
        const params = Object.fromEntries(
          Object.entries(leaf.params).map(([role, name]) => [role, leafValue(g, leaf, state.values.get(name)!, g.params[name]!.shape, u)]),
        );
        return { distribution: leaf.dist, ...(leaf.variant ? { variant: leaf.variant } : {}), variables: leaf.scope.map((i) => g.vars[i]!.name), params };
      }),
    };
  });
  return { kind: 'mixture', weights, components };
}
