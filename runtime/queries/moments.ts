// Means and standard deviations of every variable, and level probabilities of categorical
// ones, computed exactly through the circuit (moments of mixtures mix; products factorize).
import type { VarType } from '../../compiler/ir/types.js';
import { logDensityRows } from '../evaluate.js';
import type { ModelState } from '../state.js';
import type { VariableSummary } from './answer.js';

/** First and second moments of each variable in scope, for every unit of every node. */
function nodeMoments(state: ModelState): Map<string, Map<number, { m1: Float64Array; m2: Float64Array }>> {
  const out = new Map<string, Map<number, { m1: Float64Array; m2: Float64Array }>>();
  for (const node of state.nodes) {
    const per = new Map<number, { m1: Float64Array; m2: Float64Array }>();
    const U = node.units;
    const slot = (v: number): { m1: Float64Array; m2: Float64Array } => {
      let s = per.get(v);
      if (!s) per.set(v, (s = { m1: new Float64Array(U), m2: new Float64Array(U) }));
      return s;
    };
    if (node.kind === 'input') {
      const layer = state.layers.get(node.id)!;
      for (let u = 0; u < U; u++) {
        const mean = layer.family.mean(layer.params, layer.ctx, u);
        const variance = layer.family.variance(layer.params, layer.ctx, u);
        node.scope.forEach((v, j) => {
          const s = slot(v);
          s.m1[u] = mean[j]!;
          s.m2[u] = variance[j]! + mean[j]! * mean[j]!;
        });
      }
    } else if (node.kind === 'product') {
      for (const c of node.children) for (const [v, s] of out.get(c)!) per.set(v, s);
    } else if (node.kind === 'mixing' || node.kind === 'sum') {
      const w = state.values.get(node.weights)!;
      const kids = node.children.map((c) => ({ m: out.get(c)!, units: state.node(c).units }));
      const I = kids.reduce((a, k) => a + k.units, 0);
      const A = node.kind === 'mixing' ? node.arity : I;
      for (const v of node.scope) {
        const s = slot(v);
        for (let u = 0; u < U; u++) {
          for (let a = 0; a < A; a++) {
            let j = node.kind === 'mixing' ? a * U + u : a;
            for (const k of kids) {
              if (j < k.units) {
                const km = k.m.get(v)!;
                s.m1[u] += w[u * A + a]! * km.m1[j]!;
                s.m2[u] += w[u * A + a]! * km.m2[j]!;
                break;
              }
              j -= k.units;
            }
          }
        }
      }
    } else throw new Error(`moments of node kind '${node.kind}' are not available yet`);
    out.set(node.id, per);
  }
  return out;
}

export function summarize(state: ModelState, vars: readonly number[]): VariableSummary[] {
  const moments = nodeMoments(state).get(state.graph.root)!;
  return vars.map((v) => {
    const info = state.graph.vars[v]!;
    if (info.type.kind === 'categorical' || info.type.kind === 'bool') return { name: info.name, probs: levelProbs(state, v, info.type) };
    const m = moments.get(v)!;
    return { name: info.name, mean: m.m1[0]!, sd: Math.sqrt(Math.max(m.m2[0]! - m.m1[0]! * m.m1[0]!, 0)) };
  });
}

function levelProbs(state: ModelState, v: number, t: VarType): Record<string, number> {
  const levels = t.kind === 'categorical' ? t.levels : ['false', 'true'];
  const V = state.graph.vars.length;
  const x = new Float64Array(levels.length * V).fill(NaN);
  levels.forEach((_, l) => (x[l * V + v] = l));
  const lp = logDensityRows(state, x, levels.length);
  return Object.fromEntries(levels.map((l, i) => [l, Math.exp(lp[i]!)]));
}
