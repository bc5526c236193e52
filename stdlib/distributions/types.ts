// The contract every leaf distribution fulfils. The runtime only ever sees a LeafFamily: a
// layer of `units` distributions of one family over `dims` variables. Most families are
// univariate and written as a UnivariateDist, which `factorized()` lifts to a LeafFamily
// (independent copies per variable). Multivariate families (Normal) implement LeafFamily.
import type { InputNode, IRParam, Parameterization, VarType } from '../../ir/types.js';
import type { Rng } from '../random.js';

/** Row-major numbers of one parameter; the units axis first unless the parameter is shared. */
export type LayerParams = Record<string, Float64Array>;

export interface LayerContext {
  /** Number of variables the layer covers. */
  readonly dims: number;
  /** Number of distributions in the layer. */
  readonly units: number;
  /** Variant, e.g. Normal's 'full' | 'diag' | 'spherical' | 'tied'; '' when the family has none. */
  readonly variant: string;
  /** Number of levels of each variable (categorical columns); 0 for other types. */
  readonly levels: readonly number[];
}

export interface ParamSpec {
  readonly role: string;
  /** Full shape, including the leading units axis unless `shared`. */
  readonly shape: readonly number[];
  readonly param: Parameterization;
  /** One value for all units (e.g. a tied covariance). */
  readonly shared?: boolean;
}

/**
 * The values a family can give a density to whatever its parameters (Poisson: counts). The data
 * are checked against it before a fit, so a bad cell is named by row, column and value instead
 * of surfacing as a row of zero density in the middle of EM.
 */
export interface Support {
  contains(x: number): boolean;
  /** Words for messages: "counts 0, 1, 2, ...". */
  readonly text: string;
}

/** A user-written argument value: a number, a vector or a matrix. */
export type ArgValue = number | number[] | number[][];

export interface ArgError {
  readonly arg: string;
  readonly message: string;
}

export interface EMOptions {
  /** Added to covariance diagonals (and as a floor for variances/scales). */
  readonly regCovar: number;
  /** Roles whose values stay as they are (frozen parameters). */
  readonly fixed: ReadonlySet<string>;
  /** Laplace pseudo-count added to each level of discrete families (Bernoulli, Categorical); 0 = none. */
  readonly smoothing?: number;
}

/**
 * A layer of leaf distributions. `x` is always the N x dims data of the layer's scope,
 * row-major, with NaN marking a missing cell: every method marginalizes missing cells
 * (a missing coordinate contributes log 1 = 0 for factorized families; Normal uses the
 * marginal Gaussian of the observed coordinates).
 */
export interface LeafFamily {
  readonly name: string;
  /** Allowed variants (first is the default); empty when the family has none. */
  readonly variants: readonly string[];
  /** Whether a leaf over several variables is one joint distribution (true) or independent copies (false). */
  readonly multivariate: boolean;
  /** Whether a variable of this type can be modelled by the family. */
  accepts(type: VarType): boolean;
  /** Words for diagnostics: "a real column", "an int column of counts", ... */
  readonly expects: string;
  /** Where the density can be positive, per variable; absent: every value of an accepted type. */
  readonly support?: Support;
  /** Names of user arguments (e.g. ['mean', 'sd', 'cov']); used for 'did you mean'. */
  readonly argNames: readonly string[];
  paramSpecs(ctx: LayerContext): ParamSpec[];
  /**
   * Turns user-written arguments (for one unit) into natural-space parameter values of one
   * unit (shapes without the units axis); roles not given are left out (the fit initializes
   * them). Errors name the argument.
   */
  fromArgs(args: Readonly<Record<string, ArgValue>>, ctx: LayerContext): { values: Record<string, number[]>; errors: ArgError[] };
  /** out[n * units + u] = log p_u(x_n), missing cells marginalized. */
  logDensity(p: LayerParams, ctx: LayerContext, x: Float64Array, n: number, out: Float64Array): void;
  /** One draw from unit u, written to out (length dims). */
  sample(p: LayerParams, ctx: LayerContext, unit: number, rng: Rng, out: Float64Array): void;
  mean(p: LayerParams, ctx: LayerContext, unit: number): Float64Array;
  variance(p: LayerParams, ctx: LayerContext, unit: number): Float64Array;
  /** The highest-density point of unit u. */
  mode(p: LayerParams, ctx: LayerContext, unit: number): Float64Array;
  /**
   * Initial parameters from data and soft assignments resp (N x units, each column a weight
   * per row, e.g. one-hot k-means labels times sample weights).
   */
  init(x: Float64Array, n: number, resp: Float64Array, ctx: LayerContext, rng: Rng, opts: EMOptions): LayerParams;
  /**
   * Closed-form (or a few Newton steps where none exists) weighted maximum-likelihood
   * M-step: resp[n * units + u] is the expected count of row n in unit u.
   */
  mstep(x: Float64Array, n: number, resp: Float64Array, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LayerParams;
  /**
   * Accumulates into grad (same shapes as p) the gradient of sum_n sum_u coef[n, u] log p_u(x_n)
   * with respect to the natural-space parameter values. The optimizer applies the chain rule of
   * each parameter's parameterization.
   */
  gradLogDensity(p: LayerParams, ctx: LayerContext, x: Float64Array, n: number, coef: Float64Array, grad: LayerParams): void;
  /** Number of free scalar parameters per unit (for BIC/AIC), shared ones counted by the caller once. */
  freeParams(ctx: LayerContext): { perUnit: number; shared: number };
  /**
   * Sufficient statistics of the M-step, for streaming EM: a collector that accumulates batches
   * of rows (accumulate(x, n, resp), each x and resp as in mstep) and whose finalize() gives
   * the parameters mstep(x, n, resp, ctx, prev, opts) gives on all the rows accumulated,
   * concatenated (up to rounding). `prev` plays mstep's role (fixed roles, the E-step of
   * missing cells, units no row reaches). Absent, or undefined for this layer, when the
   * M-step needs the raw rows (Newton steps, medians): such layers cannot stream.
   */
  newStats?(ctx: LayerContext, prev: LayerParams, opts: EMOptions): LeafStats | undefined;
  /** P(X <= x) for univariate families (dims = 1); absent where it does not exist. */
  cdf?(p: LayerParams, ctx: LayerContext, unit: number, x: number): number;
  /**
   * The conditional of unit u's joint over the coordinates where `evidence` is NaN, given the
   * others (for a factorized family this is the marginal of the free coordinates). Returns
   * the parameters of a layer of one unit over the free coordinates, in this family.
   * Coordinates with drop[j] true are marginalized out (neither evidence nor kept).
   */
  condition(p: LayerParams, ctx: LayerContext, unit: number, evidence: Float64Array, drop?: readonly boolean[]): { params: LayerParams; ctx: LayerContext };

  // ---- Capabilities: declared, optional hooks other folders ask for instead of testing the
  // family's name (docs/architecture.md, "Leaf capabilities"). Absent = the family lacks it.

  /** The variable types for which this family is the default leaf (circuit regions without `inputs`), and its variant there. */
  readonly defaultFor?: { readonly types: readonly VarType['kind'][]; readonly variant?: string };
  /** The closed-form product of k layers of this family over the same variables (squared circuits). */
  readonly squareProduct?: LeafProduct;
  /** The closed-form marginal of a linear-Gaussian leaf over a standard normal latent (the analytic integral pass). */
  readonly linearGaussian?: LinearGaussianLeaf;
  /** The collapse test of EM's collapse repair (a unit shrunk onto a point). */
  readonly degeneracy?: LeafDegeneracy;
  /** A Gaussian parameterized by its moments, per variant that has them (the incremental mixture's rank-one updates). */
  readonly gaussianMoments?: GaussianMoments;
  /** Diagonal-Gaussian EM from complete-row statistics (the fused GMM E-step of runtime/learners/gmm-fused.ts). */
  readonly diagGaussianEM?: DiagGaussianEM;
  /** Values 0..L-1 of variable j only, fitted from per-level counts (UnivariateDist.finiteLevels). */
  readonly finiteLevels?: (ctx: LayerContext, j: number) => number;
  /**
   * The M-step reads the data only through per-level weighted counts (discrete-fast.ts's
   * levelCounts), so counts accumulated elsewhere (withLevelCounts) can stand in for its pass.
   */
  readonly levelCounted?: boolean;
  /**
   * Per coordinate, the values unit `unit` gives positive probability (finite supports only:
   * determinism and support checks of circuits). `p` holds every role of one unit, without the
   * units axis; undefined when a role is missing.
   */
  finiteSupport?(p: Readonly<Record<string, ArrayLike<number>>>, ctx: LayerContext): (readonly number[])[] | undefined;
}

/**
 * A coordinate of a leaf product treated specially instead of being observed or integrated over
 * the whole line: integrated only over [lower[row], upper[row]] (a missing end is infinite: CDF
 * pieces for sampling, interval masses), or, with `moment`, integrated against (x - center)^k
 * (moments of the product; the result may be negative, so forward then reports signs).
 */
export interface ProductCoordSpec {
  readonly dim: number;
  readonly upper?: Float64Array;
  readonly lower?: Float64Array;
  readonly moment?: { readonly k: number; readonly center: number };
}

/** One factor of a leaf product: a layer's live parameters and its context. */
export interface ProductLayer {
  readonly params: LayerParams;
  readonly ctx: LayerContext;
}

export interface TupleLeafOps {
  /**
   * out[i * size + flat(u_1..u_k)] = log|.| of prod_t f_t[u_t] at row i (NaN cells integrated
   * out, the coordinates of `cdf` as it says); sign, when given, gets the signs (+1, -1, 0).
   */
  forward(xs: Float64Array, n: number, cdf: ProductCoordSpec | readonly ProductCoordSpec[] | undefined, out: Float64Array, sign?: Float64Array): void;
  /** Adds sum_i,flat flow[i, flat] * d log(prod_t f_t[u_t]) / d theta to grads[t] (natural space). */
  backward(xs: Float64Array, n: number, flow: Float64Array, grads: readonly LayerParams[]): void;
}

/** LeafFamily.squareProduct: products of k layers of one family over the same variables. */
export interface LeafProduct {
  /** Why layers with these contexts have no closed-form product, or undefined when they have one. */
  problem(ctxs: readonly LayerContext[]): string | undefined;
  /** The product (problem() is undefined for these layers). */
  ops(layers: readonly ProductLayer[]): TupleLeafOps;
}

/**
 * LeafFamily.gaussianMoments: the role of the mean (units x D) and, per variant, the role of the
 * covariance: 'matrix' (units x D x D) or 'diagonal' (units x D variances).
 */
export interface GaussianMoments {
  readonly meanRole: string;
  readonly covariance: Readonly<Record<string, { readonly role: string; readonly layout: 'matrix' | 'diagonal' }>>;
}

/**
 * LeafFamily.linearGaussian: a leaf whose coordinates are independent Gaussians with a mean
 * role (which the pass checks is affine in the latent) and a variance role (a fixed constant).
 */
export interface LinearGaussianLeaf {
  /** Whether leaves of this variant (undefined: as written, none) qualify. */
  accepts(variant: string | undefined): boolean;
  readonly meanRole: string;
  readonly varianceRole: string;
  /** The variance of coordinate j, from the variance role's values. */
  variance(values: readonly number[], variant: string | undefined, j: number): number;
  /**
   * The leaf of N(mean, cov) over D = mean.length variables (cov row-major D x D) as an input
   * node with its fixed parameters, and the words that describe it in reports.
   */
  marginal(at: MarginalSite, mean: readonly number[], cov: readonly number[]): { node: InputNode; params: IRParam[]; text: string };
}

/** Where a closed-form marginal goes: the node it replaces. */
export interface MarginalSite {
  readonly id: string;
  readonly scope: readonly number[];
  readonly units: number;
  readonly source?: InputNode['source'];
}

/** LeafFamily.degeneracy: EM's collapse test (the data's column variances are the scale). */
export interface LeafDegeneracy {
  /** How many units the test looks at (a tied covariance is one). */
  units(ctx: LayerContext): number;
  /** Whether unit u shrank onto a point, against dataVar (the weighted variance of each of the layer's columns). */
  collapsed(p: LayerParams, ctx: LayerContext, unit: number, dataVar: Float64Array): boolean;
}

/** Accumulated sufficient statistics of one layer's M-step (LeafFamily.newStats). */
export interface LeafStats {
  /** Adds n rows x (n x dims) with responsibilities resp (n x units). */
  accumulate(x: Float64Array, n: number, resp: Float64Array): void;
  /** The M-step's parameters from everything accumulated. */
  finalize(): LayerParams;
  /**
   * Multiplies everything accumulated by c > 0, as if every row's responsibility had been c
   * times as large (stepwise EM's decay of old statistics, runtime/learners/online-em.ts).
   */
  scale?(c: number): void;
  /**
   * Adds the statistics of `weight` rows distributed exactly as unit `unit` under the layer's
   * current parameters (`prev`): a finalize() of those alone gives the unit's parameters back.
   * Stepwise EM starts its statistics from a fitted model this way (warm starts, model.update).
   */
  addModel?(unit: number, weight: number): void;
}

/**
 * A univariate distribution, written once per family (one file each). Parameters are a
 * small vector theta in natural space, in the order of `params`.
 */
export interface UnivariateDist {
  readonly name: string;
  readonly expects: string;
  accepts(type: VarType): boolean;
  /** Where the density can be positive for some parameters; absent: every value of an accepted type. */
  readonly support?: Support;
  readonly discrete: boolean;
  /**
   * Parameter roles. size 'levels' = a vector with one entry per category (Categorical's probs).
   * argName: the user-facing name (defaults to role).
   */
  readonly params: readonly {
    readonly role: string;
    readonly param: Parameterization;
    readonly size?: 'scalar' | 'levels';
    /** A structural constant (Binomial's n): never fitted, zero gradient, not a free parameter. */
    readonly structural?: boolean;
  }[];
  /** Number of levels of the variable (categorical), else 0. */
  logDensity(x: number, theta: ArrayLike<number>, levels: number): number;
  sample(theta: ArrayLike<number>, rng: Rng, levels: number): number;
  mean(theta: ArrayLike<number>, levels: number): number;
  variance(theta: ArrayLike<number>, levels: number): number;
  mode(theta: ArrayLike<number>, levels: number): number;
  cdf?(x: number, theta: ArrayLike<number>, levels: number): number;
  /**
   * Weighted MLE from xs with weights ws (no missing values here); floor keeps scales > 0.
   * Roles in `fixed` keep their values from prev (then given) and the others are fitted given them.
   */
  fit(xs: Float64Array, ws: Float64Array, prev: ArrayLike<number> | undefined, levels: number, floor: number, fixed?: ReadonlySet<string>, smoothing?: number): number[];
  /**
   * What `fit` depends on, when it is a summary of the data (lets factorized() stream the
   * M-step): 'counts' = only the total weight of each distinct value; 'mean' = only the total
   * weight and the weighted mean (a fit on one point at the mean with the total weight is the
   * same fit). Absent: the fit needs every value (Newton steps, medians).
   */
  readonly sufficient?: 'counts' | 'mean';
  /** d log p(x | theta) / d theta (natural space), one entry per theta entry. */
  gradLogDensity(x: number, theta: ArrayLike<number>, levels: number, out: Float64Array): void;
  /** Turns user args into theta entries (by role); unknown args are reported by the caller. */
  readonly argNames: readonly string[];
  fromArgs(args: Readonly<Record<string, ArgValue>>, levels: number): { values: Record<string, number[]>; errors: ArgError[] };

  // ---- Capabilities factorized() lifts to the LeafFamily (see LeafFamily's hooks).
  /** The variable types for which this distribution is the default leaf. */
  readonly defaultFor?: readonly VarType['kind'][];
  /**
   * The table/count fast path (discrete-fast.ts) applies: the log-density at a small
   * non-negative integer is tabulable and the weighted fit depends only on per-value counts.
   */
  readonly tabulated?: boolean;
  /** Products multiply level by level over the variable's known levels (squared circuits). */
  readonly levelProduct?: boolean;
  /**
   * The density is positive only at the integers 0..L-1 (L of the variable's levels) and the
   * weighted fit depends only on per-level counts (the WebGPU circuit kernels' level tables).
   */
  readonly finiteLevels?: (levels: number) => number;
  /** The values with positive probability under these parameters (finite supports only), given the variable's levels. */
  positiveValues?(theta: ArrayLike<number>, levels: number): number[];
}

/**
 * LeafFamily.diagGaussianEM: a layer with diagonal covariances (per variant) in the terms a fused
 * E-step needs, and its M-step from the statistics of complete rows.
 */
export interface DiagGaussianEM {
  /** Whether the layer's variant is diagonal (the other members apply only then). */
  applies(ctx: LayerContext): boolean;
  /** log p_u(x) = c[u] - 0.5 sum_d (x_d - mean[u, d])^2 prec[u, d] (mean, prec K x D). */
  terms(p: LayerParams, ctx: LayerContext): { readonly mean: Float64Array; readonly prec: Float64Array; readonly c: Float64Array };
  /** The M-step from per-unit weighted counts, means and diagonal scatters (K x D) of complete rows. */
  mstep(stats: { readonly nk: Float64Array; readonly mean: Float64Array; readonly scatter: Float64Array }, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LayerParams;
}
