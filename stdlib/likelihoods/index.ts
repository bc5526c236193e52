// The GP likelihoods a `gp(...) { likelihood = NAME(link = ...) }` block may name.
import { bernoulliLikelihood } from './bernoulli.js';
import { categoricalLikelihood } from './categorical.js';
import { poissonLikelihood } from './poisson.js';
import { studentTLikelihood } from './student-t.js';
import type { Likelihood } from './types.js';

export type { LikDerivs, Likelihood, LikelihoodParamSpec, LikParamDerivs } from './types.js';
export { logPhiAndRatio, logSigmoid, sigmoid } from './bernoulli.js';

const LIKELIHOODS: readonly Likelihood[] = [bernoulliLikelihood, categoricalLikelihood, poissonLikelihood, studentTLikelihood];

/** Names a model may write (gaussian is the default, closed-form likelihood). */
export const LIKELIHOOD_NAMES: readonly string[] = ['gaussian', ...LIKELIHOODS.map((l) => l.name)];

export function getLikelihood(name: string): Likelihood | undefined {
  return LIKELIHOODS.find((l) => l.name === name);
}
