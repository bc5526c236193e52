// The fit of a mixture of experts: gather the rows (inputs complete, at least one output),
// floor the noise at reg_covar times each column's variance, and run EM through the one fit
// driver (restarts, the tolerance, progress, Ctrl-C); the summary gives the conditional
// log-likelihood sum_i log p(y_i | x_i) and the EM objective.
import type { FitSettings } from '../../compiler/program.js';
import type { IRGraph } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import type { FamilyFitted, FitRequest } from '../../runtime/family.js';
import type { Steps } from '../../runtime/learners/drive.js';
import { drive } from '../../runtime/learners/driver.js';
import type { FitCost } from '../../runtime/resources.js';
import { GP_ARTIFACT_MAX_POINTS } from '../../runtime/gp/cost.js';
import { SPARSE_MAX_POINTS } from './expert-gp-sparse.js';
import { gather, outputVariances } from './data.js';
import { emLearner } from './em.js';
import { adamMoeLearner, adamProblem } from './adam.js';
import { adamConvergence } from '../../runtime/learners/adam-optimizer.js';
import { eStep, modelOf } from './model.js';
import { moeFreeParameters } from './parameters.js';
import { moeNode, specOf } from './spec.js';
import { checkLeafSupport } from './fit-leaf.js';
import { ModelState } from '../../runtime/state.js';

/** The smallest noise floor, relative to a column's variance, even with reg_covar = 0 (no infinite densities). */
export const MIN_FLOOR = 1e-10;

export function moeMethodProblem(graph: IRGraph, settings: FitSettings, names: { readonly model: string; readonly data: string }): { message: string; hint?: string } | undefined {
  if (settings.method === 'em') return undefined;
  if (settings.method === 'adam') {
    const why = adamProblem(specOf(graph));
    return why ? { message: `${names.model}: ${why}`, hint: `write 'fit ${names.model} on ${names.data} by em(restarts = 3)'` } : undefined;
  }
  return { message: `${names.model} is a mixture of experts: it is fitted by em or adam, not ${settings.method}`, hint: `write 'fit ${names.model} on ${names.data} by em(restarts = 3)'` };
}

export function moeFitCost(model: string, data: string, graph: IRGraph, settings: FitSettings, rows: number): FitCost {
  const s = specOf(graph);
  const parameters = Object.values(graph.params).reduce((a, p) => a + p.value.length, 0);
  if (s.expert === 'gp' && s.inducing !== undefined) {
    // sparse: each expert's m x n projection and m x m factors; n m^2 work per step
    const m = Math.min(s.inducing, rows);
    const bytes = 8 * 4 * m * rows + 8 * 4 * m * m + 8 * rows * (s.D + 2 + 2 * s.K);
    return { model, data, method: settings.method, rows, estimate: { parameters, parameterBytes: 8 * parameters, bytesPerRow: Math.ceil(bytes / Math.max(1, rows)), flopsPerRow: s.K * 2 * m * (s.D + 2 + m) }, bytes };
  }
  if (s.expert === 'gp') {
    // each expert's n x n kernel matrix, its factor's inverse and the LOO copy; n^3 work per step
    const bytes = 8 * 3 * rows * rows + 8 * rows * (s.D + 2 + 2 * s.K);
    // a forward pass: each expert's predictive at a row reads every training point
    return { model, data, method: settings.method, rows, estimate: { parameters, parameterBytes: 8 * parameters, bytesPerRow: Math.ceil(bytes / Math.max(1, rows)), flopsPerRow: s.K * 2 * rows * (s.D + 2) }, bytes };
  }
  // a forward pass per row: the gate's logits (or input densities) and each expert's density
  const flopsPerRow = 2 * s.K * (s.D + 1 + s.D * s.D + s.P * (s.D + 1) + s.P * s.P);
  const bytesPerRow = 8 * (s.D + s.P + 3 * s.K + 1);
  return { model, data, method: settings.method, rows, estimate: { parameters, parameterBytes: 8 * parameters, bytesPerRow, flopsPerRow }, bytes: bytesPerRow * rows + 8 * ((s.K - 1) * (s.D + 1)) ** 2 };
}

export function* moeFitSteps(req: FitRequest): Steps<FamilyFitted> {
  const settings = req.settings;
  const spec = specOf(req.state.graph);
  if (settings.method !== 'em' && !(settings.method === 'adam' && !adamProblem(spec))) throw new PmixError(`${req.model} is a mixture of experts: it is fitted by em${adamProblem(spec) ? '' : ' or adam'}`, 'bad-method');
  const V = req.state.graph.vars.length;
  const full = spec.noise === 'full' && spec.expert === 'linear';
  if (spec.expert === 'poisson' || spec.expert === 'bernoulli') {
    const v = spec.outputs[0]!;
    for (let r = 0; r < req.rows; r++) {
      const y = req.x[r * V + v]!;
      if (Number.isNaN(y)) continue;
      const ok = spec.expert === 'poisson' ? y >= 0 && Number.isInteger(y) : y === 0 || y === 1;
      if (!ok) throw new PmixError(`fitting ${req.model} on ${req.data}: row ${r + 1}, column '${req.state.graph.vars[v]!.name}': ${y} is not ${spec.expert === 'poisson' ? 'a count (a whole number >= 0)' : '0 or 1'}, as ${spec.expert} experts need`, 'bad-data');
    }
  }
  if (spec.expert === 'leaf') checkLeafSupport(spec, req);
  if (spec.expert === 'multinomial') {
    const v = spec.outputs[0]!;
    for (let r = 0; r < req.rows; r++) {
      const y = req.x[r * V + v]!;
      if (!Number.isNaN(y) && !(Number.isInteger(y) && y >= 0 && y < spec.levels)) throw new PmixError(`fitting ${req.model} on ${req.data}: row ${r + 1}, column '${req.state.graph.vars[v]!.name}': ${y} is not one of its ${spec.levels} levels, as multinomial experts need`, 'bad-data');
    }
  }
  const { data: d, dropped } = gather(spec, req.x, req.rows, V, req.weights, full);
  const name = (vs: readonly number[]): string => vs.map((v) => req.state.graph.vars[v]!.name).join(', ');
  const notes: string[] = [];
  if (dropped.input) notes.push(`${dropped.input} row${dropped.input === 1 ? '' : 's'} left out for a missing input (${name(spec.inputs)})`);
  if (dropped.outputs) notes.push(`${dropped.outputs} row${dropped.outputs === 1 ? '' : 's'} left out: every output missing`);
  if (dropped.partial) notes.push(`${dropped.partial} row${dropped.partial === 1 ? '' : 's'} with a missing output left out (full-noise experts are fitted on complete rows; diag noise uses them)`);
  if (spec.expert === 'gp' && spec.inducing === undefined && d.n > GP_ARTIFACT_MAX_POINTS) {
    throw new PmixError(`fitting ${req.model} on ${req.data}: ${d.n.toLocaleString('en-US')} rows for exact GP experts; each expert factors an n x n matrix every step and a saved model carries its points, so at most ${GP_ARTIFACT_MAX_POINTS.toLocaleString('en-US')}`, 'too-big', 'use sparse GP experts (inference = sparse(m = 64)), fit on a subsample, or use linear experts (expert = linear)');
  }
  if (spec.expert === 'gp' && spec.inducing !== undefined && d.n > SPARSE_MAX_POINTS) {
    throw new PmixError(`fitting ${req.model} on ${req.data}: ${d.n.toLocaleString('en-US')} rows for sparse GP experts; a saved model carries its points, so at most ${SPARSE_MAX_POINTS.toLocaleString('en-US')}`, 'too-big', 'fit on a subsample');
  }
  const minRows = spec.D + 2;
  if (d.n < minRows) throw new PmixError(`fitting ${req.model} on ${req.data}: ${d.n} usable row${d.n === 1 ? '' : 's'}; a mixture of experts over ${spec.D} input${spec.D === 1 ? '' : 's'} needs at least ${minRows}`, 'too-few-rows');
  const reg = Math.max(settings.regCovar, MIN_FLOOR);
  const outputFloor = outputVariances(d, spec.P).map((v) => reg * v);
  const inputFloor = new Float64Array(spec.D);
  for (let j = 0; j < spec.D; j++) {
    let s = 0;
    let ss = 0;
    let sw = 0;
    for (let i = 0; i < d.n; i++) {
      const x = d.X[i * spec.D + j]!;
      s += d.w[i]! * x;
      ss += d.w[i]! * x * x;
      sw += d.w[i]!;
    }
    const v = ss / sw - (s / sw) ** 2;
    inputFloor[j] = reg * (v > 0 ? v : 1);
  }
  const learner = settings.method === 'adam'
    ? adamMoeLearner(req.state, d, { lr: settings.lr, epochs: settings.epochs, seed: settings.seed, batch: settings.batch, validation: settings.validation ?? 0, outputFloor, inputFloor }, req.model)
    : emLearner(req.state, d, { restarts: settings.restarts, maxIter: settings.maxIter, seed: settings.seed, outputFloor, inputFloor }, req.model);
  const r = yield* drive(learner, { ...(settings.method === 'adam' ? adamConvergence(settings) : { convergence: { kind: 'absolute' as const, tol: settings.tol } }), ...(req.onProgress ? { onProgress: req.onProgress } : {}), ...(req.signal ? { signal: req.signal } : {}) });
  // the inputs' range, for plots of a loaded model (it stores no training rows)
  const range: number[] = [];
  for (let j = 0; j < spec.D; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.n; i++) {
      lo = Math.min(lo, d.X[i * spec.D + j]!);
      hi = Math.max(hi, d.X[i * spec.D + j]!);
    }
    range.push(lo, hi);
  }
  const node = moeNode(r.state.graph);
  const state = new ModelState({ ...r.state.graph, nodes: [{ ...node, options: { ...node.options, input_range: range } }] });
  state.copyFrom(r.state);
  const m = modelOf(state);
  const e = eStep(m, d, true);
  const W = d.w.reduce((a, b) => a + b, 0);
  const shares = Array.from({ length: spec.K }, (_, k) => {
    let s = 0;
    for (let i = 0; i < d.n; i++) s += d.w[i]! * e.R[i * spec.K + k]!;
    return s / W;
  });
  const parameters = moeFreeParameters(state);
  return {
    state,
    result: r.result,
    iterations: r.result.iterations,
    converged: r.result.converged,
    stop: r.result.stop,
    criterion: r.result.criterion,
    ...(r.result.interrupted ? { interrupted: true } : {}),
    meanLogLikelihood: e.condTotal / W,
    logLikelihood: e.condTotal,
    observations: W,
    parameters,
    details: {
      experts: {
        rows: d.n,
        conditional_log_likelihood: e.condTotal,
        em_objective: e.objective,
        objective: spec.gate === 'gaussian' ? 'joint log-likelihood log p(x, y)' : `conditional log-likelihood - (${spec.ridge} / 2) |gate slopes|^2`,
        expert_shares: shares,
        notes,
      },
    },
  };
}
