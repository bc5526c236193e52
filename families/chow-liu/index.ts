// The Chow-Liu tree (Chow & Liu 1968): a tree-shaped Bayesian network over discrete variables,
// `model T = chow_liu(alpha = 1)`. Its fit is closed form: the maximum spanning tree of the
// pairwise mutual information of the rows, then smoothed conditional tables (circuits/chow-liu).
// It is stored and queried as a deterministic circuit (one indicator layer per variable), so
// every circuit query answers it and mode(...) is exact.
import { ALPHA_PARAM, CHOW_LIU_FAMILY, chowLiuGraph, chowLiuLevels, chowLiuParents, chowLiuStructure, conditionalTables } from '../../circuits/chow-liu/index.js';
import { describeCircuit, reportLines } from '../../circuits/describe.js';
import { CHOW_LIU_MODEL, lowerChowLiu } from '../../compiler/lower-chow-liu.js';
import type { FamilyFitted, FitRequest, ModelFamily } from '../../runtime/family.js';
import type { Steps } from '../../runtime/learners/drive.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { ModelState } from '../../runtime/state.js';
import { tractableQueries } from '../common/forms.js';
import { rootKind, tractableHooks } from '../common/tractable.js';
import { graphParams } from '../../runtime/graph-params-view.js';

export const chowLiuFamily: ModelFamily = {
  name: CHOW_LIU_FAMILY,
  noun: 'a Chow-Liu tree',
  params: graphParams,
  recognizes: (g) => rootKind(g) === 'sum' && g.nodes.every((n) => n.kind === 'input' || n.kind === 'sum' || n.kind === 'product') && !!g.params[ALPHA_PARAM],
  shape: `sum, product and indicator input nodes, and the parameter ${ALPHA_PARAM}`,
  lowering: {
    claims: (body) => body.kind === 'leaf' && body.name.name === CHOW_LIU_MODEL,
    lower: (program, body, vars, opts) => (body.kind === 'leaf' ? lowerChowLiu(program, body, vars, opts?.data) : { diagnostics: [] }),
  },
  methodProblem: (_graph, settings, names) =>
    settings.method === 'em' ? undefined : { message: `${names.model} is a Chow-Liu tree: it is fitted in closed form (mutual information, then counted tables), not by ${settings.method}`, hint: `fit ${names.model} on ${names.data} by em` },
  fitCost: tractableHooks.fitCost,
  streams: false,
  freeParameters: tractableHooks.freeParameters,
  logDensityRows: tractableHooks.logDensityRows,
  *fit(req: FitRequest): Steps<FamilyFitted> {
    const g = req.state.graph;
    const alpha = req.state.values.get(ALPHA_PARAM)![0]!;
    const d = { x: req.x, n: req.rows, levels: g.vars.map((v) => chowLiuLevels(v.type)!), weights: req.weights };
    const tree = chowLiuStructure(d);
    const tables = conditionalTables(d, tree, alpha);
    const root = g.nodes.find((n) => n.id === g.root);
    const state = new ModelState(chowLiuGraph(g.vars, tree, tables, alpha, root?.source));
    const ll = tractableHooks.logDensityRows(state, req.x, req.rows);
    let total = 0;
    let sum = 0;
    for (let i = 0; i < req.rows; i++) (total += req.weights[i]!), (sum += req.weights[i]! * ll[i]!);
    return { state, iterations: 1, converged: true, stop: 'converged', criterion: 'closed form (maximum spanning tree of mutual information, counted tables)', meanLogLikelihood: total > 0 ? sum / total : 0, logLikelihood: sum, observations: total, parameters: state.freeParameterCount() };
  },
  ...tractableQueries,
  answer: (state, q) => runQuery(state, q, { circuit: true }),
  describe: (graph, model, file) => {
    const report = describeCircuit(graph);
    const parent = chowLiuParents(graph);
    const root = graph.vars[parent.indexOf(-1)]?.name ?? '?';
    const alpha = graph.params[ALPHA_PARAM]?.value[0];
    const tree = `${model}: Chow-Liu tree over ${graph.vars.length} variables (${graph.vars.length - 1} edges, rooted at ${root}), tables smoothed by alpha = ${alpha}`;
    return { lines: [tree, ...reportLines(model, report, file)], key: 'circuits', json: report };
  },
};
