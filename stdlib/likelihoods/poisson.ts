// Poisson likelihood for counts with the log link: y ~ Poisson(exp(f)). Log-concave.
import { lgamma } from '../special.js';
import type { LikDerivs, Likelihood } from './types.js';

export const poissonLikelihood: Likelihood = {
  name: 'poisson',
  links: ['log'],
  params: [],
  logConcave: true,
  badValue: (y) => (Number.isInteger(y) && y >= 0 ? undefined : `a poisson count is a whole number >= 0, got ${y}`),
  derivs(y: number, f: number, _link, _theta, out: LikDerivs): void {
    const mu = Math.exp(f);
    out.lp = y * f - mu - lgamma(y + 1);
    out.d1 = y - mu;
    out.d2 = -mu;
    out.d3 = -mu;
  },
  moments(f: number): { mean: number; variance: number } {
    const mu = Math.exp(f);
    return { mean: mu, variance: mu };
  },
};
