// Runs a compiled program step by step (what `pmix run`, `pmix fit` and the REPL share):
// loads data sets once, binds each model to its variables, lowers it to IR, fits it, and
// answers queries on the latest fitted state of each model.
import { lowerModel } from '../compiler/lower.js';
import { modelVars } from '../compiler/model-vars.js';
import { inferVarTypes } from '../compiler/infer-var-types.js';
import type { IRVariable } from '../compiler/ir/types.js';
import type { CompiledProgram, FitSettings, Step } from '../compiler/program.js';
import type { Ident, QueryAst } from '../language/ast.js';
import type { Diagnostic } from '../language/diagnostics.js';
import { makeArtifact, sha256, type Artifact } from './artifact.js';
import { loadCsv } from './data/csv.js';
import { selectColumns, type Dataset } from './data/dataset.js';
import { rowWeights } from './data/weights.js';
import { PmixError } from './errors.js';
import { NotPositiveDefiniteError } from '../stdlib/distributions/index.js';
import { adamSteps } from './learners/adam.js';
import { runAsync, runToEnd, type DriveOptions, type Steps } from './learners/drive.js';
import { emSteps } from './learners/em.js';
import type { FitCheckpoint, FitProgress, FitResult, Fitted } from './learners/types.js';
import type { QueryAnswer } from './queries/answer.js';
import { QueryError, varIndex } from './queries/evidence.js';
import { runQuery } from './queries/run-query.js';
import { checkMemory, fitCost, type FitCost } from './resources.js';
import { ModelState } from './state.js';

export interface FitSummary {
  readonly model: string;
  readonly data: string;
  readonly method: FitSettings['method'];
  readonly rows: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly mean_log_likelihood: number;
  readonly bic: number;
  readonly aic: number;
  readonly parameters: number;
  /** Present (true) when the fit was stopped by its AbortSignal: the best parameters so far. */
  readonly interrupted?: boolean;
}

export interface SessionOptions {
  /** Fits whose estimated memory (compiler/cost.ts) exceeds this many bytes are refused. */
  readonly maxMemory?: number;
}

type FitStep = Extract<Step, { kind: 'fit' }>;

export interface FittedModel {
  readonly state: ModelState;
  readonly summary?: FitSummary;
  readonly result?: FitResult;
  readonly data?: Dataset;
  readonly settings?: FitSettings;
}

/** Thrown with the diagnostics of a step that cannot run (bad data, a type error). */
export class StepError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

export class Session {
  private readonly datasets = new Map<string, Dataset>();
  readonly fitted = new Map<string, FittedModel>();

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
  variables(model: string, dataName?: string, weights?: string): IRVariable[] {
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
    const names = modelVars(info, this.program.models, data.columns.map((c) => c.name), weights);
    return names!.map((n) => {
      const c = data.columns.find((col) => col.name === n);
      if (!c) throw diag(`model '${model}' uses '${n}' but data set '${dataName}' has no such column (it has ${data.columns.map((col) => col.name).join(', ')})`);
      return c;
    });
  }

  lower(model: string, vars: readonly IRVariable[]): ModelState {
    const { graph, diagnostics } = lowerModel(this.program, model, vars);
    if (!graph) throw new StepError(diagnostics);
    return new ModelState(graph);
  }

  /**
   * Type-checks every model as the program would bind it (fitted models on their data, others
   * on their declared variables) and the variable names of every query; returns all diagnostics.
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
    for (const st of this.program.steps) {
      if (st.kind === 'fit') {
        const key = `${st.model}@${st.data}`;
        if (checked.has(key)) continue;
        checked.add(key);
        attempt(() => {
          const vars = this.variables(st.model, st.data, st.weights);
          this.lower(st.model, vars);
          bound.set(st.model, vars);
        });
      } else {
        let vars = bound.get(st.model);
        if (!vars && !checked.has(st.model)) {
          checked.add(st.model);
          attempt(() => {
            vars = this.variables(st.model);
            this.lower(st.model, vars);
            bound.set(st.model, vars);
          });
        }
        if (vars) {
          const ctx = { vars, file: this.program.file, constants: this.program.constants };
          attempt(() => queryNames(st.query).forEach((id) => varIndex(ctx, id)));
        }
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
    return runAsync(this.fitSteps(step, opts.onProgress, opts.signal), opts);
  }

  /** The memory estimate of a fit (loads its data and lowers its model, allocates no fit buffers). */
  fitCost(step: FitStep): FitCost {
    const data = this.dataset(step.data);
    const state = this.lower(step.model, this.variables(step.model, step.data, step.weights));
    return fitCost(step.model, step.data, state.graph, step.settings, data.rows);
  }

  private *fitSteps(step: FitStep, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<FitSummary> {
    const data = this.dataset(step.data);
    const vars = this.variables(step.model, step.data, step.weights);
    const state = this.lower(step.model, vars);
    if (data.rows === 0) throw new PmixError(`data set '${step.data}' (${data.source}) has no rows to fit ${step.model} on`, 'no-data');
    checkMemory(fitCost(step.model, step.data, state.graph, step.settings, data.rows), this.options.maxMemory);
    const x = selectColumns(data, vars.map((v) => v.name));
    const weights = rowWeights(data, step.weights);
    let fitted: Fitted;
    try {
      const s = step.settings;
      fitted = yield* s.method === 'em' ? emSteps(state, x, data.rows, weights, s, onProgress, signal) : adamSteps(state, x, data.rows, weights, s, onProgress, signal);
    } catch (e) {
      // Learners report their own numerical failures; one surfacing from a kernel is still the data's.
      if (e instanceof NotPositiveDefiniteError) throw new PmixError(`fitting ${step.model} stopped: ${e.message}`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
      throw e;
    }
    const total = weights.reduce((a, b) => a + b, 0);
    const p = fitted.state.freeParameterCount();
    const ll = fitted.result.meanLogLikelihood * total;
    const summary: FitSummary = {
      model: step.model,
      data: step.data,
      method: step.settings.method,
      rows: data.rows,
      iterations: fitted.result.iterations,
      converged: fitted.result.converged,
      mean_log_likelihood: fitted.result.meanLogLikelihood,
      bic: -2 * ll + p * Math.log(total),
      aic: -2 * ll + 2 * p,
      parameters: p,
      ...(fitted.result.interrupted ? { interrupted: true } : {}),
    };
    this.fitted.set(step.model, { state: fitted.state, summary, result: fitted.result, data, settings: step.settings });
    return summary;
  }

  /** An artifact of a running fit's best parameters so far (for checkpoints); undefined before any. */
  checkpointArtifact(step: FitStep, c: FitCheckpoint): Artifact | undefined {
    const b = c.best();
    if (!b) return undefined;
    const data = this.dataset(step.data);
    return makeArtifact(step.model, b.state.toGraph(), {
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
    const state = this.stateOf(model);
    return runQuery(state, q, { vars: state.graph.vars, file: this.program.file, constants: this.program.constants });
  }

  artifact(model: string): Artifact {
    const f = this.fitted.get(model);
    const state = f?.state ?? this.stateOf(model);
    return makeArtifact(model, state.toGraph(), {
      source_file: this.program.file,
      source_sha256: sha256(this.program.source),
      ...(f?.data ? { data: { name: f.data.name, path: f.data.source, rows: f.data.rows } } : {}),
      ...(f?.settings ? { fit: f.settings } : {}),
      ...(f?.summary
        ? { mean_log_likelihood: f.summary.mean_log_likelihood, iterations: f.summary.iterations, converged: f.summary.converged, bic: f.summary.bic, aic: f.summary.aic }
        : {}),
      ...(f?.summary?.interrupted ? { interrupted: true } : {}),
    });
  }
}

/** Every variable a query names. */
function queryNames(q: QueryAst): Ident[] {
  switch (q.kind) {
    case 'density':
      return [...q.target, ...q.given].map((a) => a.name);
    case 'distribution':
    case 'mean':
      return [...q.target, ...q.given.map((a) => a.name)];
    case 'posterior':
      return q.evidence.map((a) => a.name);
    case 'mode':
      return q.given.map((a) => a.name);
    case 'sample':
      return [];
  }
}
