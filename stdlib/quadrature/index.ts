// The quadrature rules integral circuits materialize latents with, and `latentRule`, which
// turns a latent's domain and a rule into points and weights against its base density.
import { gaussHermite } from './gauss-hermite.js';
import { gaussLegendre } from './gauss-legendre.js';
import { midpoint } from './midpoint.js';
import { trapezoid } from './trapezoid.js';
import type { Quadrature, QuadratureRule } from './types.js';

export { gaussHermite } from './gauss-hermite.js';
export { gaussLegendre } from './gauss-legendre.js';
export { midpoint } from './midpoint.js';
export { trapezoid } from './trapezoid.js';
export type { Quadrature, QuadratureRule } from './types.js';

/** The most points one latent may be materialized with. */
export const MAX_POINTS = 4096;

/** An interval rule on a normal latent covers [-NORMAL_RANGE, NORMAL_RANGE]; the mass outside is ~1e-15. */
export const NORMAL_RANGE = 8;

export type LatentDomain = { readonly kind: 'interval'; readonly lower: number; readonly upper: number } | { readonly kind: 'normal' };

/** Throws (with the rule and the allowed range in the message) unless n is a valid point count for rule. */
export function checkPoints(rule: QuadratureRule, n: number): void {
  const min = rule === 'trapezoid' ? 2 : 1;
  if (!Number.isInteger(n) || n < min || n > MAX_POINTS) {
    throw new Error(`${rule} quadrature needs an integer number of points from ${min} to ${MAX_POINTS}, got ${n}`);
  }
}

/** Points and weights on [lower, upper] against Lebesgue measure (weights sum to upper - lower). */
export function intervalRule(rule: Exclude<QuadratureRule, 'gauss-hermite'>, n: number, lower: number, upper: number): Quadrature {
  switch (rule) {
    case 'gauss-legendre':
      return gaussLegendre(n, lower, upper);
    case 'trapezoid':
      return trapezoid(n, lower, upper);
    case 'midpoint':
      return midpoint(n, lower, upper);
  }
}

/**
 * Points z_k and weights w_k with E_{z ~ base}[f(z)] ~ sum_k w_k f(z_k), base the latent's density:
 * uniform on an interval (weights sum to 1), or the standard normal (an interval rule there covers
 * [-8, 8] with weights times phi(z), not renormalized).
 */
export function latentRule(domain: LatentDomain, rule: QuadratureRule, n: number): Quadrature {
  checkPoints(rule, n);
  if (domain.kind === 'interval') {
    if (rule === 'gauss-hermite') {
      throw new Error('gauss-hermite integrates over the real line under a normal weight; use gauss-legendre, trapezoid or midpoint on an interval');
    }
    const q = intervalRule(rule, n, domain.lower, domain.upper);
    const width = domain.upper - domain.lower;
    return { points: q.points, weights: q.weights.map((w) => w / width) };
  }
  if (rule === 'gauss-hermite') return gaussHermite(n);
  const q = intervalRule(rule, n, -NORMAL_RANGE, NORMAL_RANGE);
  const c = 1 / Math.sqrt(2 * Math.PI);
  return { points: q.points, weights: q.weights.map((w, k) => w * c * Math.exp(-0.5 * q.points[k]! * q.points[k]!)) };
}
