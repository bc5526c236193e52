// Means and standard deviations of every variable, and level probabilities of categorical
// ones, computed exactly through the circuit (moments of mixtures mix; products factorize).
import type { VarType } from '../../ir/types.js';
import { logDensityRows } from '../evaluate.js';
import type { ModelState } from '../state.js';
import type { VariableSummary } from './answer.js';

/** Mean and standard deviation of each variable in scope, for every unit of every node. */
type Moments = { mean: Float64Array; sd: Float64Array };

function nodeMoments(state: ModelState): Map<string, Map<number, Moments>> {
  const out = new Map<string, Map<number, Moments>>();
  for (const node of state.nodes) {
    const per = new Map<number, Moments>();
    const U = node.units;
    const slot = (v: number): Moments => {
      let s = per.get(v);
      if (!s) per.set(v, (s = { mean: new Float64Array(U), sd: new Float64Array(U) }));
      return s;
    };
    if (node.kind === 'input') {
      const layer = state.layers.get(node.id)!;
      for (let u = 0; u < U; u++) {
        const mean = layer.family.mean(layer.params, layer.ctx, u);
        const variance = layer.family.variance(layer.params, layer.ctx, u);
        node.scope.forEach((v, j) => {
          const s = slot(v);
          s.mean[u] = mean[j]!;
          s.sd[u] = Math.sqrt(variance[j]!);
        });
      }
    } else if (node.kind === 'product') {
      // Kronecker: unit u takes child c's unit given by digit c of u (mixed radix, last child fastest).
      let stride = 1;
      for (let c = node.children.length - 1; c >= 0; c--) {
        const cu = state.node(node.children[c]!).units;
        for (const [v, s] of out.get(node.children[c]!)!) {
          if (node.mode === 'hadamard') per.set(v, s);
          else {
            const k = (u: number): number => Math.floor(u / stride) % cu;
            per.set(v, { mean: Float64Array.from({ length: U }, (_, u) => s.mean[k(u)]!), sd: Float64Array.from({ length: U }, (_, u) => s.sd[k(u)]!) });
          }
        }
        stride *= cu;
      }
    } else if (node.kind === 'mixing' || node.kind === 'sum') {
      const w = state.values.get(node.weights)!;
      const kids = node.children.map((c) => ({ m: out.get(c)!, units: state.node(c).units }));
      const I = kids.reduce((a, k) => a + k.units, 0);
      const A = node.kind === 'mixing' ? node.arity : I;
      const at = (v: number, u: number, a: number): { mean: number; sd: number } => {
        let j = node.kind === 'mixing' ? a * U + u : a;
        for (const k of kids) {
          if (j < k.units) {
            const km = k.m.get(v)!;
            return { mean: km.mean[j]!, sd: km.sd[j]! };
          }
          j -= k.units;
        }
        return { mean: 0, sd: 0 };
      };
      for (const v of node.scope) {
        const s = slot(v);
        for (let u = 0; u < U; u++) {
          const parts = Array.from({ length: A }, (_, a) => ({ w: w[u * A + a]!, ...at(v, u, a) }));
          const mean = parts.reduce((acc, p) => acc + p.w * p.mean, 0);
          // Law of total variance around the mixture mean, scaled by the largest term so that
          // means and spreads near 1e300 give a finite sd instead of Inf - Inf = NaN.
          const scale = parts.reduce((acc, p) => (p.w > 0 ? Math.max(acc, p.sd, Math.abs(p.mean - mean)) : acc), 0);
          let q = 0;
          if (scale > 0 && Number.isFinite(scale)) for (const p of parts) q += p.w * ((p.sd / scale) ** 2 + ((p.mean - mean) / scale) ** 2);
          s.mean[u] = mean;
          s.sd[u] = scale === 0 ? 0 : Number.isFinite(scale) ? scale * Math.sqrt(q) : Infinity;
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
    return { name: info.name, mean: m.mean[0]!, sd: m.sd[0]! };
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
