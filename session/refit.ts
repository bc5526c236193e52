// Warm starts: fitting a model that already has parameters (a loaded artifact, or a fitted
// model) again, on new rows or the same ones, starting from those parameters. The family's own
// fit runs with settings.warm (its learner skips initialization and runs one restart), so
// every family that fits by EM, Adam or L-BFGS continues where the artifact stopped; the
// summary says where it continued from (continued_from).
import { ADAM_DEFAULTS, EM_DEFAULTS, LBFGS_DEFAULTS } from '../compiler/fit-settings.js';
import type { FitSettings } from '../compiler/program.js';
import type { IRVariable } from '../ir/types.js';
import { familyOf } from '../families/index.js';
import { selectColumns, type Dataset } from '../runtime/data/dataset.js';
import { firstOutsideSupport, outsideSupportMessage } from '../runtime/data/support.js';
import { rowWeights } from '../runtime/data/weights.js';
import { PmixError } from '../runtime/errors.js';
import type { Steps } from '../runtime/learners/drive.js';
import { fitSummary } from '../runtime/learners/summary.js';
import type { FitProgress } from '../runtime/learners/types.js';
import type { ModelState } from '../runtime/state.js';
import type { FitSummary } from './session.js';
import type { OnlineSettings } from '../compiler/program.js';
import { onlineEMSteps } from '../runtime/learners/online-learner.js';
import type { StreamSource } from '../runtime/learners/stream-em.js';

export interface RefitRequest {
  /** The model's name (summaries, messages). */
  readonly model: string;
  /** Where the starting parameters came from, for the summary: an artifact's path, or 'model M'. */
  readonly from: string;
  /** The starting parameters (not changed: the fit works on a copy). */
  readonly state: ModelState;
  readonly data: Dataset;
  /** A column of per-row sample weights (not a model variable). */
  readonly weights?: string;
  readonly settings: FitSettings;
  /** The rows the starting parameters were fitted on (online EM: the age of its statistics). */
  readonly priorRows?: number;
  readonly maxMemory?: number;
  readonly maxSeconds?: number;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
}

export interface Refitted {
  readonly state: ModelState;
  readonly summary: FitSummary;
}

/**
 * The settings a refit uses when none are given: the artifact's own (`saved`), else the
 * defaults of the first method the family accepts (EM, then Adam, then L-BFGS).
 */
export function defaultRefitSettings(state: ModelState, saved: FitSettings | undefined, names: { model: string; data: string }): FitSettings {
  if (saved) return saved;
  const family = familyOf(state.graph);
  for (const s of [EM_DEFAULTS, ADAM_DEFAULTS, LBFGS_DEFAULTS] as FitSettings[]) if (!family.methodProblem(state.graph, s, names)) return s;
  return EM_DEFAULTS;
}

/** The rows of `data` over the model's variables, in the model's order; a missing or mistyped column is named. */
export function refitRows(model: string, vars: readonly IRVariable[], data: Dataset): Float64Array {
  for (const v of vars) {
    const c = data.columns.find((col) => col.name === v.name);
    if (!c) throw new PmixError(`model '${model}' uses '${v.name}' but the data (${data.source}) has no such column (it has ${data.columns.map((col) => col.name).join(', ') || 'none'})`, 'unknown-name');
    const kind = (t: IRVariable['type']): string => t.kind;
    const ok = c.type.kind === v.type.kind || (v.type.kind === 'real' && (c.type.kind === 'int' || c.type.kind === 'bool')) || (v.type.kind === 'int' && c.type.kind === 'bool');
    if (!ok) throw new PmixError(`column '${v.name}' of ${data.source} is ${kind(c.type)}, but model '${model}' was fitted with it as ${kind(v.type)}`, 'bad-data');
    if (v.type.kind === 'categorical' && c.type.kind === 'categorical') {
      const extra = c.type.levels.filter((l) => !(v.type as { levels: readonly string[] }).levels.includes(l));
      if (extra.length) throw new PmixError(`column '${v.name}' of ${data.source} has level${extra.length > 1 ? 's' : ''} ${extra.map((l) => `'${l}'`).join(', ')} that model '${model}' does not know (its levels: ${v.type.levels.join(', ')})`, 'bad-data');
    }
  }
  const x = selectColumns(data, vars.map((v) => v.name));
  // A variable no row has a value for cannot be fitted (rows given as objects may leave it out altogether).
  vars.forEach((v, j) => {
    for (let i = 0; i < data.rows; i++) if (!Number.isNaN(x[i * vars.length + j]!)) return;
    throw new PmixError(`model '${model}' uses '${v.name}' but no row of the data (${data.source}) has a value for it`, 'no-data');
  });
  // Categorical cells are level indices of the data's own levels: map them to the model's.
  vars.forEach((v, j) => {
    const c = data.columns.find((col) => col.name === v.name)!;
    if (v.type.kind !== 'categorical' || c.type.kind !== 'categorical') return;
    const map = c.type.levels.map((l) => (v.type as { levels: readonly string[] }).levels.indexOf(l));
    const V = vars.length;
    for (let i = 0; i < data.rows; i++) {
      const cell = x[i * V + j]!;
      if (!Number.isNaN(cell)) x[i * V + j] = map[cell]!;
    }
  });
  return x;
}

/** Fits `req.state` again on `req.data`, starting from its parameters. */
export function* refitSteps(req: RefitRequest): Steps<Refitted> {
  const { model, data } = req;
  if (data.rows === 0) throw new PmixError(`the data (${data.source}) has no rows to fit ${model} on`, 'no-data');
  const vars = req.state.graph.vars;
  const x = refitRows(model, vars, data);
  if (req.weights !== undefined && !data.columns.some((c) => c.name === req.weights)) throw new PmixError(`the weights column '${req.weights}' is not in the data (${data.source})`, 'unknown-name');
  // An integral circuit trains at its training quadrature points (as a fit from the program does).
  const state = req.state.withPoints('train');
  const family = familyOf(state.graph);
  const outside = firstOutsideSupport(state.graph, x, data.rows);
  if (outside) throw new PmixError(outsideSupportMessage(outside, data.name, model), 'bad-data');
  const names = { model, data: data.name };
  const bad = family.methodProblem(state.graph, req.settings, names);
  if (bad) throw new PmixError(bad.message, 'bad-method', bad.hint);
  const rs = req.settings;
  // The incremental mixture grows its components from nothing in one pass: there is nothing to continue.
  if (rs.method === 'incremental') throw new PmixError(`the incremental mixture starts from no components; ${model} continues by em or online EM`, 'bad-method', `fit ${model} again by em or by online(...)`);
  const settings: FitSettings = {
    ...rs,
    warm: true,
    ...(rs.method === 'lbfgs' ? { restarts: 1 } : {}),
    ...(rs.method === 'online' && req.priorRows !== undefined ? { priorRows: req.priorRows } : {}),
  };
  const fitted = yield* family.fit({
    model,
    data: data.name,
    state: state === req.state ? state.clone() : state,
    x,
    rows: data.rows,
    weights: rowWeights(data, req.weights),
    settings,
    maxMemory: req.maxMemory,
    maxSeconds: req.maxSeconds,
    onProgress: req.onProgress,
    signal: req.signal,
  });
  const summary: FitSummary = {
    ...fitSummary({
      model,
      data: data.name,
      method: settings.method,
      rows: data.rows,
      iterations: fitted.iterations,
      stop: fitted.stop,
      criterion: fitted.criterion,
      weight: fitted.observations,
      parameters: fitted.parameters,
      likelihood: { mean: fitted.meanLogLikelihood, total: fitted.logLikelihood },
      validation: fitted.result?.validation,
    }),
    ...fitted.details,
    continued_from: req.from,
  };
  return { state: fitted.state, summary };
}

/**
 * Online EM continued from a state's parameters over a stream of rows (a file or stdin read in
 * chunks: memory does not grow with the rows). `priorRows`: the rows the parameters were fitted on.
 */
export function* refitStreamSteps(req: {
  readonly model: string;
  readonly from: string;
  readonly state: ModelState;
  readonly dataName: string;
  readonly source: StreamSource;
  readonly settings: OnlineSettings;
  readonly priorRows?: number;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
}): Steps<Refitted & { rows: number }> {
  const family = familyOf(req.state.graph);
  const bad = family.methodProblem(req.state.graph, req.settings, { model: req.model, data: req.dataName });
  if (bad) throw new PmixError(bad.message, 'bad-method', bad.hint);
  const settings: OnlineSettings = { ...req.settings, warm: true, ...(req.priorRows !== undefined ? { priorRows: req.priorRows } : {}) };
  const fitted = yield* onlineEMSteps(req.state, req.source, settings, req.onProgress, req.signal);
  const summary: FitSummary = {
    ...fitSummary({
      model: req.model,
      data: req.dataName,
      method: 'online',
      rows: fitted.rows,
      iterations: fitted.result.iterations,
      stop: fitted.result.stop,
      criterion: fitted.result.criterion,
      weight: fitted.totalWeight,
      parameters: family.freeParameters(fitted.state),
      likelihood: { mean: fitted.result.meanLogLikelihood },
    }),
    continued_from: req.from,
  };
  return { state: fitted.state, summary, rows: fitted.rows };
}

/** BIC and AIC of a model's parameters on rows (a loaded or fitted model scored on new data); the same formulas as the fit summary. */
export function informationCriteria(state: ModelState, x: Float64Array, rows: number, weights: Float64Array): { bic: number; aic: number; logLikelihood: number; parameters: number; observations: number } {
  const family = familyOf(state.graph);
  const lp = family.logDensityRows(state, x, rows);
  let total = 0;
  let n = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    const v = lp[i]!;
    if (!Number.isFinite(v)) throw new PmixError(`row ${i + 1} has ${Number.isNaN(v) ? 'an undefined (NaN)' : v > 0 ? 'an infinite' : 'zero'} density under the model: BIC and AIC are not finite`, 'non-finite');
    total += w * v;
    n += w;
  }
  if (!(n > 0)) throw new PmixError('no rows with positive weight to score', 'no-data');
  const p = family.freeParameters(state);
  return { bic: -2 * total + p * Math.log(n), aic: -2 * total + 2 * p, logLikelihood: total, parameters: p, observations: n };
}
