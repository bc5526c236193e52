// The product of compatible circuits (Vergari et al. 2021; Loconte et al. 2024): for nodes
// n_1, ..., n_k (units U_1..U_k) over the same variables, the tuple node (n_1, ..., n_k)
// holds the U_1 x ... x U_k products n_1[u_1] * ... * n_k[u_k] (flattened, last side fastest).
// k = 2 gives c * c (the square of c); k = 3 gives c+ * c * c (a monotone circuit times a
// squared one). Sums distribute (their weights combine as a Kronecker product, applied one
// side at a time: (a, b) -> (a's children, b) -> (..., b's children)), products over the same
// variable partition pair child by child, and input layers multiply in closed form
// (pair-leaves.ts). This needs the circuits to split their variables the same way everywhere
// (structured decomposability, for c * c; compatibility, for c+ * c); otherwise the tuple that
// breaks it is reported. The circuit is a plan over node ids: values are read at evaluation
// time, so it is built once and evaluated after every parameter update.
import type { IRGraph, IRNode } from '../../ir/types.js';
import { tupleLeafProblem } from './pair-leaves.js';
import { leafShape } from './view.js';

interface TupleBase {
  readonly key: string;
  /** One node id per side. */
  readonly ids: readonly string[];
  /** Units per side. */
  readonly units: readonly number[];
  /** The product of `units`: values per row. */
  readonly size: number;
  readonly scope: readonly number[];
}

export type TupleNode =
  | (TupleBase & { readonly kind: 'leaf' })
  /** Side `side` is a sum (or mixing) node: out[.., u, ..] = sum_i W[u, i] (.., side's children, ..)[.., i, ..]. */
  | (TupleBase & { readonly kind: 'sum'; readonly side: number; readonly children: readonly string[] })
  /** All sides products over the same partition: out[flat] = prod_f factor_f[index_f[flat]]. */
  | (TupleBase & { readonly kind: 'product'; readonly factors: readonly { readonly key: string; readonly index: Int32Array }[] });

/** @deprecated the k = 2 name */
export type PairNode = TupleNode;

export interface ProductCircuit {
  /** Topological order: every tuple after the tuples it reads. */
  readonly nodes: readonly TupleNode[];
  readonly byKey: ReadonlyMap<string, TupleNode>;
  readonly root: string;
  /** The number of sides (2 for c * c, 3 for c+ * c * c). */
  readonly arity: number;
}

/** c is not compatible with itself (or the circuits with each other) at node `node`. */
export class IncompatibleCircuitsError extends Error {
  constructor(
    message: string,
    readonly node: IRNode,
    /** 'unsupported-leaf': the leaves have no closed-form product; otherwise the structure is at fault. */
    readonly code: 'not-structured-decomposable' | 'unsupported-leaf' = 'not-structured-decomposable',
  ) {
    super(message);
  }
}

const isSum = (n: IRNode): boolean => n.kind === 'sum' || n.kind === 'mixing';
const sameScope = (p: readonly number[], q: readonly number[]): boolean => p.length === q.length && p.every((x, i) => x === q[i]);
const showScope = (g: IRGraph, s: readonly number[]): string => `{${s.map((i) => g.vars[i]?.name ?? i).join(', ')}}`;

/** For each unit of product node p, the unit of its c-th child (Hadamard: the same; Kronecker: mixed radix, last child fastest). */
function unitMap(g: Map<string, IRNode>, p: Extract<IRNode, { kind: 'product' }>, c: number): Int32Array {
  const m = new Int32Array(p.units);
  if (p.mode === 'hadamard') {
    for (let u = 0; u < p.units; u++) m[u] = u;
    return m;
  }
  let stride = 1;
  for (let k = p.children.length - 1; k > c; k--) stride *= g.get(p.children[k]!)!.units;
  const size = g.get(p.children[c]!)!.units;
  for (let u = 0; u < p.units; u++) m[u] = Math.floor(u / stride) % size;
  return m;
}

/** The strides of a flattened [U_1, ..., U_k] index (last fastest). */
export function strides(units: readonly number[]): number[] {
  const s = new Array<number>(units.length);
  let t = 1;
  for (let k = units.length - 1; k >= 0; k--) {
    s[k] = t;
    t *= units[k]!;
  }
  return s;
}

/** The product circuit of the sub-circuits rooted at `roots` of one graph (c * c: [c, c]; c+ * c * c: [c+, c, c]). */
export function tupleCircuit(graph: IRGraph, roots: readonly string[], what = 'c * c'): ProductCircuit {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes: TupleNode[] = [];
  const byKey = new Map<string, TupleNode>();
  const K = roots.length;
  const visit = (ids: readonly string[]): string => {
    const key = ids.join('|');
    if (byKey.has(key)) return key;
    const ns = ids.map((id) => byId.get(id)!);
    const a = ns[0]!;
    for (const b of ns) {
      if (!sameScope(a.scope, b.scope)) throw new IncompatibleCircuitsError(`the circuits are not compatible: nodes over ${showScope(graph, a.scope)} and ${showScope(graph, b.scope)} would be multiplied in ${what}`, b);
    }
    const units = ns.map((n) => n.units);
    const base = { key, ids, units, size: units.reduce((p, u) => p * u, 1), scope: a.scope };
    let node: TupleNode;
    const side = ns.findIndex(isSum);
    if (side >= 0) {
      const kids = (ns[side] as { children: readonly string[] }).children;
      node = { ...base, kind: 'sum', side, children: kids.map((c) => visit(ids.map((id, t) => (t === side ? c : id)))) };
    } else if (ns.every((n) => n.kind === 'product')) {
      const ps = ns as Extract<IRNode, { kind: 'product' }>[];
      const p0 = ps[0]!;
      // for each child of side 0, the matching child (same scope) of every other side
      const match: number[][] = p0.children.map(() => []);
      for (let t = 0; t < K; t++) {
        const pt = ps[t]!;
        if (pt.children.length !== p0.children.length) throw incompatible(graph, byId, p0, pt, what);
        const used = new Set<number>();
        p0.children.forEach((c0, i) => {
          const sa = byId.get(c0)!.scope;
          const j = pt.children.findIndex((cb, jj) => !used.has(jj) && sameScope(byId.get(cb)!.scope, sa));
          if (j < 0) throw incompatible(graph, byId, p0, pt, what);
          used.add(j);
          match[i]!.push(j);
        });
      }
      const st = strides(units);
      const factors = p0.children.map((_, i) => {
        const childIds = ps.map((pt, t) => pt.children[match[i]![t]!]!);
        const ck = visit(childIds);
        const cst = strides(childIds.map((c) => byId.get(c)!.units));
        const maps = ps.map((pt, t) => unitMap(byId, pt, match[i]![t]!));
        const index = new Int32Array(base.size);
        for (let f = 0; f < base.size; f++) {
          let ci = 0;
          for (let t = 0; t < K; t++) ci += maps[t]![Math.floor(f / st[t]!) % units[t]!]! * cst[t]!;
          index[f] = ci;
        }
        return { key: ck, index };
      });
      node = { ...base, kind: 'product', factors };
    } else if (ns.every((n) => n.kind === 'input')) {
      const shapes = ns.map((n) => leafShape(graph, n as Extract<IRNode, { kind: 'input' }>));
      const problem = shapes.some((s) => !s) ? `unknown distribution in ${ids.join(', ')}` : tupleLeafProblem(shapes as NonNullable<(typeof shapes)[number]>[]);
      if (problem) throw new IncompatibleCircuitsError(problem, a, 'unsupported-leaf');
      node = { ...base, kind: 'leaf' };
    } else {
      const kinds = [...new Set(ns.map((n) => n.kind))];
      const prod = ns.find((n) => n.kind === 'product') ?? a;
      throw new IncompatibleCircuitsError(`the circuit${K > 2 ? 's are not compatible' : ' is not structured-decomposable'}: over ${showScope(graph, a.scope)} one factor of ${what} is a ${kinds[0]} and another a ${kinds[1]}`, prod);
    }
    nodes.push(node);
    byKey.set(key, node);
    return key;
  };
  const root = visit(roots);
  return { nodes, byKey, root, arity: K };
}

/** The product circuit of the sub-circuits rooted at aRoot and bRoot of one graph (c * c: aRoot = bRoot). */
export function productCircuit(graph: IRGraph, aRoot: string, bRoot: string): ProductCircuit {
  return tupleCircuit(graph, [aRoot, bRoot]);
}

function incompatible(graph: IRGraph, byId: Map<string, IRNode>, a: Extract<IRNode, { kind: 'product' }>, b: Extract<IRNode, { kind: 'product' }>, what: string): IncompatibleCircuitsError {
  const parts = (p: typeof a): string => p.children.map((c) => showScope(graph, byId.get(c)!.scope)).join(' x ');
  return new IncompatibleCircuitsError(
    `the circuit${what === 'c * c' ? ' is not structured-decomposable' : 's are not compatible'}: ${showScope(graph, a.scope)} is split as ${parts(a)} in one product and as ${parts(b)} in another, so ${what} has no tractable form (use one region tree: random_tree with repeats = 1, quad_tree, linear or chow_liu${what === 'c * c' ? '' : ', the same for both circuits'})`,
    a,
  );
}

/** The number of product-circuit units (the cost of the product relative to c). */
export function productSize(pc: ProductCircuit): number {
  return pc.nodes.reduce((s, p) => s + p.size, 0);
}

/**
 * The terms of a squared model's density f, each a product of circuits given by their roots:
 * square(c) is [[c, c]], sos(c_1, ..., c_r) is [[c_1, c_1], ..., [c_r, c_r]], and
 * c_plus * square(c) is [[c+, c, c]]. p = f / Z with Z the sum of the terms' integrals.
 */
export function termRoots(sq: Extract<IRNode, { kind: 'square' }>): string[][] {
  if (sq.monotone !== undefined) return [[sq.monotone, sq.child, sq.child]];
  return (sq.parts ?? [sq.child]).map((r) => [r, r]);
}

/** The name of a term's product, for messages. */
export const termName = (roots: readonly string[]): string => (roots.length === 3 ? 'c+ * c * c' : 'c * c');
