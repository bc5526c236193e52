// The generic parameter view (Model.params(), docs/api.md) of families whose graph keeps no
// names of its own (circuits, squared and integral circuits, Chow-Liu trees, KDE, mixtures of
// experts, nested mixtures): every node by kind, with its variables by name, the line:column
// it was written at, and its parameters by role.
import type { IRNode } from '../ir/types.js';
import type { ModelState } from './state.js';

/** One parameter: its shape and its values flat, row-major (the artifact's layout). */
export interface GraphParamValue {
  readonly shape: readonly number[];
  readonly value: readonly number[];
}

export interface GraphNodeParams {
  readonly id: string;
  /** input (a leaf layer), sum, mixing, product, square, integral, family, ... */
  readonly kind: IRNode['kind'];
  /** A leaf's distribution, a family node's family (kde, moe, ...). */
  readonly distribution?: string;
  readonly family?: string;
  readonly units: number;
  readonly variables: readonly string[];
  readonly children: readonly string[];
  /** Where the model text wrote it (1-based), when known. */
  readonly source?: { readonly line: number; readonly column: number };
  /** By role: a leaf's mean/cov/probs, a sum's weights, a KDE's points and bandwidth, ... */
  readonly params: Readonly<Record<string, GraphParamValue>>;
  /** Plain settings of a family node (a KDE's kernel name). */
  readonly options?: Readonly<Record<string, string | number | boolean | readonly number[]>>;
}

export interface GraphParams {
  readonly kind: 'graph';
  /** The model family (circuit, squared, integral, chow_liu, kde, moe, mixture). */
  readonly family: string;
  readonly variables: readonly string[];
  /** Topological order, root last. */
  readonly nodes: readonly GraphNodeParams[];
  /** Graph-level parameters no node names (a Chow-Liu smoothing alpha). */
  readonly other: Readonly<Record<string, GraphParamValue>>;
}

/** Each node's parameter roles -> IR parameter names. */
function roles(node: IRNode): Record<string, string> {
  switch (node.kind) {
    case 'input':
    case 'family':
      return { ...node.params };
    case 'sum':
    case 'mixing':
      return { weights: node.weights };
    case 'square':
      return { ...(node.monotone ? { monotone: node.monotone } : {}) };
    case 'integral':
      return node.weights ? { weights: node.weights } : {};
    default:
      return {};
  }
}

function childrenOf(node: IRNode): string[] {
  if ('children' in node) return [...node.children];
  if ('child' in node) return [node.child, ...(node.kind === 'square' && node.partition ? [node.partition] : [])];
  return [];
}

export function graphParams(state: ModelState): GraphParams {
  const g = state.graph;
  const value = (name: string): GraphParamValue => ({ shape: [...g.params[name]!.shape], value: Array.from(state.values.get(name) ?? g.params[name]!.value) });
  const used = new Set<string>();
  const nodes = g.nodes.map((node): GraphNodeParams => {
    const params = Object.fromEntries(
      Object.entries(roles(node))
        .filter(([, name]) => g.params[name])
        .map(([role, name]) => (used.add(name), [role, value(name)])),
    );
    return {
      id: node.id,
      kind: node.kind,
      ...(node.kind === 'input' ? { distribution: node.dist } : {}),
      ...(node.kind === 'family' ? { family: node.family, options: node.options } : {}),
      units: node.units,
      variables: node.scope.map((i) => g.vars[i]!.name),
      children: childrenOf(node),
      ...(node.source ? { source: { line: node.source.line, column: node.source.column } } : {}),
      params,
    };
  });
  const other = Object.fromEntries(Object.keys(g.params).filter((n) => !used.has(n)).map((n) => [n, value(n)]));
  return { kind: 'graph', family: g.family, variables: g.vars.map((v) => v.name), nodes, other };
}
