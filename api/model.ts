// A model of the embedding API: fit it on rows, ask it anything, save it. Backed by a
// runtime Session (compiled programs) or a bare ModelState (loaded artifacts).
import type { ModelParams } from '../runtime/params-view.js';
import { zeroEmptyRows } from '../runtime/queries/empty-rows.js';
import { MAX_POINTS } from '../stdlib/quadrature/index.js';
import { ADAM_DEFAULTS, EM_DEFAULTS, INCREMENTAL_DEFAULTS, LBFGS_DEFAULTS, ONLINE_SETTINGS_DEFAULTS } from '../compiler/fit-settings.js';
import type { IRVariable } from '../ir/types.js';
import type { FitSettings } from '../compiler/program.js';
import type { QuerySpec } from '../compiler/query-spec.js';
import { parseQuery } from '../language/index.js';
import { makeArtifact, serializeArtifact } from '../runtime/artifact.js';
import { PmixError } from '../runtime/errors.js';
import type { RowPrediction } from '../runtime/family.js';
import { rowsToDataset, type Cell, type Rows } from '../runtime/data/rows.js';
import { selectColumns } from '../runtime/data/dataset.js';
import type { FitProgress } from '../runtime/learners/types.js';
import type { QueryAnswer } from '../runtime/queries/answer.js';
import { QueryError } from '../runtime/queries/evidence.js';
import { posteriorProbs } from '../runtime/queries/posterior.js';
import { answerQuery, answerSpec } from '../session/answer-query.js';
import { familyOf } from '../families/index.js';
import { StepError, type FitSummary, type Session } from '../session/session.js';
import { defaultRefitSettings, informationCriteria, refitSteps } from '../session/refit.js';
import { runAsync } from '../runtime/learners/drive.js';
import { StepwiseEM, stepSize } from '../runtime/learners/online-em.js';
import { scaledRegCovar } from '../runtime/learners/collapse.js';
import { rowWeights } from '../runtime/data/weights.js';
import type { ModelState } from '../runtime/state.js';
import { PmixInputError } from './errors.js';
import { deviceLogProb, type DeviceQueryOptions } from './log-prob-device.js';
import { checkRowKeys, specTargets, specValues } from './row-keys.js';

export interface FitOptions {
  readonly method?: 'em' | 'adam' | 'lbfgs' | 'incremental' | 'online';
  readonly maxIter?: number;
  readonly tol?: number;
  readonly restarts?: number;
  /** GP (lbfgs) restarts: 'bounds' (log-uniform over each hyperparameter's bounds) or 'start' (near the initial values). */
  readonly restartsFrom?: 'bounds' | 'start';
  readonly init?: 'kmeans' | 'random';
  readonly regCovar?: number;
  readonly seed?: number;
  readonly lr?: number;
  readonly epochs?: number;
  readonly batch?: number;
  /** Online EM: the step-size exponent, eta_t = (t + 2)^-alpha, in (0.5, 1]. */
  readonly alpha?: number;
  /** Online EM: passes over the rows. */
  readonly passes?: number;
  /** EM: a column of class labels, given for some rows (not a model variable): partial labels (docs/fitting.md). */
  readonly labels?: string;
  /** EM with labels: components per known class (default 1). */
  readonly perClass?: number;
  /** A column of per-row sample weights (not a model variable). */
  readonly weights?: string;
  /**
   * Start from the model's current parameters instead of initializing afresh (one restart).
   * Always the case for a model loaded from an artifact; for a program's model, it needs a fit first.
   */
  readonly warm?: boolean;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
}

/** Where a loaded model came from: a label for summaries, and the fit settings its artifact recorded. */
export interface ModelOrigin {
  readonly from: string;
  readonly settings?: FitSettings;
  /** The rows the artifact's parameters were fitted on (the age of online EM's statistics in model.update). */
  readonly rows?: number;
}

/** What one model.update(rows) did. */
export interface UpdateResult {
  /** Weighted mean log-likelihood of the rows under the parameters before the step. */
  readonly mean_log_likelihood: number;
  readonly rows: number;
  /** Steps taken so far, counting the age the fitted parameters started with (t in eta_t). */
  readonly step: number;
  /** This step's size eta_t = (t + 2)^-alpha. */
  readonly step_size: number;
}

export class Model {
  /** Online EM's running statistics (update); dropped when a fit replaces the state. */
  private stepper: StepwiseEM | undefined;
  /** A loaded model's latest refit, for its artifact's provenance. */
  private refitted: { summary: FitSummary; settings: FitSettings; data: { name: string; path: string; rows: number } } | undefined;

  /** @internal */
  constructor(
    readonly name: string,
    private readonly session: Session | undefined,
    private state: ModelState | undefined,
    private readonly sources: ReadonlyMap<string, string> = new Map(),
    private readonly origin: ModelOrigin = { from: 'the loaded artifact' },
  ) {}

  /** The model's variables (known once it is fitted, or when declared as in `model M(x, y)`). */
  get variables(): readonly IRVariable[] {
    return this.current().graph.vars;
  }

  /** Fits the model on rows; the settings of the file's fit statement are the defaults. */
  async fit(rows: Rows, opts: FitOptions = {}): Promise<FitSummary> {
    const session = this.session;
    if (!session || opts.warm) return this.refit(rows, opts);
    const stmt = [...session.program.steps].reverse().find((s) => s.kind === 'fit' && s.model === this.name);
    const declared = stmt?.kind === 'fit' ? session.program.data.get(stmt.data) : undefined;
    const inferred = rowsToDataset(`${this.name}.data`, rows);
    if (!inferred.data) throw new PmixInputError(inferred.diagnostics);
    // Declared column types (from the file's data statement) win over types inferred from values.
    const typed: IRVariable[] = inferred.data.columns.map((col) => {
      const d = declared?.columns.find((c) => c.name === col.name);
      if (!d) return col;
      if (d.type.kind !== 'categorical') return { name: col.name, type: { kind: d.type.kind } };
      return d.type.levels ? { name: col.name, type: { kind: 'categorical', levels: d.type.levels } } : col;
    });
    const { data, diagnostics } = rowsToDataset(`${this.name}.data`, rows, typed);
    if (!data) throw new PmixInputError(diagnostics);
    session.provideData(data.name, data);
    const base = stmt?.kind === 'fit' && stmt.settings.method === (opts.method ?? stmt.settings.method) ? stmt.settings : undefined;
    const settings = mergeSettings(base, opts);
    try {
      // Driven asynchronously: the fit yields to the event loop between steps, so a timer or an
      // AbortSignal fired during it is handled while it runs (a synchronous fit ran to its end first).
      // Neither a fit statement nor `method`: the family's default method (a GP's lbfgs), as `fit M on d` without `by`.
      const byDefault = !stmt && opts.method === undefined;
      const summary = await session.fitAsync({ kind: 'fit', model: this.name, data: data.name, weights: opts.weights ?? (stmt?.kind === 'fit' ? stmt.weights : undefined), settings, ...(byDefault ? { byDefault } : {}) }, { onProgress: opts.onProgress, signal: opts.signal });
      this.state = session.fitted.get(this.name)!.state;
      return summary;
    } catch (e) {
      throw wrap(e, this.sources);
    }
  }

  /**
   * A warm start (session/refit.ts): fits the current parameters again on `rows`. The settings
   * are the artifact's recorded ones (or the program's fit statement's), overridden by `opts`.
   */
  private async refit(rows: Rows, opts: FitOptions): Promise<FitSummary> {
    if (this.session && !this.state && !this.session.fitted.get(this.name)?.summary) {
      throw new PmixError(`model '${this.name}' has not been fitted yet: fit it once before fit(rows, { warm: true })`, 'not-fittable');
    }
    const state = this.current();
    const { data } = this.rowsOf(rows, opts.weights);
    const stmt = this.session && [...this.session.program.steps].reverse().find((s) => s.kind === 'fit' && s.model === this.name);
    const saved = stmt?.kind === 'fit' ? stmt.settings : this.origin.settings;
    const base = defaultRefitSettings(state, saved, { model: this.name, data: data.name });
    const settings = mergeSettings(opts.method === undefined || opts.method === base.method ? base : undefined, { ...opts, method: opts.method ?? base.method });
    const from = this.session ? `model ${this.name}` : this.origin.from;
    const priorRows = this.session?.fitted.get(this.name)?.summary?.rows ?? this.refitted?.data.rows ?? this.origin.rows;
    const out = await runAsync(refitSteps({ model: this.name, from, state, data, weights: opts.weights, settings, ...(priorRows !== undefined ? { priorRows } : {}), onProgress: opts.onProgress, signal: opts.signal }));
    this.state = out.state;
    if (this.session) {
      const prev = this.session.fitted.get(this.name);
      this.session.fitted.set(this.name, { ...prev, state: out.state, summary: out.summary, data, settings });
    } else this.refitted = { summary: out.summary, settings, data: { name: data.name, path: data.source, rows: data.rows } };
    return out.summary;
  }

  /**
   * One step of online (stepwise) EM on `rows` (runtime/learners/online-em.ts): the rows' E-step
   * at the current parameters, blended into running statistics with eta_t = (t + 2)^-alpha, then
   * an M-step. The first call starts the statistics from the current parameters, as old as the
   * rows they were fitted on (in steps of this call's size). Needs a fitted or loaded mixture or
   * circuit whose leaves have sufficient statistics.
   */
  update(rows: Rows, opts: { readonly alpha?: number; readonly weights?: string } = {}): UpdateResult {
    const fitted = this.session?.fitted.get(this.name);
    if (this.session && !fitted?.summary) throw new PmixError(`model '${this.name}' has not been fitted yet: fit it (e.g. on a first batch of rows) before update(rows)`, 'not-fittable');
    const state = this.current();
    const family = familyOf(state.graph);
    const bad = family.methodProblem(state.graph, ONLINE_SETTINGS_DEFAULTS, { model: this.name, data: 'rows' });
    if (bad) throw new PmixError(`update(rows) is online EM: ${bad.message}`, 'bad-method', bad.hint);
    const { data, x } = this.rowsOf(rows, opts.weights);
    const w = rowWeights(data, opts.weights);
    const alpha = opts.alpha ?? this.stepper?.opts.alpha ?? ONLINE_SETTINGS_DEFAULTS.alpha;
    if (!this.stepper || this.stepper.state !== state || this.stepper.opts.alpha !== alpha) {
      const saved = fitted?.settings ?? this.origin.settings;
      const reg = saved && 'regCovar' in saved ? saved.regCovar : EM_DEFAULTS.regCovar;
      const smoothing = saved && 'smoothing' in saved ? saved.smoothing : undefined;
      const stepper = new StepwiseEM(state, { alpha, regCovar: scaledRegCovar(state, x, data.rows, w, reg), ...(smoothing !== undefined ? { smoothing } : {}) });
      const priorRows = fitted?.summary?.rows ?? this.origin.rows ?? 0;
      stepper.continueFrom(Math.ceil(priorRows / Math.max(1, data.rows)));
      this.stepper = stepper;
    }
    const t = this.stepper.steps;
    const r = this.stepper.step(x, data.rows, w);
    return { mean_log_likelihood: r.weight > 0 ? r.logLikelihood / r.weight : NaN, rows: data.rows, step: t + 1, step_size: stepSize(t, alpha) };
  }

  /** Rows given to fit, bic or aic, typed by the model's variables (other columns kept, e.g. a weights column). */
  private rowsOf(rows: Rows, weights?: string): { data: import('../runtime/data/dataset.js').Dataset; x: Float64Array } {
    const state = this.current();
    const extra = weights !== undefined ? [weights] : [];
    checkRowKeys(rows, [...state.graph.vars, ...extra.map((name) => ({ name, type: { kind: 'real' as const } }))], this.name);
    const typed = [...state.graph.vars, ...extra.map((name) => ({ name, type: { kind: 'real' as const } }))];
    const { data, diagnostics } = rowsToDataset(`${this.name}.data`, rows, typed, 'missing');
    if (!data) throw new PmixInputError(diagnostics);
    return { data, x: selectColumns(data, state.graph.vars.map((v) => v.name)) };
  }

  /** BIC (-2 log L + p log n) of the model's current parameters on `rows` (a loaded model on new data). */
  bic(rows: Rows, opts: { readonly weights?: string } = {}): number {
    return this.criteria(rows, opts).bic;
  }

  /** AIC (-2 log L + 2 p) of the model's current parameters on `rows`. */
  aic(rows: Rows, opts: { readonly weights?: string } = {}): number {
    return this.criteria(rows, opts).aic;
  }

  private criteria(rows: Rows, opts: { readonly weights?: string }) {
    const { data, x } = this.rowsOf(rows, opts.weights);
    return informationCriteria(this.current(), x, data.rows, rowWeights(data, opts.weights));
  }

  /**
   * An integral circuit materialized with `points` quadrature points per latent (the same
   * fitted functions, a finer or coarser circuit); other models are returned as they are.
   */
  withQuadrature(points: number): Model {
    if (!Number.isInteger(points) || points < 1 || points > MAX_POINTS) throw new PmixError(`points must be an integer from 1 to ${MAX_POINTS}, got ${points}`, 'bad-value');
    const state = this.current();
    if (!state.symbolic) return this;
    try {
      return new Model(this.name, undefined, state.withPoints(points), this.sources, this.origin);
    } catch (e) {
      throw new PmixError(`${this.name} at ${points} quadrature points: ${(e as Error).message}`, 'bad-value');
    }
  }

  /**
   * The fitted parameters by the names written in the model (docs/api.md): for a mixture its
   * weights and, per component (numbered from 1), each leaf's parameters by variable name
   * (a covariance as rows in the leaf's variable order, a categorical's probabilities by level).
   */
  params(): ModelParams {
    const state = this.current();
    const family = familyOf(state.graph);
    const view = family.params?.(state);
    if (!view) throw new PmixError(`model '${this.name}' is ${family.noun}${state.graph.nodes.length > 3 ? ' of this shape' : ''}: params() has no named view of it yet (save() gives the artifact's parameters)`, 'bad-query');
    return view;
  }

  /** log p(row) for each row; absent, null or undefined cells are marginalized; unknown keys and NaN are errors. */
  logProb(rows: Rows): Float64Array {
    const state = this.current();
    checkRowKeys(rows, state.graph.vars, this.name);
    const { data, diagnostics } = rowsToDataset('rows', rows, state.graph.vars, 'missing');
    if (!data) throw new PmixInputError(diagnostics);
    const x = selectColumns(data, state.graph.vars.map((v) => v.name));
    // A GP: the log predictive density of each row's outputs given its inputs (its family's reading).
    const lp = familyOf(state.graph).logDensityRows(state, x, data.rows);
    // An all-missing row: exactly 0 (log of the probability of no event), not a rounding error.
    zeroEmptyRows(x, data.rows, state.graph.vars.length, lp);
    return lp;
  }

  /**
   * logProb of many rows on the WebGPU device (float32) where one is found and the model is a
   * circuit the kernels take (backend auto: from 4096 rows; webgpu: always, an error without a
   * device), else on the CPU (float64). queryBackend() says where the last call ran.
   */
  async logProbAsync(rows: Rows, opts: DeviceQueryOptions = {}): Promise<Float64Array> {
    const state = this.current();
    checkRowKeys(rows, state.graph.vars, this.name);
    const { data, diagnostics } = rowsToDataset('rows', rows, state.graph.vars, 'missing');
    if (!data) throw new PmixInputError(diagnostics);
    const x = selectColumns(data, state.graph.vars.map((v) => v.name));
    const lp = (await deviceLogProb(state, x, data.rows, opts)) ?? familyOf(state.graph).logDensityRows(state, x, data.rows);
    zeroEmptyRows(x, data.rows, state.graph.vars.length, lp);
    return lp;
  }

  /** A conditional model's (a Gaussian process's) predictions at the rows' inputs: per row (and output) the mean, sd of f and sd of a new y. */
  predict(rows: Rows): RowPrediction[][] {
    const state = this.current();
    const family = familyOf(state.graph);
    if (!family.predictor) throw new PmixError(`model '${this.name}' is ${family.noun}; predict is for conditional models (Gaussian processes)`, 'bad-query');
    checkRowKeys(rows, state.graph.vars, this.name);
    const { data, diagnostics } = rowsToDataset('rows', rows, state.graph.vars, 'missing');
    if (!data) throw new PmixInputError(diagnostics);
    return family.predictor.predictRows(state, selectColumns(data, state.graph.vars.map((v) => v.name)), data.rows);
  }

  /** Posterior probabilities of the root mixture's components, one array per row. */
  posterior(rows: Rows): number[][] {
    const state = this.current();
    checkRowKeys(rows, state.graph.vars, this.name);
    const { data, diagnostics } = rowsToDataset('rows', rows, state.graph.vars, 'missing');
    if (!data) throw new PmixInputError(diagnostics);
    const p = posteriorProbs(state, selectColumns(data, state.graph.vars.map((v) => v.name)), data.rows);
    if (!p) throw new PmixError(`model '${this.name}' is not a mixture at its root`, 'bad-query');
    const k = p.length / data.rows;
    return Array.from({ length: data.rows }, (_, i) => Array.from(p.subarray(i * k, (i + 1) * k)));
  }

  /** Answers a query written as in a .pmix file, e.g. "p(y | x = 2)". */
  query(text: string): QueryAnswer {
    const state = this.current();
    const { query, diagnostics } = parseQuery(text);
    if (!query) throw new PmixInputError(diagnostics, new Map([['<query>', text]]));
    try {
      return answerQuery(state, query, { file: '<query>', constants: this.session?.program.constants ?? new Map() });
    } catch (e) {
      throw wrap(e, new Map([['<query>', text]]));
    }
  }

  /** n draws as rows of objects. */
  sample(n: number, opts: { seed?: number } = {}): Record<string, Cell>[] {
    const a = this.ask({ kind: 'sample', form: 'sample', count: { value: Math.floor(n) }, args: [{ name: 'seed', value: Math.floor(opts.seed ?? 0) }], given: [] }, '<sample>');
    if (a.kind !== 'sample') throw new Error('unexpected answer');
    return a.rows.map((r) => Object.fromEntries(a.columns.map((c, i) => [c, r[i]!])));
  }

  /** The highest-density point found (given evidence, of the other variables). */
  map(evidence: Readonly<Record<string, Cell>> = {}): { point: Record<string, Cell>; logDensity: number } {
    const vars = this.current().graph.vars;
    const a = this.ask({ kind: 'mode', form: 'mode', given: specValues(evidence, vars, this.name, 'map(evidence)') }, '<map>');
    if (a.kind !== 'mode') throw new Error('unexpected answer');
    return { point: { ...a.point }, logDensity: a.logDensity };
  }

  /** The distribution of `target` variables given evidence, summarized. */
  condition(target: readonly string[], evidence: Readonly<Record<string, Cell>>): QueryAnswer {
    const vars = this.current().graph.vars;
    const what = 'condition(target, evidence)';
    return this.ask({ kind: 'distribution', form: 'p', target: specTargets(target, vars, this.name, what), given: specValues(evidence ?? {}, vars, this.name, what) }, '<condition>');
  }

  /** A query built from values (no text): bound to the model, then answered. */
  private ask(spec: QuerySpec, file: string): QueryAnswer {
    try {
      return answerSpec(this.current(), spec, file);
    } catch (e) {
      throw wrap(e, new Map());
    }
  }

  /**
   * An SVG picture of the fitted model where its family draws one of its own kind (a one-input
   * GP: data, mean and 95% band; a KDE: density and modes), else undefined. `span`: the x range.
   * Asynchronous: the drawing code is loaded on the first picture.
   */
  async picture(opts: { readonly span?: readonly [number, number] } = {}): Promise<string | undefined> {
    const st = this.current();
    const plot = familyOf(st.graph).plot;
    return plot?.accepts(st.graph) ? await plot.svg(st, opts.span ? { span: opts.span } : {}) : undefined;
  }

  /** The fitted model as an artifact (JSON text), loadable with `load`. */
  save(): string {
    if (this.session) return serializeArtifact(this.session.artifact(this.name));
    const r = this.refitted;
    const s = r?.summary;
    return serializeArtifact(
      makeArtifact(this.name, this.current().toArtifactGraph(), {
        ...(r ? { data: r.data, fit: r.settings } : this.origin.settings ? { fit: this.origin.settings } : {}),
        ...(s ? { mean_log_likelihood: s.mean_log_likelihood, iterations: s.iterations, converged: s.converged, bic: s.bic, aic: s.aic, continued_from: this.origin.from } : {}),
      }),
    );
  }

  private current(): ModelState {
    if (this.state) return this.state;
    try {
      this.state = this.session!.stateOf(this.name);
      return this.state;
    } catch (e) {
      throw wrap(e, this.sources);
    }
  }
}

function mergeSettings(base: FitSettings | undefined, o: FitOptions): FitSettings {
  const method = o.method ?? base?.method ?? 'em';
  if ((o.labels !== undefined || o.perClass !== undefined) && method !== 'em') throw new PmixError(`partial labels (labels, perClass) are fitted by full-batch EM, not ${method}`, 'bad-method', "use method: 'em'");
  if (method === 'em') {
    const b = base?.method === 'em' ? base : EM_DEFAULTS;
    const labels = o.labels ?? b.labels;
    const perClass = o.perClass ?? b.perClass;
    return {
      method,
      maxIter: o.maxIter ?? b.maxIter,
      tol: o.tol ?? b.tol,
      restarts: o.restarts ?? b.restarts,
      init: o.init ?? b.init,
      regCovar: o.regCovar ?? b.regCovar,
      seed: o.seed ?? b.seed,
      ...(labels !== undefined ? { labels } : {}),
      ...(perClass !== undefined ? { perClass } : {}),
    };
  }
  // The incremental mixture takes its arguments from the fit statement only (docs/fitting.md).
  if (method === 'incremental') return base?.method === 'incremental' ? base : INCREMENTAL_DEFAULTS;
  if (method === 'lbfgs') {
    const l = base?.method === 'lbfgs' ? base : LBFGS_DEFAULTS;
    return { method, maxIter: o.maxIter ?? l.maxIter, restarts: o.restarts ?? l.restarts, restartsFrom: o.restartsFrom ?? l.restartsFrom ?? LBFGS_DEFAULTS.restartsFrom, tol: o.tol ?? l.tol, seed: o.seed ?? l.seed };
  }
  if (method === 'online') {
    const b = base?.method === 'online' ? base : ONLINE_SETTINGS_DEFAULTS;
    if (o.alpha !== undefined && !(o.alpha > 0.5 && o.alpha <= 1)) throw new PmixError(`alpha must lie in (0.5, 1], got ${o.alpha}`, 'bad-value');
    return { ...b, method, batch: o.batch ?? b.batch, alpha: o.alpha ?? b.alpha, passes: o.passes ?? b.passes, seed: o.seed ?? b.seed, regCovar: o.regCovar ?? b.regCovar, init: o.init ?? b.init };
  }
  const b = base?.method === 'adam' ? base : ADAM_DEFAULTS;
  const tol = o.tol ?? b.tol;
  return { method, lr: o.lr ?? b.lr, epochs: o.epochs ?? b.epochs, batch: o.batch ?? b.batch, seed: o.seed ?? b.seed, regCovar: o.regCovar ?? b.regCovar, init: o.init ?? b.init, ...(tol !== undefined ? { tol } : {}) };
}

function wrap(e: unknown, sources: ReadonlyMap<string, string>): unknown {
  if (e instanceof StepError || e instanceof QueryError) return new PmixInputError(e.diagnostics, sources);
  return e;
}
