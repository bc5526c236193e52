// Log predictive densities of rows (inputs and outputs) under a fitted GP: each row's
// observed outputs scored by their marginal predictive N(mean, sd_y^2) given its inputs.
// What `pmix score` and the API's logProb report for GPs; a row missing an input or every
// output gets NaN.
import type { ModelState } from '../state.js';
import { gpNode } from './fit.js';
import { GPCore } from './core.js';
import { gpLikelihood } from './laplace.js';
import { logPredictiveLik, ySummary } from './likelihood-summary.js';
import { logPredictive, predict } from './predict.js';
import { classColumns, classSummary } from './multiclass-predict.js';

/** rows: n x vars (the graph's variable order), NaN for missing cells. */
export function gpLogDensityRows(state: ModelState, rows: Float64Array, n: number): Float64Array {
  const node = gpNode(state.graph);
  const V = state.graph.vars.length;
  const outputs = node.outputs ?? [node.output];
  const T = outputs.length;
  const out = new Float64Array(n).fill(NaN);
  const CHUNK = 2000;
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const r1 = Math.min(n, r0 + CHUNK);
    const pts: number[] = [];
    const ys: number[] = [];
    const owner: number[] = [];
    for (let r = r0; r < r1; r++) {
      if (node.inputs.some((v) => Number.isNaN(rows[r * V + v]!))) continue;
      outputs.forEach((o, t) => {
        const y = rows[r * V + o]!;
        if (Number.isNaN(y)) return;
        for (const v of node.inputs) pts.push(rows[r * V + v]!);
        if (T > 1) pts.push(t);
        ys.push(y);
        owner.push(r);
      });
    }
    if (ys.length === 0) continue;
    const p = predict(state, Float64Array.from(pts), ys.length);
    // A value the likelihood cannot produce (a label 2 for bernoulli) has probability 0.
    const lik = node.likelihood ? gpLikelihood(new GPCore(state, node)) : undefined;
    const C = node.likelihood?.classes;
    const lp = p.probs && C ? Float64Array.from(ys, (v, k) => (lik!.lik.badValue(v, C) ? -Infinity : Math.log(p.probs![k * C + v]!))) : lik ? Float64Array.from(logPredictiveLik(lik, p.mean, p.varF, ys), (v, k) => (lik.lik.badValue(ys[k]!) ? -Infinity : v)) : logPredictive(p, ys);
    owner.forEach((r, k) => (out[r] = (Number.isNaN(out[r]!) ? 0 : out[r]!) + lp[k]!));
  }
  return out;
}

/** Predictions at the inputs of each row (rows: n x vars); a row missing an input gets NaN. */
export function gpPredictRows(state: ModelState, rows: Float64Array, n: number): { output: string; mean: number; std: number; std_y: number; extra?: Record<string, number> }[][] {
  const node = gpNode(state.graph);
  const V = state.graph.vars.length;
  const outputs = node.outputs ?? [node.output];
  const T = outputs.length;
  const stride = node.inputs.length + (T > 1 ? 1 : 0);
  const xs = new Float64Array(n * T * stride);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < T; t++) {
      node.inputs.forEach((v, c) => (xs[(r * T + t) * stride + c] = rows[r * V + v]!));
      if (T > 1) xs[(r * T + t) * stride + stride - 1] = t;
    }
  }
  const ok = (r: number): boolean => node.inputs.every((v) => !Number.isNaN(rows[r * V + v]!));
  const p = predict(state, xs.map((v) => (Number.isNaN(v) ? 0 : v)), n * T);
  const lik = node.likelihood ? gpLikelihood(new GPCore(state, node)) : undefined;
  const C = node.likelihood?.classes;
  const cols = C ? classColumns(state, node.output, C) : undefined;
  return Array.from({ length: n }, (_, r) =>
    outputs.map((o, t) => {
      const k = r * T + t;
      const good = ok(r);
      const extra = p.probs && cols ? { extra: Object.fromEntries(Object.entries(classSummary(cols, p.probs, k)).map(([key, v]) => [key, good ? v : NaN])) } : lik ? { extra: Object.fromEntries(Object.entries(ySummary(lik, p.mean[k]!, p.varF[k]!)).map(([key, v]) => [key, good ? v : NaN])) } : {};
      return { output: state.graph.vars[o]!.name, mean: good ? p.mean[k]! : NaN, std: good ? Math.sqrt(p.varF[k]!) : NaN, std_y: good ? Math.sqrt(p.varY[k]!) : NaN, ...extra };
    }),
  );
}
