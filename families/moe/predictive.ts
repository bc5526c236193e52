// The predictive distribution of y at one input point: a mixture over experts with the gate's
// weights p(k | x); per output, its mean, variance (law of total variance) and quantiles
// (bisection on the mixture's CDF), and the posterior p(k | x, y) once y is seen.
import { lgamma, normalCdf } from '../../stdlib/special.js';
import type { GlmKind } from './expert-glm.js';
import { categoricalProbs } from './expert-categorical.js';
import { logSumExp } from './linalg.js';
import { expertMoments, logGate, type MoeModel } from './model.js';
import { leafThetas } from './expert-leaf.js';
import { leafMixtureCdf, leafMixtureLogDensity, leafMixtureQuantile, type LeafPoint } from './predictive-leaf.js';

export interface PointMixture {
  /** p(k | x) */
  readonly weights: Float64Array;
  /** [K, P] expert means and variances at x. */
  readonly means: Float64Array;
  readonly vars: Float64Array;
  /** GLM experts: y is a count (poisson) or 0 / 1 (bernoulli), and `means` are rates or probabilities. */
  readonly discrete?: GlmKind | 'categorical';
  /** Categorical experts: [K, L] each expert's level probabilities (levels numbered from 0). */
  readonly levels?: Float64Array;
  /** Leaf experts: the leaf and each expert's parameters at x (predictive-leaf.ts). */
  readonly leaf?: LeafPoint;
}

/** log P(y = v) under expert k of a discrete mixture (one output). */
function componentLogPmf(mx: PointMixture, k: number, P: number, p: number, v: number): number {
  if (mx.discrete === 'categorical') {
    const L = mx.levels!.length / mx.weights.length;
    return Number.isInteger(v) && v >= 0 && v < L ? Math.log(mx.levels![k * L + v]!) : -Infinity;
  }
  return discreteLogPmf(mx.discrete as GlmKind, mx.means[k * P + p]!, v);
}

/** p(y = l | x) for every level l of a categorical mixture. */
export function mixtureLevelProbs(mx: PointMixture): number[] {
  const K = mx.weights.length;
  const L = mx.levels!.length / K;
  return Array.from({ length: L }, (_, l) => {
    let s = 0;
    for (let k = 0; k < K; k++) if (mx.weights[k]! > 0) s += mx.weights[k]! * mx.levels![k * L + l]!;
    return s;
  });
}

/** log P(y) under one expert of a discrete mixture (-Infinity off its support). */
export function discreteLogPmf(kind: GlmKind, mean: number, y: number): number {
  if (kind === 'bernoulli') return y === 1 ? Math.log(mean) : y === 0 ? Math.log1p(-mean) : -Infinity;
  if (!(y >= 0) || !Number.isInteger(y)) return -Infinity;
  return y * Math.log(mean) - mean - lgamma(y + 1);
}

export function mixtureAt(m: MoeModel, x: readonly number[]): PointMixture {
  const lg = logGate(m, Float64Array.from(x), 1);
  const { mean, vars } = expertMoments(m, Float64Array.from(x), 1);
  return { weights: lg.map(Math.exp), means: mean, vars, ...(m.leaf ? { leaf: { dist: m.leaf.dist, thetas: leafThetas(m.leaf, Float64Array.from(x), 1) } } : {}), ...(m.glm ? { discrete: m.glm.kind } : m.cat ? { discrete: 'categorical' as const, levels: categoricalProbs(m.cat, Float64Array.from(x), 1) } : {}) };
}

export function mixtureMean(mx: PointMixture, K: number, P: number, p: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) if (mx.weights[k]! > 0) s += mx.weights[k]! * mx.means[k * P + p]!;
  return s;
}

export function mixtureVariance(mx: PointMixture, K: number, P: number, p: number): number {
  const mean = mixtureMean(mx, K, P, p);
  let s = 0;
  for (let k = 0; k < K; k++) if (mx.weights[k]! > 0) s += mx.weights[k]! * (mx.vars[k * P + p]! + (mx.means[k * P + p]! - mean) ** 2);
  return s;
}

export function mixtureCdf(mx: PointMixture, K: number, P: number, p: number, y: number): number {
  if (mx.leaf) return leafMixtureCdf(mx.leaf, mx.weights, y);
  let s = 0;
  if (mx.discrete) {
    const top = Math.floor(y);
    for (let k = 0; k < K; k++) {
      if (!(mx.weights[k]! > 0)) continue;
      let c = 0;
      for (let v = 0; v <= top; v++) c += Math.exp(componentLogPmf(mx, k, P, p, v));
      s += mx.weights[k]! * Math.min(c, 1);
    }
    return s;
  }
  for (let k = 0; k < K; k++) if (mx.weights[k]! > 0) s += mx.weights[k]! * normalCdf((y - mx.means[k * P + p]!) / Math.sqrt(mx.vars[k * P + p]!));
  return s;
}

/** The q-quantile of output p's predictive mixture (bisection to 1e-12 of its spread). */
export function mixtureQuantile(mx: PointMixture, K: number, P: number, p: number, q: number): number {
  if (mx.leaf) return leafMixtureQuantile(mx.leaf, mx.weights, mx.means, mx.vars, q);
  if (mx.discrete) {
    // the smallest value whose CDF reaches q
    let c = 0;
    for (let v = 0; v < 1e7; v++) {
      for (let k = 0; k < K; k++) if (mx.weights[k]! > 0) c += mx.weights[k]! * Math.exp(componentLogPmf(mx, k, P, p, v));
      if (c >= q - 1e-12) return v;
    }
    return Infinity;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < K; k++) {
    if (!(mx.weights[k]! > 0)) continue;
    const s = Math.sqrt(mx.vars[k * P + p]!);
    lo = Math.min(lo, mx.means[k * P + p]! - 40 * s);
    hi = Math.max(hi, mx.means[k * P + p]! + 40 * s);
  }
  const tol = 1e-12 * Math.max(hi - lo, 1e-300);
  while (hi - lo > tol) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (mixtureCdf(mx, K, P, p, mid) < q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** log p(y_p = v | x) of one output (the others marginalized). */
export function mixtureLogDensity(mx: PointMixture, K: number, P: number, p: number, v: number): number {
  if (mx.leaf) return leafMixtureLogDensity(mx.leaf, mx.weights, v);
  const terms = new Float64Array(K);
  if (mx.discrete) {
    for (let k = 0; k < K; k++) terms[k] = Math.log(mx.weights[k]!) + componentLogPmf(mx, k, P, p, v);
    return logSumExp(terms, 0, K);
  }
  for (let k = 0; k < K; k++) {
    const s2 = mx.vars[k * P + p]!;
    const z = v - mx.means[k * P + p]!;
    terms[k] = Math.log(mx.weights[k]!) - 0.5 * (Math.log(2 * Math.PI * s2) + (z * z) / s2);
  }
  return logSumExp(terms, 0, K);
}
