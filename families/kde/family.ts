// The kde model family: `model K = kde(kernel = ..., bandwidth = ...)`, one family node whose
// fit stores the data and picks the bandwidth (docs/kde.md). Everything shared code needs of
// a KDE goes through these hooks.
import type { ModelFamily } from '../../runtime/family.js';
import { kdeAnswer, KDE_FORMS } from './answer.js';
import { kdeComponent, lowerKdeComponent } from './component.js';
import { checkKdeGraph, kdeNode } from './fitted-graph.js';
import { kdeFitCost, kdeFitSteps, kdeMethodProblem } from './fit.js';
import { claimsKde, KDE_NAME, lowerKde, MAX_POINTS, TREE_ABOVE } from './lower.js';
import { kdeFitText } from './fit-text.js';
import { kdeLogDensityRows } from './rows.js';
import { graphParams } from '../../runtime/graph-params-view.js';

export const kdeFamily: ModelFamily = {
  name: KDE_NAME,
  noun: 'a kernel density estimate',
  params: graphParams,
  recognizes: (g) => g.nodes.length === 1 && g.nodes[0]!.kind === 'family' && g.nodes[0]!.family === KDE_NAME,
  shape: 'one kde family node',
  lowering: { claims: claimsKde, lower: lowerKde, lowerComponent: lowerKdeComponent },
  component: kdeComponent,
  // a KDE runs no optimizer: `fit K on d` (em, the language's default) stores the rows and picks the bandwidth
  defaultMethod: 'em',
  fitText: kdeFitText,
  methodProblem: kdeMethodProblem,
  fitCost: kdeFitCost,
  fit: kdeFitSteps,
  streams: false,
  // the bandwidth values chosen from the data (1 for scott, silverman and cv; one per real column for normal_reference; 0 when written)
  freeParameters: (state) => {
    const f = kdeNode(state.graph).options.bandwidth_free;
    return typeof f === 'number' ? f : 0;
  },
  logDensityRows: kdeLogDensityRows,
  forms: KDE_FORMS,
  refusals: () => ({
    posterior: 'a kernel density estimate has no components: it answers logp, p, mean, sample, mode, modes() (every mode with its mass) and clusters(...)',
    predict: 'a kernel density estimate is a joint density: ask p(y | x = ...) or mean(y | x = ...) instead of predict(...)',
  }),
  answer: kdeAnswer,
  plot: {
    // the first one or two real variables; the others are marginalized (exact for the gaussian and product kernels)
    accepts: (graph) => {
      const reals = graph.vars.filter((v) => v.type.kind === 'real' || v.type.kind === 'int').length;
      const o = kdeNode(graph).options;
      return reals >= 1 && (graph.vars.length <= 2 || o.kernel === 'gaussian' || o.form === 'product');
    },
    svg: async (state, opts) => (await import('./plot-svg.js')).plotKde(state, opts?.span ? { span: opts.span } : {}), // plot/ and d3 only when drawing
  },
  checkGraph: checkKdeGraph,
  describe: (graph, model) => {
    const o = kdeNode(graph).options;
    const bw = o.bandwidth === 'cv' ? `cross-validated over [${(o.cv_grid as number[]).join(', ')}] (${String(o.cv_folds ?? 5)}-fold, scale ${String(o.cv_scale ?? 'h')})` : Array.isArray(o.bandwidth) ? `h = [${o.bandwidth.join(', ')}]` : String(o.bandwidth);
    const tree = typeof o.tree_above === 'number' ? o.tree_above : TREE_ABOVE;
    const json = {
      variables: graph.vars.map((v) => v.name),
      kernel: o.kernel,
      form: o.form,
      bandwidth: o.bandwidth,
      max_points: o.max_points ?? MAX_POINTS,
      tree_above: tree,
      atol: o.atol ?? 0,
      rtol: o.rtol ?? 1e-8,
    };
    return {
      key: 'kde',
      json,
      lines: [
        `${model}: a kernel density estimate over ${graph.vars.map((v) => v.name).join(', ')}: kernel ${String(o.kernel)} (${String(o.form)}), bandwidth ${bw}`,
        `  stores up to ${json.max_points} training points (a seeded subsample above); log densities: exact direct sum, kd-tree (atol ${json.atol}, rtol ${json.rtol}) above ${tree} points x rows`,
      ],
    };
  },
};
