// Cholesky of a GP kernel matrix with escalating jitter: try as is, then add
// mean(diag) * 1e-10, 1e-9, ... 1e-3 to the diagonal. The jitter used is reported (fits
// and queries say how much and why); when even the largest fails, a diagnosis names the
// likely cause: duplicate inputs, the scale of the data, or a hyperparameter at its bound.
import { cholesky } from '../kernels/cholesky.js';
import { PmixError } from '../errors.js';

export const JITTER_STEPS: readonly number[] = [0, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3];

export interface Factor {
  /** L (lower, row-major n x n) with L L^T = K + jitter I. */
  readonly l: Float64Array;
  /** The absolute jitter added to the diagonal (0 when none was needed). */
  readonly jitter: number;
  /** Why jitter was needed, in words, when it was. */
  readonly reason?: string;
}

export interface FactorContext {
  /** Inputs, row-major n x d, for the diagnosis. */
  readonly x?: Float64Array;
  readonly d?: number;
  /** Hyperparameters at (or within 1e-6 relative of) a bound, named, for the diagnosis. */
  readonly atBound?: readonly string[];
}

/**
 * Factors the matrix `fill(buf)` writes (lower triangle read), retrying with more jitter.
 * `fill` is called once per attempt because a failed attempt overwrites the buffer.
 */
export function factorWithJitter(fill: (buf: Float64Array) => void, n: number, ctx: FactorContext = {}, given?: Float64Array): Factor {
  const buf: Float64Array = given ?? new Float64Array(n * n);
  let meanDiag = 0;
  for (const step of JITTER_STEPS) {
    fill(buf);
    if (step === 0) {
      for (let i = 0; i < n; i++) meanDiag += buf[i * n + i]! / n;
      if (!(meanDiag > 0) || !Number.isFinite(meanDiag)) break;
    }
    const jitter = step * meanDiag;
    if (jitter > 0) for (let i = 0; i < n; i++) buf[i * n + i] += jitter;
    const info = cholesky(buf, n);
    if (info.ok) {
      if (jitter === 0) return { l: buf, jitter: 0 };
      return { l: buf, jitter, reason: diagnose(ctx, n, meanDiag) ?? 'the kernel matrix is numerically singular' };
    }
  }
  const why = diagnose(ctx, n, meanDiag);
  throw new PmixError(
    `the kernel matrix (${n} x ${n}) is not positive definite even with jitter ${fmt(JITTER_STEPS[JITTER_STEPS.length - 1]! * meanDiag)} (1e-3 of its mean diagonal ${fmt(meanDiag)})${why ? `: ${why}` : ''}`,
    'not-positive-definite',
    'add noise (noise = ... or + white(...)), remove duplicate inputs, or rescale the data',
  );
}

const fmt = (x: number): string => (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5 ? x.toExponential(2) : String(Number(x.toPrecision(3))));

/** The likely reasons a kernel matrix is singular, as one sentence; undefined if none found. */
export function diagnose(ctx: FactorContext, n: number, meanDiag: number): string | undefined {
  const reasons: string[] = [];
  if (ctx.x && ctx.d) {
    const dup = duplicateRows(ctx.x, n, ctx.d);
    if (dup > 0) reasons.push(`${dup} input row${dup > 1 ? 's repeat' : ' repeats'} an earlier one (identical inputs give identical kernel rows; with zero noise the matrix is singular)`);
    const spread = inputSpread(ctx.x, n, ctx.d);
    if (spread !== undefined && spread > 1e6) reasons.push(`the inputs span ${fmt(spread)} units: rescale them (or give lengthscales of that order)`);
  }
  if (!(meanDiag > 0) || !Number.isFinite(meanDiag)) reasons.push(`the kernel's variance is ${fmt(meanDiag)}`);
  else if (meanDiag > 1e12 || meanDiag < 1e-12) reasons.push(`the kernel's variance ${fmt(meanDiag)} is far from the data's scale: rescale the outputs (normalize_y = true)`);
  if (ctx.atBound?.length) reasons.push(`hyperparameter${ctx.atBound.length > 1 ? 's' : ''} at a bound: ${ctx.atBound.join(', ')}`);
  return reasons.length ? reasons.join('; ') : undefined;
}

function duplicateRows(x: Float64Array, n: number, d: number): number {
  const seen = new Set<string>();
  let dup = 0;
  for (let i = 0; i < n; i++) {
    const key = Array.from(x.subarray(i * d, (i + 1) * d)).join(',');
    if (seen.has(key)) dup++;
    else seen.add(key);
  }
  return dup;
}

function inputSpread(x: Float64Array, n: number, d: number): number | undefined {
  let best: number | undefined;
  for (let c = 0; c < d; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, x[i * d + c]!);
      hi = Math.max(hi, x[i * d + c]!);
    }
    best = Math.max(best ?? 0, hi - lo);
  }
  return best;
}
