// Shared pieces of the closed-form leaf products (normal-product.ts, level-product.ts): which
// coordinates a product treats specially, and the flat index over the factors' units.
import type { ProductCoordSpec } from './types.js';

/** Per coordinate 0..D-1, its special treatment (undefined: observed or integrated out). */
export function specsByDim(cdf: ProductCoordSpec | readonly ProductCoordSpec[] | undefined, D: number): (ProductCoordSpec | undefined)[] {
  const out = new Array<ProductCoordSpec | undefined>(D).fill(undefined);
  if (!cdf) return out;
  for (const c of Array.isArray(cdf) ? (cdf as readonly ProductCoordSpec[]) : [cdf as ProductCoordSpec]) if (c.dim >= 0 && c.dim < D) out[c.dim] = c;
  return out;
}

/** For each flat index, the unit of each side (flat = sum_t u_t * stride_t, last side fastest). */
export function decode(units: readonly number[]): { size: number; U: Int32Array } {
  const K = units.length;
  const size = units.reduce((p, u) => p * u, 1);
  const U = new Int32Array(size * K);
  for (let f = 0; f < size; f++) {
    let r = f;
    for (let t = K - 1; t >= 0; t--) {
      U[f * K + t] = r % units[t]!;
      r = Math.floor(r / units[t]!);
    }
  }
  return { size, U };
}
