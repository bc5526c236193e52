// Moments and interval masses of a Normal, shared by the closed-form leaf products.
import { normalCdf } from '../special.js';

/** E[(x - c)^k] for x ~ N(mu, v) (k >= 0): the raw moments of N(mu - c, v) by their recurrence. */
export function normalMoment(mu: number, v: number, c: number, k: number): number {
  const d = mu - c;
  let m0 = 1;
  let m1 = d;
  if (k === 0) return 1;
  for (let j = 2; j <= k; j++) {
    const m2 = d * m1 + (j - 1) * v * m0;
    m0 = m1;
    m1 = m2;
  }
  return m1;
}

/** The mass of N(mu, 1/P) on [lo, hi], from the tail that keeps its precision. */
export function normalMass(mu: number, P: number, lo: number, hi: number): number {
  if (!(lo < hi)) return 0;
  const r = Math.sqrt(P);
  const za = (lo - mu) * r;
  const zb = (hi - mu) * r;
  return Math.max(0, za > 0 ? normalCdf(-za) - normalCdf(-zb) : normalCdf(zb) - normalCdf(za));
}
