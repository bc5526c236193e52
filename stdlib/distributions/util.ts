// Shared helpers of the univariate distributions: argument checks and weighted moments.
import type { ArgError, ArgValue, Support } from './types.js';

/** unit: (0, 1); probability: [0, 1] (0 and 1 are for fixed parameters: the lowering refuses them on learned ones). */
export type ScalarCheck = 'real' | 'positive' | 'unit' | 'probability' | 'count';

const CHECK_TEXT: Record<ScalarCheck, string> = {
  real: 'must be a finite number',
  positive: 'must be > 0',
  unit: 'must be in (0, 1)',
  probability: 'must be in [0, 1]',
  count: 'must be a non-negative integer',
};

function passes(v: number, check: ScalarCheck): boolean {
  if (!Number.isFinite(v)) return false;
  switch (check) {
    case 'real':
      return true;
    case 'positive':
      return v > 0;
    case 'unit':
      return v > 0 && v < 1;
    case 'probability':
      return v >= 0 && v <= 1;
    case 'count':
      return v >= 0 && Number.isInteger(v);
  }
}

/** Reads one scalar argument into values[role]; pushes an error naming it when invalid. */
export function scalarArg(
  args: Readonly<Record<string, ArgValue>>,
  name: string,
  check: ScalarCheck,
  values: Record<string, number[]>,
  errors: ArgError[],
  role = name,
): void {
  const v = args[name];
  if (v === undefined) return;
  if (typeof v !== 'number') {
    errors.push({ arg: name, message: `${name} must be a number` });
    return;
  }
  if (!passes(v, check)) {
    errors.push({ arg: name, message: `${name} ${CHECK_TEXT[check]}` });
    return;
  }
  values[role] = [v];
}

/** Reads the scalar arguments of a distribution whose parameters are all scalars. */
export function scalarArgs(
  args: Readonly<Record<string, ArgValue>>,
  checks: Readonly<Record<string, ScalarCheck>>,
): { values: Record<string, number[]>; errors: ArgError[] } {
  const values: Record<string, number[]> = {};
  const errors: ArgError[] = [];
  for (const [name, check] of Object.entries(checks)) scalarArg(args, name, check, values, errors);
  return { values, errors };
}

/** Weighted sums: total weight, sum w x, sum w x^2. */
export function weightedMoments(xs: ArrayLike<number>, ws: ArrayLike<number>, f: (x: number) => number = (x) => x): { sw: number; mean: number; variance: number } {
  let sw = 0;
  let s1 = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i]!;
    if (w === 0) continue;
    sw += w;
    s1 += w * f(xs[i]!);
  }
  const mean = sw > 0 ? s1 / sw : NaN;
  let s2 = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i]!;
    if (w === 0) continue;
    const d = f(xs[i]!) - mean;
    s2 += w * d * d;
  }
  return { sw, mean, variance: sw > 0 ? s2 / sw : NaN };
}

/** A weighted median: midpoint of the median interval when the cumulative weight hits half exactly. */
export function weightedMedian(xs: ArrayLike<number>, ws: ArrayLike<number>): number {
  const idx: number[] = [];
  let sw = 0;
  for (let i = 0; i < xs.length; i++) {
    if (ws[i]! > 0) {
      idx.push(i);
      sw += ws[i]!;
    }
  }
  if (idx.length === 0) return NaN;
  idx.sort((a, b) => xs[a]! - xs[b]!);
  const half = sw / 2;
  let cum = 0;
  for (let k = 0; k < idx.length; k++) {
    cum += ws[idx[k]!]!;
    if (cum >= half * (1 - 1e-12)) {
      // Exactly half: every point up to the next value maximizes the likelihood; take the middle.
      if (Math.abs(cum - half) <= 1e-12 * sw && k + 1 < idx.length) {
        const next = xs[idx[k + 1]!]!;
        return 0.5 * (xs[idx[k]!]! + next);
      }
      return xs[idx[k]!]!;
    }
  }
  return xs[idx[idx.length - 1]!]!;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Keeps a probability strictly inside (0, 1) so its logit stays finite. */
export function clampUnit(p: number, floor: number): number {
  const eps = Math.min(Math.max(floor, 1e-12), 0.25);
  return clamp(p, eps, 1 - eps);
}

export function isCount(x: number): boolean {
  return x >= 0 && Number.isInteger(x);
}

/** Supports shared by several families (types.ts Support). */
export const COUNTS: Support = { contains: isCount, text: 'counts 0, 1, 2, ...' };
export const NON_NEGATIVE: Support = { contains: (x) => x >= 0, text: 'values >= 0' };
export const POSITIVE: Support = { contains: (x) => x > 0, text: 'values > 0' };
export const UNIT_INTERVAL: Support = { contains: (x) => x >= 0 && x <= 1, text: 'values in [0, 1]' };
export const ZERO_ONE: Support = { contains: (x) => x === 0 || x === 1, text: '0 or 1' };
