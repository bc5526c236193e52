// A picture of a fitted multitask GP (plot/'s regression picture): each cluster's mean process
// (its posterior mean and 95% band, dashed, one colour per cluster), the training curves' points,
// and, as the main line and band, the prediction for a new task before any of its points are
// seen (the mixture over clusters by their weights; its 2.5%-97.5% quantiles of y).
import { bandPath, linePath, PALETTE, regressionSvg } from '../../plot/index.js';
import type { ModelState } from '../../runtime/state.js';
import { mixtureQuantile, modelOf } from './model.js';
import { predictTask } from './predict.js';
import { specOf } from './spec.js';

const GRID = 200;
const CLUSTER_COLORS = PALETTE.slice(1);

export function plotMultitask(state: ModelState, opts: { span?: readonly [number, number] } = {}): string {
  const m = modelOf(state);
  const s = specOf(state.graph);
  const pts = m.curves.tasks.flatMap((c) => c.t.map((t, i) => [t, c.y[i]!]));
  let [x0, x1] = opts.span ?? [Math.min(...pts.map((q) => q[0]!)), Math.max(...pts.map((q) => q[0]!))];
  if (!opts.span) {
    const pad = (x1 - x0 || 1) * 0.05;
    x0 -= pad;
    x1 += pad;
  }
  const grid = Array.from({ length: GRID }, (_, i) => x0 + ((x1 - x0) * i) / (GRID - 1));
  const p = predictTask(m.fitted, [], [], grid);
  const noise = m.fitted.hyper[4]!;
  const lo = grid.map((_, j) => mixtureQuantile(p.clusters, p.clusterMeans.map((x) => x[j]!), p.clusterVars.map((x) => x[j]! + noise), 0.025));
  const hi = grid.map((_, j) => mixtureQuantile(p.clusters, p.clusterMeans.map((x) => x[j]!), p.clusterVars.map((x) => x[j]! + noise), 0.975));
  // each cluster's mean process alone: the prediction with the task kernel's variance taken out
  const taskVar = m.fitted.hyper[2]!;
  const clusters = p.clusterMeans.map((mu, c) => ({ mu: Array.from(mu), lo: grid.map((_, j) => mu[j]! - 1.96 * Math.sqrt(Math.max(p.clusterVars[c]![j]! - taskVar, 0))), hi: grid.map((_, j) => mu[j]! + 1.96 * Math.sqrt(Math.max(p.clusterVars[c]![j]! - taskVar, 0))) }));
  const ys = [...lo, ...hi, ...pts.map((q) => q[1]!)].filter(Number.isFinite);
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const ypad = (y1 - y0 || 1) * 0.05;
  return regressionSvg({
    names: [state.graph.vars[s.input]!.name, state.graph.vars[s.output]!.name],
    domain: [x0, x1],
    yDomain: [y0 - ypad, y1 + ypad],
    xs: grid,
    mean: Array.from(p.mean),
    lo,
    hi,
    points: pts,
    title: `Multitask GP: ${m.curves.tasks.length} curves in ${s.clusters} clusters`,
    note: 'line, band: a new task before its points (95% of y); dashed: each cluster\'s mean process, 95% band',
    layers: (f) => clusters.flatMap((e, c) => {
      const color = CLUSTER_COLORS[c % CLUSTER_COLORS.length]!;
      return [bandPath(f, grid, e.lo, e.hi, { color, opacity: 0.15, cls: 'cluster-band' }), linePath(f, grid, e.mu, { color, width: 1.5, dash: '5,3', cls: 'cluster-mean' })];
    }),
  });
}
