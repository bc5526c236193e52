// Modes of a KDE by mean shift in the whitened coordinates z = L^-1 x (H = L L^T): each start
// climbs by y <- sum_i w_i g(|y - z_i|^2) z_i / sum_i w_i g(...), g the kernel's shadow
// weight (gaussian: itself; epanechnikov: flat; exponential, linear, cosine: -k' of their
// profile). Converged points within mergeTol (in bandwidths) are one mode; each mode carries
// the weighted fraction of starts that climbed to it.
//
// For many dimensions, sketchedMeanShift follows "Dimensionality Reduction for General KDE
// Mode Finding": a Gaussian random projection to m dimensions (JL sketch) keeps the kernel
// distances approximately, mean shift runs on the sketched KDE (cost m instead of D per
// point), each low-D mode is lifted to D as the kernel-weighted mean of the rows (weights from
// the sketch), and a few full-D mean-shift steps refine it.
import { PmixError } from '../../runtime/errors.js';
import { Rng } from '../../stdlib/random.js';
import { logDensity } from './direct.js';
import { shadowWeight } from './kernels.js';
import { cholesky } from './linalg.js';
import type { Kde } from './model.js';
import { planFor } from './plan.js';

export interface MeanShiftOptions {
  /** start from every row ('data', default) or from this many rows drawn by weight */
  readonly starts?: 'data' | number;
  readonly seed?: number;
  /** stop when a step moves less than this, in bandwidths (default 1e-6) */
  readonly tol?: number;
  readonly maxIter?: number;
  /** converged points closer than this (in bandwidths) are one mode (default 0.1) */
  readonly mergeTol?: number;
}

export interface Mode {
  readonly point: Float64Array;
  /** weighted fraction of the starts that climbed to this mode */
  readonly mass: number;
  readonly logDensity: number;
}

export interface MeanShiftResult {
  /** by decreasing log density */
  readonly modes: readonly Mode[];
  /** the rows the climbs started from, and the mode each reached */
  readonly startRows: Int32Array;
  readonly assignment: Int32Array;
  /** total mean-shift steps taken (all starts) and full-dimensional kernel evaluations (steps x rows) */
  readonly steps: number;
  readonly kernelEvals: number;
  /** whitened coordinates of the modes (for cluster assignment) */
  readonly whitened: readonly Float64Array[];
}

const fail = (msg: string): never => {
  throw new PmixError(`kde: ${msg}`, 'kde');
};

function checkModesKde(kde: Kde): void {
  if (kde.cat.length) fail('modes() takes real columns only (give the categorical cells as a conditional first)');
  if (kde.kernel === 'tophat') fail("modes() of a 'tophat' KDE are flat plateaus (its density is piecewise constant): use 'epanechnikov' or 'gaussian'");
  if (kde.form === 'product' && kde.kernel !== 'gaussian') fail(`modes() of a product '${kde.kernel}' kernel are not supported; use form 'radial'`);
}

/** One climb from y (k coordinates) over rows Z (n x k) with weights w; returns the steps taken. */
export function climb(kernel: Kde['kernel'], Z: Float64Array, w: Float64Array | null, n: number, k: number, y: Float64Array, tol: number, maxIter: number): number {
  const next = new Float64Array(k);
  for (let it = 1; it <= maxIter; it++) {
    next.fill(0);
    let den = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let a = 0; a < k; a++) {
        const e = y[a]! - Z[i * k + a]!;
        t += e * e;
      }
      const g = (w ? w[i]! : 1) * shadowWeight(kernel, t);
      if (g === 0) continue;
      den += g;
      for (let a = 0; a < k; a++) next[a]! += g * Z[i * k + a]!;
    }
    if (!(den > 0)) return it; // no row in reach: y stays (a flat region of a compact kernel)
    let move = 0;
    for (let a = 0; a < k; a++) {
      const v = next[a]! / den;
      move += (v - y[a]!) ** 2;
      y[a] = v;
    }
    if (move < tol * tol) return it;
  }
  return maxIter;
}

function startRows(kde: Kde, opts: MeanShiftOptions): Int32Array {
  const s = opts.starts ?? 'data';
  if (s === 'data') return Int32Array.from({ length: kde.n }, (_, i) => i);
  if (!(Number.isInteger(s) && s >= 1)) fail(`key 'starts': ${String(s)} (expected 'data' or a positive integer)`);
  const rng = new Rng(opts.seed ?? 1);
  const cum = new Float64Array(kde.n);
  let acc = 0;
  for (let i = 0; i < kde.n; i++) cum[i] = acc += kde.w ? kde.w[i]! : 1;
  return Int32Array.from({ length: Math.min(s, kde.n) }, () => {
    const r = rng.uniform() * acc;
    let lo = 0;
    let hi = kde.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  });
}

/** Merges converged whitened points into modes; returns the modes and each point's mode. */
function merge(kde: Kde, ends: Float64Array[], rows: Int32Array, mergeTol: number, steps: number, evals: number): MeanShiftResult {
  const k = kde.real.length;
  const L = cholesky(kde.H, k)!;
  const toX = (z: Float64Array): Float64Array => {
    const x = new Float64Array(kde.d);
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += L[a * k + b]! * z[b]!;
      x[kde.real[a]!] = s;
    }
    return x;
  };
  const centres: Float64Array[] = [];
  const mass: number[] = [];
  const assignment = new Int32Array(ends.length);
  let wsum = 0;
  ends.forEach((z, s) => {
    let found = -1;
    for (let c = 0; c < centres.length && found < 0; c++) {
      let dd = 0;
      for (let a = 0; a < k; a++) dd += (z[a]! - centres[c]![a]!) ** 2;
      if (dd < mergeTol * mergeTol) found = c;
    }
    if (found < 0) {
      found = centres.length;
      centres.push(z);
      mass.push(0);
    }
    const w = kde.w ? kde.w[rows[s]!]! : 1;
    mass[found]! += w;
    wsum += w;
    assignment[s] = found;
  });
  const points = centres.map(toX);
  const lp = points.length ? logDensity(kde, Float64Array.from(points.flatMap((p) => [...p]))) : new Float64Array(0);
  const order = points.map((_, c) => c).sort((a, b) => lp[b]! - lp[a]!);
  const rank = new Int32Array(order.length);
  order.forEach((c, r) => (rank[c] = r));
  return {
    modes: order.map((c) => ({ point: points[c]!, mass: mass[c]! / wsum, logDensity: lp[c]! })),
    startRows: rows,
    assignment: assignment.map((c) => rank[c]!),
    steps,
    kernelEvals: evals,
    whitened: order.map((c) => centres[c]!),
  };
}

/** Every mode of the KDE with its mass, by mean shift from the data (or a subsample). */
export function meanShift(kde: Kde, opts: MeanShiftOptions = {}): MeanShiftResult {
  checkModesKde(kde);
  const plan = planFor(kde, '1'.repeat(kde.d));
  const k = plan.k;
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 500;
  const rows = startRows(kde, opts);
  let steps = 0;
  const ends = Array.from(rows, (r) => {
    const y = Float64Array.from(plan.Z.subarray(r * k, r * k + k));
    steps += climb(kde.kernel, plan.Z, kde.w, kde.n, k, y, tol, maxIter);
    return y;
  });
  return merge(kde, ends, rows, opts.mergeTol ?? 0.1, steps, steps * kde.n);
}

/** The mode (index into result.modes) each point climbs to; -1 where it reaches none of them. */
export function assignClusters(kde: Kde, result: MeanShiftResult, points: Float64Array, opts: MeanShiftOptions = {}): Int32Array {
  checkModesKde(kde);
  const plan = planFor(kde, '1'.repeat(kde.d));
  const k = plan.k;
  const m = points.length / kde.d;
  if (!Number.isInteger(m)) fail(`points: length ${points.length} is not a multiple of d = ${kde.d}`);
  const mergeTol = opts.mergeTol ?? 0.1;
  const out = new Int32Array(m);
  const y = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += plan.T[a * k + b]! * points[i * kde.d + kde.real[b]!]!;
      y[a] = s;
    }
    climb(kde.kernel, plan.Z, kde.w, kde.n, k, y, opts.tol ?? 1e-6, opts.maxIter ?? 500);
    let best = -1;
    let bestD = Infinity;
    result.whitened.forEach((c, j) => {
      let dd = 0;
      for (let a = 0; a < k; a++) dd += (y[a]! - c[a]!) ** 2;
      if (dd < bestD) [best, bestD] = [j, dd];
    });
    out[i] = bestD < (2 * mergeTol) ** 2 ? best : -1;
  }
  return out;
}

export interface SketchOptions extends MeanShiftOptions {
  /** sketch dimension m (default min(D, max(2, ceil(4 ln n)))) */
  readonly sketchDim?: number;
  /** full-D refinement steps per lifted mode (default 50) */
  readonly refineSteps?: number;
}

/**
 * Mean shift in a random m-dimensional sketch of the whitened data, each low-D mode lifted to
 * D (kernel-weighted mean of the rows, weights from the sketch) and refined by full-D steps.
 */
export function sketchedMeanShift(kde: Kde, opts: SketchOptions = {}): MeanShiftResult & { readonly sketchDim: number; readonly sketchEvals: number } {
  checkModesKde(kde);
  const plan = planFor(kde, '1'.repeat(kde.d));
  const D = plan.k;
  const n = kde.n;
  const m = opts.sketchDim ?? Math.min(D, Math.max(2, Math.ceil(4 * Math.log(n))));
  if (!(Number.isInteger(m) && m >= 1)) fail(`key 'sketchDim': ${m} (a positive integer)`);
  const rng = new Rng(opts.seed ?? 1);
  const P = Float64Array.from({ length: m * D }, () => rng.normal() / Math.sqrt(m));
  const S = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let a = 0; a < D; a++) s += P[r * D + a]! * plan.Z[i * D + a]!;
      S[i * m + r] = s;
    }
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 500;
  const rows = startRows(kde, opts);
  let steps = 0;
  let evals = 0; // full-D kernel evaluations (lifting, refinement)
  let lowEvals = 0; // m-dimensional ones (the climbs in the sketch)
  // climbs in the sketch
  const low = Array.from(rows, (r) => {
    const y = Float64Array.from(S.subarray(r * m, r * m + m));
    const s = climb(kde.kernel, S, kde.w, n, m, y, tol, maxIter);
    steps += s;
    lowEvals += s * n;
    return y;
  });
  // merge in the sketch first, so each distinct low-D mode is lifted and refined once
  const lowModes: Float64Array[] = [];
  const lowOf = low.map((y) => {
    for (let c = 0; c < lowModes.length; c++) {
      let dd = 0;
      for (let a = 0; a < m; a++) dd += (y[a]! - lowModes[c]![a]!) ** 2;
      if (dd < (opts.mergeTol ?? 0.1) ** 2) return c;
    }
    lowModes.push(y);
    return lowModes.length - 1;
  });
  const lifted = lowModes.map((y) => {
    const z = new Float64Array(D);
    let den = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let a = 0; a < m; a++) t += (y[a]! - S[i * m + a]!) ** 2;
      const g = (kde.w ? kde.w[i]! : 1) * shadowWeight(kde.kernel, t);
      den += g;
      for (let a = 0; a < D; a++) z[a]! += g * plan.Z[i * D + a]!;
    }
    if (den > 0) for (let a = 0; a < D; a++) z[a]! /= den;
    const s = climb(kde.kernel, plan.Z, kde.w, n, D, z, tol, opts.refineSteps ?? 50);
    steps += s;
    evals += (s + 1) * n;
    return z;
  });
  const ends = lowOf.map((c) => lifted[c]!);
  return { ...merge(kde, ends, rows, opts.mergeTol ?? 0.1, steps, evals), sketchDim: m, sketchEvals: lowEvals };
}
