// Streaming EM statistics of a factorized leaf layer (factorized.ts): 'mean' families keep the
// weighted sum and weight per cell, 'counts' families the summed responsibilities of each value.
import type { EMOptions, LayerContext, LayerParams, LeafStats, UnivariateDist } from './types.js';
import type { FactorizedLayout } from './factorized-layout.js';

/**
 * 'mean' families: per (unit, variable) the total weight and the weighted sum of the observed
 * values; the fit sees one point at the weighted mean carrying the total weight.
 */
export function meanStats(d: UnivariateDist, layout: FactorizedLayout, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LeafStats {
  const { maxL, thetaLen, lvOf, gather, emptyParams, cellFitter } = layout;
  const { dims, units } = ctx;
  const sw = new Float64Array(units * dims);
  const s1 = new Float64Array(units * dims);
  return {
    accumulate(x, n, resp) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < dims; j++) {
          const v = x[i * dims + j]!;
          if (Number.isNaN(v)) continue;
          for (let u = 0; u < units; u++) {
            const w = resp[i * units + u]!;
            if (w === 0) continue;
            sw[u * dims + j] += w;
            s1[u * dims + j] += w * v;
          }
        }
      }
    },
    addModel(u, weight) {
      // A 'mean' family's fit depends on the weighted mean only: the unit's own mean, with the weight.
      const L = maxL(ctx);
      for (let j = 0; j < dims; j++) {
        const t = new Float64Array(thetaLen(lvOf(ctx, j)));
        gather(prev, ctx, u, j, L, t);
        sw[u * dims + j] += weight;
        s1[u * dims + j] += weight * d.mean(t, lvOf(ctx, j));
      }
    },
    scale(c) {
      for (let i = 0; i < sw.length; i++) {
        sw[i] *= c;
        s1[i] *= c;
      }
    },
    finalize() {
      const out = emptyParams(ctx, units);
      const fitCell = cellFitter(ctx, prev, opts, false, out);
      const xs = new Float64Array(1);
      const ws = new Float64Array(1);
      for (let j = 0; j < dims; j++) {
        const prevTheta = new Float64Array(thetaLen(lvOf(ctx, j)));
        for (let u = 0; u < units; u++) {
          const w = sw[u * dims + j]!;
          xs[0] = w > 0 ? s1[u * dims + j]! / w : 0;
          ws[0] = w;
          fitCell(xs, ws, u, j, lvOf(ctx, j), prevTheta);
        }
      }
      return out;
    },
  };
}

/** 'counts' families: per variable, the summed responsibilities of each distinct observed value. */
export function countStats(d: UnivariateDist, layout: FactorizedLayout, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LeafStats {
  const { maxL, thetaLen, lvOf, gather, emptyParams, cellFitter } = layout;
  const { dims, units } = ctx;
  const hist = Array.from({ length: dims }, () => new Map<number, Float64Array>());
  return {
    accumulate(x, n, resp) {
      for (let j = 0; j < dims; j++) {
        const h = hist[j]!;
        for (let i = 0; i < n; i++) {
          const v = x[i * dims + j]!;
          if (Number.isNaN(v)) continue;
          let c = h.get(v);
          if (!c) h.set(v, (c = new Float64Array(units)));
          for (let u = 0; u < units; u++) c[u] += resp[i * units + u]!;
        }
      }
    },
    // A 'counts' family: each value of the unit's support with its probability times the weight.
    ...(d.positiveValues
      ? {
          addModel(u: number, weight: number) {
            const L = maxL(ctx);
            for (let j = 0; j < dims; j++) {
              const lv = lvOf(ctx, j);
              const t = new Float64Array(thetaLen(lv));
              gather(prev, ctx, u, j, L, t);
              const h = hist[j]!;
              for (const v of d.positiveValues!(t, lv)) {
                let c = h.get(v);
                if (!c) h.set(v, (c = new Float64Array(units)));
                c[u] += weight * Math.exp(d.logDensity(v, t, lv));
              }
            }
          },
        }
      : {}),
    scale(c) {
      for (const h of hist) for (const counts of h.values()) for (let u = 0; u < units; u++) counts[u] *= c;
    },
    finalize() {
      const out = emptyParams(ctx, units);
      const fitCell = cellFitter(ctx, prev, opts, false, out);
      for (let j = 0; j < dims; j++) {
        const entries = [...hist[j]!.entries()].sort((a, b) => a[0] - b[0]);
        const xs = Float64Array.from(entries, (e) => e[0]);
        const ws = new Float64Array(entries.length);
        const prevTheta = new Float64Array(thetaLen(lvOf(ctx, j)));
        for (let u = 0; u < units; u++) {
          entries.forEach((e, k) => (ws[k] = e[1][u]!));
          fitCell(xs, ws, u, j, lvOf(ctx, j), prevTheta);
        }
      }
      return out;
    },
  };
}
