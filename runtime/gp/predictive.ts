// Predictive distributions of y at a point where the latent f ~ N(mu, v) (the Laplace
// posterior's marginal): moments, log probabilities and quantiles, by Gauss-Hermite
// quadrature over f (QUAD_POINTS points), and the closed forms where they exist: a probit
// link's class probability Phi(mu / sqrt(1 + v)), and scikit-learn's approximation for the
// logit link (GaussianProcessClassifier.predict_proba: the logistic as a mixture of five
// erfs, Williams & Barber 1998), which pmix gives when asked for `approx = probit`.
import { betaI, erfc, logSumExp, normalCdf } from '../../stdlib/special.js';
import { gaussHermite } from '../../stdlib/quadrature/index.js';
import type { LikDerivs, Likelihood } from '../../stdlib/likelihoods/index.js';
import { gammaP } from '../../stdlib/special.js';

/** Points of the predictive quadrature: the logistic's integral is then exact to ~1e-12 for latent sd up to 10. */
export const QUAD_POINTS = 64;
let rule: { points: Float64Array; weights: Float64Array } | undefined;
function quad(): { points: Float64Array; weights: Float64Array } {
  if (!rule) {
    const q = gaussHermite(QUAD_POINTS);
    rule = { points: Float64Array.from(q.points), weights: Float64Array.from(q.weights) };
  }
  return rule;
}

export interface PredictiveLik {
  readonly lik: Likelihood;
  readonly link: string;
  readonly theta: readonly number[];
}

/** E[y] and Var[y] with f ~ N(mu, v). */
export function predictiveMoments(l: PredictiveLik, mu: number, v: number): { mean: number; variance: number } {
  if (l.lik.name === 'bernoulli') {
    const p = classProbability(l.link, mu, v);
    return { mean: p, variance: p * (1 - p) };
  }
  const { points, weights } = quad();
  const sd = Math.sqrt(Math.max(0, v));
  let m1 = 0;
  let m2 = 0;
  for (let k = 0; k < points.length; k++) {
    const mo = l.lik.moments(mu + sd * points[k]!, l.link, l.theta);
    m1 += weights[k]! * mo.mean;
    m2 += weights[k]! * (mo.variance + mo.mean * mo.mean);
  }
  return { mean: m1, variance: Math.max(0, m2 - m1 * m1) };
}

/** p(y = 1) with f ~ N(mu, v): exact for probit, by quadrature for logit. */
export function classProbability(link: string, mu: number, v: number): number {
  if (link === 'probit') return normalCdf(mu / Math.sqrt(1 + v));
  const { points, weights } = quad();
  const sd = Math.sqrt(Math.max(0, v));
  let p = 0;
  for (let k = 0; k < points.length; k++) {
    const f = mu + sd * points[k]!;
    p += weights[k]! * (f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f)));
  }
  return p;
}

const LAMBDAS = [0.41, 0.4, 0.37, 0.44, 0.39];
const COEFS = [-1854.8214151, 3516.89893646, 221.29346712, 128.12323805, -2010.49422654];

/** scikit-learn 1.2's GaussianProcessClassifier.predict_proba for the logit link (its lines, transcribed). */
export function sklearnProbability(mu: number, v: number): number {
  const alpha = 1 / (2 * v);
  let s = 0;
  let c = 0;
  for (let k = 0; k < 5; k++) {
    const lam = LAMBDAS[k]!;
    const gamma = lam * mu;
    const integral = (Math.sqrt(Math.PI / alpha) * erf(gamma * Math.sqrt(alpha / (alpha + lam * lam)))) / (2 * Math.sqrt(v * 2 * Math.PI));
    s += COEFS[k]! * integral;
    c += COEFS[k]!;
  }
  return s + 0.5 * c;
}

function erf(x: number): number {
  return 1 - erfc(x);
}

/** log p(y) = log E_f[p(y | f)], f ~ N(mu, v). */
export function logPredictiveProb(l: PredictiveLik, y: number, mu: number, v: number): number {
  if (l.lik.name === 'bernoulli') {
    const p = classProbability(l.link, mu, v);
    return Math.log(y === 1 ? p : 1 - p);
  }
  const { points, weights } = quad();
  const sd = Math.sqrt(Math.max(0, v));
  const t: LikDerivs = { lp: 0, d1: 0, d2: 0, d3: 0 };
  const terms = new Float64Array(points.length);
  for (let k = 0; k < points.length; k++) {
    l.lik.derivs(y, mu + sd * points[k]!, l.link, l.theta, t);
    terms[k] = Math.log(weights[k]!) + t.lp;
  }
  return logSumExp(terms);
}

/** P(Y <= y) with f ~ N(mu, v): Poisson counts and student_t outputs. */
export function predictiveCdf(l: PredictiveLik, y: number, mu: number, v: number): number {
  const { points, weights } = quad();
  const sd = Math.sqrt(Math.max(0, v));
  let s = 0;
  for (let k = 0; k < points.length; k++) {
    const f = mu + sd * points[k]!;
    s += weights[k]! * conditionalCdf(l, y, f);
  }
  return s;
}

function conditionalCdf(l: PredictiveLik, y: number, f: number): number {
  if (l.lik.name === 'poisson') return y < 0 ? 0 : 1 - gammaP(Math.floor(y) + 1, Math.exp(f));
  if (l.lik.name === 'student_t') {
    const [sigma, nu] = l.theta as [number, number];
    const t = (y - f) / sigma;
    const tail = 0.5 * betaI(nu / (nu + t * t), nu / 2, 0.5);
    return t > 0 ? 1 - tail : tail;
  }
  if (l.lik.name === 'bernoulli') {
    const p = l.link === 'probit' ? normalCdf(f) : 1 / (1 + Math.exp(-f));
    return y < 0 ? 0 : y < 1 ? 1 - p : 1;
  }
  throw new Error(`no predictive quantiles for ${l.lik.name}`);
}

/** The q-quantile of y: the smallest count with P(Y <= k) >= q (poisson), or by bisection (student_t). */
export function predictiveQuantile(l: PredictiveLik, q: number, mu: number, v: number): number {
  if (l.lik.name === 'poisson') {
    const { mean, variance } = predictiveMoments(l, mu, v);
    let k = Math.max(0, Math.floor(mean - 10 * Math.sqrt(variance) - 10));
    // Walk up from below; a bracket by doubling keeps huge counts fast.
    let step = Math.max(1, Math.floor(Math.sqrt(variance)));
    while (predictiveCdf(l, k, mu, v) >= q && k > 0) k = Math.max(0, k - step);
    while (predictiveCdf(l, k + step, mu, v) < q) {
      k += step;
      step *= 2;
    }
    let lo = k;
    let hi = k + step;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (predictiveCdf(l, mid, mu, v) >= q) hi = mid;
      else lo = mid;
    }
    return predictiveCdf(l, lo, mu, v) >= q ? lo : hi;
  }
  const { mean, variance } = predictiveMoments(l, mu, v);
  const spread = Math.sqrt(Number.isFinite(variance) ? variance : v + (l.theta[0] ?? 1) ** 2) + 1e-12;
  let lo = mean - spread;
  let hi = mean + spread;
  while (predictiveCdf(l, lo, mu, v) > q) lo -= 2 * (hi - lo);
  while (predictiveCdf(l, hi, mu, v) < q) hi += 2 * (hi - lo);
  for (let it = 0; it < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); it++) {
    const mid = 0.5 * (lo + hi);
    if (predictiveCdf(l, mid, mu, v) < q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
