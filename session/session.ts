// Runs a compiled program step by step (what `pmix run`, `pmix fit` and the REPL share):
// loads data sets once, binds each model to its variables, lowers it to IR, fits it, and
// answers queries on the latest fitted state of each model.
import { lowerProgramModel } from './lower.js';
import { modelVars, varSpan } from '../compiler/model-vars.js';
import { inferVarTypes } from '../compiler/infer-var-types.js';
import type { IRGraph, IRVariable } from '../ir/types.js';
import type { CompiledProgram, FitSettings, IncrementalSettings, Step } from '../compiler/program.js';
import { defaultFitSettings } from '../compiler/fit-settings.js';
import type { QueryAst } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { makeArtifact, sha256, type Artifact } from '../runtime/artifact.js';
import { loadCsv } from '../runtime/data/csv.js';
import { firstOutsideSupport, outsideSupportMessage } from '../runtime/data/support.js';
import { selectColumns, type Dataset } from '../runtime/data/dataset.js';
import { rowWeights } from '../runtime/data/weights.js';
import { PmixError } from '../runtime/errors.js';
import { NotPositiveDefiniteError } from '../stdlib/distributions/index.js';
import { runAsync, runToEnd, type DriveOptions, type Steps } from '../runtime/learners/drive.js';
import { prepareCompute } from '../runtime/backend/compute.js';
import { streamEMSteps, type StreamFitted } from '../runtime/learners/stream-em.js';
import { incrementalDetails, incrementalSteps, type IncrementalFitted } from '../runtime/learners/incremental-gmm/index.js';
import { onlineEMSteps } from '../runtime/learners/online-learner.js';
import { DataStreamError, openCsvStream, type CsvStream } from '../runtime/data/csv-stream.js';
import { chooseStreaming, csvSource, streamFitBytes } from '../runtime/stream-fit.js';
import { formatBytes } from '../compiler/cost.js';
import type { FitCheckpoint, FitProgress, FitResult } from '../runtime/learners/types.js';
import { fitSummary, type FitSummaryCore } from '../runtime/learners/summary.js';
import type { QueryAnswer } from '../runtime/queries/answer.js';
import { QueryError } from '../runtime/queries/evidence.js';
import { answerQuery, bindTo } from './answer-query.js';
import { fitCost, type FitCost } from '../runtime/resources.js';
import { ModelState } from '../runtime/state.js';
import type { GPFitInfo } from '../runtime/gp/session-fit.js';
import { familyOf } from '../families/index.js';
import { fitChecks, type ColumnCheck } from './fit-checks.js';
import type { FamilyFitted } from '../runtime/family.js';
import type { PartialLabels } from '../runtime/learners/labels.js';
import { QuadratureError, type PointsChoice } from '../compiler/passes/quadrature.js';
import type { AnalyticReport } from '../compiler/passes/analytic-integrals.js';

/** A fit's summary (runtime/learners/summary.ts); Gaussian processes add their log marginal likelihood, hyperparameters and notes. */
export interface FitSummary extends FitSummaryCore {
  /** The model's family (families/index.ts): api/format.ts asks it for the fit's text (ModelFamily.fitText). */
  readonly family?: string;
  readonly gp?: GPFitInfo;
  /** Warnings about the fit as a whole (session/fit-checks.ts), e.g. more parameters than data. */
  readonly warnings?: readonly string[];
  /** Per column: how far the fitted marginal is from the data (session/fit-checks.ts). */
  readonly fit_checks?: readonly ColumnCheck[];
}

export interface SessionOptions {
  /** Fits whose estimated memory (compiler/cost.ts) exceeds this many bytes are refused. */
  readonly maxMemory?: number;
  /** Fits whose estimated time exceeds this many seconds are refused (exact GPs; default 600, Infinity: none). */
  readonly maxSeconds?: number;
}

type FitStep = Extract<Step, { kind: 'fit' }>;

export interface FittedModel {
  readonly state: ModelState;
  readonly summary?: FitSummary;
  readonly result?: FitResult;
  readonly data?: Dataset;
  readonly settings?: FitSettings;
  /** A fit that streamed its data from the file (no Dataset in memory): where from, and how many rows. */
  readonly streamed?: { readonly name: string; readonly path: string; readonly rows: number };
}

/** Thrown with the diagnostics of a step that cannot run (bad data, a type error). */
export class StepError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

export class Session {
  private readonly datasets = new Map<string, Dataset>();
  /** Data sets read in chunks by streaming fits (runtime/stream-fit.ts), by name. */
  private readonly streams = new Map<string, CsvStream>();
  readonly fitted = new Map<string, FittedModel>();
  /** The latest IR each model was lowered to (what `pmix check` describes). */
  readonly lowered = new Map<string, IRGraph>();
  /** What the analytic pass did with each integral (pmix check reports it). */
  readonly analytic = new Map<string, AnalyticReport[]>();

  constructor(
    readonly program: CompiledProgram,
    readonly options: SessionOptions = {},
  ) {}

  /** Uses rows given in memory for a data set instead of its file. */
  provideData(name: string, data: Dataset): void {
    this.datasets.set(name, data);
  }

  dataset(name: string): Dataset {
    const cached = this.datasets.get(name);
    if (cached) return cached;
    const spec = this.program.data.get(name);
    if (!spec) throw new PmixError(`unknown data set '${name}'`, 'unknown-name');
    const { data, diagnostics } = loadCsv(spec);
    if (!data) throw new StepError(diagnostics);
    this.datasets.set(name, data);
    return data;
  }

  /** The variables of `model` when fitted on `dataName` (or, without data, as declared). */
  variables(model: string, dataName?: string, weights?: string, labels?: string): IRVariable[] {
    const info = this.program.models.get(model)!;
    const diag = (message: string): StepError => new StepError([{ severity: 'error', code: 'unknown-name', message, span: info.decl.name.span, file: this.program.file }]);
    if (!dataName) {
      const names = modelVars(info, this.program.models);
      if (!names) throw diag(`model '${model}' has no data: fit it first, or name its variables as in model ${model}(x, y) = ...`);
      const { vars, diagnostics } = inferVarTypes(this.program, model, names);
      if (!vars) throw new StepError(diagnostics);
      return vars;
    }
    const data = this.dataset(dataName);
    // A label column (em(labels = c)) is not a model variable, as a weights column is not.
    const names = modelVars(info, this.program.models, data.columns.map((c) => c.name).filter((c) => c !== labels), weights);
    return names!.map((n) => {
      const c = data.columns.find((col) => col.name === n);
      // The error points at the variable where the model names it (e.g. gp(x -> y)'s y), else at the model.
      if (!c) throw new StepError([{ severity: 'error', code: 'unknown-name', message: `model '${model}' uses '${n}' but data set '${dataName}' has no such column (it has ${data.columns.map((col) => col.name).join(', ')})`, span: varSpan(info.decl.body, n) ?? info.decl.name.span, file: this.program.file }]);
      return c;
    });
  }

  /**
   * `data`: the fit's rows over vars, for structures learned from data (chow_liu region graphs).
   * `points`: which quadrature sizes materialize an integral circuit (fits train at 'train').
   */
  lower(model: string, vars: readonly IRVariable[], data?: { x: Float64Array; n: number }, points: PointsChoice = 'eval'): ModelState {
    const { graph, diagnostics, analytic } = lowerProgramModel(this.program, model, vars, { data });
    if (!graph) throw new StepError(diagnostics);
    this.lowered.set(model, graph);
    if (analytic?.length) this.analytic.set(model, analytic);
    try {
      return new ModelState(graph, points);
    } catch (e) {
      if (e instanceof QuadratureError) throw new PmixError(`${model}: ${e.message}`, 'bad-value');
      throw e;
    }
  }

  /**
   * Type-checks every model as the program would bind it (fitted models on their data, others
   * on their declared variables) and binds every query (names, types, levels, forms); returns all diagnostics.
   */
  check(): Diagnostic[] {
    const out: Diagnostic[] = [];
    const bound = new Map<string, IRVariable[]>();
    const attempt = (fn: () => void): boolean => {
      try {
        fn();
        return true;
      } catch (e) {
        if (e instanceof StepError || e instanceof QueryError) out.push(...e.diagnostics);
        else if (e instanceof PmixError) out.push({ severity: 'error', code: e.code, message: e.message, file: this.program.file, hint: e.hint });
        else throw e;
        return false;
      }
    };
    const checked = new Set<string>();
    const failed = new Set<string>();
    for (const st of this.program.steps) {
      if (st.kind === 'fit') {
        const key = `${st.model}@${st.data}`;
        if (checked.has(key)) continue;
        checked.add(key);
        const fine = attempt(() => {
          const stream = this.streamOf(st);
          if (stream) {
            bound.set(st.model, this.lower(st.model, this.streamVariables(st, stream)).graph.vars.slice());
            return;
          }
          const vars = this.variables(st.model, st.data, st.weights, labelColumn(st.settings));
          const data = this.dataset(st.data);
          const x = selectColumns(data, vars.map((v) => v.name));
          const state = this.lower(st.model, vars, { x, n: data.rows });
          const outside = firstOutsideSupport(state.graph, x, data.rows);
          if (outside) throw new PmixError(outsideSupportMessage(outside, st.data, st.model), 'bad-data', SUPPORT_HINT);
          bound.set(st.model, vars);
        });
        // Its error is reported; the model's queries would only add "has no data: fit it first".
        if (!fine) failed.add(st.model);
      } else {
        let vars = bound.get(st.model);
        if (!vars && failed.has(st.model)) continue;
        if (!vars && !checked.has(st.model)) {
          checked.add(st.model);
          attempt(() => {
            vars = this.variables(st.model);
            this.lower(st.model, vars);
            bound.set(st.model, vars);
          });
        }
        // Every query is bound (names, types, levels, the forms the family answers) before any fit.
        const graph = vars && this.lowered.get(st.model);
        if (graph) out.push(...bindTo(graph, st.query, { file: this.program.file, constants: this.program.constants }).diagnostics);
      }
    }
    // Models no step uses are still checked where their variables are known without data.
    for (const [name, info] of this.program.models) {
      if (bound.has(name) || checked.has(name) || [...checked].some((k) => k.startsWith(`${name}@`))) continue;
      if (!info.vars) continue;
      attempt(() => this.lower(name, this.variables(name)));
    }
    return out;
  }

  fit(step: FitStep, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): FitSummary {
    return runToEnd(this.fitSteps(step, onProgress, signal));
  }

  /** The same fit, yielding to the event loop (signals, timers) and saving checkpoints on the way. */
  fitAsync(step: FitStep, opts: DriveOptions & { onProgress?: (p: FitProgress) => void; signal?: AbortSignal } = {}): Promise<FitSummary> {
    // EM may run on a WebGPU device (runtime/learners/em-device.ts): choose the compute backend first.
    const ready = step.settings.method === 'em' ? prepareCompute() : Promise.resolve();
    return ready.then(() => runAsync(this.fitSteps(step, opts.onProgress, opts.signal), opts));
  }

  /** The memory estimate of a fit (loads its data and lowers its model, allocates no fit buffers). */
  fitCost(step: FitStep): FitCost {
    const stream = this.streamOf(step);
    if (stream) {
      // A streamed fit: its memory does not depend on the rows (counted when a pass has run).
      const state = this.lower(step.model, this.streamVariables(step, stream));
      const c = fitCost(step.model, step.data, state.graph, step.settings, stream.rows ?? 0);
      return { ...c, bytes: streamFitBytes(state.graph, step.settings) };
    }
    const data = this.dataset(step.data);
    const state = this.lower(step.model, this.variables(step.model, step.data, step.weights));
    return familyOf(state.graph).fitCost(step.model, step.data, state.graph, step.settings, data.rows);
  }

  private *fitSteps(step: FitStep, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<FitSummary> {
    const stream = this.streamOf(step);
    if (stream) return yield* this.fitStreamed(step, stream, onProgress, signal);
    const data = this.dataset(step.data);
    const vars = this.variables(step.model, step.data, step.weights, labelColumn(step.settings));
    if (data.rows === 0) throw new PmixError(`data set '${step.data}' (${data.source}) has no rows to fit ${step.model} on`, 'no-data');
    const x = selectColumns(data, vars.map((v) => v.name));
    const state = this.lower(step.model, vars, { x, n: data.rows }, 'train');
    const family = familyOf(state.graph);
    // `fit M on d` without `by`: the family's default method (a GP's lbfgs), with its defaults
    const own = typeof family.defaultMethod === 'function' ? family.defaultMethod(state.graph) : family.defaultMethod;
    const settings = (step.byDefault ?? step.decl?.byDefault) && own && own !== step.settings.method ? defaultFitSettings(own) : step.settings;
    const outside = firstOutsideSupport(state.graph, x, data.rows);
    if (outside) throw new PmixError(outsideSupportMessage(outside, step.data, step.model), 'bad-data', SUPPORT_HINT);
    const bad = family.methodProblem(state.graph, settings, { model: step.model, data: step.data });
    if (bad) throw new StepError([{ severity: 'error', code: 'bad-method', message: bad.message, hint: bad.hint, span: step.decl?.method.span, file: this.program.file }]);
    const labels = labelColumn(step.settings) !== undefined ? partialLabels(data, step, family) : undefined;
    const fitted = yield* family.fit({
      model: step.model,
      data: step.data,
      state,
      x,
      rows: data.rows,
      weights: rowWeights(data, step.weights),
      settings,
      ...(labels ? { labels } : {}),
      maxMemory: this.options.maxMemory,
      maxSeconds: this.options.maxSeconds,
      onProgress,
      signal,
    });
    const core = familySummary(step, data.rows, fitted, settings, family.name);
    const summary: FitSummary = { ...core, ...fitChecks(fitted.state, x, data.rows, core.parameters) };
    this.fitted.set(step.model, { state: fitted.state, summary, ...(fitted.result ? { result: fitted.result } : {}), data, settings });
    return summary;
  }

  /**
   * The open stream of a fit's data set when the fit streams it from its file (em(stream = true),
   * or a file too large to load: runtime/stream-fit.ts); undefined when the data is loaded.
   */
  private streamOf(step: FitStep): CsvStream | undefined {
    const open = this.streams.get(step.data);
    if (open) return open;
    const spec = this.program.data.get(step.data);
    if (this.datasets.has(step.data) || !spec) return undefined;
    const graph = (): IRGraph | undefined => {
      const { stream } = openCsvStream({ ...spec, columns: spec.columns.filter((c) => c.type.kind !== 'categorical' || c.type.levels) });
      return stream ? lowerProgramModel(this.program, step.model, this.streamVariables(step, stream)).graph : undefined;
    };
    if (!chooseStreaming(spec, step.settings, graph, this.options.maxMemory).stream) return undefined;
    const { stream, diagnostics } = openCsvStream(spec);
    if (!stream) throw new StepError(diagnostics);
    this.streams.set(step.data, stream);
    return stream;
  }

  /** The variables of a fit's model over the columns of a streamed data set. */
  private streamVariables(step: FitStep, stream: CsvStream): IRVariable[] {
    const info = this.program.models.get(step.model)!;
    const names = modelVars(info, this.program.models, stream.columns.map((c) => c.name), step.weights)!;
    return names.map((n) => {
      const c = stream.columns.find((col) => col.name === n);
      if (!c) throw new StepError([{ severity: 'error', code: 'unknown-name', message: `model '${step.model}' uses '${n}' but data set '${step.data}' has no such column (it has ${stream.columns.map((col) => col.name).join(', ')})`, span: varSpan(info.decl.body, n) ?? info.decl.name.span, file: this.program.file }]);
      return c;
    });
  }

  /** Streaming full-batch EM over the file, chunk by chunk (runtime/learners/stream-em.ts). */
  private *fitStreamed(step: FitStep, stream: CsvStream, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<FitSummary> {
    const s = step.settings;
    if (s.method === 'incremental') return yield* this.fitIncrementalStreamed(step, stream, s, onProgress, signal);
    if (s.method !== 'em' && s.method !== 'online') throw new PmixError(`only EM, online EM and the incremental mixture stream their data; fit ${step.model} by em(stream = true)`, 'bad-method');
    if (labelColumn(s) !== undefined) throw new PmixError(`partial labels (labels = ${labelColumn(s)}) are fitted by full-batch EM on data in memory; ${step.data} is streamed from its file`, 'bad-method', 'drop stream = true, or raise --max-memory so the data loads');
    const vars = this.streamVariables(step, stream);
    const state = this.lower(step.model, vars);
    const family = familyOf(state.graph);
    if (!family.streams) throw new PmixError(`${step.model} cannot be fitted by streaming EM (it is ${family.noun})`, 'bad-method');
    const bad = family.methodProblem(state.graph, s, { model: step.model, data: step.data });
    if (bad) throw new StepError([{ severity: 'error', code: 'bad-method', message: bad.message, hint: bad.hint, span: step.decl?.method.span, file: this.program.file }]);
    const bytes = streamFitBytes(state.graph, s);
    if (this.options.maxMemory !== undefined && bytes > this.options.maxMemory) {
      throw new PmixError(`streaming ${step.model} on ${step.data} needs an estimated ${formatBytes(bytes)} (parameters, one chunk and the initialization sample), over the limit of ${formatBytes(this.options.maxMemory)}`, 'too-big', 'lower chunk or init_rows, lower k, or raise --max-memory');
    }
    let fitted: StreamFitted;
    try {
      const source = csvSource(stream, vars.map((v) => v.name), step.weights);
      fitted = s.method === 'online' ? yield* onlineEMSteps(state, source, s, onProgress, signal) : yield* streamEMSteps(state, source, s, onProgress, signal);
    } catch (e) {
      if (e instanceof DataStreamError) throw new StepError(e.diagnostics);
      if (e instanceof NotPositiveDefiniteError) throw new PmixError(`fitting ${step.model} stopped: ${e.message}`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
      throw e;
    }
    const summary: FitSummary = { family: family.name, ...fitSummary({
      model: step.model,
      data: step.data,
      method: s.method,
      rows: fitted.rows,
      iterations: fitted.result.iterations,
      stop: fitted.result.stop,
      criterion: fitted.result.criterion,
      weight: fitted.totalWeight,
      parameters: fitted.state.freeParameterCount(),
      likelihood: { mean: fitted.result.meanLogLikelihood },
    }) };
    this.fitted.set(step.model, { state: fitted.state, summary, result: fitted.result, settings: s, streamed: { name: stream.name, path: stream.source, rows: fitted.rows } });
    return summary;
  }

  /** The incremental mixture over the file, chunk by chunk (runtime/learners/incremental-gmm/). */
  private *fitIncrementalStreamed(step: FitStep, stream: CsvStream, s: IncrementalSettings, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<FitSummary> {
    const vars = this.streamVariables(step, stream);
    const state = this.lower(step.model, vars);
    const bad = familyOf(state.graph).methodProblem(state.graph, s, { model: step.model, data: step.data });
    if (bad) throw new StepError([{ severity: 'error', code: 'bad-method', message: bad.message, hint: bad.hint, span: step.decl?.method.span, file: this.program.file }]);
    const bytes = streamFitBytes(state.graph, s);
    if (this.options.maxMemory !== undefined && bytes > this.options.maxMemory) {
      throw new PmixError(`streaming ${step.model} on ${step.data} needs an estimated ${formatBytes(bytes)} (parameters, one chunk and the held-back rows), over the limit of ${formatBytes(this.options.maxMemory)}`, 'too-big', 'lower chunk or init_rows, lower k, or raise --max-memory');
    }
    let fitted: IncrementalFitted;
    try {
      fitted = yield* incrementalSteps(state, csvSource(stream, vars.map((v) => v.name), step.weights), s, onProgress, signal);
    } catch (e) {
      if (e instanceof DataStreamError) throw new StepError(e.diagnostics);
      throw e;
    }
    const summary: FitSummary = {
      family: familyOf(fitted.state.graph).name,
      ...fitSummary({ model: step.model, data: step.data, method: s.method, rows: fitted.rows, iterations: fitted.result.iterations, stop: fitted.result.stop, criterion: fitted.result.criterion, weight: fitted.totalWeight, parameters: fitted.state.freeParameterCount(), likelihood: { mean: fitted.result.meanLogLikelihood } }),
      ...incrementalDetails(fitted),
    };
    this.fitted.set(step.model, { state: fitted.state, summary, result: fitted.result, settings: s, streamed: { name: stream.name, path: stream.source, rows: fitted.rows } });
    return summary;
  }

  /** An artifact of a running fit's best parameters so far (for checkpoints); undefined before any. */
  checkpointArtifact(step: FitStep, c: FitCheckpoint): Artifact | undefined {
    const b = c.best();
    if (!b) return undefined;
    const stream = this.streams.get(step.data);
    const data = stream ? { name: stream.name, source: stream.source, rows: stream.rows ?? 0 } : this.dataset(step.data);
    return makeArtifact(step.model, b.state.toArtifactGraph(), {
      source_file: this.program.file,
      source_sha256: sha256(this.program.source),
      data: { name: data.name, path: data.source, rows: data.rows },
      fit: step.settings,
      mean_log_likelihood: b.meanLogLikelihood,
      checkpoint: { restart: c.restart, iteration: c.iteration },
    });
  }

  /** The model's current state: fitted if a fit ran, else as written (needs named variables). */
  stateOf(model: string): ModelState {
    const f = this.fitted.get(model);
    if (f) return f.state;
    const state = this.lower(model, this.variables(model));
    const unset = Object.values(state.graph.params).find((p) => p.init === 'data');
    if (unset) {
      const info = this.program.models.get(model)!;
      throw new StepError([
        {
          severity: 'error',
          code: 'unfitted',
          message: `model '${model}' has parameters without values (e.g. '${unset.name}'): fit it before querying, or give every parameter a value`,
          span: info.decl.name.span,
          file: this.program.file,
        },
      ]);
    }
    this.fitted.set(model, { state });
    return state;
  }

  query(model: string, q: QueryAst): QueryAnswer {
    return answerQuery(this.stateOf(model), q, { file: this.program.file, constants: this.program.constants });
  }

  artifact(model: string): Artifact {
    const f = this.fitted.get(model);
    const state = f?.state ?? this.stateOf(model);
    return makeArtifact(model, state.toArtifactGraph(), {
      source_file: this.program.file,
      source_sha256: sha256(this.program.source),
      ...(f?.data ? { data: { name: f.data.name, path: f.data.source, rows: f.data.rows } } : f?.streamed ? { data: { ...f.streamed } } : {}),
      ...(f?.settings ? { fit: f.settings } : {}),
      ...(f?.summary
        ? { mean_log_likelihood: f.summary.mean_log_likelihood, iterations: f.summary.iterations, converged: f.summary.converged, bic: f.summary.bic, aic: f.summary.aic }
        : {}),
      ...(f?.summary?.interrupted ? { interrupted: true } : {}),
      ...(f?.summary?.continued_from !== undefined ? { continued_from: f.summary.continued_from } : {}),
    });
  }
}

/** The label column of a fit with partial labels (em(labels = c)), if any. */
function labelColumn(s: FitSettings): string | undefined {
  return s.method === 'em' ? s.labels : undefined;
}

/** The partial labels of a fit: the label column's level per row (-1 where missing), checked. */
function partialLabels(data: Dataset, step: FitStep, family: { readonly partialLabels?: boolean; readonly noun: string }): PartialLabels {
  const column = labelColumn(step.settings)!;
  if (!family.partialLabels) throw new PmixError(`${step.model} is ${family.noun}: partial labels (labels = ${column}) clamp the components of a mixture`, 'bad-method', 'drop labels, or model the data as mixture(k = ...) of ...');
  const j = data.columns.findIndex((c) => c.name === column);
  if (j < 0) throw new PmixError(`labels = ${column}: data set '${step.data}' has no column '${column}' (it has ${data.columns.map((c) => c.name).join(', ')})`, 'unknown-name');
  const t = data.columns[j]!.type;
  if (t.kind !== 'categorical' && t.kind !== 'bool') throw new PmixError(`labels = ${column}: the label column must be categorical (or bool), not ${t.kind}`, 'type-mismatch', `declare it as ${column}: categorical in the data statement`);
  const levels = t.kind === 'categorical' ? t.levels : ['false', 'true'];
  const classes = new Int32Array(data.rows);
  let labelled = 0;
  for (let i = 0; i < data.rows; i++) {
    const v = data.values[i * data.columns.length + j]!;
    classes[i] = Number.isNaN(v) ? -1 : v;
    if (!Number.isNaN(v)) labelled++;
  }
  if (labelled === 0) throw new PmixError(`labels = ${column}: no row of '${step.data}' has a label (every cell of '${column}' is missing)`, 'no-data');
  const perClass = step.settings.method === 'em' ? (step.settings.perClass ?? 1) : 1;
  return { classes, known: levels.length, perClass, column, levels };
}

const SUPPORT_HINT = 'correct or remove the row, or model the column with a leaf whose support covers the value';

/** The fit summary (runtime/learners/summary.ts), the same for every family: log-likelihood, BIC and AIC over the family's observations. */
function familySummary(step: FitStep, rows: number, f: FamilyFitted, settings: FitSettings, family: string): FitSummary {
  return {
    family,
    ...fitSummary({
      model: step.model,
      data: step.data,
      method: settings.method,
      rows,
      iterations: f.iterations,
      stop: f.stop,
      criterion: f.criterion,
      weight: f.observations,
      parameters: f.parameters,
      likelihood: { mean: f.meanLogLikelihood, total: f.logLikelihood },
      validation: f.result?.validation,
    }),
    ...f.details,
  };
}
