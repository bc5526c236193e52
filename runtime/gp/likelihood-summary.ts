// What a GP with a non-Gaussian likelihood reports about y at a point, beside the latent f's
// mean and sd: the class probability p (bernoulli: of label 1, a bool's true, a two-level
// categorical's second level), or the predictive mean and 2.5%, 50%, 97.5% quantiles of y
// (poisson counts, student_t outputs).
import type { GPLik } from './laplace.js';
import { classProbability, logPredictiveProb, predictiveMoments, predictiveQuantile, sklearnProbability } from './predictive.js';

export function ySummary(l: GPLik, mu: number, v: number, approx?: 'probit'): Record<string, number> {
  if (l.lik.name === 'bernoulli') return { p: approx === 'probit' && l.link === 'logit' ? sklearnProbability(mu, v) : classProbability(l.link, mu, v) };
  return {
    y_mean: predictiveMoments(l, mu, v).mean,
    y_lower95: predictiveQuantile(l, 0.025, mu, v),
    y_median: predictiveQuantile(l, 0.5, mu, v),
    y_upper95: predictiveQuantile(l, 0.975, mu, v),
  };
}

/** log p(y) at each point (y observed), the latent marginals N(mean, varF). */
export function logPredictiveLik(l: GPLik, mean: Float64Array, varF: Float64Array, y: ArrayLike<number>): Float64Array {
  return Float64Array.from(mean, (mu, i) => logPredictiveProb(l, y[i]!, mu, varF[i]!));
}
