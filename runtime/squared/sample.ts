// Exact sampling from a squared circuit by autoregressive inverse transform: the free
// variables are drawn one at a time, each from its conditional given the evidence and the
// values drawn before it. Its CDF is a ratio of two evaluations of the product circuits (c * c;
// for sos every c_r * c_r summed; for c+ * square(c) the triple product c+ * c * c) with the
// later variables integrated out and this one integrated up to t, closed form for Normal
// leaves; a real variable is found by bisection on it, a discrete one by its level
// probabilities. Every step is batched over all rows.
import type { Rng } from '../../stdlib/random.js';
import type { ModelState } from '../state.js';
import { unnormalizedLog } from './squared-model.js';

export class ImpossibleSquaredEvidence extends Error {}

const BISECTIONS = 60;

/** The interval holding all but a negligible part of variable v's mass: every Normal leaf's mean +- 40 sd. */
function bracket(state: ModelState, v: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const layer of state.layers.values()) {
    const j = layer.node.scope.indexOf(v);
    if (j < 0) continue;
    for (let u = 0; u < layer.ctx.units; u++) {
      const m = layer.family.mean(layer.params, layer.ctx, u)[j]!;
      const sd = Math.sqrt(layer.family.variance(layer.params, layer.ctx, u)[j]!);
      lo = Math.min(lo, m - 40 * sd);
      hi = Math.max(hi, m + 40 * sd);
    }
  }
  return Number.isFinite(lo) ? [lo, hi] : [-1e6, 1e6];
}

/** n draws (n x vars, row-major) from p(free | evidence); evidence NaN = free. */
export function squaredSample(state: ModelState, n: number, rng: Rng, evidence?: Float64Array): Float64Array {
  const V = state.graph.vars.length;
  const X = new Float64Array(n * V);
  for (let i = 0; i < n; i++) for (let j = 0; j < V; j++) X[i * V + j] = evidence ? evidence[j]! : NaN;
  for (let v = 0; v < V; v++) {
    if (evidence && !Number.isNaN(evidence[v]!)) continue;
    const den = unnormalizedLog(state, X, n);
    for (let i = 0; i < n; i++) if (!Number.isFinite(den[i]!)) throw new ImpossibleSquaredEvidence('the given values have zero density under the model: nothing can be drawn given them');
    const t = state.graph.vars[v]!.type;
    const levels = t.kind === 'categorical' ? t.levels.length : t.kind === 'bool' ? 2 : 0;
    if (levels > 0) {
      // level probabilities: the joint with x_v = k over the joint with x_v integrated out
      const probs = new Float64Array(n * levels);
      for (let k = 0; k < levels; k++) {
        for (let i = 0; i < n; i++) X[i * V + v] = k;
        const r = unnormalizedLog(state, X, n);
        for (let i = 0; i < n; i++) probs[i * levels + k] = Math.exp(r[i]! - den[i]!);
      }
      for (let i = 0; i < n; i++) X[i * V + v] = rng.categorical(probs, i * levels, levels);
      continue;
    }
    for (let i = 0; i < n; i++) X[i * V + v] = NaN;
    const [a, b] = bracket(state, v);
    const lo = new Float64Array(n).fill(a);
    const hi = new Float64Array(n).fill(b);
    const target = Float64Array.from({ length: n }, () => rng.uniformOpen());
    const mid = new Float64Array(n);
    for (let it = 0; it < BISECTIONS; it++) {
      for (let i = 0; i < n; i++) mid[i] = 0.5 * (lo[i]! + hi[i]!);
      const r = unnormalizedLog(state, X, n, { v, upper: mid });
      for (let i = 0; i < n; i++) {
        const F = Math.exp(r[i]! - den[i]!);
        if (F < target[i]!) lo[i] = mid[i]!;
        else hi[i] = mid[i]!;
      }
    }
    for (let i = 0; i < n; i++) X[i * V + v] = 0.5 * (lo[i]! + hi[i]!);
  }
  return X;
}

/** P(X_v <= t | evidence) for each t (evidence NaN = integrated out; v must be free in it). */
export function squaredCdf(state: ModelState, v: number, ts: Float64Array, evidence?: Float64Array): Float64Array {
  const V = state.graph.vars.length;
  const n = ts.length;
  const X = new Float64Array(n * V);
  for (let i = 0; i < n; i++) for (let j = 0; j < V; j++) X[i * V + j] = evidence && j !== v ? evidence[j]! : NaN;
  const den = unnormalizedLog(state, X, n);
  const num = unnormalizedLog(state, X, n, { v, upper: ts });
  return Float64Array.from({ length: n }, (_, i) => Math.exp(num[i]! - den[i]!));
}
