// Weighted maximum likelihood for Normal layers (scikit-learn's reg_covar semantics), with
// proper EM for missing cells: a missing block is completed by its conditional mean under
// the previous parameters and its conditional covariance is added to the scatter.
import type { EMOptions, LayerContext, LayerParams } from './types.js';
import { cholesky } from './linalg.js';
import { type Conditional, conditional, conditionalMean, covOf, errorUnit, meanOf, observedOf } from './gaussian.js';

/** Units with less expected mass than this keep their previous parameters. */
export const EMPTY = 1e-12;

/** Writes the completed row i to out and adds r * (conditional covariance) to csum. */
type Completer = (i: number, out: Float64Array, r: number, csum: Float64Array) => void;

export interface UnitStats {
  readonly nk: number;
  readonly mean: Float64Array;
  /** Weighted scatter around mean (D x D; only the diagonal when not full). */
  readonly scatter: Float64Array;
}

function hasMissing(x: Float64Array, len: number): boolean {
  for (let i = 0; i < len; i++) if (Number.isNaN(x[i]!)) return true;
  return false;
}

/** Missing cells filled with fixed per-coordinate values (init), no covariance correction. */
function imputer(x: Float64Array, D: number, fill: ArrayLike<number>): Completer {
  return (i, out) => {
    for (let d = 0; d < D; d++) {
      const v = x[i * D + d]!;
      out[d] = Number.isNaN(v) ? fill[d]! : v;
    }
  };
}

/** Missing pattern of every row: its key ('' when complete) and observed coordinates. */
export interface Patterns {
  readonly keys: string[];
  readonly obs: Map<string, number[]>;
}

export function patternsOf(x: Float64Array, n: number, D: number): Patterns {
  const keys: string[] = [];
  const obsOf = new Map<string, number[]>();
  const obs: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = observedOf(x, i, D, obs);
    keys.push(key);
    if (!obsOf.has(key)) obsOf.set(key, obs.slice());
  }
  return { keys, obs: obsOf };
}

/** The E-step completion under a Gaussian (mu, cov), caching conditionals per missing pattern. */
export function emCompleter(x: Float64Array, D: number, pats: Patterns, mu: ArrayLike<number>, cov: Float64Array, unit: number | undefined): Completer {
  const cache = new Map<string, Conditional>();
  const cm = new Float64Array(D);
  return (i, out, r, csum) => {
    const key = pats.keys[i]!;
    for (let d = 0; d < D; d++) out[d] = x[i * D + d]!;
    if (key === '') return;
    let cond = cache.get(key);
    if (cond === undefined) {
      const obs = pats.obs.get(key)!;
      const mis = Array.from({ length: D }, (_, d) => d).filter((d) => !obs.includes(d));
      cond = conditional(cov, D, obs, mis, unit);
      cache.set(key, cond);
    }
    const c = cond;
    conditionalMean(c, mu, (k) => x[i * D + c.obs[k]!]!, cm);
    const nm = c.mis.length;
    for (let a = 0; a < nm; a++) {
      out[c.mis[a]!] = cm[a]!;
      for (let b = 0; b < nm; b++) csum[c.mis[a]! * D + c.mis[b]!] += r * c.c[a * nm + b]!;
    }
  };
}

export function unitStats(n: number, D: number, resp: Float64Array, K: number, u: number, complete: Completer, fixedMean: ArrayLike<number> | undefined, full: boolean, buf: Float64Array): UnitStats {
  const sum = new Float64Array(D);
  const scatter = new Float64Array(D * D);
  let nk = 0;
  for (let i = 0; i < n; i++) {
    const r = resp[i * K + u]!;
    if (!(r > 0)) continue;
    const row = buf.subarray(i * D, (i + 1) * D);
    complete(i, row, r, scatter);
    nk += r;
    for (let d = 0; d < D; d++) sum[d] += r * row[d]!;
  }
  const mean = fixedMean ? Float64Array.from(fixedMean) : sum.map((s) => s / nk);
  for (let i = 0; i < n; i++) {
    const r = resp[i * K + u]!;
    if (!(r > 0)) continue;
    for (let a = 0; a < D; a++) {
      const da = buf[i * D + a]! - mean[a]!;
      if (!full) {
        scatter[a * D + a] += r * da * da;
        continue;
      }
      for (let b = 0; b <= a; b++) scatter[a * D + b] += r * da * (buf[i * D + b]! - mean[b]!);
    }
  }
  if (full) for (let a = 0; a < D; a++) for (let b = a + 1; b < D; b++) scatter[a * D + b] = scatter[b * D + a]!;
  return { nk, mean, scatter };
}

/** Parameters from per-unit statistics; units without statistics keep prev's values. */
export function assemble(stats: (UnitStats | null)[], ctx: LayerContext, reg: number, prev: LayerParams | undefined, fixCov: boolean): LayerParams {
  const D = ctx.dims;
  const K = ctx.units;
  const mean = prev ? prev['mean']!.slice() : new Float64Array(K * D);
  stats.forEach((s, u) => s && mean.set(s.mean, u * D));
  const out: LayerParams = { mean };
  const v = ctx.variant;
  if (v === 'diag' || v === 'spherical') {
    const vr = prev ? prev['var']!.slice() : new Float64Array(v === 'diag' ? K * D : K);
    if (!fixCov) {
      stats.forEach((s, u) => {
        if (!s) return;
        let tot = 0;
        for (let d = 0; d < D; d++) {
          const x = s.scatter[d * D + d]! / s.nk + reg;
          if (v === 'diag') vr[u * D + d] = x;
          tot += x;
        }
        if (v === 'spherical') vr[u] = tot / D;
      });
    }
    out['var'] = vr;
    return out;
  }
  if (v === 'tied') {
    const cov = prev ? prev['cov']!.slice() : new Float64Array(D * D);
    const live = stats.filter((s): s is UnitStats => s !== null);
    if (!fixCov && live.length > 0) {
      const total = live.reduce((a, s) => a + s.nk, 0);
      for (let e = 0; e < D * D; e++) cov[e] = live.reduce((a, s) => a + s.scatter[e]!, 0) / total;
      for (let d = 0; d < D; d++) cov[d * D + d] += reg;
    }
    out['cov'] = cov;
    return out;
  }
  const cov = prev ? prev['cov']!.slice() : new Float64Array(K * D * D);
  if (!fixCov) {
    stats.forEach((s, u) => {
      if (!s) return;
      for (let e = 0; e < D * D; e++) cov[u * D * D + e] = s.scatter[e]! / s.nk;
      for (let d = 0; d < D; d++) cov[u * D * D + d * D + d] += reg;
    });
  }
  out['cov'] = cov;
  return out;
}

export function normalMstep(x: Float64Array, n: number, resp: Float64Array, ctx: LayerContext, prev: LayerParams, opts: EMOptions): LayerParams {
  const D = ctx.dims;
  const K = ctx.units;
  const fixMean = opts.fixed.has('mean');
  const fixCov = opts.fixed.has('cov') || opts.fixed.has('var');
  const pats = hasMissing(x, n * D) ? patternsOf(x, n, D) : undefined;
  const full = ctx.variant === 'full' || ctx.variant === 'tied' || ctx.variant === '';
  const buf = new Float64Array(n * D);
  const stats: (UnitStats | null)[] = [];
  for (let u = 0; u < K; u++) {
    let nk = 0;
    for (let i = 0; i < n; i++) nk += resp[i * K + u]!;
    if (!(nk >= EMPTY)) {
      stats.push(null);
      continue;
    }
    const mu = meanOf(prev, ctx, u);
    const complete = pats ? emCompleter(x, D, pats, mu, covOf(prev, ctx, u), errorUnit(ctx, u)) : imputer(x, D, mu);
    stats.push(unitStats(n, D, resp, K, u, complete, fixMean ? mu : undefined, full, buf));
  }
  return assemble(stats, ctx, opts.regCovar, prev, fixCov);
}

/** Makes every covariance usable: jitter on the diagonal until the Cholesky succeeds. */
function ensurePositive(p: LayerParams, ctx: LayerContext, reg: number): void {
  const D = ctx.dims;
  if (ctx.variant === 'diag' || ctx.variant === 'spherical') {
    const v = p['var']!;
    for (let i = 0; i < v.length; i++) if (!(v[i]! > 0) || !Number.isFinite(v[i]!)) v[i] = Math.max(reg, 1e-6);
    return;
  }
  const cov = p['cov']!;
  for (let off = 0; off < cov.length; off += D * D) {
    const m = cov.subarray(off, off + D * D);
    let trace = 0;
    for (let d = 0; d < D; d++) trace += Math.abs(m[d * D + d]!);
    let jitter = Math.max(reg, (1e-10 * trace) / D, 1e-12);
    for (let t = 0; t < 30 && !cholesky(m.slice(), D); t++) {
      for (let d = 0; d < D; d++) m[d * D + d] += jitter;
      jitter *= 10;
    }
  }
}

export function normalInit(x: Float64Array, n: number, resp: Float64Array, ctx: LayerContext, opts: EMOptions): LayerParams {
  const D = ctx.dims;
  const K = ctx.units;
  // An empty unit starts from the whole data set (uniform weights).
  const w = resp.slice(0, n * K);
  for (let u = 0; u < K; u++) {
    let nk = 0;
    for (let i = 0; i < n; i++) nk += w[i * K + u]!;
    if (!(nk >= EMPTY)) for (let i = 0; i < n; i++) w[i * K + u] = 1;
  }
  const full = ctx.variant !== 'diag' && ctx.variant !== 'spherical';
  const buf = new Float64Array(n * D);
  const stats: UnitStats[] = [];
  for (let u = 0; u < K; u++) {
    // Per-coordinate weighted means of the observed cells fill the missing ones.
    const s = new Float64Array(D);
    const c = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < D; d++) {
        const v = x[i * D + d]!;
        if (Number.isNaN(v)) continue;
        s[d] += w[i * K + u]! * v;
        c[d] += w[i * K + u]!;
      }
    }
    const fill = s.map((v, d) => (c[d]! > 0 ? v / c[d]! : 0));
    stats.push(unitStats(n, D, w, K, u, imputer(x, D, fill), undefined, full, buf));
  }
  let p = assemble(stats, ctx, opts.regCovar, undefined, false);
  ensurePositive(p, ctx, opts.regCovar);
  if (hasMissing(x, n * D)) {
    // Imputation shrinks the spread; a few proper EM steps undo most of that.
    for (let it = 0; it < 3; it++) {
      p = normalMstep(x, n, w, ctx, p, { regCovar: opts.regCovar, fixed: new Set() });
      ensurePositive(p, ctx, opts.regCovar);
    }
  }
  return p;
}
