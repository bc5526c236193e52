// Conditioning and marginalizing a smooth, decomposable graph (IR -> IR). For every node,
// node(x_keep, e) = node(e) * node'(x_keep): node' has its mixing/sum weights reweighted by
// the children's evidence likelihoods and its leaves replaced by their conditionals. The
// result covers only the kept variables; variables neither kept nor observed are marginalized.
// The evidence log-values of every node (a forward pass on the evidence row) come from the
// runtime, so this pass stays pure.
import { castDraft, produce } from 'immer';
import { getDistribution } from '../../stdlib/distributions/index.js';
import type { LayerContext, LayerParams } from '../../stdlib/distributions/index.js';
import type { IRGraph, IRNode, IRParam, VarType } from '../../ir/types.js';

export function conditionGraph(
  graph: IRGraph,
  evidence: ArrayLike<number>,
  keep: readonly number[],
  evidenceLog: ReadonlyMap<string, ArrayLike<number>>,
): IRGraph {
  const keepSet = new Set(keep);
  const newIndex = new Map(keep.map((v, i) => [v, i] as const));
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const remap = (scope: readonly number[]): number[] => scope.filter((v) => keepSet.has(v)).map((v) => newIndex.get(v)!).sort((a, b) => a - b);
  return produce(graph, (g) => {
    const nodes: IRNode[] = [];
    const alive = new Set<string>();
    for (const node of graph.nodes) {
      const scope = remap(node.scope);
      if (scope.length === 0) continue; // a constant: its evidence likelihood is folded into the weights above
      switch (node.kind) {
        case 'input': {
          const fam = getDistribution(node.dist)!;
          const ctx: LayerContext = { dims: node.scope.length, units: node.units, variant: node.variant ?? '', levels: node.scope.map((v) => levels(graph.vars[v]!.type)) };
          const params: LayerParams = {};
          for (const [role, name] of Object.entries(node.params)) params[role] = Float64Array.from(graph.params[name]!.value);
          const ev = Float64Array.from(node.scope, (v) => (keepSet.has(v) ? NaN : evidence[v]!));
          const drop = node.scope.map((v) => !keepSet.has(v) && Number.isNaN(evidence[v]!));
          const perUnit: Record<string, number[]> = {};
          let variant = node.variant ?? '';
          for (let u = 0; u < node.units; u++) {
            const c = fam.condition(params, ctx, u, ev, drop);
            variant = c.ctx.variant;
            for (const [role, v] of Object.entries(c.params)) (perUnit[role] ??= []).push(...v);
          }
          const newCtx: LayerContext = { dims: scope.length, units: node.units, variant, levels: scope.map((i) => levels(graph.vars[keep[i]!]!.type)) };
          const specs = fam.paramSpecs(newCtx);
          const names: Record<string, string> = {};
          for (const [role, value] of Object.entries(perUnit)) {
            const spec = specs.find((s) => s.role === role);
            const name = `${node.id}.${role}`;
            names[role] = name;
            const p: IRParam = { name, shape: spec ? [...spec.shape] : [value.length], param: spec?.param ?? { kind: 'identity' }, value, fixed: true, init: 'given' };
            g.params[name] = castDraft(p);
          }
          for (const old of Object.values(node.params)) if (!Object.values(names).includes(old)) delete g.params[old];
          nodes.push({ kind: 'input', id: node.id, dist: node.dist, ...(variant ? { variant } : {}), params: names, scope, units: node.units, ...(node.source ? { source: node.source } : {}) });
          break;
        }
        case 'product':
          nodes.push({ ...node, scope, children: node.children.filter((c) => alive.has(c)) });
          break;
        case 'mixing':
        case 'sum': {
          const w = graph.params[node.weights]!.value;
          const kids = node.children.map((c) => ({ units: byId.get(c)!.units, ev: evidenceLog.get(c)! }));
          const I = kids.reduce((a, k) => a + k.units, 0);
          const A = node.kind === 'mixing' ? node.arity : I;
          const childLog = (j: number): number => {
            for (const k of kids) {
              if (j < k.units) return k.ev[j]!;
              j -= k.units;
            }
            return -Infinity;
          };
          const nw = new Array<number>(w.length);
          for (let u = 0; u < node.units; u++) {
            const lw = Array.from({ length: A }, (_, a) => Math.log(w[u * A + a]!) + childLog(node.kind === 'mixing' ? a * node.units + u : a));
            const m = Math.max(...lw);
            const s = lw.reduce((acc, x) => acc + Math.exp(x - m), 0);
            for (let a = 0; a < A; a++) nw[u * A + a] = m === -Infinity ? 1 / A : Math.exp(lw[a]! - m) / s;
          }
          g.params[node.weights] = castDraft({ ...graph.params[node.weights]!, value: nw, fixed: true, init: 'given' as const });
          nodes.push({ ...node, scope });
          break;
        }
        default:
          throw new Error(`cannot condition node kind '${node.kind}' yet`);
      }
      alive.add(node.id);
    }
    g.nodes = castDraft(nodes);
    g.vars = castDraft(keep.map((v) => graph.vars[v]!));
  });
}

function levels(t: VarType): number {
  return t.kind === 'categorical' ? t.levels.length : t.kind === 'bool' ? 2 : 0;
}
