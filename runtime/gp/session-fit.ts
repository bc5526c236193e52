// A GP fit as a session step: the training points from the data set, a memory check (an
// exact GP holds an n x n matrix), exact inference by L-BFGS or sparse by minibatch Adam,
// and the summary the CLI prints (log marginal likelihood, hyperparameters, jitter notes).
import type { FitSettings } from '../../compiler/program.js';
import { PmixError } from '../errors.js';
import type { Steps } from '../learners/drive.js';
import type { FitProgress } from '../learners/types.js';
import type { IRGraph } from '../../ir/types.js';
import { checkMemory, type FitCost } from '../resources.js';
import type { ModelState } from '../state.js';
import { checkGpTime, describeGpTime, formatSeconds, GP_ARTIFACT_MAX_POINTS, gpStepSeconds, gpTimeEstimate, LAPLACE_STEP_FACTOR, multiclassStepFactor } from './cost.js';
import { gpData } from './data.js';
import { fitExactSteps, gpNode, hyperparameterValues, type GPFitted } from './fit.js';
import { fitSparseSteps } from './sparse.js';
import { getLikelihood } from '../../stdlib/likelihoods/index.js';
import { checkVecchiaTime, describeVecchiaTime, vecchiaFitBytes, vecchiaTimeEstimate } from './vecchia/cost.js';

/** What a GP fit adds to its summary. */
export interface GPFitInfo {
  /** Log marginal likelihood (exact), its lower bound, the ELBO (sparse), or its Vecchia approximation, in the outputs' units. */
  readonly log_marginal_likelihood: number;
  readonly inference: 'exact' | 'sparse' | 'vecchia';
  readonly points: number;
  readonly hyperparameters: Readonly<Record<string, readonly number[]>>;
  readonly notes: readonly string[];
}

export interface GPFitOutcome {
  readonly fitted: GPFitted;
  readonly info: GPFitInfo;
  readonly freeParameters: number;
}

/**
 * The memory a GP fit needs on `points` training points: an exact fit holds one n x n float64
 * matrix and the points; a sparse one O(M^2 + B M) plus the points. An exact fit also
 * estimates its time (runtime/gp/cost.ts).
 */
export function gpFitCost(model: string, dataName: string, graph: IRGraph, settings: FitSettings, points: number): FitCost {
  const node = gpNode(graph);
  const exact = node.inference.kind === 'exact';
  const M = node.inference.kind === 'sparse' ? node.inference.m : 0;
  const stride = node.inputs.length + ((node.outputs?.length ?? 1) > 1 ? 1 : 0);
  if (node.inference.kind === 'vecchia') {
    const m = node.inference.m;
    const bytes = vecchiaFitBytes(points, stride, m);
    const parameters = Object.values(graph.params).reduce((s, p) => s + p.value.length, 0);
    const estimate = { parameters, parameterBytes: 8 * parameters, bytesPerRow: Math.ceil(bytes / Math.max(1, points)), flopsPerRow: ((m + 1) * (m + 2)) / 2 + (m + 1) ** 3 / 6 };
    if (settings.method !== 'lbfgs') return { model, data: dataName, method: settings.method, rows: points, estimate, bytes };
    const t = vecchiaTimeEstimate(points, m, settings.maxIter, settings.restarts);
    return { model, data: dataName, method: settings.method, rows: points, estimate, bytes, seconds: t.seconds, time: describeVecchiaTime(t) };
  }
  const batch = settings.method === 'adam' ? settings.batch : 256;
  // The Laplace approximation holds about six n x n matrices (K, B's factor, R, the Newton buffer, ...); the multiclass one 4C + 2 (E_c, K E_c, K E_c G, R_cc, K, G).
  const bytes = exact ? 8 * ((node.likelihood?.classes ? 4 * node.likelihood.classes + 2 : node.likelihood ? 6 : 1) * points * points + 4 * points * stride) : 8 * (8 * M * M + 6 * M * batch + points * (stride + 2));
  const parameters = Object.values(graph.params).reduce((s, p) => s + p.value.length, 0);
  const estimate = { parameters, parameterBytes: 8 * parameters, bytesPerRow: Math.ceil(bytes / Math.max(1, points)), flopsPerRow: exact ? (points * points) / 3 : 2 * M * M };
  if (!exact || settings.method !== 'lbfgs') return { model, data: dataName, method: settings.method, rows: points, estimate, bytes };
  const t = gpTimeEstimate(points, settings.maxIter, settings.restarts, stepFactor(node));
  return { model, data: dataName, method: settings.method, rows: points, estimate, bytes, seconds: t.seconds, time: describeGpTime(t) };
}

/** Why `method` cannot fit this GP (exact: lbfgs; sparse: adam), or undefined. */
export function gpMethodProblem(graph: IRGraph, method: FitSettings['method'], model: string, dataName: string): { message: string; hint: string } | undefined {
  const kind = gpNode(graph).inference.kind;
  const exact = kind === 'exact' || kind === 'vecchia';
  if (exact && method !== 'lbfgs') return { message: `${kind === 'exact' ? 'an exact' : 'a Vecchia'} GP is fitted by lbfgs, not ${method} (adam trains sparse GPs: inference = sparse(m = ...))`, hint: `fit ${model} on ${dataName} by lbfgs(restarts = 3)` };
  if (!exact && method !== 'adam') return { message: `a sparse GP is trained by minibatch adam, not ${method}`, hint: `fit ${model} on ${dataName} by adam(lr = 0.01, epochs = 20, batch = 256)` };
  return undefined;
}

export function* gpFitSteps(
  model: string,
  dataName: string,
  state: ModelState,
  x: Float64Array,
  rows: number,
  settings: FitSettings,
  maxMemory: number | undefined,
  maxSeconds: number | undefined,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): Steps<GPFitOutcome> {
  const node = gpNode(state.graph);
  const d = gpData(node, x, rows, state.graph.vars.length);
  checkLikelihoodOutputs(state.graph, x, rows, dataName);
  if (d.n === 0) throw new PmixError(`data set '${dataName}' has no row with every input and an output of ${model}`, 'no-data');
  const exact = node.inference.kind === 'exact';
  const vecchia = node.inference.kind === 'vecchia';
  const bad = gpMethodProblem(state.graph, settings.method, model, dataName);
  if (bad) throw new PmixError(bad.message, 'bad-method', bad.hint);
  checkMemory(gpFitCost(model, dataName, state.graph, settings, d.n), maxMemory);
  if (exact && settings.method === 'lbfgs') checkGpTime(model, dataName, gpTimeEstimate(d.n, settings.maxIter, settings.restarts, stepFactor(node)), maxSeconds);
  if (vecchia && settings.method === 'lbfgs' && node.inference.kind === 'vecchia') checkVecchiaTime(model, dataName, vecchiaTimeEstimate(d.n, node.inference.m, settings.maxIter, settings.restarts), maxSeconds);
  const fitted = exact || vecchia
    ? yield* fitExactSteps(state, d, settings as Extract<FitSettings, { method: 'lbfgs' }>, onProgress, signal)
    : yield* fitSparseSteps(state, d, settings as Extract<FitSettings, { method: 'adam' }>, onProgress, signal);
  if (!Number.isFinite(fitted.lml)) throw new PmixError(`fitting ${model} ended with a log marginal likelihood of ${fitted.lml}`, 'non-finite');
  const notes = [...fitted.notes];
  if (exact && d.n > GP_ARTIFACT_MAX_POINTS) notes.push(`a saved model of this fit carries ${d.n.toLocaleString('en-US')} training points, over the ${GP_ARTIFACT_MAX_POINTS.toLocaleString('en-US')} a saved exact GP may carry (its factor would take ${formatSeconds(gpStepSeconds(d.n))} to load): it will not load; use inference = sparse(m = ...)`);
  if (d.dropped) notes.unshift(`left out ${d.dropped} row${d.dropped > 1 ? 's' : ''} with a missing input`);
  const hyperparameters = hyperparameterValues(fitted.state);
  const freeParameters = Object.values(fitted.state.graph.params).filter((p) => !p.fixed).reduce((s, p) => s + p.value.length, 0);
  return { fitted, freeParameters, info: { log_marginal_likelihood: fitted.lml, inference: node.inference.kind, points: d.n, hyperparameters, notes } };
}

/** Every observed output must be a value the likelihood can produce (0/1 labels, whole counts): the first that is not is named by row and column. */
function checkLikelihoodOutputs(graph: IRGraph, x: Float64Array, rows: number, dataName: string): void {
  const node = gpNode(graph);
  const lik = node.likelihood ? getLikelihood(node.likelihood.name) : undefined;
  if (!lik) return;
  const V = graph.vars.length;
  for (let r = 0; r < rows; r++) {
    const y = x[r * V + node.output]!;
    if (Number.isNaN(y)) continue;
    const bad = lik.badValue(y, node.likelihood!.classes);
    if (bad) throw new PmixError(`data set '${dataName}', row ${r + 1}, column '${graph.vars[node.output]!.name}': ${bad}`, 'bad-data', `the model's likelihood is ${lik.name}`);
  }
}

/** An L-BFGS step's cost in Cholesky-equivalents: 1 (gaussian), the Laplace factor, or the multiclass one. */
function stepFactor(node: ReturnType<typeof gpNode>): number {
  if (node.likelihood?.classes) return multiclassStepFactor(node.likelihood.classes);
  return node.likelihood ? LAPLACE_STEP_FACTOR : 1;
}
