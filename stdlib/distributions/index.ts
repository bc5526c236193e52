// The registry of leaf distributions, keyed by the names users write. Adding a distribution
// is one new file and one line here.
import type { VarType } from '../../ir/types.js';
import type { LeafFamily, UnivariateDist } from './types.js';
import { factorized } from './factorized.js';
import { normal } from './normal.js';
import { categorical } from './categorical.js';
import { bernoulli } from './bernoulli.js';
import { binomial } from './binomial.js';
import { poisson } from './poisson.js';
import { exponential } from './exponential.js';
import { gamma } from './gamma.js';
import { beta } from './beta.js';
import { laplace } from './laplace.js';
import { studentT } from './student-t.js';
import { logNormal } from './log-normal.js';

export const distributions: ReadonlyMap<string, LeafFamily> = new Map<string, LeafFamily>([
  ['Normal', normal],
  ['Categorical', factorized(categorical)],
  ['Bernoulli', factorized(bernoulli)],
  ['Binomial', factorized(binomial)],
  ['Poisson', factorized(poisson)],
  ['Exponential', factorized(exponential)],
  ['Gamma', factorized(gamma)],
  ['Beta', factorized(beta)],
  ['Laplace', factorized(laplace)],
  ['StudentT', factorized(studentT)],
  ['LogNormal', factorized(logNormal)],
]);

/** The univariate distributions behind the factorized leaves, by the same names (mixture-of-experts leaf experts read their parameters and gradients). */
export const univariateDistributions: ReadonlyMap<string, UnivariateDist> = new Map<string, UnivariateDist>([
  ['Bernoulli', bernoulli],
  ['Binomial', binomial],
  ['Poisson', poisson],
  ['Exponential', exponential],
  ['Gamma', gamma],
  ['Beta', beta],
  ['Laplace', laplace],
  ['StudentT', studentT],
  ['LogNormal', logNormal],
  ['Categorical', categorical],
]);

export function getDistribution(name: string): LeafFamily | undefined {
  return distributions.get(name);
}

/**
 * The default leaf for a variable of type t (a circuit region without `inputs`): the first
 * family whose `defaultFor` lists the type, with its variant there; undefined when none does.
 */
export function defaultLeafFor(t: VarType): { readonly name: string; readonly variant?: string } | undefined {
  for (const [name, f] of distributions) {
    if (!f.defaultFor?.types.includes(t.kind)) continue;
    return f.defaultFor.variant !== undefined ? { name, variant: f.defaultFor.variant } : { name };
  }
  return undefined;
}

export type { LeafFamily, UnivariateDist, LayerParams, LayerContext, ArgValue, ParamSpec, LeafStats, Support } from './types.js';
export type { LeafProduct, ProductLayer, ProductCoordSpec, TupleLeafOps, LinearGaussianLeaf, MarginalSite, LeafDegeneracy, GaussianMoments, DiagGaussianEM } from './types.js';
export { factorized } from './factorized.js';
export { NotPositiveDefiniteError } from './gaussian.js';
export { cholesky } from './linalg.js';
export { registerNormalKernels } from './normal-kernels.js';
export { useDiscreteFastPath, discreteFastPathOn, withLevelCounts, type LevelCounts } from './discrete-fast.js';
export type { NormalKernels, Rows, StatsOut } from './normal-kernels.js';
// The Normal M-step from per-unit statistics (the WebGPU circuit path reduces them on the device).
export { assemble as normalAssemble, EMPTY as NORMAL_EMPTY, type UnitStats as NormalUnitStats } from './normal-fit.js';
