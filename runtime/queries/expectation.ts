// Expectations of leaves on any circuit: E[x_v | e] and sd[x_v | e] for every target variable,
// and level probabilities of discrete ones. One forward pass on the evidence gives every
// unit's value u(e); then, bottom up, every unit's conditional mean and variance of each
// target given e: a leaf's from its conditional distribution, a product's from the one child
// covering the variable, a sum's by its posterior weights w * exp(child(e) - u(e)) and the law
// of total variance. Each node is visited once, so shared sub-circuits count once.
import { forward } from '../evaluate.js';
import type { ModelState } from '../state.js';
import type { VariableSummary } from './answer.js';
import { concatChildren, sumShape } from './upward.js';
import { familyNodeHooks } from '../family-nodes.js';

export interface Expectations {
  /** Per target (in the order asked): E[x_v | e]. */
  readonly mean: Float64Array;
  /** Per target: the standard deviation of x_v given e. */
  readonly sd: Float64Array;
  /** log p(e) (0 without evidence). */
  readonly logEvidence: number;
}

type Moments = { mean: Float64Array; variance: Float64Array };

/** evidence: a row over all variables, NaN = unobserved. Targets that are observed get their value and sd 0. */
export function expectations(state: ModelState, targets: readonly number[], evidence?: Float64Array): Expectations {
  const V = state.graph.vars.length;
  const ev = evidence ?? new Float64Array(V).fill(NaN);
  const vals = forward(state, ev, 1);
  const logEvidence = vals.get(state.graph.root)![0]!;
  const wanted = new Set(targets.filter((v) => Number.isNaN(ev[v]!)));
  // node id -> variable -> per-unit moments
  const per = new Map<string, Map<number, Moments>>();
  for (const node of state.nodes) {
    const U = node.units;
    const mine = new Map<number, Moments>();
    const scopeTargets = node.scope.filter((v) => wanted.has(v));
    if (scopeTargets.length === 0) {
      per.set(node.id, mine);
      continue;
    }
    switch (node.kind) {
      case 'input': {
        const layer = state.layers.get(node.id)!;
        const local = Float64Array.from(node.scope, (v) => ev[v]!);
        const free = node.scope.filter((v) => Number.isNaN(ev[v]!));
        for (const v of scopeTargets) mine.set(v, { mean: new Float64Array(U), variance: new Float64Array(U) });
        for (let u = 0; u < U; u++) {
          const c = free.length === node.scope.length ? { params: layer.params, ctx: layer.ctx, unit: u } : { ...layer.family.condition(layer.params, layer.ctx, u, local), unit: 0 };
          const mean = layer.family.mean(c.params, c.ctx, c.unit);
          const variance = layer.family.variance(c.params, c.ctx, c.unit);
          free.forEach((v, j) => {
            const m = mine.get(v);
            if (!m) return;
            m.mean[u] = mean[j]!;
            m.variance[u] = variance[j]!;
          });
        }
        break;
      }
      case 'family': {
        // A family's part (a KDE component): each unit's moments given the evidence in its scope.
        const local = Float64Array.from(node.scope, (v) => ev[v]!);
        for (const v of scopeTargets) mine.set(v, { mean: new Float64Array(U), variance: new Float64Array(U) });
        for (let u = 0; u < U; u++) {
          const m = familyNodeHooks(node).moments(state, node, u, local);
          node.scope.forEach((v, j) => {
            const t = mine.get(v);
            if (!t) return;
            t.mean[u] = m.mean[j]!;
            t.variance[u] = m.variance[j]!;
          });
        }
        break;
      }
      case 'product':
        for (const v of scopeTargets) {
          const child = node.children.find((c) => state.node(c).scope.includes(v))!;
          const cm = per.get(child)!.get(v)!;
          const cu = state.node(child).units;
          if (node.mode === 'hadamard') {
            mine.set(v, cm);
            continue;
          }
          // Kronecker: unit u's factor from this child is digit c of u in mixed radix.
          let stride = 1;
          for (let c = node.children.length - 1; node.children[c] !== child; c--) stride *= state.node(node.children[c]!).units;
          const m: Moments = { mean: new Float64Array(U), variance: new Float64Array(U) };
          for (let u = 0; u < U; u++) {
            const k = Math.floor(u / stride) % cu;
            m.mean[u] = cm.mean[k]!;
            m.variance[u] = cm.variance[k]!;
          }
          mine.set(v, m);
        }
        break;
      case 'sum':
      case 'mixing': {
        const inp = concatChildren(state, vals, node.children);
        const own = vals.get(node.id)!;
        const w = state.values.get(node.weights)!;
        const { A, index } = sumShape(node, inp.length);
        for (const v of scopeTargets) {
          const kidMean = concatChildren(state, new Map(node.children.map((c) => [c, per.get(c)!.get(v)!.mean])), node.children);
          const kidVar = concatChildren(state, new Map(node.children.map((c) => [c, per.get(c)!.get(v)!.variance])), node.children);
          const m: Moments = { mean: new Float64Array(U), variance: new Float64Array(U) };
          for (let u = 0; u < U; u++) {
            if (!(own[u]! > -Infinity)) continue;
            const post: number[] = [];
            let mean = 0;
            for (let a = 0; a < A; a++) {
              const wv = w[u * A + a]!;
              const p = wv > 0 ? Math.exp(Math.log(wv) + inp[index(u, a)]! - own[u]!) : 0;
              post.push(p);
              if (p > 0) mean += p * kidMean[index(u, a)]!;
            }
            let variance = 0;
            for (let a = 0; a < A; a++) if (post[a]! > 0) variance += post[a]! * (kidVar[index(u, a)]! + (kidMean[index(u, a)]! - mean) ** 2);
            m.mean[u] = mean;
            m.variance[u] = variance;
          }
          mine.set(v, m);
        }
        break;
      }
      default:
        throw new Error(`expectations of node kind '${node.kind}' are not available yet`);
    }
    per.set(node.id, mine);
  }
  const root = per.get(state.graph.root)!;
  const mean = Float64Array.from(targets, (v) => (wanted.has(v) ? root.get(v)!.mean[0]! : ev[v]!));
  const sd = Float64Array.from(targets, (v) => (wanted.has(v) ? Math.sqrt(Math.max(0, root.get(v)!.variance[0]!)) : 0));
  return { mean, sd, logEvidence: evidence ? logEvidence : 0 };
}

/**
 * Summaries of the targets given the evidence, for `p(x | e)` and `mean(x | e)` on circuits:
 * level probabilities of bool/categorical targets (ratios of forward passes), mean and sd of
 * numeric ones.
 */
export function summarizeCircuit(state: ModelState, targets: readonly number[], evidence: Float64Array): VariableSummary[] {
  const V = state.graph.vars.length;
  const { mean, sd } = expectations(state, targets, evidence);
  const logE = forward(state, evidence, 1).get(state.graph.root)![0]!;
  return targets.map((v, i) => {
    const info = state.graph.vars[v]!;
    if (info.type.kind !== 'categorical' && info.type.kind !== 'bool') return { name: info.name, mean: mean[i]!, sd: sd[i]! };
    const levels = info.type.kind === 'categorical' ? info.type.levels : ['false', 'true'];
    const x = new Float64Array(levels.length * V);
    levels.forEach((_, l) => {
      x.set(evidence, l * V);
      x[l * V + v] = l;
    });
    const lp = forward(state, x, levels.length).get(state.graph.root)!;
    return { name: info.name, probs: Object.fromEntries(levels.map((l, k) => [l, Math.exp(lp[k]! - logE)])) };
  });
}
