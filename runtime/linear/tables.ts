// The scaled-linear forward's tables (runtime/evaluate-linear.ts): a node's values as a function
// of one discrete code per row (inputs over one column by level, products of tabulated children
// by their joint codes, one-child sums over a table), built per chunk of rows while the codes are few.
import type { ModelState } from '../state.js';
import { FLAG, type Block, type InputStep, type Plan, type ProductStep, type SumStep, type Table } from './plan.js';

const MISSING_CODE = -1;

/**
 * Codes of the one-variable inputs' columns for rows 0..n-1 of x, in one row-major pass (each
 * input's codes[i] = the level, MISSING_CODE where missing), with each input's level count and
 * whether some value of its column is not a small integer level (then it gets no table).
 */
export function columnCodes(plan: Plan, x: Float64Array, n: number, v: number): void {
  const ins = plan.tableInputs;
  const m = ins.length;
  const { cols, caps, levels, flags } = plan.codeInfo;
  const codes = ins.map((s) => s.codes);
  levels.fill(0);
  flags.fill(0);
  for (let i = 0; i < n; i++) {
    const base = i * v;
    for (let q = 0; q < m; q++) {
      const val = x[base + cols[q]!]!;
      const c = val | 0;
      if (c === val && c >= 0 && c < caps[q]!) {
        codes[q]![i] = c;
        if (c >= levels[q]!) levels[q] = c + 1;
      } else if (val !== val) {
        codes[q]![i] = MISSING_CODE;
        flags[q]! |= 1;
      } else flags[q]! |= 2;
    }
  }
}

/**
 * The linear table of a one-variable input for these rows (codes from columnCodes: L levels,
 * and code L for a missing cell where there is one), or undefined where a value of its column is
 * not a small integer level (the block is then filled from logDensity per row).
 */
export function inputTable(state: ModelState, s: InputStep, n: number, L: number, flag: number): Table | undefined {
  // Values that are not levels, or more levels than rows (a table would cost more than the rows).
  if (flag & 2 || L > Math.max(64, n)) return undefined;
  const U = s.units;
  const codes = s.codes;
  const missing = (flag & 1) !== 0;
  if (missing) for (let i = 0; i < n; i++) if (codes[i] === MISSING_CODE) codes[i] = L;
  // Levels 0..L-1 (and a missing cell), through the family's own logDensity (the reference's values).
  const rows = missing ? L + 1 : L;
  const xs = new Float64Array(rows);
  for (let l = 0; l < L; l++) xs[l] = l;
  if (missing) xs[L] = NaN;
  const T = new Float64Array(rows * U);
  const layer = state.layers.get(s.id)!;
  layer.family.logDensity(layer.params, layer.ctx, xs, rows, T);
  const sc = new Float64Array(rows);
  for (let l = 0; l < rows; l++) sc[l] = rowToLinear(T, l * U, U);
  return { codes, lin: T, sc, levels: rows };
}

/**
 * Most codes of a table of a product or sum for n rows: a code's row costs about what a row
 * costs (a sum's row in JS, where the rows' matmul runs in wasm), so a table pays where it has
 * far fewer codes than the rows; small passes (queries) still tabulate up to 64 codes.
 */
const tableCap = (n: number): number => Math.max(64, Math.min(4096, n >> 4));

/**
 * The joint table of a product whose children all have tables this pass (code = the children's
 * codes in mixed radix), each row rescaled by its max; undefined where they do not or it is too big.
 */
export function jointTable(s: ProductStep, n: number): Table | undefined {
  const kids = s.kids;
  if (kids.length === 0 || !kids.every((k) => k.table)) return undefined;
  const U = s.units;
  let levels = 1;
  for (const k of kids) levels *= k.table!.levels;
  if (levels > tableCap(n) || levels * U > 1 << 20) return undefined;
  const codes = s.table && s.table.codes.length >= n ? s.table.codes : new Int32Array(n);
  let radix = 1;
  kids.forEach((k, j) => {
    const kc = k.table!.codes;
    if (j === 0) for (let i = 0; i < n; i++) codes[i] = kc[i]!;
    else for (let i = 0; i < n; i++) codes[i] += radix * kc[i]!;
    radix *= k.table!.levels;
  });
  const lin = new Float64Array(levels * U);
  const sc = new Float64Array(levels);
  for (let c = 0; c < levels; c++) {
    const o = c * U;
    let rest = c;
    kids.forEach((k, j) => {
      const t = k.table!;
      const kc = rest % t.levels;
      rest = (rest - kc) / t.levels;
      const b = kc * U;
      if (j === 0) {
        for (let u = 0; u < U; u++) lin[o + u] = t.lin[b + u]!;
        sc[c] = t.sc[kc]!;
      } else {
        for (let u = 0; u < U; u++) lin[o + u] *= t.lin[b + u]!;
        sc[c] += t.sc[kc]!;
      }
    });
    let m = 0;
    for (let u = 0; u < U; u++) if (!(lin[o + u]! <= m)) m = lin[o + u]!;
    if (!(m >= FLAG) || !Number.isFinite(sc[c]!)) sc[c] = NaN;
    else {
      const inv = 1 / m;
      for (let u = 0; u < U; u++) lin[o + u] *= inv;
      sc[c] += Math.log(m);
    }
  }
  return { codes, lin, sc, levels };
}

/**
 * The table of a one-child sum whose child has one: each level's values times the weights
 * (W [U x I]), rescaled by their max; undefined otherwise.
 */
export function sumTable(state: ModelState, s: SumStep, n: number): Table | undefined {
  const t = s.kids.length === 1 ? s.kids[0]!.table : undefined;
  if (!t || t.levels > tableCap(n) || t.levels * s.units > 1 << 20) return undefined;
  const W = state.values.get(s.weights)!;
  const [U, I] = [s.units, s.inputs];
  const lin = new Float64Array(t.levels * U);
  const sc = new Float64Array(t.levels);
  for (let c = 0; c < t.levels; c++) {
    const a = c * I;
    const o = c * U;
    let m = 0;
    for (let u = 0; u < U; u++) {
      let acc = 0;
      for (let i = 0; i < I; i++) acc += W[u * I + i]! * t.lin[a + i]!;
      lin[o + u] = acc;
      if (!(acc <= m)) m = acc;
    }
    if (!(m >= FLAG) || !Number.isFinite(t.sc[c]!)) sc[c] = NaN;
    else {
      const inv = 1 / m;
      for (let u = 0; u < U; u++) lin[o + u] *= inv;
      sc[c] = t.sc[c]! + Math.log(m);
    }
  }
  return { codes: t.codes, lin, sc, levels: t.levels };
}

/** A block from a table (rows r0..r0+rows); NaN scales flag their rows. */
export function tableBlock(s: Block, t: Table, r0: number, rows: number, bad: Uint8Array): void {
  const U = s.units;
  const { out, at, stride, scale } = s;
  for (let r = 0; r < rows; r++) {
    const c = t.codes[r0 + r]!;
    const b = c * U;
    const o = at + r * stride;
    for (let u = 0; u < U; u++) out[o + u] = t.lin[b + u]!;
    scale[r] = t.sc[c]!;
    if (Number.isNaN(scale[r])) bad[r] = 1;
  }
}

/** Turns the log-values a[o .. o + U) into exp(a - m) in place, m their max; returns m (NaN or -inf: the row is flagged by its parents, or here). */
export function rowToLinear(a: Float64Array, o: number, U: number): number {
  let m = -Infinity;
  for (let u = 0; u < U; u++) if (!(a[o + u]! <= m)) m = a[o + u]!;
  if (!(m > -Infinity) || m === Infinity) {
    for (let u = 0; u < U; u++) a[o + u] = 0;
    return NaN;
  }
  for (let u = 0; u < U; u++) a[o + u] = Math.exp(a[o + u]! - m);
  return m;
}
