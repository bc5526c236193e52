// A GP likelihood p(y | f) of one observation given its latent value f: log density and its
// first three derivatives in f (Laplace's Newton steps, W = -d2, and R&W Algorithm 5.1's
// third-derivative term), derivatives in its own parameters, and the moments of y given f
// (predictive means by quadrature). Parameters are in natural units, in the order of `params`.

export interface LikDerivs {
  /** log p(y | f) and its derivatives d/df, d2/df2, d3/df3. */
  lp: number;
  d1: number;
  d2: number;
  d3: number;
}

/** Derivatives of lp, d1 and d2 with respect to one of the likelihood's parameters. */
export interface LikParamDerivs {
  lp: number;
  d1: number;
  d2: number;
}

export interface LikelihoodParamSpec {
  readonly name: string;
  /** What it means, for messages and docs. */
  readonly description: string;
  /** Whether a fit learns it unless the model says `fixed` (false: an option, always fixed). */
  readonly learnable: boolean;
  /** Default value; 'data' means from the outputs' spread (likelihood.init). */
  readonly init: number | 'data';
  readonly bounds: readonly [number, number];
}

export interface Likelihood {
  readonly name: string;
  /** Links it accepts, the default first; empty when it has one fixed link. */
  readonly links: readonly string[];
  readonly params: readonly LikelihoodParamSpec[];
  /** Whether log p is concave in f for every y (W >= 0: the plain Newton step is safe). */
  readonly logConcave: boolean;
  /** Why y cannot be an observation (e.g. a label other than 0/1), or undefined; `classes` for a multiclass likelihood. */
  badValue(y: number, classes?: number): string | undefined;
  /** One latent function per class (categorical, softmax): fitted by runtime/gp/multiclass.ts, not by derivs. */
  readonly multiclass?: boolean;
  /** log p(y | f) and its derivatives, written into out. */
  derivs(y: number, f: number, link: string, theta: readonly number[], out: LikDerivs): void;
  /** d/dtheta_j of lp, d1, d2 (only for likelihoods with learnable parameters). */
  paramDerivs?(y: number, f: number, link: string, theta: readonly number[], j: number): LikParamDerivs;
  /** E[y | f] and Var[y | f]. */
  moments(f: number, link: string, theta: readonly number[]): { mean: number; variance: number };
  /** Data-based initial values of 'data' parameters from the outputs. */
  init?(y: Float64Array): number[];
}
