// The contract of a model family (mixture, circuit, squared, integral, gp, ...). A family is
// one folder under families/ that fills this in, and one line in families/index.ts; the shared
// code (session, API, CLI, REPL, artifact loader) dispatches through the registry and never
// tests a family's name. The contract sits in the runtime because its hooks speak the
// runtime's types (states, learners' steps, answers); the families themselves sit above it.
import type { CompiledProgram, FitSettings } from '../compiler/program.js';
import type { ComponentLowering } from '../compiler/lower.js';
import type { FamilyNodeHooks } from './family-nodes.js';
import type { IRGraph, IRVariable } from '../ir/types.js';
import type { Diagnostic, ModelExpr } from '../language/index.js';
import type { BoundQuery } from '../ir/query.js';
import type { Steps } from './learners/drive.js';
import type { FitProgress, FitResult, StopReason } from './learners/types.js';
import type { FitSummaryCore } from './learners/summary.js';
import type { PartialLabels } from './learners/labels.js';
import type { QueryAnswer } from './queries/answer.js';
import type { FitCost } from './resources.js';
import type { ModelState } from './state.js';
import type { ModelParams } from './params-view.js';

/** Everything a family's fit needs: the lowered state (at training points), the rows and the settings. */
export interface FitRequest {
  readonly model: string;
  readonly data: string;
  readonly state: ModelState;
  /** rows x state.graph.vars.length, NaN for missing cells. */
  readonly x: Float64Array;
  readonly rows: number;
  /** Per-row sample weights (all 1 without a weights column). */
  readonly weights: Float64Array;
  readonly settings: FitSettings;
  /** The session's memory limit in bytes, for families that size their work after reading the data. */
  readonly maxMemory?: number;
  /** The session's time limit of a fit in seconds (exact GPs estimate theirs); undefined: the default. */
  readonly maxSeconds?: number;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
  /** Partial labels (em(labels = column)): only families with `partialLabels` receive them. */
  readonly labels?: PartialLabels;
}

/** What a family's fit returns: the state queries use, how the fit ended, and what the summary needs. */
export interface FamilyFitted {
  readonly state: ModelState;
  /** The learner's result, where the family's learner is one of runtime/learners (traces, validation). */
  readonly result?: FitResult;
  readonly iterations: number;
  readonly converged: boolean;
  /** Why the fit stopped, and the criterion or limit in words (runtime/learners/types.ts). */
  readonly stop: StopReason;
  readonly criterion: string;
  readonly interrupted?: boolean;
  readonly meanLogLikelihood: number;
  /** The total log-likelihood BIC and AIC are computed from, over `observations` (weighted rows, or a GP's points). */
  readonly logLikelihood: number;
  readonly observations: number;
  readonly parameters: number;
  /** Family-specific fields of the fit summary (e.g. `gp`: a GP's hyperparameters and notes). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What a family's fit text gets: the summary (with its family's details), the stop phrase and the number format. */
export interface FitTextInput {
  readonly summary: FitSummaryCore;
  /** The summary's fields by name, the family's details among them (FamilyFitted.details: `gp`, `kde`). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** How the fit stopped, in words ("converged after 12 iterations"). */
  readonly stop: string;
  readonly num: (x: number, digits?: number) => string;
}

/** Lowering that a family owns outright: model expressions the shared lowering (compiler/lower.ts) does not know. */
export interface FamilyLowering {
  /** Does this model body belong to the family (e.g. `gp(x -> y) { ... }`)? */
  claims(body: ModelExpr): boolean;
  /** `opts.data`: the fit's rows over vars, for structures learned from data (a Chow-Liu tree). */
  lower(program: CompiledProgram, body: ModelExpr, vars: readonly IRVariable[], opts?: { readonly data?: { readonly x: Float64Array; readonly n: number } }): { graph?: IRGraph; diagnostics: Diagnostic[] };
  /** The family's model as a part of a mixture or a product (one family node); absent: it stands alone. */
  readonly lowerComponent?: ComponentLowering;
}

/** What `pmix check` prints about a model of this family (lines) and adds to its --json (under `key`). */
export interface FamilyReport {
  readonly lines: readonly string[];
  readonly key: string;
  readonly json: unknown;
}

/** One output's prediction at one input row. */
export interface RowPrediction {
  readonly output: string;
  readonly mean: number;
  /** sd of the latent function, and of a new observation (with noise). */
  readonly std: number;
  readonly std_y: number;
  /** A non-Gaussian likelihood's summary of y (pmix predict adds a column per key): `p`, or `y_mean`, `y_lower95`, `y_median`, `y_upper95`. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Conditional models (GPs) predict their outputs at input rows (pmix predict, the API's predict). */
export interface FamilyPredictor {
  inputs(graph: IRGraph): string[];
  outputs(graph: IRGraph): string[];
  /** x: rows x graph.vars (inputs filled, outputs ignored); a row missing an input gets NaN. */
  predictRows(state: ModelState, x: Float64Array, rows: number): RowPrediction[][];
  /** Predictions condition on the outputs a row gives (a multitask GP's new task's points): pmix predict reads the output columns the file has. */
  readonly givenOutputs?: boolean;
}

export interface FamilyPlot {
  /** Whether this model can be drawn (e.g. a GP with one input). */
  accepts(graph: IRGraph): boolean;
  /**
   * An SVG document; `span` is the input range to draw (default: the data's); `rows`: data to draw, values by the graph's variables (the REPL's fitted data).
   * Asynchronous so that the drawing code (plot/ and d3) is imported only when something is drawn: `pmix check`, fits and queries never load it.
   */
  svg(state: ModelState, opts?: { readonly span?: readonly [number, number]; readonly rows?: readonly (readonly number[])[] }): Promise<string>;
}

export type GraphFail = (field: string, message: string) => never;

export interface ModelFamily {
  /** The name graphs and artifacts carry in `family`. */
  readonly name: string;
  /** How messages name a model of the family: 'a Gaussian process', 'a squared circuit'. */
  readonly noun: string;
  /**
   * Whether a graph's nodes are of this family's shape; the artifact loader refuses a graph its
   * named family does not recognize (a plain mixture graph is also a circuit's shape, not the reverse).
   */
  recognizes(graph: IRGraph): boolean;
  /** What `recognizes` looks for, for messages: 'a gp node', 'a square node at its root'. */
  readonly shape: string;
  /** Lowering of the family's own model expressions; families built by the shared lowering leave it out. */
  readonly lowering?: FamilyLowering;

  /** The method `fit M on d` without `by` uses (with its defaults), or the graph's (an exact GP's lbfgs, a sparse one's adam): em where absent. */
  readonly defaultMethod?: FitSettings['method'] | ((graph: IRGraph) => FitSettings['method']);
  /**
   * The fit's text (pmix run/fit, the REPL, the playground) where the family has more to say
   * than the shared three lines; api/format.ts dispatches on the summary's `family`.
   */
  fitText?(input: FitTextInput): string;
  /** Why `settings.method` cannot fit this model (with the statement that can), or undefined. */
  methodProblem(graph: IRGraph, settings: FitSettings, names: { readonly model: string; readonly data: string }): { readonly message: string; readonly hint?: string } | undefined;
  /** The memory and work estimate of a fit on `rows` rows (pmix check --cost, the memory limit). */
  fitCost(model: string, data: string, graph: IRGraph, settings: FitSettings, rows: number): FitCost;
  /** The fit, as the learners' step generator (the session drives it: progress, checkpoints, Ctrl-C). */
  fit(req: FitRequest): Steps<FamilyFitted>;
  /** Whether em(stream = true) can fit it chunk by chunk from its file. */
  readonly streams: boolean;
  /** Free scalar parameters (BIC/AIC). */
  freeParameters(state: ModelState): number;
  /** Whether its fit takes partial labels (a label column clamping components: runtime/learners/labels.ts). */
  readonly partialLabels?: boolean;

  /** log p of each row (NaN cells marginalized, or the family's documented reading of them). */
  logDensityRows(state: ModelState, x: Float64Array, rows: number): Float64Array;
  /** The query forms the family answers (the binder refuses the others with this list). */
  readonly forms: readonly string[];
  /** The forms one graph answers, where fewer than `forms` (posterior needs a mixture at the root). */
  formsOf?(graph: IRGraph): readonly string[];
  /** Why a form is not answered, where there is more to say than the list (the binder's message). */
  readonly refusals?: (graph: IRGraph) => Readonly<Record<string, string>>;
  /** Conditional models: the variables that are inputs and outputs (queries give points of the inputs). */
  roles?(graph: IRGraph): { readonly inputs: readonly number[]; readonly outputs: readonly number[] };
  /** Answers a query the binder (compiler/bind-query.ts) bound against `forms` and `roles`. */
  answer(state: ModelState, q: BoundQuery): QueryAnswer;

  /** Present for conditional models: predictions at input rows. */
  readonly predictor?: FamilyPredictor;
  /** A picture of the fitted model of the family's own kind (a GP's data, mean and band), where it has one. */
  readonly plot?: FamilyPlot;

  /** A family node of this family inside a mixture or a product is evaluated, refitted and queried by these (with lowering.lowerComponent). */
  readonly component?: FamilyNodeHooks;
  /** The fitted parameters by the names users wrote (Model.params()); undefined where the family has no view yet. */
  params?(state: ModelState): ModelParams | undefined;

  /** Family-specific checks of a graph read from an artifact (after the shared structural ones). */
  checkGraph?(graph: IRGraph, fail: GraphFail): void;
  /** What `pmix check` reports about a lowered model of this family, if anything; `methods`: the methods of the program's fit statements for it. */
  describe?(graph: IRGraph, model: string, file: string, methods?: readonly string[]): FamilyReport | undefined;
}
