// The moe model family: `experts(x -> y) { k = 3; gate = softmax; expert = linear }`, a mixture
// of experts p(y | x) = sum_k p(k | x) f_k(y | x) (docs/experts.md). Everything shared code
// needs of it goes through these hooks; like a GP it is a conditional model with roles.
import type { ModelFamily } from '../../runtime/family.js';
import { moeAnswer, MOE_FORMS } from './answer.js';
import { checkMoeGraph, describeMoe } from './check.js';
import { moeFitCost, moeFitSteps, moeMethodProblem } from './fit.js';
import { claimsMoe, lowerMoe } from './lower.js';
import { moeFreeParameters } from './parameters.js';
import { plotPoints } from './plot-points.js';
import { moeLogDensityRows, moePredictRows } from './rows.js';
import { moeNode, MOE_NAME, specOf } from './spec.js';
import { graphParams } from '../../runtime/graph-params-view.js';

const names = (graph: Parameters<typeof specOf>[0], vs: readonly number[]): string[] => vs.map((v) => graph.vars[v]!.name);

export const moeFamily: ModelFamily = {
  name: MOE_NAME,
  noun: 'a mixture of experts',
  params: graphParams,
  recognizes: (g) => g.nodes.length === 1 && g.nodes[0]!.kind === 'family' && g.nodes[0]!.family === MOE_NAME,
  shape: 'one moe family node',
  lowering: { claims: claimsMoe, lower: lowerMoe },
  methodProblem: moeMethodProblem,
  fitCost: moeFitCost,
  fit: moeFitSteps,
  streams: false,
  freeParameters: moeFreeParameters,
  logDensityRows: moeLogDensityRows,
  forms: MOE_FORMS,
  roles: (graph) => {
    const o = moeNode(graph).options;
    return { inputs: o.inputs as number[], outputs: o.outputs as number[] };
  },
  answer: moeAnswer,
  predictor: {
    inputs: (graph) => names(graph, specOf(graph).inputs),
    outputs: (graph) => names(graph, specOf(graph).outputs),
    predictRows: moePredictRows,
  },
  plot: {
    accepts: (graph) => specOf(graph).D === 1,
    // plot/ and d3 are imported when a picture is drawn (runtime/family.ts, FamilyPlot)
    svg: async (state, opts) => (await import('./plot-svg.js')).plotMoe(state, { ...(opts?.span ? { span: opts.span } : {}), ...(opts?.rows ? { points: plotPoints(state.graph, opts.rows) } : {}) }),
  },
  checkGraph: checkMoeGraph,
  describe: (graph, model, _file, methods) => describeMoe(graph, model, methods),
};
