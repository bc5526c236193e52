// Gaussian processes: kernel algebra, exact inference (L-BFGS on the log marginal
// likelihood) or sparse variational (minibatch Adam), multitask outputs. A GP is a
// conditional model of its outputs given its inputs: it answers predict, p, mean and logp.
import { lowerGp } from '../../compiler/lower-gp.js';
import type { FamilyFitted, FitRequest, ModelFamily } from '../../runtime/family.js';
import { gpNode } from '../../runtime/gp/fit.js';
import { gpParams } from '../../runtime/gp/params-view.js';
import { gpQuery } from '../../runtime/gp/query.js';
import { gpLogDensityRows, gpPredictRows } from '../../runtime/gp/score.js';
import { gpFitCost, gpFitSteps, gpMethodProblem } from '../../runtime/gp/session-fit.js';
import type { Steps } from '../../runtime/learners/drive.js';
import { hasKind } from '../common/tractable.js';
import { gpFitText } from './fit-text.js';
import { describeGp } from './describe.js';

export const gpFamily: ModelFamily = {
  name: 'gp',
  noun: 'a Gaussian process',
  recognizes: (g) => hasKind(g, 'gp'),
  shape: 'a gp node',
  lowering: {
    claims: (body) => body.kind === 'gp' && body.head !== 'experts',
    lower: (program, body, vars) => (body.kind === 'gp' ? lowerGp(program, body, vars) : { diagnostics: [] }),
  },
  // `fit M on d` without `by`: an exact GP by lbfgs, a sparse one by adam
  defaultMethod: (graph) => (gpNode(graph).inference.kind === 'exact' ? 'lbfgs' : 'adam'),
  fitText: gpFitText,
  methodProblem: (graph, settings, names) => gpMethodProblem(graph, settings.method, names.model, names.data),
  fitCost: gpFitCost,
  *fit(req: FitRequest): Steps<FamilyFitted> {
    const r = yield* gpFitSteps(req.model, req.data, req.state, req.x, req.rows, req.settings, req.maxMemory, req.maxSeconds, req.onProgress, req.signal);
    const n = r.info.points;
    const ll = r.info.log_marginal_likelihood;
    return {
      state: r.fitted.state,
      iterations: r.fitted.iterations,
      converged: r.fitted.converged,
      stop: r.fitted.stop,
      criterion: r.fitted.criterion,
      ...(r.fitted.interrupted ? { interrupted: true } : {}),
      meanLogLikelihood: ll / n,
      logLikelihood: ll,
      observations: n,
      parameters: r.freeParameters,
      details: { gp: r.info },
    };
  },
  streams: false,
  freeParameters: (state) => state.freeParameterCount(),
  params: gpParams,
  logDensityRows: gpLogDensityRows,
  forms: ['predict', 'p', 'mean', 'logp'],
  roles: (graph) => {
    const node = gpNode(graph);
    return { inputs: node.inputs, outputs: node.outputs ?? [node.output] };
  },
  refusals: (graph) => {
    const example = gpNode(graph).inputs.map((i) => `${graph.vars[i]!.name} = ...`).join(', ');
    const refusal = (form: string): string => `a GP answers predict(...), p(y | x = ...), mean(y | x = ...) and logp(y = ... | x = ...), not ${form}(...); e.g. predict(${example})`;
    return { posterior: refusal('posterior'), sample: refusal('sample'), mode: refusal('mode') };
  },
  answer: gpQuery,
  predictor: {
    inputs: (graph) => gpNode(graph).inputs.map((i) => graph.vars[i]!.name),
    outputs: (graph) => (gpNode(graph).outputs ?? [gpNode(graph).output]).map((i) => graph.vars[i]!.name),
    predictRows: gpPredictRows,
  },
  describe: (graph, model) => describeGp(graph, model),
  plot: {
    // One input: mean and band (not a categorical GP: one latent per class); a two-input bernoulli classifier: its decision map.
    accepts: (graph) => (gpNode(graph).inputs.length === 1 && !gpNode(graph).likelihood?.classes) || (gpNode(graph).inputs.length === 2 && gpNode(graph).likelihood?.name === 'bernoulli'),
    // plot/ and d3 are imported when a picture is drawn (runtime/family.ts, FamilyPlot)
    svg: async (state, opts) => (gpNode(state.graph).inputs.length === 2 ? (await import('./plot-classify-svg.js')).plotClassifier(state) : (await import('./plot-svg.js')).plotGp(state, opts?.span ? { span: opts.span } : {})),
  },
};
