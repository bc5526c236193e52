// Bernoulli likelihood for binary labels y in {0, 1}: p(y = 1 | f) = sigmoid(f) (logit link)
// or Phi(f) (probit link). Both are log-concave. Written with s = 2y - 1 so p(y | f) = sigma(s f).
import { normalCdf } from '../special.js';
import type { LikDerivs, Likelihood } from './types.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** log sigmoid(z), stable for large |z|. */
export function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log Phi(z) and the inverse Mills ratio phi(z) / Phi(z), accurate far into the left tail. */
export function logPhiAndRatio(z: number): { logPhi: number; ratio: number } {
  if (z > -30) {
    const p = normalCdf(z);
    return { logPhi: Math.log(p), ratio: (INV_SQRT_2PI * Math.exp(-0.5 * z * z)) / p };
  }
  // Asymptotic series of the Mills ratio: Phi(z) ~ phi(z) / |z| (1 - 1/z^2 + 3/z^4 - 15/z^6).
  const z2 = z * z;
  const series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2) + 105 / (z2 * z2 * z2 * z2);
  const logPhi = -0.5 * z2 - Math.log(-z) - 0.5 * Math.log(2 * Math.PI) + Math.log(series);
  return { logPhi, ratio: -z / series };
}

export const bernoulliLikelihood: Likelihood = {
  name: 'bernoulli',
  links: ['logit', 'probit'],
  params: [],
  logConcave: true,
  badValue: (y) => (y === 0 || y === 1 ? undefined : `a bernoulli label is 0 or 1 (or false/true), got ${y}`),
  derivs(y: number, f: number, link: string, _theta, out: LikDerivs): void {
    const s = 2 * y - 1;
    if (link === 'probit') {
      const z = s * f;
      const { logPhi, ratio: r } = logPhiAndRatio(z);
      out.lp = logPhi;
      out.d1 = s * r;
      out.d2 = -r * (z + r);
      out.d3 = s * r * ((z + r) * (z + 2 * r) - 1);
      return;
    }
    const p = sigmoid(f);
    out.lp = logSigmoid(s * f);
    out.d1 = y - p;
    out.d2 = -p * (1 - p);
    out.d3 = -p * (1 - p) * (1 - 2 * p);
  },
  moments(f: number, link: string): { mean: number; variance: number } {
    const p = link === 'probit' ? normalCdf(f) : sigmoid(f);
    return { mean: p, variance: p * (1 - p) };
  },
};
