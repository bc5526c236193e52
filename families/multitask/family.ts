// The multitask family: `experts(t -> y) { task = id; k = 3; expert = gp; ... }`, the
// cluster-specific multitask GP (docs/experts.md). Everything shared code needs of it goes
// through these hooks; like a GP it is a conditional model with roles (the input and the task
// column give a point, the output is predicted).
import type { ModelFamily } from '../../runtime/family.js';
import { graphParams } from '../../runtime/graph-params-view.js';
import { multitaskAnswer, MULTITASK_FORMS } from './answer.js';
import { checkMultitaskGraph, describeMultitask } from './check.js';
import { multitaskFitCost, multitaskFitSteps, multitaskMethodProblem } from './fit.js';
import { claimsMultitask, lowerMultitask } from './lower.js';
import { multitaskLogDensityRows, multitaskPredictRows } from './rows.js';
import { MULTITASK_NAME, specOf } from './spec.js';
import { multitaskFitText } from './fit-text.js';
import { HYPER } from './vem.js';

export const multitaskFamily: ModelFamily = {
  name: MULTITASK_NAME,
  noun: 'a multitask GP',
  params: graphParams,
  recognizes: (g) => g.nodes.length === 1 && g.nodes[0]!.kind === 'family' && g.nodes[0]!.family === MULTITASK_NAME,
  shape: 'one multitask family node',
  lowering: { claims: claimsMultitask, lower: lowerMultitask },
  methodProblem: multitaskMethodProblem,
  fitCost: multitaskFitCost,
  fit: multitaskFitSteps,
  fitText: multitaskFitText,
  streams: false,
  freeParameters: (state) => HYPER.filter((h) => !state.graph.params[h]!.fixed).length + specOf(state.graph).clusters - 1,
  logDensityRows: multitaskLogDensityRows,
  forms: MULTITASK_FORMS,
  roles: (graph) => {
    const s = specOf(graph);
    return { inputs: [s.input, s.task], outputs: [s.output] };
  },
  answer: multitaskAnswer,
  predictor: {
    inputs: (graph) => [specOf(graph).input, specOf(graph).task].map((v) => graph.vars[v]!.name),
    outputs: (graph) => [graph.vars[specOf(graph).output]!.name],
    predictRows: multitaskPredictRows,
    givenOutputs: true,
  },
  plot: {
    accepts: () => true,
    svg: async (state, opts) => (await import('./plot-svg.js')).plotMultitask(state, opts?.span ? { span: opts.span } : {}), // plot/ and d3 only when drawing
  },
  checkGraph: checkMultitaskGraph,
  describe: (graph) => describeMultitask(graph),
};
