// A picture of a fitted one-input Gaussian process (plot/): the data as points, the posterior
// mean as a line and its 95% band (mean +- 1.96 sd of f), over the data's range widened on
// both sides so extrapolation shows, or over `span`. The curve is evaluated at the data's
// resolution or finer (plot/sampling.ts), so a seasonal mean is not aliased.
import { curveGrid, regressionSvg } from '../../plot/index.js';
import { gpNode } from '../../runtime/gp/fit.js';
import { predict, trainingData } from '../../runtime/gp/predict.js';
import type { ModelState } from '../../runtime/state.js';

/** `points` are [x, y] pairs (the training data by default, for exact GPs); `span` the x range. */
export function plotGp(state: ModelState, opts: { points?: readonly (readonly number[])[]; span?: readonly [number, number] } = {}): string {
  const node = gpNode(state.graph);
  if (node.inputs.length !== 1) throw new Error(`plotting needs a GP with one input; this one has ${node.inputs.length}`);
  const stride = (node.outputs?.length ?? 1) > 1 ? 2 : 1;
  let pts = opts.points ? [...opts.points] : [];
  if (!opts.points && node.inference.kind === 'exact' && node.inference.train) {
    const d = trainingData(state);
    for (let i = 0; i < d.n; i++) if (d.task[i] === 0) pts.push([d.x[i * d.stride]!, d.y[i]!]);
  }
  pts = pts.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  let [x0, x1] = opts.span ?? [Math.min(...pts.map((p) => p[0]!)), Math.max(...pts.map((p) => p[0]!))];
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) [x0, x1] = [0, 1];
  if (!opts.span) {
    const pad = (x1 - x0 || 1) * 0.15;
    x0 -= pad;
    x1 += pad;
  }
  const grid = curveGrid(x0, x1, pts.map((p) => p[0]!));
  const xs = new Float64Array(grid.length * stride);
  grid.forEach((x, i) => (xs[i * stride] = x));
  const p = predict(state, xs, grid.length);
  const sd = (i: number): number => 1.96 * Math.sqrt(p.varF[i]!);
  return regressionSvg({
    names: [state.graph.vars[node.inputs[0]!]!.name, state.graph.vars[node.output]!.name],
    domain: [x0, x1],
    xs: grid,
    mean: p.mean,
    lo: Array.from(p.mean, (m, i) => m - sd(i)),
    hi: Array.from(p.mean, (m, i) => m + sd(i)),
    points: pts,
    title: 'Gaussian process',
    note: 'line: posterior mean of f; band: 95% interval of f; points: data',
  });
}
