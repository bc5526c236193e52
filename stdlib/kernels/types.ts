// The interface of a GP covariance function ("kernel") of the stdlib registry. A kernel
// evaluates a whole block of input pairs at once (see pairs.ts) so that a kernel matrix or
// its gradient costs a few tight loops per block, not a function call per pair.
import type { Pairs } from './pairs.js';

/** What a kernel is built for: the number of input dimensions it sees and its structural options. */
export interface KernelContext {
  /** Input dimensions the kernel acts on (after `dims` selection). */
  readonly dims: number;
  /** Structural integer options, e.g. spectral_mixture's q or polynomial's degree. */
  readonly options: Readonly<Record<string, number>>;
}

/** Where a default initial value comes from when the model text gives none. */
export type InitRule =
  | { readonly kind: 'const'; readonly value: number }
  /** The standard deviation of each input column (lengthscales). */
  | { readonly kind: 'input-sd'; readonly factor: number }
  /** The variance of the outputs (signal variances, weights). */
  | { readonly kind: 'output-var'; readonly factor: number }
  /** Spread over (0, Nyquist) of the inputs' spacing (spectral mixture frequencies). */
  | { readonly kind: 'frequency' }
  /** 1 / the range of each input column (spectral mixture variances). */
  | { readonly kind: 'inverse-range' };

export interface KernelParamSpec {
  /** The argument name in model text (and the role name in the IR). */
  readonly name: string;
  /** Other accepted spellings, e.g. `lengthscale` for `ls`. */
  readonly aliases?: readonly string[];
  /** Shape of the parameter for this context: [] scalar, [D] per dimension, [q, D]... */
  shape(ctx: KernelContext): number[];
  /** Whether a single value may be given per input dimension instead (ARD); the shape is then [D]. */
  readonly ard?: boolean;
  /** Values are > 0 (optimized as log); false means identity (real). */
  readonly positive: boolean;
  /** Initial value when none is written. */
  readonly init: InitRule;
  /** Default bounds (natural units) for optimization; positive parameters default to [1e-5, 1e5]. */
  readonly bounds?: readonly [number, number];
}

export interface KernelOptionSpec {
  readonly name: string;
  readonly min: number;
  readonly default: number;
  readonly description: string;
}

/** Parameter values of one kernel, in the order of its specs. */
export type KernelParams = readonly Float64Array[];

export interface BaseKernel {
  readonly name: string;
  readonly description: string;
  readonly params: readonly KernelParamSpec[];
  readonly options?: readonly KernelOptionSpec[];
  /** The parameter a positional argument sets, e.g. white(0.1) sets noise. */
  readonly positional?: string;
  /** Whether k(x, x) is the same for every x (stationary kernels): predictions use it for variances. */
  readonly stationary: boolean;
  /** out[p] = k(pair p) for every pair of the block. */
  value(p: KernelParams, ctx: KernelContext, pairs: Pairs, out: Float64Array): void;
  /**
   * Accumulates g[i][e] += sum_p w[p] * dk(pair p)/d(param i, element e), in natural units.
   * `k` holds this kernel's values on the same block (from value()).
   */
  grad(p: KernelParams, ctx: KernelContext, pairs: Pairs, w: Float64Array, k: Float64Array, g: Float64Array[]): void;
  /**
   * Input gradients: accumulates g1[i, c] += sum_p w[p] dk(pair p)/dx1[i, c] over the pairs
   * whose first point is row i of x1, and likewise g2 for x2 (see Pairs.scatter; either may
   * be absent). `k` holds this kernel's values on the block. Absent: the kernel does not
   * depend on its inputs continuously (white, constant, coregion's task index), gradient 0.
   */
  gradX?(p: KernelParams, ctx: KernelContext, pairs: Pairs, w: Float64Array, k: Float64Array, g1: Float64Array | undefined, g2: Float64Array | undefined): void;
}

/** Default bounds of a positive hyperparameter (scikit-learn's). */
export const DEFAULT_BOUNDS: readonly [number, number] = [1e-5, 1e5];
