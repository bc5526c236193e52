// A model of the embedding API: fit it on rows, ask it anything, save it. Backed by a
// runtime Session (compiled programs) or a bare ModelState (loaded artifacts).
import type { ModelParams } from '../runtime/params-view.js';
import { zeroEmptyRows } from '../runtime/queries/empty-rows.js';
import { MAX_POINTS } from '../stdlib/quadrature/index.js';
import { ADAM_DEFAULTS, EM_DEFAULTS, INCREMENTAL_DEFAULTS, LBFGS_DEFAULTS } from '../compiler/fit-settings.js';
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
import type { ModelState } from '../runtime/state.js';
import { PmixInputError } from './errors.js';
import { checkRowKeys, specTargets, specValues } from './row-keys.js';

export interface FitOptions {
  readonly method?: 'em' | 'adam' | 'lbfgs';
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
  /** A column of per-row sample weights (not a model variable). */
  readonly weights?: string;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
}

export class Model {
  /** @internal */
  constructor(
    readonly name: string,
    private readonly session: Session | undefined,
    private state: ModelState | undefined,
    private readonly sources: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The model's variables (known once it is fitted, or when declared as in `model M(x, y)`). */
  get variables(): readonly IRVariable[] {
    return this.current().graph.vars;
  }

  /** Fits the model on rows; the settings of the file's fit statement are the defaults. */
  async fit(rows: Rows, opts: FitOptions = {}): Promise<FitSummary> {
    const session = this.session;
    if (!session) throw new PmixError(`model '${this.name}' was loaded from an artifact; fit it from its program`, 'not-fittable');
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
      const summary = await session.fitAsync({ kind: 'fit', model: this.name, data: data.name, weights: opts.weights ?? (stmt?.kind === 'fit' ? stmt.weights : undefined), settings }, { onProgress: opts.onProgress, signal: opts.signal });
      this.state = session.fitted.get(this.name)!.state;
      return summary;
    } catch (e) {
      throw wrap(e, this.sources);
    }
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
      return new Model(this.name, undefined, state.withPoints(points), this.sources);
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

  /** The fitted model as an artifact (JSON text), loadable with `load`. */
  /**
   * An SVG picture of the fitted model where its family draws one of its own kind (a one-input
   * GP: data, mean and 95% band; a KDE: density and modes), else undefined. `span`: the x range.
   */
  picture(opts: { readonly span?: readonly [number, number] } = {}): string | undefined {
    const st = this.current();
    const plot = familyOf(st.graph).plot;
    return plot?.accepts(st.graph) ? plot.svg(st, opts.span ? { span: opts.span } : {}) : undefined;
  }

  save(): string {
    if (this.session) return serializeArtifact(this.session.artifact(this.name));
    return serializeArtifact(makeArtifact(this.name, this.current().toArtifactGraph(), {}));
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
  if (method === 'em') {
    const b = base?.method === 'em' ? base : EM_DEFAULTS;
    return { method, maxIter: o.maxIter ?? b.maxIter, tol: o.tol ?? b.tol, restarts: o.restarts ?? b.restarts, init: o.init ?? b.init, regCovar: o.regCovar ?? b.regCovar, seed: o.seed ?? b.seed };
  }
  // The incremental mixture takes its arguments from the fit statement only (docs/fitting.md).
  if (method === 'incremental') return base?.method === 'incremental' ? base : INCREMENTAL_DEFAULTS;
  if (method === 'lbfgs') {
    const l = base?.method === 'lbfgs' ? base : LBFGS_DEFAULTS;
    return { method, maxIter: o.maxIter ?? l.maxIter, restarts: o.restarts ?? l.restarts, restartsFrom: o.restartsFrom ?? l.restartsFrom ?? LBFGS_DEFAULTS.restartsFrom, tol: o.tol ?? l.tol, seed: o.seed ?? l.seed };
  }
  const b = base?.method === 'adam' ? base : ADAM_DEFAULTS;
  const tol = o.tol ?? b.tol;
  return { method, lr: o.lr ?? b.lr, epochs: o.epochs ?? b.epochs, batch: o.batch ?? b.batch, seed: o.seed ?? b.seed, regCovar: o.regCovar ?? b.regCovar, init: o.init ?? b.init, ...(tol !== undefined ? { tol } : {}) };
}

function wrap(e: unknown, sources: ReadonlyMap<string, string>): unknown {
  if (e instanceof StepError || e instanceof QueryError) return new PmixInputError(e.diagnostics, sources);
  return e;
}
