// The multivariate Normal leaf with covariance variants full | diag | spherical | tied.
// Missing coordinates are marginalized exactly (Gaussian marginal of the observed ones).
import type { ArgError, LayerContext, LayerParams, LeafFamily, ParamSpec } from './types.js';
import { normalCdf } from '../special.js';
import { cholSolve, mulLower } from './linalg.js';
import { cholOrThrow, conditional, conditionalMean, covOf, errorUnit, MarginalCache, meanOf, observedOf } from './gaussian.js';
import { normalInit } from './normal-fit.js';
import { diagTerms, normalLogDensity, normalMstepFast, normalMstepFromStats } from './normal-fast.js';
import { diagVars, isDiagonal } from './normal-ref.js';
import { normalFromArgs } from './normal-args.js';
import { normalStats } from './normal-stats.js';
import { normalProduct } from './normal-product.js';
import { normalLinearGaussian } from './normal-linear-gaussian.js';
import { normalDegeneracy } from './normal-degeneracy.js';

const variantOf = (ctx: LayerContext): string => ctx.variant || 'full';

export const normal: LeafFamily = {
  name: 'Normal',
  variants: ['full', 'diag', 'spherical', 'tied'],
  multivariate: true,
  accepts: (t) => t.kind === 'real' || t.kind === 'int',
  expects: 'a real column',
  argNames: ['mean', 'sd', 'var', 'cov'],
  // Capabilities (types.ts): circuit regions default to independent Normals per real variable.
  defaultFor: { types: ['real'], variant: 'diag' },
  squareProduct: normalProduct,
  linearGaussian: normalLinearGaussian,
  degeneracy: normalDegeneracy,
  diagGaussianEM: {
    applies: (ctx) => isDiagonal(ctx),
    terms: (p, ctx) => ({ mean: p['mean']!, ...diagTerms(p, ctx) }),
    mstep: (stats, ctx, prev, opts) => normalMstepFromStats({ ...stats, skipped: new Int32Array(0) }, { ...ctx, variant: variantOf(ctx) }, prev, opts),
  },
  gaussianMoments: { meanRole: 'mean', covariance: { full: { role: 'cov', layout: 'matrix' }, diag: { role: 'var', layout: 'diagonal' } } },
  paramSpecs(ctx): ParamSpec[] {
    const { units: K, dims: D } = ctx;
    const mean: ParamSpec = { role: 'mean', shape: [K, D], param: { kind: 'identity' } };
    switch (variantOf(ctx)) {
      case 'diag':
        return [mean, { role: 'var', shape: [K, D], param: { kind: 'positive' } }];
      case 'spherical':
        return [mean, { role: 'var', shape: [K], param: { kind: 'positive' } }];
      case 'tied':
        return [mean, { role: 'cov', shape: [D, D], param: { kind: 'spd' }, shared: true }];
      default:
        return [mean, { role: 'cov', shape: [K, D, D], param: { kind: 'spd' } }];
    }
  },
  fromArgs: (args, ctx): { values: Record<string, number[]>; errors: ArgError[] } => normalFromArgs(args, ctx.dims, variantOf(ctx)),
  logDensity: (p, ctx, x, n, out) => normalLogDensity(p, ctx, x, n, out),
  sample(p, ctx, unit, rng, out) {
    const D = ctx.dims;
    const l = cholOrThrow(covOf(p, ctx, unit), D, errorUnit(ctx, unit));
    const z = Float64Array.from({ length: D }, () => rng.normal());
    mulLower(l, D, z, out);
    const mu = meanOf(p, ctx, unit);
    for (let d = 0; d < D; d++) out[d] = out[d]! + mu[d]!;
  },
  mean: (p, ctx, unit) => meanOf(p, ctx, unit).slice(),
  variance(p, ctx, unit) {
    const D = ctx.dims;
    const c = covOf(p, ctx, unit);
    return Float64Array.from({ length: D }, (_, d) => c[d * D + d]!);
  },
  mode: (p, ctx, unit) => meanOf(p, ctx, unit).slice(),
  init: (x, n, resp, ctx, _rng, opts) => normalInit(x, n, resp, { ...ctx, variant: variantOf(ctx) }, opts),
  mstep: (x, n, resp, ctx, prev, opts) => normalMstepFast(x, n, resp, { ...ctx, variant: variantOf(ctx) }, prev, opts),
  newStats: (ctx, prev, opts) => normalStats({ ...ctx, variant: variantOf(ctx) }, prev, opts),
  gradLogDensity(p, ctx, x, n, coef, grad) {
    const { units: K, dims: D } = ctx;
    const v = variantOf(ctx);
    const gm = grad['mean'];
    if (isDiagonal(ctx)) {
      const vars = diagVars(p, ctx);
      const gv = grad['var'];
      for (let i = 0; i < n; i++) {
        for (let u = 0; u < K; u++) {
          const c = coef[i * K + u]!;
          if (c === 0) continue;
          for (let d = 0; d < D; d++) {
            const xv = x[i * D + d]!;
            if (Number.isNaN(xv)) continue;
            const va = vars[u * D + d]!;
            const a = (xv - p['mean']![u * D + d]!) / va;
            if (gm) gm[u * D + d] += c * a;
            if (gv) gv[v === 'diag' ? u * D + d : u] += c * 0.5 * (a * a - 1 / va);
          }
        }
      }
      return;
    }
    // d/dSigma = 0.5 (a a^T - Sigma_oo^-1) on the observed block, a = Sigma_oo^-1 (x_o - mu_o);
    // the Sigma^-1 term is summed per (unit, pattern) and added once at the end.
    const gc = grad['cov'];
    const cache = new MarginalCache(p, ctx);
    // Sum of coef per (missing pattern, unit); '' is the complete rows.
    const coefSums = new Map<string, { obs: number[]; c: Float64Array }>();
    const obs: number[] = [];
    const a = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const key = observedOf(x, i, D, obs);
      const no = obs.length;
      if (no === 0) continue;
      let sums = coefSums.get(key);
      if (sums === undefined) coefSums.set(key, (sums = { obs: obs.slice(), c: new Float64Array(K) }));
      for (let u = 0; u < K; u++) {
        const c = coef[i * K + u]!;
        if (c === 0) continue;
        const m = cache.get(key, obs, u);
        const mu = meanOf(p, ctx, u);
        const aa = a.subarray(0, no);
        for (let k = 0; k < no; k++) aa[k] = x[i * D + obs[k]!]! - mu[obs[k]!]!;
        cholSolve(m.chol, no, aa);
        if (gm) for (let k = 0; k < no; k++) gm[u * D + obs[k]!] += c * aa[k]!;
        sums.c[u] += c;
        if (!gc) continue;
        const off = v === 'tied' ? 0 : u * D * D;
        for (let r = 0; r < no; r++) {
          const base = off + obs[r]! * D;
          const ar = 0.5 * c * aa[r]!;
          for (let k = 0; k < no; k++) gc[base + obs[k]!] += ar * aa[k]!;
        }
      }
    }
    if (!gc) return;
    for (const [key, { obs: ob, c }] of coefSums) {
      const no = ob.length;
      for (let u = 0; u < K; u++) {
        if (c[u] === 0) continue;
        const inv = cache.get(key, ob, u).inv();
        const off = v === 'tied' ? 0 : u * D * D;
        for (let r = 0; r < no; r++) for (let k = 0; k < no; k++) gc[off + ob[r]! * D + ob[k]!] -= 0.5 * c[u]! * inv[r * no + k]!;
      }
    }
  },
  freeParams(ctx) {
    const D = ctx.dims;
    switch (variantOf(ctx)) {
      case 'diag':
        return { perUnit: 2 * D, shared: 0 };
      case 'spherical':
        return { perUnit: D + 1, shared: 0 };
      case 'tied':
        return { perUnit: D, shared: (D * (D + 1)) / 2 };
      default:
        return { perUnit: D + (D * (D + 1)) / 2, shared: 0 };
    }
  },
  cdf(p, ctx, unit, x) {
    if (ctx.dims !== 1) throw new Error(`Normal: cdf needs a layer over one variable, got ${ctx.dims}`);
    const sd = Math.sqrt(covOf(p, ctx, unit)[0]!);
    return normalCdf((x - p['mean']![unit]!) / sd);
  },
  condition(p, ctx, unit, evidence, drop) {
    const D = ctx.dims;
    const free: number[] = [];
    const obs: number[] = [];
    // Dropped coordinates are in neither list: leaving them out of the Gaussian marginalizes them.
    for (let d = 0; d < D; d++) if (!drop?.[d]) (Number.isNaN(evidence[d]!) ? free : obs).push(d);
    const F = free.length;
    const levels = free.map((d) => ctx.levels[d] ?? 0);
    const mu = meanOf(p, ctx, unit);
    const cov = covOf(p, ctx, unit);
    const mean = new Float64Array(F);
    if (isDiagonal(ctx)) {
      // Independent coordinates: the conditional is the marginal of the free ones.
      free.forEach((d, f) => (mean[f] = mu[d]!));
      const params: LayerParams = { mean, var: Float64Array.from(free, (d) => cov[d * D + d]!) };
      return { params, ctx: { dims: F, units: 1, variant: 'diag', levels } };
    }
    const cond = conditional(cov, D, obs, free, errorUnit(ctx, unit));
    conditionalMean(cond, mu, (k) => evidence[obs[k]!]!, mean);
    const params: LayerParams = { mean, cov: cond.c };
    return { params, ctx: { dims: F, units: 1, variant: 'full', levels } };
  },
};

