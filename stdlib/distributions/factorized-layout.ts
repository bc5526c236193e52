// The parameter layout of a factorized leaf layer (factorized.ts): each (unit, variable) cell's
// theta gathered from and scattered to the layer's [units, dims] / [units, dims, L] arrays, kept in
// its domain, and fitted from weighted values.
import type { EMOptions, LayerContext, LayerParams, UnivariateDist } from './types.js';
import { clampUnit } from './util.js';

/** Pseudocount added to each probability of a levels role at init (keeps every level possible). */
const INIT_PSEUDOCOUNT = 1e-3;

export type FactorizedLayout = ReturnType<typeof factorizedLayout>;

export function factorizedLayout(d: UnivariateDist) {
  const roles = d.params;
  const hasLevels = roles.some((r) => r.size === 'levels');
  // A levels role on a bool column (levels 0 in the context) has two levels: false, true.
  const lvOf = (ctx: LayerContext, j: number): number => (hasLevels ? Math.max(ctx.levels[j] ?? 0, 0) || 2 : 0);
  const maxL = (ctx: LayerContext): number => {
    let l = 1;
    for (let j = 0; j < ctx.dims; j++) l = Math.max(l, lvOf(ctx, j));
    return hasLevels ? l : 0;
  };
  const thetaLen = (lv: number): number => roles.reduce((s, r) => s + (r.size === 'levels' ? lv : 1), 0);

  /** Copies the parameters of (unit u, variable j) into theta. */
  const gather = (p: Readonly<Record<string, ArrayLike<number>>>, ctx: LayerContext, u: number, j: number, L: number, theta: Float64Array): void => {
    const lv = lvOf(ctx, j);
    let k = 0;
    for (const r of roles) {
      const a = p[r.role]!;
      if (r.size === 'levels') for (let l = 0; l < lv; l++) theta[k++] = a[(u * ctx.dims + j) * L + l]!;
      else theta[k++] = a[u * ctx.dims + j]!;
    }
  };
  /** All thetas of a layer, index u * dims + j. */
  const allThetas = (p: LayerParams, ctx: LayerContext): Float64Array[] => {
    const L = maxL(ctx);
    const out: Float64Array[] = [];
    for (let u = 0; u < ctx.units; u++) {
      for (let j = 0; j < ctx.dims; j++) {
        const t = new Float64Array(thetaLen(lvOf(ctx, j)));
        gather(p, ctx, u, j, L, t);
        out.push(t);
      }
    }
    return out;
  };
  const emptyParams = (ctx: LayerContext, units: number): LayerParams => {
    const L = maxL(ctx);
    const p: LayerParams = {};
    for (const r of roles) p[r.role] = new Float64Array(units * ctx.dims * (r.size === 'levels' ? L : 1));
    return p;
  };
  /** Writes theta (weighted by scale, added when accumulate) into the arrays of (u, j). */
  const scatter = (theta: ArrayLike<number>, out: LayerParams, ctx: LayerContext, u: number, j: number, L: number, scale = 1, accumulate = false): void => {
    const lv = lvOf(ctx, j);
    let k = 0;
    for (const r of roles) {
      const a = out[r.role];
      const n = r.size === 'levels' ? lv : 1;
      if (a !== undefined && !(accumulate && r.structural)) {
        const base = r.size === 'levels' ? (u * ctx.dims + j) * L : u * ctx.dims + j;
        for (let l = 0; l < n; l++) a[base + l] = (accumulate ? a[base + l]! : 0) + scale * theta[k + l]!;
      }
      k += n;
    }
  };
  /** Keeps fitted values in their parameter's domain (init adds the levels pseudocount). */
  const sanitize = (theta: number[], lv: number, floor: number, init: boolean): void => {
    let k = 0;
    for (const r of roles) {
      if (r.size === 'levels') {
        let total = 0;
        for (let l = 0; l < lv; l++) {
          const v = theta[k + l]!;
          theta[k + l] = (Number.isFinite(v) && v > 0 ? v : 0) + (init ? INIT_PSEUDOCOUNT : 0);
          total += theta[k + l]!;
        }
        for (let l = 0; l < lv; l++) theta[k + l] = total > 0 ? theta[k + l]! / total : 1 / lv;
        k += lv;
        continue;
      }
      const v = theta[k]!;
      // Only impossible values are replaced: a small positive value may be a legitimate rate.
      if (r.param.kind === 'positive') theta[k] = Number.isNaN(v) ? 1 : v === Infinity ? 1 / floor : v > 0 ? v : floor;
      else if (r.param.kind === 'unit') theta[k] = clampUnit(Number.isNaN(v) ? 0.5 : v, floor);
      else if (!Number.isFinite(v) && !r.structural) theta[k] = 0;
      k++;
    }
  };

  /** A function that fits (unit u, variable j) to values xs with weights ws and writes it to out. */
  const cellFitter = (ctx: LayerContext, prev: LayerParams | undefined, opts: EMOptions, init: boolean, out: LayerParams) => {
    const L = maxL(ctx);
    const floor = Math.max(opts.regCovar, 1e-10);
    return (xs: Float64Array, ws: Float64Array, u: number, j: number, lv: number, prevTheta: Float64Array): void => {
      if (prev) gather(prev, ctx, u, j, L, prevTheta);
      const fixed = prev ? opts.fixed : undefined;
      const theta = d.fit(xs, ws, prev ? prevTheta : undefined, lv, floor, fixed, opts.smoothing);
      if (prev) {
        let k = 0;
        for (const r of roles) {
          const m = r.size === 'levels' ? lv : 1;
          if (r.structural || opts.fixed.has(r.role)) for (let l = 0; l < m; l++) theta[k + l] = prevTheta[k + l]!;
          k += m;
        }
      }
      sanitize(theta, lv, floor, init);
      scatter(theta, out, ctx, u, j, L);
    };
  };
  return { roles, hasLevels, lvOf, maxL, thetaLen, gather, allThetas, emptyParams, scatter, sanitize, cellFitter };
}
