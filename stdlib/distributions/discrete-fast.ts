// The fast path of factorized discrete leaves (Bernoulli, Categorical, Binomial, Poisson).
// Their values are small non-negative integers, so a layer's log-density is a table lookup:
// per variable j, the log-density of each level l under each unit u is computed once (by the
// family's own logDensity, so the values are the reference's bit for bit) and every row adds
// T_j[l, u]. Their M-step depends on the data only through the weighted count of each level,
// so one pass over the rows accumulates counts[l, u] = sum of resp over rows at level l and
// the family's fit runs once per (unit, variable) on the levels 0..L-1 weighted by those
// counts (the same fit, smoothing, floor and fixed roles; only the summation order differs).
// factorized.ts takes this path when it is on and the family declares `tabulated`; values that are
// not a level (negative, fractional, huge) take the per-element reference calls.
import type { UnivariateDist } from './types.js';

let enabled = true;

/** Turns the table/count fast path of discrete factorized layers on or off (off: the per-element reference loops). */
export function useDiscreteFastPath(on: boolean): void {
  enabled = on;
}

export function discreteFastPathOn(): boolean {
  return enabled;
}

/** Whether d declares (UnivariateDist.tabulated) that its log-density at an integer is tabulable and its weighted fit depends only on per-value weighted counts. */
export function isTabulated(d: UnivariateDist): boolean {
  return d.tabulated === true;
}

/** Codes of a column: a level (>= 0), a missing cell, or a value the table does not cover. */
export const MISSING = -1;
export const OTHER = -2;

// Scratch buffers, reused between calls (grown when too small).
let codeBuf = new Int32Array(0);
let tableBuf = new Float64Array(0);
let haveBuf = new Uint8Array(0);
let countBuf = new Float64Array(0);
let rowBuf = new Float64Array(0);

/** Largest number of levels tabulated for a layer of U units (the table is L x U float64s, at most 8 MB). */
function levelCap(U: number): number {
  return Math.max(2, Math.min(1 << 16, Math.floor((1 << 20) / Math.max(U, 1))));
}

export interface ColumnCodes {
  /** codes[i] for row i (valid until the next call). */
  readonly codes: Int32Array;
  /** 1 + the largest level seen (0 when none). */
  readonly L: number;
  /** Whether some observed value is not a level. */
  readonly other: boolean;
}

/** Codes of column j of the n x dims rows x. */
export function codeColumn(x: Float64Array, n: number, dims: number, j: number, U: number): ColumnCodes {
  if (codeBuf.length < n) codeBuf = new Int32Array(Math.max(n, 2 * codeBuf.length));
  const codes = codeBuf;
  const cap = levelCap(U);
  let L = 0;
  let other = false;
  for (let i = 0, k = j; i < n; i++, k += dims) {
    const v = x[k]!;
    if (v >= 0 && v < cap && Number.isInteger(v)) {
      const c = v | 0;
      codes[i] = c;
      if (c >= L) L = c + 1;
    } else if (Number.isNaN(v)) codes[i] = MISSING;
    else {
      codes[i] = OTHER;
      other = true;
    }
  }
  return { codes, L, other };
}

/**
 * out[i * U + u] = sum over observed j of d.logDensity(x[i, j], thetas[u * dims + j], lvs[j]),
 * summed in the reference's order (j ascending from 0), missing cells contributing nothing.
 */
export function tabulatedLogDensity(d: UnivariateDist, thetas: readonly Float64Array[], lvs: readonly number[], U: number, dims: number, x: Float64Array, n: number, out: Float64Array): void {
  if (dims === 0) {
    out.fill(0, 0, n * U);
    return;
  }
  for (let j = 0; j < dims; j++) {
    const { codes, L } = codeColumn(x, n, dims, j, U);
    if (tableBuf.length < L * U) tableBuf = new Float64Array(Math.max(L * U, 2 * tableBuf.length));
    if (haveBuf.length < L) haveBuf = new Uint8Array(Math.max(L, 2 * haveBuf.length));
    const T = tableBuf;
    const have = haveBuf;
    have.fill(0, 0, L);
    const lv = lvs[j]!;
    const first = j === 0;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      const o = i * U;
      if (c >= 0) {
        const b = c * U;
        if (have[c] === 0) {
          // Only levels that occur are tabulated (a query of one row costs U calls, not L x U).
          for (let u = 0; u < U; u++) T[b + u] = d.logDensity(c, thetas[u * dims + j]!, lv);
          have[c] = 1;
        }
        if (first) for (let u = 0; u < U; u++) out[o + u] = 0 + T[b + u]!;
        else for (let u = 0; u < U; u++) out[o + u] += T[b + u]!;
      } else if (c === MISSING) {
        if (first) for (let u = 0; u < U; u++) out[o + u] = 0;
      } else {
        const v = x[i * dims + j]!;
        for (let u = 0; u < U; u++) {
          const t = d.logDensity(v, thetas[u * dims + j]!, lv);
          out[o + u] = first ? 0 + t : out[o + u]! + t;
        }
      }
    }
  }
}

export interface LevelCounts extends ColumnCodes {
  /** counts[l * U + u] = sum of w[i * U + u] over rows i at level l (valid until the next call). */
  readonly counts: Float64Array;
  /** rows[l] = number of rows at level l (valid until the next call). */
  readonly rows: Float64Array;
}

// Counts a caller already has (the circuit backward's threads accumulate them per row slice:
// runtime/leaf-counts.ts): levelCounts of these rows x returns them instead of a pass over w.
let given: { x: Float64Array; n: number; U: number; cols: readonly (LevelCounts | undefined)[] } | undefined;

/** Runs fn with levelCounts(x, n, _, j, _, U) answering cols[j] (the weights' per-level sums over x's rows, computed elsewhere). */
export function withLevelCounts<T>(x: Float64Array, n: number, U: number, cols: readonly (LevelCounts | undefined)[], fn: () => T): T {
  const before = given;
  given = { x, n, U, cols };
  try {
    return fn();
  } finally {
    given = before;
  }
}

/** Per-level sums of the weights w (n x U) over the rows of column j; rows with other values are left out. */
export function levelCounts(x: Float64Array, n: number, dims: number, j: number, w: Float64Array, U: number): LevelCounts {
  const pre = given && given.x === x && given.n === n && given.U === U ? given.cols[j] : undefined;
  if (pre) return pre;
  const cc = codeColumn(x, n, dims, j, U);
  const { codes, L } = cc;
  if (countBuf.length < L * U) countBuf = new Float64Array(Math.max(L * U, 2 * countBuf.length));
  if (rowBuf.length < L) rowBuf = new Float64Array(Math.max(L, 2 * rowBuf.length));
  const C = countBuf;
  const rows = rowBuf;
  C.fill(0, 0, L * U);
  rows.fill(0, 0, L);
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (c < 0) continue;
    const b = c * U;
    const o = i * U;
    for (let u = 0; u < U; u++) C[b + u] += w[o + u]!;
    rows[c]++;
  }
  return { ...cc, counts: C, rows };
}
