// Rows of a fitted multitask GP (the API's predict and logProb, pmix predict and score). Rows
// are grouped by task id: a task seen in training is predicted from its stored points, a new
// task from nothing but the prior over clusters; in both, the rows of the request whose output
// is given are that task's observed points too (model.predict(rows) with a new task's few
// points and the inputs to predict at, their output left out). Each row gets the mixture over
// clusters' mean, the latent sd, sd_y (with noise), its 95% interval, the most probable
// cluster and p(cluster | the task's points).
import type { RowPrediction } from '../../runtime/family.js';
import type { ModelState } from '../../runtime/state.js';
import { LOG_2PI, logSumExp } from '../moe/index.js';
import { mixtureQuantile, modelOf, predictFor, type MultitaskModel } from './model.js';
import type { TaskPrediction } from './predict.js';
import { specOf } from './spec.js';

interface RowGroup {
  readonly id: number;
  readonly rows: number[];
  readonly given: { t: number[]; y: number[] };
}

/** The request's rows by task id; rows missing the task or the input are left to NaN. */
function groups(state: ModelState, x: Float64Array, rows: number, useGiven: boolean): RowGroup[] {
  const s = specOf(state.graph);
  const V = state.graph.vars.length;
  const by = new Map<number, RowGroup>();
  for (let r = 0; r < rows; r++) {
    const id = x[r * V + s.task]!;
    const t = x[r * V + s.input]!;
    if (!Number.isFinite(id) || !Number.isFinite(t)) continue;
    let g = by.get(id);
    if (!g) by.set(id, (g = { id, rows: [], given: { t: [], y: [] } }));
    g.rows.push(r);
    const y = x[r * V + s.output]!;
    if (useGiven && Number.isFinite(y)) {
      g.given.t.push(t);
      g.given.y.push(y);
    }
  }
  return [...by.values()];
}

export interface RowAnswer {
  readonly mean: number;
  readonly sd: number;
  readonly sdY: number;
  readonly lower95: number;
  readonly upper95: number;
  readonly clusters: Float64Array;
}

/** One row's summary from its task's prediction at index j. */
export function rowAnswer(m: MultitaskModel, p: TaskPrediction, j: number): RowAnswer {
  const noise = m.fitted.hyper[4]!;
  const mu = p.clusterMeans.map((x) => x[j]!);
  const vy = p.clusterVars.map((x) => x[j]! + noise);
  return { mean: p.mean[j]!, sd: Math.sqrt(p.variance[j]!), sdY: Math.sqrt(p.variance[j]! + noise), lower95: mixtureQuantile(p.clusters, mu, vy, 0.025), upper95: mixtureQuantile(p.clusters, mu, vy, 0.975), clusters: p.clusters };
}

export function multitaskPredictRows(state: ModelState, x: Float64Array, rows: number): RowPrediction[][] {
  const s = specOf(state.graph);
  const output = state.graph.vars[s.output]!.name;
  const C = s.clusters;
  const empty = (): RowPrediction => ({ output, mean: NaN, std: NaN, std_y: NaN, extra: { y_lower95: NaN, y_upper95: NaN, cluster: NaN, ...Object.fromEntries(Array.from({ length: C }, (_, c) => [`p_cluster${c + 1}`, NaN])) } });
  const out: RowPrediction[][] = Array.from({ length: rows }, () => [empty()]);
  const V = state.graph.vars.length;
  const gs = groups(state, x, rows, true);
  if (!gs.length) return out;
  const m = modelOf(state);
  for (const g of gs) {
    const p = predictFor(m, g.id, g.rows.map((r) => x[r * V + s.input]!), g.given);
    g.rows.forEach((r, j) => {
      const a = rowAnswer(m, p, j);
      const best = Array.from(a.clusters).indexOf(Math.max(...a.clusters)) + 1;
      out[r] = [{ output, mean: a.mean, std: a.sd, std_y: a.sdY, extra: { y_lower95: a.lower95, y_upper95: a.upper95, cluster: best, ...Object.fromEntries(Array.from(a.clusters, (v, c) => [`p_cluster${c + 1}`, v])) } }];
    });
  }
  return out;
}

/** log p(y_r | t_r, the task's stored points) per row (a new task: the prior mixture); NaN where a cell is missing. */
export function multitaskLogDensityRows(state: ModelState, x: Float64Array, rows: number): Float64Array {
  const s = specOf(state.graph);
  const V = state.graph.vars.length;
  const out = new Float64Array(rows).fill(NaN);
  const gs = groups(state, x, rows, false);
  if (!gs.length) return out;
  const m = modelOf(state);
  const noise = m.fitted.hyper[4]!;
  for (const g of gs) {
    const p = predictFor(m, g.id, g.rows.map((r) => x[r * V + s.input]!));
    g.rows.forEach((r, j) => {
      const y = x[r * V + s.output]!;
      if (!Number.isFinite(y)) return;
      const terms = p.clusterMeans.map((mu, c) => {
        const v = p.clusterVars[c]![j]! + noise;
        return Math.log(p.clusters[c]!) - 0.5 * (LOG_2PI + Math.log(v) + (y - mu[j]!) ** 2 / v);
      });
      out[r] = logSumExp(terms, 0, terms.length);
    });
  }
  return out;
}
