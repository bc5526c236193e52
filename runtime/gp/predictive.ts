// Predictive distributions of y at a point where the latent f ~ N(mu, v) (the Laplace
// posterior's marginal): moments, log probabilities and quantiles, by Gauss-Hermite
// quadrature over f (Gauss-Hermite with QUAD_POINTS points for moments and quantiles, a
// piecewise Gauss-Legendre rule for probabilities: latentIntegral), and the closed forms where they exist: a probit
// link's class probability Phi(mu / sqrt(1 + v)), and scikit-learn's approximation for the
// logit link (GaussianProcessClassifier.predict_proba: the logistic as a mixture of five
// erfs, Williams & Barber 1998), which pmix gives when asked for `approx = probit`.
import { betaI, erfc, normalCdf } from '../../stdlib/special.js';
import { gaussHermite, gaussLegendre } from '../../stdlib/quadrature/index.js';
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

/** p(y = 1) with f ~ N(mu, v): exact for probit, by piecewise quadrature for logit. */
export function classProbability(link: string, mu: number, v: number): number {
  if (link === 'probit') return normalCdf(mu / Math.sqrt(1 + v));
  return latentIntegral((f) => (f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f))), mu, v, 0, 1);
}

const GL = gaussLegendre(20, -1, 1);

/**
 * E[g(f)], f ~ N(mu, v), for a g that changes over a width `width` around `centre` (the
 * logistic's step at 0, a narrow density around y): 20-point Gauss-Legendre on panels of
 * [mu - 10 sd, mu + 10 sd] split at mu + j sd and at centre +- width 2^k, so both the normal's
 * and g's scales are resolved whichever is narrower (Gauss-Hermite alone loses digits when
 * sd >> width).
 */
export function latentIntegral(g: (f: number) => number, mu: number, v: number, centre: number, width: number): number {
  const sd = Math.sqrt(Math.max(0, v));
  if (sd === 0) return g(mu);
  const lo = mu - 10 * sd;
  const hi = mu + 10 * sd;
  const cuts = [lo, hi];
  for (let j = -9; j <= 9; j++) cuts.push(mu + j * sd);
  cuts.push(centre);
  for (let k = -2; k <= 8; k++) cuts.push(centre - width * 2 ** k, centre + width * 2 ** k);
  const xs = cuts.filter((c) => c >= lo && c <= hi).sort((a, b) => a - b);
  let s = 0;
  const norm = 1 / (sd * Math.sqrt(2 * Math.PI));
  for (let i = 1; i < xs.length; i++) {
    const a = xs[i - 1]!;
    const b = xs[i]!;
    if (b <= a) continue;
    const mid = 0.5 * (a + b);
    const half = 0.5 * (b - a);
    for (let k = 0; k < GL.points.length; k++) {
      const f = mid + half * GL.points[k]!;
      s += half * GL.weights[k]! * g(f) * Math.exp(-0.5 * ((f - mu) / sd) ** 2);
    }
  }
  return s * norm;
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
  // p(y | f) peaks where f fits y: at log y over ~1/sqrt(y + 1) for counts, at y over the scale for student_t.
  const t: LikDerivs = { lp: 0, d1: 0, d2: 0, d3: 0 };
  const centre = l.lik.name === 'poisson' ? Math.log(Math.max(y, 0.5)) : y;
  const width = l.lik.name === 'poisson' ? 1 / Math.sqrt(y + 1) : (l.theta[0] ?? 1);
  // Scaled by p(y | f) at the centre (or the mean) so a tiny probability does not underflow.
  l.lik.derivs(y, mu, l.link, l.theta, t);
  const atMean = t.lp;
  l.lik.derivs(y, centre, l.link, l.theta, t);
  const ref = Math.max(atMean, t.lp);
  const p = latentIntegral((f) => {
    l.lik.derivs(y, f, l.link, l.theta, t);
    return Math.exp(t.lp - ref);
  }, mu, v, centre, width);
  return ref + Math.log(p);
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
