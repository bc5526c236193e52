// The device layout of a folded circuit: where every node's values live in one float32 buffer
// per mini-batch of B rows, the ops of the forward and backward passes in order (grouped so
// that no two writers of one dispatch touch the same node), and where parameters, statistics
// and scratch live. Pure data (no WebGPU calls): the kernels (kernels.ts) bake these offsets in.
//
// Values of node k: vals[nodeOff[k] * B + b * units_k + u] (row-major per node, as on the CPU).
import type { InputNode, IRNode, SumNode } from '../../../ir/types.js';
import { foldPlan } from '../../../circuits/fold.js';
import type { ModelState } from '../../state.js';

/** A value below this is log 0 (device kernels use a finite stand-in for -infinity). */
export const LOG_ZERO = -1e30;
export const ZERO_BELOW = -1e29;

/** Discrete inputs (Bernoulli, Categorical): a log table per (unit, variable, level). */
export interface DiscreteInput {
  readonly id: string;
  readonly off: number;
  readonly units: number;
  readonly cols: readonly number[];
  /** Levels per variable (table padded to the largest, L). */
  readonly levels: readonly number[];
  readonly L: number;
  /** Start of the table in prm: [units, dims, L] log-probabilities. */
  readonly table: number;
  /** Start of the level counts in stats: [units, dims, L]. */
  readonly stats: number;
}

/** Normal (diag) inputs: per (unit, variable) mean, 0.5 / var and -0.5 log(2 pi var). */
export interface NormalInput {
  readonly id: string;
  readonly off: number;
  readonly units: number;
  readonly cols: readonly number[];
  readonly table: number;
  /** [units, dims, 3]: sum w, sum w (x - mean), sum w (x - mean)^2 (centred at the epoch's mean). */
  readonly stats: number;
}

export interface ProductNodeOp {
  readonly id: string;
  readonly off: number;
  readonly units: number;
  readonly kronecker: boolean;
  readonly kids: readonly { readonly off: number; readonly units: number }[];
}

/** A product's edge to one child, for the pull-style backward pass. */
export interface ProductEdge {
  readonly parentOff: number;
  readonly parentUnits: number;
  readonly childOff: number;
  readonly childUnits: number;
  readonly kronecker: boolean;
  /** Product of the units of the later siblings (the child's digit is (u / stride) % units). */
  readonly stride: number;
}

/** Folded sum nodes with disjoint children: one workgroup per (node, row). */
export interface SumGroup {
  readonly ids: readonly string[];
  readonly weights: readonly string[];
  readonly F: number;
  readonly U: number;
  readonly I: number;
  readonly outOff: readonly number[];
  /** Per (f, i): the child's offset + local unit, and the child's units (stride over rows). */
  readonly srcOff: readonly number[];
  readonly srcUnits: readonly number[];
  /** W [F, U, I] and W^T [F, I, U] in prm. */
  readonly w: number;
  readonly wt: number;
  /** m [F, B] (the max-shift of each row) in mbuf. */
  readonly m: number;
  /** Expected edge counts [F, U, I] in stats. */
  readonly counts: number;
  /**
   * A mixing node (arity A, inputs viewed as [A, U]) run as a dense sum whose weights are
   * W_dense[u, a * U + u] = W[u, a] and 0 elsewhere (mixing nodes are small in circuits).
   */
  readonly mixingArity?: number;
}

export type ForwardOp =
  | { readonly kind: 'discrete'; readonly nodes: readonly DiscreteInput[] }
  | { readonly kind: 'normal'; readonly nodes: readonly NormalInput[] }
  | { readonly kind: 'product'; readonly nodes: readonly ProductNodeOp[] }
  | { readonly kind: 'sum'; readonly group: SumGroup };

export type BackwardOp = { readonly kind: 'sum'; readonly group: SumGroup } | { readonly kind: 'product'; readonly edges: readonly ProductEdge[] };

export interface CircuitPlan {
  readonly B: number;
  readonly V: number;
  /** Units per row over all nodes. */
  readonly totalUnits: number;
  readonly rootOff: number;
  readonly forward: readonly ForwardOp[];
  readonly backward: readonly BackwardOp[];
  readonly discrete: readonly DiscreteInput[];
  readonly normal: readonly NormalInput[];
  readonly sums: readonly SumGroup[];
  readonly prmLen: number;
  readonly statsLen: number;
  readonly mLen: number;
  /** Floats of scratch (E [F, B, I] then rw * R [F, B, U] of one sum group at a time). */
  readonly scratchLen: number;
}

/** Why the device cannot run this circuit (a CPU fallback reason), or undefined. */
export function unsupported(state: ModelState): string | undefined {
  const root = state.node(state.graph.root);
  if (root.units !== 1) return `the root has ${root.units} units`;
  for (const n of state.nodes) {
    if (n.kind === 'sum') {
      if (new Set(n.children).size !== n.children.length) return `sum node ${n.id} names a child twice`;
      if (state.param(n.weights).param.kind !== 'simplex') return `sum node ${n.id} has ${state.param(n.weights).param.kind} weights`;
    } else if (n.kind === 'mixing') {
      if (new Set(n.children).size !== n.children.length) return `mixing node ${n.id} names a child twice`;
      if (state.param(n.weights).param.kind !== 'simplex') return `mixing node ${n.id} has ${state.param(n.weights).param.kind} weights`;
    } else if (n.kind === 'product') {
      if (new Set(n.children).size !== n.children.length) return `product node ${n.id} names a child twice`;
    } else if (n.kind === 'input') {
      if (!inputKind(state, n)) return `input node ${n.id} is ${n.dist}${n.variant ? `(${n.variant})` : ''} (the device has Bernoulli, Categorical and diagonal Normal inputs)`;
    } else return `node ${n.id} is a ${n.kind} node`;
  }
  return undefined;
}

/** Which device input kernel takes the node, by the leaf's declared capabilities. */
export function inputKind(state: ModelState, n: InputNode): 'discrete' | 'normal' | undefined {
  const { family, ctx, params } = state.layers.get(n.id)!;
  if (family.finiteLevels) return 'discrete';
  // A diagonal Gaussian by its moments ('mean' and 'var' roles): the device's Normal kernel.
  const m = family.gaussianMoments;
  const cov = m?.covariance[ctx.variant];
  if (m?.meanRole === 'mean' && cov?.layout === 'diagonal' && cov.role === 'var' && ctx.variant === 'diag' && !n.shared?.length && params['mean'] && params['var']) return 'normal';
  return undefined;
}

/** Splits items into groups in which no two share a key (greedy, order kept). */
function disjointGroups<T>(items: readonly T[], keys: (t: T) => readonly string[]): T[][] {
  const groups: { items: T[]; used: Set<string> }[] = [];
  for (const it of items) {
    const ks = keys(it);
    let g = groups.find((gr) => ks.every((k) => !gr.used.has(k)));
    if (!g) groups.push((g = { items: [], used: new Set() }));
    g.items.push(it);
    for (const k of ks) g.used.add(k);
  }
  return groups.map((g) => g.items);
}

export function circuitPlan(state: ModelState, B: number): CircuitPlan {
  const why = unsupported(state);
  if (why) throw new Error(`the WebGPU circuit kernels cannot run this circuit: ${why}`);
  const fp = foldPlan(state.graph);
  const nodeOff = new Map<string, number>();
  let totalUnits = 0;
  for (const n of state.nodes) {
    nodeOff.set(n.id, totalUnits);
    totalUnits += n.units;
  }
  const off = (id: string): number => nodeOff.get(id)!;
  const units = (id: string): number => state.node(id).units;
  let prm = 0;
  let stats = 0;
  let mLen = 0;
  let scratchLen = 0;
  const forward: ForwardOp[] = [];
  const backwardByLevel: BackwardOp[][] = [];
  const discrete: DiscreteInput[] = [];
  const normal: NormalInput[] = [];
  const sums: SumGroup[] = [];
  const arity = new Map<string, number>();
  for (const level of fp.levels) {
    const back: BackwardOp[] = [];
    const dIn: DiscreteInput[] = [];
    const nIn: NormalInput[] = [];
    const prods: ProductNodeOp[] = [];
    const edges: ProductEdge[] = [];
    const mixing: SumNode[][] = [];
    for (const id of level.singles) {
      const n = state.node(id) as IRNode;
      if (n.kind === 'input') {
        const layer = state.layers.get(id)!;
        const dims = n.scope.length;
        if (inputKind(state, n) === 'discrete') {
          const levels = n.scope.map((_, j) => layer.family.finiteLevels!(layer.ctx, j));
          const L = Math.max(1, ...levels);
          dIn.push({ id, off: off(id), units: n.units, cols: n.scope, levels, L, table: prm, stats });
          prm += n.units * dims * L;
          stats += n.units * dims * L;
        } else {
          nIn.push({ id, off: off(id), units: n.units, cols: n.scope, table: prm, stats });
          prm += n.units * dims * 3;
          stats += n.units * dims * 3;
        }
      } else if (n.kind === 'mixing') {
        mixing.push([{ kind: 'sum', id: n.id, scope: n.scope, units: n.units, children: n.children, weights: n.weights }]);
        arity.set(n.id, n.arity);
      } else if (n.kind === 'product') {
        const kids = n.children.map((c) => ({ off: off(c), units: units(c) }));
        const kronecker = n.mode === 'kronecker';
        prods.push({ id, off: off(id), units: n.units, kronecker, kids });
        let stride = 1;
        for (let c = kids.length - 1; c >= 0; c--) {
          edges.push({ parentOff: off(id), parentUnits: n.units, childOff: kids[c]!.off, childUnits: kids[c]!.units, kronecker, stride: kronecker ? stride : 1 });
          stride *= kids[c]!.units;
        }
      }
    }
    if (dIn.length) forward.push({ kind: 'discrete', nodes: dIn });
    if (nIn.length) forward.push({ kind: 'normal', nodes: nIn });
    if (prods.length) forward.push({ kind: 'product', nodes: prods });
    discrete.push(...dIn);
    normal.push(...nIn);
    const folds = [
      ...level.sums.map((fold) => ({ nodes: fold.nodes.map((id) => state.node(id) as SumNode), U: fold.units, I: fold.inputs })),
      ...mixing.map((nodes) => ({ nodes, U: nodes[0]!.units, I: nodes[0]!.children.reduce((t, c) => t + units(c), 0) })),
    ];
    for (const fold of folds) {
      for (const part of disjointGroups(fold.nodes, (nd) => nd.children)) {
        const F = part.length;
        const U = fold.U;
        const I = fold.I;
        const srcOff: number[] = [];
        const srcUnits: number[] = [];
        for (const nd of part) for (const c of nd.children) for (let j = 0; j < units(c); j++) {
          srcOff.push(off(c) * B + j);
          srcUnits.push(units(c));
        }
        const group: SumGroup = {
          ids: part.map((nd) => nd.id), weights: part.map((nd) => nd.weights), F, U, I,
          outOff: part.map((nd) => off(nd.id) * B), srcOff, srcUnits,
          w: prm, wt: prm + F * U * I, m: mLen, counts: stats,
          ...(arity.has(part[0]!.id) ? { mixingArity: arity.get(part[0]!.id)! } : {}),
        };
        prm += 2 * F * U * I;
        stats += F * U * I;
        mLen += F * B;
        scratchLen = Math.max(scratchLen, F * B * (I + U));
        sums.push(group);
        forward.push({ kind: 'sum', group });
        back.push({ kind: 'sum', group });
      }
    }
    // A child reached from two products of one level is written by two edges: separate dispatches.
    for (const g of disjointGroups(edges, (e) => [String(e.childOff)])) back.push({ kind: 'product', edges: g });
    backwardByLevel.push(back);
  }
  const backward = backwardByLevel.reverse().flat();
  return {
    B, V: state.graph.vars.length, totalUnits, rootOff: off(state.graph.root),
    forward, backward, discrete, normal, sums,
    prmLen: prm, statsLen: stats, mLen, scratchLen,
  };
}
