// MAP of a squared circuit (approximate): the density c(x)^2 / Z is not a max-product
// circuit (c has negative weights), so the mode is searched: many exact samples given the
// evidence, the best few refined by gradient ascent on log c(x)^2 over the real free
// variables (central differences in x, backtracking steps) and coordinate ascent over the
// discrete ones; the best point found is returned.
import type { Rng } from '../../stdlib/random.js';
import type { ModelState } from '../state.js';
import { squaredLogDensity } from './squared-model.js';
import { squaredSample } from './sample.js';

export interface SquaredMode {
  readonly point: Float64Array;
  /** log p(point) (the joint, evidence included). */
  readonly logDensity: number;
  readonly starts: number;
}

export function squaredMode(state: ModelState, evidence: Float64Array, rng: Rng, starts = 256, refine = 8): SquaredMode {
  const V = state.graph.vars.length;
  const draws = squaredSample(state, starts, rng, evidence);
  const lp = squaredLogDensity(state, draws, starts);
  const order = Array.from({ length: starts }, (_, i) => i).sort((a, b) => lp[b]! - lp[a]!);
  const free = Array.from({ length: V }, (_, j) => j).filter((j) => Number.isNaN(evidence[j]!));
  const levels = state.graph.vars.map((v) => (v.type.kind === 'categorical' ? v.type.levels.length : v.type.kind === 'bool' ? 2 : 0));
  const f = (x: Float64Array): number => squaredLogDensity(state, x, 1)[0]!;
  let best = { point: draws.slice(order[0]! * V, order[0]! * V + V), value: lp[order[0]!]! };
  for (const r of order.slice(0, refine)) {
    const x = draws.slice(r * V, r * V + V);
    let fx = f(x);
    let step = 0.1;
    for (let it = 0; it < 200 && step > 1e-10; it++) {
      // discrete coordinates: best level given the rest
      for (const j of free) {
        if (levels[j]! === 0) continue;
        for (let k = 0; k < levels[j]!; k++) {
          const old = x[j]!;
          x[j] = k;
          const fk = f(x);
          if (fk > fx) fx = fk;
          else x[j] = old;
        }
      }
      const g = new Float64Array(V);
      let norm = 0;
      for (const j of free) {
        if (levels[j]! > 0) continue;
        const h = 1e-5 * Math.max(1, Math.abs(x[j]!));
        const old = x[j]!;
        x[j] = old + h;
        const up = f(x);
        x[j] = old - h;
        const dn = f(x);
        x[j] = old;
        g[j] = (up - dn) / (2 * h);
        norm += g[j]! * g[j]!;
      }
      if (norm === 0 || !Number.isFinite(norm)) break;
      const y = x.slice();
      for (const j of free) y[j] = x[j]! + (step * g[j]!) / Math.sqrt(norm);
      const fy = f(y);
      if (fy > fx) {
        x.set(y);
        fx = fy;
        step *= 1.5;
      } else step *= 0.5;
    }
    if (fx > best.value) best = { point: x, value: fx };
  }
  return { point: best.point, logDensity: best.value, starts };
}
