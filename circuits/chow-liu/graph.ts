// A Chow-Liu tree as a deterministic, smooth, decomposable circuit in the IR. For a variable v
// with L_v levels and parent p:
//   input  I_v: L_v indicator units (unit a puts probability 1 on level a; parameters fixed);
//   product P_v: I_v times the sums of v's children, unit by unit (unit a: "x_v = a");
//   sum    S_v: L_p units, unit b mixes the L_v units of P_v with weights p(x_v = a | x_p = b);
// and the root's sum has one unit with weights p(x_root = a). Every sum's inputs fix x_v to
// different levels, so the circuit is deterministic and max-product MAP is exact; a missing
// cell makes every indicator 1, which marginalizes it.
import { IR_VERSION, type IRGraph, type IRNode, type IRParam, type IRVariable, type SourceRef } from '../../ir/types.js';
import { getDistribution } from '../../stdlib/distributions/index.js';
import type { RootedTree } from './structure.js';

export const CHOW_LIU_FAMILY = 'chow_liu';
/** The fixed parameter that records the smoothing the tables were fitted with. */
export const ALPHA_PARAM = 'chow_liu.alpha';

/** The levels a Chow-Liu variable takes: a categorical's levels, 2 for bool and int (0/1). */
export function chowLiuLevels(t: IRVariable['type']): number | undefined {
  if (t.kind === 'categorical') return t.levels.length;
  if (t.kind === 'bool' || t.kind === 'int') return 2;
  return undefined;
}

/** The indicator leaf of a variable: Categorical over bool and categorical, Bernoulli over int 0/1. */
function indicatorLeaf(t: IRVariable['type']): string {
  return t.kind === 'int' ? 'Bernoulli' : 'Categorical';
}

export function chowLiuGraph(vars: readonly IRVariable[], tree: RootedTree, tables: readonly Float64Array[], alpha: number, source?: SourceRef): IRGraph {
  const D = vars.length;
  const levels = vars.map((v, j) => {
    const L = chowLiuLevels(v.type);
    if (L === undefined) throw new Error(`chowLiuGraph: variable ${j} (${v.name}) is not discrete`);
    return L;
  });
  const params: Record<string, IRParam> = {};
  const nodes: IRNode[] = [];
  const src = source ? { source } : {};
  const children = Array.from({ length: D }, () => [] as number[]);
  for (const j of tree.order) if (tree.parent[j]! >= 0) children[tree.parent[j]!]!.push(j);
  const scopes: number[][] = Array.from({ length: D }, () => []);
  const top: string[] = new Array<string>(D);
  const addParam = (name: string, shape: number[], param: IRParam['param'], value: ArrayLike<number>, fixed: boolean): string => {
    params[name] = { name, shape, param, value: Array.from(value), fixed, init: 'given', ...src };
    return name;
  };
  for (let k = D - 1; k >= 0; k--) {
    const v = tree.order[k]!;
    const L = levels[v]!;
    const dist = indicatorLeaf(vars[v]!.type);
    const fam = getDistribution(dist)!;
    const [spec] = fam.paramSpecs({ dims: 1, units: L, variant: '', levels: [L] });
    const per = spec!.shape.slice(1).reduce((a, b) => a * b, 1);
    // Unit a: Bernoulli p = a (levels 0/1), or the one-hot probabilities of level a.
    const value = new Float64Array(L * per);
    for (let a = 0; a < L; a++) value[a * per + (per === 1 ? 0 : a)] = per === 1 ? a : 1;
    const inId = `cl.in.${v}`;
    nodes.push({ kind: 'input', id: inId, dist, params: { [spec!.role]: addParam(`${inId}.${spec!.role}`, [...spec!.shape], spec!.param, value, true) }, scope: [v], units: L, ...src });
    const scope = [v, ...children[v]!.flatMap((c) => scopes[c]!)].sort((a, b) => a - b);
    scopes[v] = scope;
    let prod = inId;
    if (children[v]!.length) {
      prod = `cl.prod.${v}`;
      nodes.push({ kind: 'product', id: prod, mode: 'hadamard', children: [inId, ...children[v]!.map((c) => top[c]!)], scope, units: L, ...src });
    }
    const p = tree.parent[v]!;
    const units = p < 0 ? 1 : levels[p]!;
    const id = p < 0 ? 'cl.root' : `cl.sum.${v}`;
    const w = addParam(`${id}.weights`, [units, L], { kind: 'simplex' }, tables[v]!, false);
    nodes.push({ kind: 'sum', id, children: [prod], weights: w, scope, units, ...src });
    top[v] = id;
  }
  addParam(ALPHA_PARAM, [1], { kind: 'identity' }, [alpha], true);
  return { version: IR_VERSION, family: CHOW_LIU_FAMILY, vars: [...vars], params, nodes, root: 'cl.root' };
}

/** The tree a Chow-Liu graph was built from: parent of each variable (from the sums' ids), -1 for the root. */
export function chowLiuParents(g: IRGraph): Int32Array {
  const parent = new Int32Array(g.vars.length).fill(-1);
  for (const n of g.nodes) {
    if (n.kind !== 'product') continue;
    const v = Number(n.id.slice('cl.prod.'.length));
    for (const c of n.children) if (c.startsWith('cl.sum.')) parent[Number(c.slice('cl.sum.'.length))] = v;
  }
  return parent;
}
