// The Normal leaf's log-density and M-step on the registered kernels (normal-kernels.ts):
// every row goes to the kernels; rows with a missing cell (which the kernels flag) and
// everything, when no kernel is registered or one declines, take the reference loops, and
// the two parts' statistics are merged exactly.
import type { EMOptions, LayerContext, LayerParams } from './types.js';
import { LOG_2PI } from '../special.js';
import { invLower } from './linalg.js';
import { cholOrThrow, covOf, errorUnit, meanOf } from './gaussian.js';
import { diagVars, isDiagonal, logDensityRef } from './normal-ref.js';
import { assemble, EMPTY, emCompleter, normalMstep, patternsOf, unitStats, type UnitStats } from './normal-fit.js';
import { normalKernels, type NormalKernels, type Rows, type StatsOut } from './normal-kernels.js';

/** Rows idx of an n x w row-major array, compacted. */
export function pick(a: Float64Array, w: number, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length * w);
  for (let r = 0; r < idx.length; r++) out.set(a.subarray(idx[r]! * w, (idx[r]! + 1) * w), r * w);
  return out;
}

/**
 * A diagonal (or spherical) layer's log-density terms: log N(x | mu_u, diag 1/prec_u) =
 * c[u] - 0.5 sum_d (x_d - mu[u, d])^2 prec[u, d] (prec K x D).
 */
export function diagTerms(p: LayerParams, ctx: LayerContext): { prec: Float64Array; c: Float64Array } {
  const { units: K, dims: D } = ctx;
  const c = new Float64Array(K);
  const vars = diagVars(p, ctx);
  const prec = vars.map((v) => 1 / v);
  for (let u = 0; u < K; u++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += Math.log(vars[u * D + d]!) + LOG_2PI;
    c[u] = -0.5 * s;
  }
  return { prec, c };
}

function kernelLogDensity(k: NormalKernels, p: LayerParams, ctx: LayerContext, rows: Rows, out: Float64Array): boolean {
  const { units: K, dims: D } = ctx;
  const c = new Float64Array(K);
  if (isDiagonal(ctx)) {
    const t = diagTerms(p, ctx);
    return k.diagLogDensity(rows, K, p['mean']!, t.prec, t.c, out);
  }
  // Precision-Cholesky form: |L^-1 (x - mu)|^2 = |M x - M mu|^2, one factorization per unit.
  const m = new Float64Array(K * D * D);
  const b = new Float64Array(K * D);
  for (let u = 0; u < K; u++) {
    if (ctx.variant === 'tied' && u > 0) m.copyWithin(u * D * D, 0, D * D);
    else {
      const l = cholOrThrow(covOf(p, ctx, u), D, errorUnit(ctx, u));
      m.set(invLower(l, D), u * D * D);
    }
    const logdet = -2 * sumLogDiag(m, u * D * D, D);
    c[u] = -0.5 * (D * LOG_2PI + logdet);
    const mu = meanOf(p, ctx, u);
    for (let a = 0; a < D; a++) {
      let s = 0;
      for (let j = 0; j <= a; j++) s += m[u * D * D + a * D + j]! * mu[j]!;
      b[u * D + a] = s;
    }
  }
  return k.fullLogDensity(rows, K, m, b, c, out);
}

/** sum_a log M[a, a] of the D x D block at off (= -log det L). */
function sumLogDiag(m: Float64Array, off: number, D: number): number {
  let s = 0;
  for (let a = 0; a < D; a++) s += Math.log(m[off + a * D + a]!);
  return s;
}

export function normalLogDensity(p: LayerParams, ctx: LayerContext, x: Float64Array, n: number, out: Float64Array): void {
  const k = normalKernels();
  const K = ctx.units;
  if (k === undefined || n === 0 || !kernelLogDensity(k, p, ctx, { x, dims: ctx.dims, count: n }, out)) return logDensityRef(p, ctx, x, n, out);
  // Rows with a missing cell came out NaN: the reference marginalizes them.
  let bad = 0;
  for (let i = 0; i < n; i++) if (Number.isNaN(out[i * K]!)) bad++;
  if (bad === 0) return;
  const missing = new Int32Array(bad);
  for (let i = 0, m = 0; i < n; i++) if (Number.isNaN(out[i * K]!)) missing[m++] = i;
  const part = new Float64Array(bad * K);
  logDensityRef(p, ctx, pick(x, ctx.dims, missing), bad, part);
  for (let r = 0; r < bad; r++) out.set(part.subarray(r * K, (r + 1) * K), missing[r]! * K);
}

/** A unit's statistics from parts (each with its own mean), around mean `at` (or the pooled mean). */
export function merge(parts: UnitStats[], D: number, full: boolean, at: ArrayLike<number> | undefined): UnitStats {
  const nk = parts.reduce((s, q) => s + q.nk, 0);
  const mean = new Float64Array(D);
  if (at) mean.set(at as ArrayLike<number>);
  else for (const q of parts) for (let d = 0; d < D; d++) mean[d] += (q.nk / nk) * q.mean[d]!;
  const scatter = new Float64Array(D * D);
  for (const q of parts) {
    for (let a = 0; a < D; a++) {
      const da = q.mean[a]! - mean[a]!;
      for (let b = full ? 0 : a; b <= (full ? D - 1 : a); b++) scatter[a * D + b] += q.scatter[a * D + b]! + q.nk * da * (q.mean[b]! - mean[b]!);
    }
  }
  return { nk, mean, scatter };
}

/** Unit u's part of kernel statistics, as a D x D scatter. */
export function unitPart(s: StatsOut, u: number, D: number, full: boolean): UnitStats {
  const scatter = new Float64Array(D * D);
  if (full) scatter.set(s.scatter.subarray(u * D * D, (u + 1) * D * D));
  else for (let d = 0; d < D; d++) scatter[d * D + d] = s.scatter[u * D + d]!;
  return { nk: s.nk[u]!, mean: s.mean.subarray(u * D, (u + 1) * D), scatter };
}

export function normalMstepFast(x: Float64Array, n: number, resp: Float64Array, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LayerParams {
  const k = normalKernels();
  if (k === undefined || n === 0) return normalMstep(x, n, resp, ctx, prev, opts);
  const D = ctx.dims;
  const K = ctx.units;
  const full = !isDiagonal(ctx);
  const fast = k.stats({ x, dims: D, count: n }, resp, K, full);
  if (fast === null) return normalMstep(x, n, resp, ctx, prev, opts);
  const missing = fast.skipped;
  const nm = missing.length;
  const xm = nm > 0 ? pick(x, D, missing) : undefined;
  const rm = nm > 0 ? pick(resp, K, missing) : undefined;
  const pats = xm ? patternsOf(xm, nm, D) : undefined;
  const buf = new Float64Array(nm * D);
  const fixMean = opts.fixed.has('mean');
  const stats: (UnitStats | null)[] = [];
  for (let u = 0; u < K; u++) {
    const parts: UnitStats[] = [];
    if (fast.nk[u]! > 0) parts.push(unitPart(fast, u, D, full));
    let nkm = 0;
    for (let r = 0; r < nm; r++) if (rm![r * K + u]! > 0) nkm += rm![r * K + u]!;
    const total = parts.reduce((s, q) => s + q.nk, nkm);
    if (!(total >= EMPTY)) {
      stats.push(null);
      continue;
    }
    const mu = meanOf(prev, ctx, u);
    if (nkm > 0) parts.push(unitStats(nm, D, rm!, K, u, emCompleter(xm!, D, pats!, mu, covOf(prev, ctx, u), errorUnit(ctx, u)), undefined, full, buf));
    stats.push(merge(parts, D, full, fixMean ? mu : undefined));
  }
  return assemble(stats, ctx, opts.regCovar, prev, opts.fixed.has('cov') || opts.fixed.has('var'));
}

/**
 * The M-step from statistics of complete rows (a fused E-step's, runtime/learners/gmm-fused.ts):
 * what normalMstepFast does when no row has a missing cell.
 */
export function normalMstepFromStats(fast: StatsOut, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LayerParams {
  const D = ctx.dims;
  const full = !isDiagonal(ctx);
  const fixMean = opts.fixed.has('mean');
  const stats: (UnitStats | null)[] = [];
  for (let u = 0; u < ctx.units; u++) {
    if (!(fast.nk[u]! > 0) || !(fast.nk[u]! >= EMPTY)) {
      stats.push(null);
      continue;
    }
    stats.push(merge([unitPart(fast, u, D, full)], D, full, fixMean ? meanOf(prev, ctx, u) : undefined));
  }
  return assemble(stats, ctx, opts.regCovar, prev, opts.fixed.has('cov') || opts.fixed.has('var'));
}
