// The predictive mixture of leaf experts at one point (expert-leaf.ts): each expert a stdlib
// leaf with its parameters at x, so densities, CDFs, quantiles, draws and the mode come from the
// leaf itself rather than from a Normal of its mean and variance.
import type { UnivariateDist } from '../../stdlib/distributions/index.js';
import type { Rng } from '../../stdlib/random.js';
import { logSumExp } from './linalg.js';

export interface LeafPoint {
  readonly dist: UnivariateDist;
  /** [K, R] each expert's parameters at the point. */
  readonly thetas: Float64Array;
}

const thetaOf = (l: LeafPoint, K: number, k: number): Float64Array => {
  const R = l.thetas.length / K;
  return l.thetas.subarray(k * R, (k + 1) * R);
};

export function leafMixtureLogDensity(l: LeafPoint, weights: Float64Array, v: number): number {
  const K = weights.length;
  const t = new Float64Array(K);
  for (let k = 0; k < K; k++) t[k] = weights[k]! > 0 ? Math.log(weights[k]!) + l.dist.logDensity(v, thetaOf(l, K, k), 0) : -Infinity;
  return logSumExp(t, 0, K);
}

export function leafMixtureCdf(l: LeafPoint, weights: Float64Array, y: number): number {
  const K = weights.length;
  let s = 0;
  for (let k = 0; k < K; k++) if (weights[k]! > 0) s += weights[k]! * l.dist.cdf!(y, thetaOf(l, K, k), 0);
  return s;
}

/** The q-quantile: the smallest count reaching q (discrete leaves), else bisection on the CDF in a bracket grown until it holds q. */
export function leafMixtureQuantile(l: LeafPoint, weights: Float64Array, means: Float64Array, vars: Float64Array, q: number): number {
  const K = weights.length;
  if (l.dist.discrete) {
    for (let v = 0; v < 1e7; v++) if (leafMixtureCdf(l, weights, v) >= q - 1e-12) return v;
    return Infinity;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < K; k++) {
    if (!(weights[k]! > 0)) continue;
    const s = Number.isFinite(vars[k]!) ? Math.sqrt(vars[k]!) : 1;
    const c = Number.isFinite(means[k]!) ? means[k]! : 0;
    lo = Math.min(lo, c - 10 * s);
    hi = Math.max(hi, c + 10 * s);
  }
  for (let i = 0; i < 200 && leafMixtureCdf(l, weights, lo) > q; i++) lo -= Math.max(hi - lo, 1);
  for (let i = 0; i < 200 && leafMixtureCdf(l, weights, hi) < q; i++) hi += Math.max(hi - lo, 1);
  const tol = 1e-12 * Math.max(hi - lo, 1e-300);
  while (hi - lo > tol) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (leafMixtureCdf(l, weights, mid) < q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export function leafDraw(l: LeafPoint, K: number, k: number, rng: Rng): number {
  return l.dist.sample(thetaOf(l, K, k), rng, 0);
}

/** The highest point of the mixture density: every expert's mode and a grid between the 0.1% and 99.9% quantiles, refined by golden sections. */
export function leafMixtureMode(l: LeafPoint, weights: Float64Array, means: Float64Array, vars: Float64Array): { y: number; logDensity: number } {
  const K = weights.length;
  const f = (y: number): number => leafMixtureLogDensity(l, weights, y);
  const cands: number[] = [];
  for (let k = 0; k < K; k++) if (weights[k]! > 0) cands.push(l.dist.mode(thetaOf(l, K, k), 0));
  if (l.dist.discrete) {
    const hi = Math.max(1, leafMixtureQuantile(l, weights, means, vars, 0.999));
    let best = { y: 0, logDensity: -Infinity };
    for (let v = 0; v <= hi; v++) if (f(v) > best.logDensity) best = { y: v, logDensity: f(v) };
    return best;
  }
  const a = leafMixtureQuantile(l, weights, means, vars, 0.001);
  const b = leafMixtureQuantile(l, weights, means, vars, 0.999);
  const G = 2000;
  for (let i = 0; i <= G; i++) cands.push(a + ((b - a) * i) / G);
  let y = cands[0]!;
  for (const c of cands) if (f(c) > f(y)) y = c;
  // golden sections around the best grid point
  let lo = y - (b - a) / G;
  let hi = y + (b - a) / G;
  const r = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const c = hi - r * (hi - lo);
    const d = lo + r * (hi - lo);
    if (f(c) >= f(d)) hi = d;
    else lo = c;
  }
  const z = 0.5 * (lo + hi);
  return f(z) >= f(y) ? { y: z, logDensity: f(z) } : { y, logDensity: f(y) };
}
