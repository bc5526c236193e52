// Rows of a fitted mixture of experts (pmix score, the API's logProb, pmix predict): log p(y | x)
// of each row's observed outputs (the others marginalized), and predictions at each row's
// inputs. A row missing an input, or (for densities) every output, gets NaN, as a GP's does.
import type { RowPrediction } from '../../runtime/family.js';
import type { ModelState } from '../../runtime/state.js';
import type { MoeData } from './data.js';
import { eStep, modelOf } from './model.js';
import { mixtureAt, mixtureLevelProbs, mixtureMean, mixtureVariance } from './predictive.js';
import { levelRecord } from './answer.js';

export function moeLogDensityRows(state: ModelState, x: Float64Array, rows: number): Float64Array {
  const m = modelOf(state);
  const { D, P, inputs, outputs } = m.spec;
  const V = state.graph.vars.length;
  const X = new Float64Array(rows * D);
  const Y = new Float64Array(rows * P);
  const bad = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    inputs.forEach((v, j) => {
      const val = x[r * V + v]!;
      if (!Number.isFinite(val)) bad[r] = 1;
      X[r * D + j] = Number.isFinite(val) ? val : 0;
    });
    let seen = 0;
    outputs.forEach((v, j) => {
      Y[r * P + j] = x[r * V + v]!;
      if (!Number.isNaN(x[r * V + v]!)) seen++;
    });
    if (seen === 0) bad[r] = 1;
  }
  const d: MoeData = { n: rows, X, Y, w: new Float64Array(rows).fill(1) };
  const cond = eStep(m, d).cond;
  for (let r = 0; r < rows; r++) if (bad[r]) cond[r] = NaN;
  return cond;
}

export function moePredictRows(state: ModelState, x: Float64Array, rows: number): RowPrediction[][] {
  const m = modelOf(state);
  const { K, P, inputs, outputs } = m.spec;
  const V = state.graph.vars.length;
  const names = outputs.map((v) => state.graph.vars[v]!.name);
  const out: RowPrediction[][] = [];
  for (let r = 0; r < rows; r++) {
    const pt = inputs.map((v) => x[r * V + v]!);
    if (pt.some((v) => !Number.isFinite(v))) {
      out.push(names.map((output) => ({ output, mean: NaN, std: NaN, std_y: NaN })));
      continue;
    }
    const mx = mixtureAt(m, pt);
    out.push(names.map((output, p) => {
      const sd = Math.sqrt(mixtureVariance(mx, K, P, p));
      const y = mx.discrete === 'categorical' ? levelRecord(state.graph.vars[outputs[p]!]!.type, mixtureLevelProbs(mx)) : undefined;
      return { output, mean: mixtureMean(mx, K, P, p), std: sd, std_y: sd, ...(y ? { y } : {}) };
    }));
  }
  return out;
}
