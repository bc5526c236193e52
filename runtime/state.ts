// Runtime state of one model: the IR graph plus its parameter values as mutable Float64Arrays
// (learners update them in place), with per-node views the kernels read.
import type { InputNode, IRGraph, IRNode, IRParam } from '../ir/types.js';
import { getDistribution } from '../stdlib/distributions/index.js';
import type { LayerContext, LayerParams, LeafFamily } from '../stdlib/distributions/index.js';
import { hasIntegrals, materializeIntegrals, type PointsChoice } from '../compiler/passes/quadrature.js';

export interface InputLayer {
  readonly node: InputNode;
  readonly family: LeafFamily;
  readonly ctx: LayerContext;
  /** role -> the parameter's live values */
  readonly params: LayerParams;
  /** role -> IR parameter name */
  readonly names: Readonly<Record<string, string>>;
}

export class ModelState {
  readonly graph: IRGraph;
  readonly values = new Map<string, Float64Array>();
  readonly nodes: readonly IRNode[];
  readonly byId = new Map<string, IRNode>();
  readonly layers = new Map<string, InputLayer>();
  /**
   * An integral circuit as written (integral nodes, nets), when `graph` is its quadrature
   * materialization: what artifacts store, so a loaded model can be materialized at any size.
   */
  symbolic?: IRGraph;
  /** The point counts `graph` was materialized with. */
  points?: PointsChoice;

  /** An integral circuit is materialized with its training point counts ('train') or its evaluation ones. */
  constructor(input: IRGraph, points: PointsChoice = 'eval') {
    const graph = hasIntegrals(input) ? materializeIntegrals(input, points) : input;
    if (graph !== input) {
      this.symbolic = input;
      this.points = points;
    }
    this.graph = graph;
    this.nodes = graph.nodes;
    for (const p of Object.values(graph.params)) this.values.set(p.name, Float64Array.from(p.value));
    for (const n of graph.nodes) {
      this.byId.set(n.id, n);
      if (n.kind === 'input') {
        const family = getDistribution(n.dist);
        if (!family) throw new Error(`unknown distribution '${n.dist}' in node ${n.id}`);
        const params: LayerParams = {};
        for (const [role, name] of Object.entries(n.params)) params[role] = this.values.get(name)!;
        const ctx: LayerContext = {
          dims: n.scope.length,
          units: n.units,
          variant: n.variant ?? '',
          levels: n.scope.map((i) => {
            const t = graph.vars[i]!.type;
            return t.kind === 'categorical' ? t.levels.length : t.kind === 'bool' ? 2 : 0;
          }),
        };
        this.layers.set(n.id, { node: n, family, ctx, params, names: n.params });
      }
    }
  }

  node(id: string): IRNode {
    const n = this.byId.get(id);
    if (!n) throw new Error(`no node '${id}'`);
    return n;
  }

  param(name: string): IRParam {
    const p = this.graph.params[name];
    if (!p) throw new Error(`no parameter '${name}'`);
    return p;
  }

  /** A copy with the same graph and copied values (restarts keep the best copy). */
  clone(): ModelState {
    const s = new ModelState(this.graph);
    s.symbolic = this.symbolic;
    s.points = this.points;
    s.copyFrom(this);
    return s;
  }

  /** An integral circuit materialized again with other point counts (the same functions). */
  withPoints(points: PointsChoice): ModelState {
    return this.symbolic ? new ModelState(this.toArtifactGraph(), points) : this;
  }

  /** Copies all parameter values from another state of the same graph. */
  copyFrom(other: ModelState): void {
    for (const [k, v] of other.values) this.values.get(k)!.set(v);
  }

  /** The IR graph with the current parameter values (and init marked 'given'). */
  toGraph(): IRGraph {
    const params: Record<string, IRParam> = {};
    for (const [k, p] of Object.entries(this.graph.params)) {
      params[k] = { ...p, value: Array.from(this.values.get(k)!), init: 'given' };
    }
    return { ...this.graph, params };
  }

  /**
   * What an artifact stores: toGraph(), except for an integral circuit, which is stored as
   * written (integral nodes, its functions' current parameters) so it can be materialized at
   * any quadrature size when loaded.
   */
  toArtifactGraph(): IRGraph {
    if (!this.symbolic) return this.toGraph();
    const params: Record<string, IRParam> = {};
    for (const [k, p] of Object.entries(this.symbolic.params)) {
      const v = this.values.get(k);
      params[k] = v && v.length === p.value.length && p.param.kind !== 'neural' ? { ...p, value: Array.from(v), init: 'given' } : { ...p, init: 'given' };
    }
    return { ...this.symbolic, params };
  }

  /** Number of free scalar parameters (for BIC/AIC): fixed parameters do not count. */
  freeParameterCount(): number {
    let total = 0;
    // A GP node's parameters are all hyperparameters (its training data and q(u) are fixed ones).
    if (this.nodes.some((n) => n.kind === 'gp')) for (const p of Object.values(this.graph.params)) if (!p.fixed) total += p.value.length;
    // An integral circuit's free parameters are its functions' (net layers, constants), counted once.
    const fnParams = new Set<string>();
    for (const p of Object.values(this.graph.params)) {
      if (p.param.kind !== 'neural') continue;
      const fn = p.param.fn;
      if (fn.kind === 'net') fn.layers.forEach((l) => fnParams.add(l.w).add(l.b));
      if (fn.kind === 'constant') fnParams.add(fn.param);
    }
    for (const k of fnParams) if (!this.param(k).fixed) total += this.param(k).value.length;
    const neural = (nm: string): boolean => this.param(nm).param.kind === 'neural';
    for (const n of this.nodes) {
      if ((n.kind === 'sum' || n.kind === 'mixing') && neural(n.weights)) continue;
      if (n.kind === 'input' && Object.values(n.params).some(neural)) continue;
      if (n.kind === 'mixing' || n.kind === 'sum') {
        const p = this.param(n.weights);
        // simplex weights: U (I - 1) free values; signed ones (squared circuits): all U I
        if (!p.fixed) total += p.param.kind === 'signed' ? p.value.length : n.kind === 'mixing' ? n.units * (n.arity - 1) : p.shape[0]! * (p.shape[1]! - 1);
      } else if (n.kind === 'input') {
        const layer = this.layers.get(n.id)!;
        const { perUnit, shared } = layer.family.freeParams(layer.ctx);
        const allFixed = Object.values(layer.names).every((nm) => this.param(nm).fixed);
        if (allFixed) continue;
        // Fixed roles are subtracted by their size per unit.
        let fixedPerUnit = 0;
        let fixedShared = 0;
        for (const [role, nm] of Object.entries(layer.names)) {
          const p = this.param(nm);
          if (!p.fixed) continue;
          const size = p.value.length;
          if (n.shared?.includes(role)) fixedShared += size;
          else fixedPerUnit += size / n.units;
        }
        total += n.units * Math.max(0, perUnit - fixedPerUnit) + Math.max(0, shared - fixedShared);
      }
    }
    return total;
  }
}

/** Gathers the columns `scope` of the N x V matrix x into a contiguous N x |scope| buffer. */
export function gather(x: Float64Array, n: number, v: number, scope: readonly number[], out?: Float64Array): Float64Array {
  const d = scope.length;
  const buf = out ?? new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) buf[i * d + j] = x[i * v + scope[j]!]!;
  return buf;
}
