// A fitted multitask GP read from its state: the training curves by task, and q(mu) and pi
// recomputed from the stored responsibilities and hyperparameters (cached per state while they
// stay the same), and per-task predictions from a task's points (stored and given).
import type { ModelState } from '../../runtime/state.js';
import { PmixError } from '../../runtime/errors.js';
import { groupCurves, type Curves } from './data.js';
import { predictTask, type Fitted, type TaskPrediction } from './predict.js';
import { hyperOf, P, specOf } from './spec.js';
import { fittedFrom } from './vem.js';

export interface MultitaskModel {
  readonly curves: Curves;
  readonly fitted: Fitted;
  readonly clusters: number;
}

const cache = new WeakMap<ModelState, { key: string; model: MultitaskModel }>();

export function modelOf(state: ModelState): MultitaskModel {
  const t = state.values.get(P.t);
  const y = state.values.get(P.y);
  const task = state.values.get(P.task);
  const tau = state.values.get(P.tau);
  if (!t || !y || !task || !tau) throw new PmixError('this multitask GP is not fitted yet: its curves are stored by the fit', 'bad-query');
  const C = specOf(state.graph).clusters;
  const hyper = hyperOf(state.values);
  const key = `${Array.from(hyper).join(',')}|${tau.length}|${tau.reduce((a, b, i) => a + b * (i + 1), 0)}|${t.length}`;
  const hit = cache.get(state);
  if (hit && hit.key === key) return hit.model;
  const curves = groupCurves(t, y, task);
  const run = fittedFrom(curves.tasks, C, hyper, tau);
  const model = { curves, fitted: run, clusters: C };
  cache.set(state, { key, model });
  return model;
}

/** The prediction for task `id` at inputs tNew from its stored points plus the given ones. */
export function predictFor(m: MultitaskModel, id: number, tNew: readonly number[], given: { readonly t: readonly number[]; readonly y: readonly number[] } = { t: [], y: [] }): TaskPrediction {
  const i = m.curves.ids.indexOf(id);
  const own = i >= 0 ? m.curves.tasks[i]! : { t: [], y: [] };
  return predictTask(m.fitted, [...own.t, ...given.t], [...own.y, ...given.y], tNew);
}

const normCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);
function erfc(x: number): number {
  // Numerical Recipes' erfc (relative error < 1.2e-7), enough for quantiles found by bisection
  const z = Math.abs(x);
  const t = 1 / (1 + z / 2);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** The q-quantile of a mixture of normals (weights w, means mu, variances v), by bisection on its CDF. */
export function mixtureQuantile(w: ArrayLike<number>, mu: readonly number[], v: readonly number[], q: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < mu.length; c++) {
    if (!(w[c]! > 0)) continue;
    const s = Math.sqrt(v[c]!);
    lo = Math.min(lo, mu[c]! - 10 * s);
    hi = Math.max(hi, mu[c]! + 10 * s);
  }
  const cdf = (x: number): number => {
    let s = 0;
    for (let c = 0; c < mu.length; c++) if (w[c]! > 0) s += w[c]! * (v[c]! > 0 ? normCdf((x - mu[c]!) / Math.sqrt(v[c]!)) : x >= mu[c]! ? 1 : 0);
    return s;
  };
  for (let it = 0; it < 100 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); it++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
