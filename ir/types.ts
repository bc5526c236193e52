// The pmix IR: one graph for every model family (mixtures, tensorized circuits, squared
// circuits, integral circuits, Gaussian processes). Plain JSON-serializable data; passes
// are pure functions IR -> IR over immutable values. See docs/ir.md for worked lowerings.

export const IR_VERSION = 1;

/** A variable of the model: a data column. Index = position in IRGraph.vars. */
export type VarType =
  | { readonly kind: 'real' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'categorical'; readonly levels: readonly string[] };

export interface IRVariable {
  readonly name: string;
  readonly type: VarType;
}

/** Where a node or parameter came from in the model text (file:line:col), for diagnostics. */
export interface SourceRef {
  readonly line: number;
  readonly column: number;
}

/**
 * How a parameter's stored value maps to the unconstrained space an optimizer works in.
 * - identity: real, unconstrained
 * - positive: > 0 (optimized as log)
 * - unit: in (0, 1) (optimized as logit)
 * - simplex: rows of the last axis sum to 1, non-negative (optimized as softmax logits)
 * - signed: real weights that may be negative (squared circuits)
 * - spd: symmetric positive definite matrices over the last two axes (optimized via Cholesky)
 * - bounded: in [lower, upper] (optimized as scaled logit)
 * - neural: values produced by a function of latent variables (integral circuits), see
 *   NeuralParam; the stored values are the function's outputs mapped by `output`
 */
export type Parameterization =
  | { readonly kind: 'identity' }
  | { readonly kind: 'positive' }
  | { readonly kind: 'unit' }
  | { readonly kind: 'simplex' }
  | { readonly kind: 'signed' }
  | { readonly kind: 'spd' }
  | { readonly kind: 'bounded'; readonly lower: number; readonly upper: number }
  | NeuralParam;

/** The parameterizations a latent function's outputs are mapped through (parameterization.ts fromFree). */
export type NeuralOutput = 'identity' | 'positive' | 'unit' | 'simplex';

/**
 * A parameter whose values are a function of latent variables (integral circuits).
 * Before quadrature (a graph with integral nodes) its shape is the function's outputs per
 * point, e.g. [S] for a Bernoulli over S variables. The quadrature pass adds `grid`: each
 * latent's points; the rows of the parameter enumerate the Cartesian product of the grids
 * (the first latent slowest), each row holding the function's outputs there, plus the sum of
 * the latents' `logWeights` at that row (log quadrature weights, for integral weights), then
 * mapped by `output` (a simplex normalizes over the last axis). So a materialized parameter
 * is an ordinary circuit parameter that learners reach through the function.
 */
export interface NeuralParam {
  readonly kind: 'neural';
  readonly output: NeuralOutput;
  readonly fn: LatentFn;
  /** The latents the function reads, with the affine map (z - center) / radius applied before a net. */
  readonly latents: readonly { readonly name: string; readonly center: number; readonly radius: number }[];
  readonly grid?: readonly { readonly points: readonly number[]; readonly logWeights?: readonly number[] }[];
}

/** A dense layer of a small net: y = act(x W + b), W shape [in, out], b shape [out]. */
export interface DenseLayer {
  readonly w: string;
  readonly b: string;
  readonly activation: 'tanh' | 'relu' | 'sin' | 'linear';
}

/**
 * A function of latent variables. net: a multi-layer perceptron whose layers are IR
 * parameters (functional sharing is several functions naming the same layers); constant: the
 * same free values at every point (a parameter of shape [outputs], in the output's
 * unconstrained space); expr: a closed form written in the model text, in the units of the
 * leaf argument `arg` (e.g. sd), fixed, materialized by the quadrature pass.
 */
export type LatentFn =
  | { readonly kind: 'net'; readonly layers: readonly DenseLayer[] }
  | { readonly kind: 'constant'; readonly param: string }
  | { readonly kind: 'expr'; readonly expr: LatentExpr; readonly arg: string };

/** A closed-form expression of latent variables (JSON, evaluated by a tree walk). */
export type LatentExpr =
  | { readonly op: 'num'; readonly value: number }
  | { readonly op: 'latent'; readonly name: string }
  | { readonly op: 'neg'; readonly a: LatentExpr }
  | { readonly op: '+' | '-' | '*' | '/' | '^'; readonly a: LatentExpr; readonly b: LatentExpr }
  | { readonly op: 'call'; readonly fn: string; readonly args: readonly LatentExpr[] };

/** A named tensor: values stored row-major in their constrained (natural) space. */
export interface IRParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly param: Parameterization;
  readonly value: readonly number[];
  /** Frozen: learners leave it as is. */
  readonly fixed: boolean;
  /** 'given': written in the model text (or fitted); 'data': a placeholder the fit initializes from data. */
  readonly init: 'given' | 'data';
  readonly source?: SourceRef;
  /** A prior on the value (GP hyperparameters): fits maximize the log posterior instead. */
  readonly prior?: ParamPrior;
}

/** normal(a = mean, b = sd) and lognormal(a = mu, b = sigma) of the value; gamma(a = shape, b = rate). */
export interface ParamPrior {
  readonly kind: 'normal' | 'lognormal' | 'gamma';
  readonly a: number;
  readonly b: number;
}

// ---------------------------------------------------------------------------------------
// Nodes. Every node has an id, the variables it covers (scope, sorted var indices), and a
// number of output units: a node computes, per data row, a vector of `units` log-values.

interface NodeBase {
  readonly id: string;
  readonly scope: readonly number[];
  readonly units: number;
  readonly source?: SourceRef;
}

/**
 * A layer of `units` leaf distributions of one family over `scope`. Each entry of `params`
 * binds a distribution parameter role (e.g. 'mean', 'cov') to an IR parameter whose shape is
 * [units, ...eventShape], or just eventShape when the parameter is shared by all units
 * (e.g. a tied covariance). A univariate family over a scope of several variables means
 * independent copies per variable: eventShape then has a trailing axis of length |scope|.
 */
export interface InputNode extends NodeBase {
  readonly kind: 'input';
  readonly dist: string;
  /** Distribution variant, e.g. Normal's covariance type: 'full' | 'diag' | 'spherical' | 'tied'. */
  readonly variant?: string;
  readonly params: Readonly<Record<string, string>>;
  /** Parameters shared by all units (no leading units axis). */
  readonly shared?: readonly string[];
}

/**
 * Dense sum layer (circuits): the inputs are the concatenated units of the children (I of
 * them); out[u] = log sum_i W[u, i] exp(in[i]). Weights parameter shape [units, I],
 * parameterized simplex (monotone circuits) or signed (squared circuits).
 */
export interface SumNode extends NodeBase {
  readonly kind: 'sum';
  readonly children: readonly string[];
  readonly weights: string;
}

/**
 * Mixing layer (mixtures; cirkit's MixingLayer): the concatenated child units are viewed as
 * [arity, units]; out[u] = log sum_a W[u, a] exp(in[a * units + u]). Weights shape [units, arity].
 * `mixture(k) of C` lowers to C replicated k times and one mixing node of arity k.
 */
export interface MixingNode extends NodeBase {
  readonly kind: 'mixing';
  readonly arity: number;
  readonly children: readonly string[];
  readonly weights: string;
}

/**
 * Product layer over children with disjoint scopes. hadamard: all children have `units`
 * units and out[u] = sum_c in_c[u] (log space); kronecker: units = product of the
 * children's units, out[(i, j)] = in_1[i] + in_2[j].
 */
export interface ProductNode extends NodeBase {
  readonly kind: 'product';
  readonly mode: 'hadamard' | 'kronecker';
  readonly children: readonly string[];
}

/**
 * A squared circuit's output: log p(x) = 2 log|c(x)| - log Z, where `child` is a circuit with
 * signed weights (evaluated in signed log space) and `partition` the root of the circuit
 * c * c integrated over all variables (built by the squaring pass; absent until then).
 */
export interface SquareNode extends NodeBase {
  readonly kind: 'square';
  readonly child: string;
  /** sos(c_1, ..., c_r): the roots of every c_r (child = parts[0]); p = sum_r c_r^2 / Z. */
  readonly parts?: readonly string[];
  /** c_plus * square(c): the root of the monotone circuit c+; p = c+ c^2 / Z (Z by c+ * c * c). */
  readonly monotone?: string;
  readonly partition?: string;
}

/** A continuous latent variable of an integral circuit, with the quadrature that materializes it. */
export interface LatentVar {
  readonly name: string;
  /** interval: uniform on [lower, upper]; normal: the standard normal. */
  readonly domain: { readonly kind: 'interval'; readonly lower: number; readonly upper: number } | { readonly kind: 'normal' };
  readonly quadrature: { readonly rule: QuadratureRule; readonly points: number; readonly evalPoints?: number };
}

export type QuadratureRule = 'gauss-legendre' | 'trapezoid' | 'midpoint' | 'gauss-hermite';

/**
 * Integral units over continuous latent variables (before quadrature; every node of such a
 * graph has units = 1, one function of the latent above it):
 * out(given) = integral over the latents of w(given, latents) * child(latents) d base(latents),
 * where base is each latent's own density (uniform on its interval, or the standard normal)
 * and w, when present, a relative density exp(f) normalized over the latents (`weights`: a
 * neural parameter of output 'simplex'). The child's functions read the latents (its inputs'
 * parameters are neural parameters of them). The quadrature pass replaces it by a sum node of
 * one unit per point of `given` over the child's units (an ordinary circuit, a QPC).
 */
export interface IntegralNode extends NodeBase {
  readonly kind: 'integral';
  readonly latents: readonly LatentVar[];
  /** The latent of the integral unit above, which w also reads; absent at the top. */
  readonly given?: string;
  readonly child: string;
  readonly weights?: string;
}

/**
 * Kernel expressions of a GP, as a small tree; parameters are references into
 * IRGraph.params (by the kernel's parameter names, see stdlib/kernels). `dims` restricts a
 * base kernel to some input columns (default: all); `options` holds structural integers
 * (spectral_mixture's q, polynomial's degree, coregion's tasks and rank).
 */
export type KernelExpr =
  | {
      readonly op: 'base';
      readonly name: string;
      readonly params: Readonly<Record<string, string>>;
      readonly dims?: readonly number[];
      readonly options?: Readonly<Record<string, number>>;
    }
  | { readonly op: 'sum'; readonly terms: readonly KernelExpr[] }
  | { readonly op: 'product'; readonly terms: readonly KernelExpr[] }
  | { readonly op: 'scale'; readonly factor: string; readonly kernel: KernelExpr };

export type GPMean =
  | { readonly kind: 'zero' }
  | { readonly kind: 'constant'; readonly c: string }
  | { readonly kind: 'linear'; readonly w: string; readonly b: string };

/**
 * How a GP is inferred. exact: Cholesky of the full kernel matrix; the training data are
 * parameters (`train.x` [N, D'] and `train.y` [N], fixed) so a saved model predicts.
 * sparse: a variational GP (Hensman et al. 2013) with M inducing inputs `inducing` [M, D'],
 * the variational mean `q_mean` [M] and the Cholesky factor `q_sqrt` [M, M] of its covariance.
 * D' is the number of inputs, plus one task column for multitask GPs.
 */
export type GPInference =
  | { readonly kind: 'exact'; readonly train?: { readonly x: string; readonly y: string } }
  /** learnInducing: fits move the inducing inputs with the hyperparameters (absent: true). */
  | { readonly kind: 'sparse'; readonly inducing: string; readonly qMean: string; readonly qSqrt: string; readonly m: number; readonly learnInducing?: boolean }
  /**
   * vecchia: each training point conditioned on its m nearest previous points (ordered by the
   * first input; runtime/gp/vecchia); the training data are fixed parameters as for exact.
   */
  | { readonly kind: 'vecchia'; readonly m: number; readonly train?: { readonly x: string; readonly y: string } };

/**
 * A Gaussian process y = f(x) + noise over input variables and one output variable (or
 * several: a multitask GP whose kernel includes a coregion factor over the task column).
 * Its runtime ops are the kernel matrix, Cholesky with jitter, triangular solves and log
 * det, in float64 (runtime/gp). `noise` has shape [] or [tasks]. When `normalize` is set
 * the outputs are standardized before fitting (`y_shift`, `y_scale`, shape [tasks]).
 */
export interface GPNode extends NodeBase {
  readonly kind: 'gp';
  readonly inputs: readonly number[];
  readonly output: number;
  /** Multitask: every output variable (output is the first); absent for one output. */
  readonly outputs?: readonly number[];
  readonly kernel: KernelExpr;
  readonly mean: GPMean;
  readonly noise: string;
  readonly inference: GPInference;
  readonly normalize?: { readonly shift: string; readonly scale: string };
  readonly tasks?: { readonly kind: 'icm' | 'lmc'; readonly count: number; readonly rank: number; readonly q: number };
  /** A non-Gaussian likelihood (stdlib/likelihoods), fitted by the Laplace approximation; absent: Gaussian with `noise`. */
  readonly likelihood?: GPLikelihood;
}

/** A GP's non-Gaussian likelihood: its stdlib name, link, and parameters (IR parameter names, in the likelihood's order). */
export interface GPLikelihood {
  readonly name: string;
  readonly link: string;
  readonly params: readonly string[];
  /** categorical (softmax) only: the number of classes C >= 2, one latent function per class. */
  readonly classes?: number;
}

/**
 * A node its family evaluates itself (families/NAME): what a new family stores without a node
 * kind of its own in this file. `params` names its IR parameters by role (a kernel density's
 * training points and bandwidth); `options` holds plain settings (a kernel's name). The shared
 * checks see that the parameters exist; the family's `checkGraph` checks the rest.
 */
export interface FamilyNode extends NodeBase {
  readonly kind: 'family';
  readonly family: string;
  readonly params: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string | number | boolean | readonly number[]>>;
}

export type IRNode = InputNode | SumNode | MixingNode | ProductNode | SquareNode | IntegralNode | GPNode | FamilyNode;

/** One compiled model: its variables, parameters and nodes (topological order, root last). */
export interface IRGraph {
  readonly version: number;
  /**
   * The model family (mixture, circuit, squared, integral, gp, ...): the registry entry in
   * families/index.ts that fits, evaluates and queries the graph. A name, not a closed union, so
   * that a new family is its own folder plus a registry line.
   */
  readonly family: string;
  readonly vars: readonly IRVariable[];
  readonly params: Readonly<Record<string, IRParam>>;
  readonly nodes: readonly IRNode[];
  readonly root: string;
}
