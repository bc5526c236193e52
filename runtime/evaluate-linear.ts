// The scaled-linear inference forward of a circuit: log p(x) of every row without an exp or a
// log per unit. Each node's values in a block of rows are kept as linear values times one
// factor per row (v[r, u] = lin[r, u] * exp(scale[r])): products multiply (scales add), sums
// are a plain matmul (kernels/sum-linear-wasm.ts) followed by one rescale of the row by its
// max (one log per row and node). Inputs over one discrete column look up a linear table of
// their levels (each level's log-densities, from the family's own logDensity, divided by their
// max); a product whose children all have tables, and a one-child sum over a tabulated child,
// are tables over the children's joint codes while these are few (built per chunk of rows).
// Blocks of R rows go through the whole circuit, so node values stay in cache; a product whose
// only parent is a one-child sum writes straight into that sum's kernel memory.
// Exactness: every value is <= 1 after its node's rescale and a product rescales its row when
// the max falls under LOW, so nothing underflows unless a row's max (before rescaling) falls
// under FLAG: such rows (zero likelihood, extreme parameters) are recomputed by the log-space
// forward (the caller's `logRows`), as is every pass this path declines (false): nodes other
// than inputs, Hadamard products and sums, a root with several units, negative or huge weights,
// too many sums, no wasm SIMD.
import type { IRGraph, SumNode } from '../ir/types.js';
import { gather, type ModelState } from './state.js';
import { R, sumLinearWasm, type SumLinearWasm } from './kernels/sum-linear-wasm.js';
import { up4 } from './kernels/block-copy.js';

/** A row whose max (before rescaling) falls under FLAG goes to the log-space path. */
const FLAG = 1e-100;
/** A product rescales a row whose max falls under LOW. */
const LOW = 1e-30;
/** Rows per chunk (the tables' codes are one int per row and tabulated node). */
const CHUNK = 8192;

/** Most sum nodes a graph may have for the linear path (each holds a kernel instance). */
const MAX_SUMS = 4096;
/** Largest weight the linear path takes (larger ones could lift an underflowed value over FLAG). */
const W_MAX = 1e100;

/**
 * A node's values as a function of one discrete code per row (this pass's): row i's values are
 * lin[codes[i] * U + u] times exp(sc[codes[i]]) (sc NaN: the row is flagged); `levels` codes.
 */
interface Table {
  readonly codes: Int32Array;
  readonly lin: Float64Array;
  readonly sc: Float64Array;
  readonly levels: number;
}

/** A node's block: row r's unit u at out[at + r * stride + u]; its log-scale at scale[r]. */
interface Block {
  readonly id: string;
  readonly units: number;
  readonly scale: Float64Array;
  out: Float64Array;
  at: number;
  stride: number;
  readonly isRoot: boolean;
  /** The steps that read this one. */
  readonly parents: Step[];
  /** This pass: some parent reads its block (a sum without a table, or it is the root), so a table fills it too. */
  fill: boolean;
  /** This chunk's table (inputs over one discrete column, products of tables, sums over one); undefined: the block is computed. */
  table?: Table;
}

interface InputStep extends Block {
  readonly kind: 'input';
  readonly scope: readonly number[];
  /** The codes of its column (one-variable inputs; CHUNK rows). */
  readonly codes: Int32Array;
}
interface ProductStep extends Block {
  readonly kind: 'product';
  readonly kids: readonly Step[];
}
interface SumStep extends Block {
  readonly kind: 'sum';
  readonly kids: readonly Step[];
  readonly k: SumLinearWasm;
  readonly inputs: number;
  readonly weights: string;
  /** The single child writes its block into this kernel's A region. */
  fused: boolean;
}
type Step = InputStep | ProductStep | SumStep;

interface Plan {
  readonly steps: readonly Step[];
  /** Inputs over one variable (their columns coded per chunk) and, per such input, its column, most levels, and this chunk's level count and flags (1: missing cells, 2: not levels). */
  readonly tableInputs: readonly InputStep[];
  readonly codeInfo: { readonly cols: Int32Array; readonly caps: Int32Array; readonly levels: Int32Array; readonly flags: Uint8Array };
  readonly root: Step;
  readonly bad: Uint8Array;
}

const plans = new WeakMap<IRGraph, Plan | null>();

function buildPlan(state: ModelState): Plan | null {
  const g = state.graph;
  const root = state.node(g.root);
  if (root.units !== 1) return null;
  const parents = new Map<string, string[]>();
  for (const nd of state.nodes) {
    if (nd.kind !== 'input' && !(nd.kind === 'product' && nd.mode === 'hadamard') && nd.kind !== 'sum') return null;
    if ('children' in nd) for (const c of nd.children) (parents.get(c) ?? parents.set(c, []).get(c)!).push(nd.id);
  }
  const steps = new Map<string, Step>();
  let sums = 0;
  const own = (id: string, U: number) => ({
    id,
    units: U,
    scale: new Float64Array(R),
    out: new Float64Array(R * U),
    at: 0,
    stride: U,
    isRoot: id === g.root,
    parents: [] as Step[],
    fill: true,
  });
  for (const nd of state.nodes) {
    const U = nd.units;
    if (nd.kind === 'input') {
      steps.set(nd.id, { kind: 'input', scope: nd.scope, codes: new Int32Array(nd.scope.length === 1 ? CHUNK : 0), ...own(nd.id, U) });
    } else if (nd.kind === 'product') {
      steps.set(nd.id, { kind: 'product', kids: nd.children.map((c) => steps.get(c)!), ...own(nd.id, U) });
    } else if (nd.kind === 'sum') {
      const kids = nd.children.map((c) => steps.get(c)!);
      const I = kids.reduce((s, k) => s + k.units, 0);
      // One kernel instance (its own memory, 64 KB or more) per sum node: past MAX_SUMS, or
      // where the engine refuses another memory, the log-space forward evaluates the graph.
      if (++sums > MAX_SUMS) return null;
      let k: SumLinearWasm | null;
      try {
        k = sumLinearWasm(up4(I), up4(U));
      } catch {
        k = null;
      }
      if (!k) return null;
      const s: SumStep = { kind: 'sum', kids, k, inputs: I, weights: (nd as SumNode).weights, fused: false, ...own(nd.id, U), out: k.heap, at: k.layout.O / 8, stride: up4(U) };
      // A product read by this sum alone writes into the kernel's A region (no copy).
      const only = kids.length === 1 ? kids[0]! : undefined;
      if (only && only.kind === 'product' && only.id !== g.root && (parents.get(only.id) ?? []).length === 1) {
        only.out = k.heap;
        only.at = k.layout.A / 8;
        only.stride = up4(I);
        s.fused = true;
      }
      steps.set(nd.id, s);
    } else return null;
  }
  for (const st of steps.values()) if (st.kind !== 'input') for (const k of st.kids) k.parents.push(st);
  const tableInputs = [...steps.values()].filter((st): st is InputStep => st.kind === 'input' && st.scope.length === 1);
  const m = tableInputs.length;
  const codeInfo = {
    cols: Int32Array.from(tableInputs, (st) => st.scope[0]!),
    // At most 2^16 levels, and a table of at most 2^20 entries.
    caps: Int32Array.from(tableInputs, (st) => Math.max(2, Math.min(1 << 16, Math.floor((1 << 20) / Math.max(st.units, 1))))),
    levels: new Int32Array(m),
    flags: new Uint8Array(m),
  };
  return { steps: [...steps.values()], tableInputs, codeInfo, root: steps.get(g.root)!, bad: new Uint8Array(R) };
}

function planFor(state: ModelState): Plan | null {
  let p = plans.get(state.graph);
  if (p === undefined) plans.set(state.graph, (p = buildPlan(state)));
  return p;
}

/** Whether the graph is one the linear path evaluates (passes may still decline on their weights). */
export function linearEligible(state: ModelState): boolean {
  return planFor(state) !== null;
}

/** Loads every sum's weights into its kernel (WT, zero-padded); false where some weight is negative, NaN or huge. */
function loadWeights(state: ModelState, plan: Plan): boolean {
  for (const s of plan.steps) {
    if (s.kind !== 'sum') continue;
    const W = state.values.get(s.weights)!;
    const [U, I, Up] = [s.units, s.inputs, up4(s.units)];
    const h = s.k.heap;
    h.fill(0, 0, up4(I) * Up);
    for (let u = 0; u < U; u++) {
      for (let i = 0; i < I; i++) {
        const w = W[u * I + i]!;
        if (!(w >= 0 && w <= W_MAX)) return false;
        h[i * Up + u] = w;
      }
    }
  }
  return true;
}

const MISSING_CODE = -1;

/**
 * Codes of the one-variable inputs' columns for rows 0..n-1 of x, in one row-major pass (each
 * input's codes[i] = the level, MISSING_CODE where missing), with each input's level count and
 * whether some value of its column is not a small integer level (then it gets no table).
 */
function columnCodes(plan: Plan, x: Float64Array, n: number, v: number): void {
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
function inputTable(state: ModelState, s: InputStep, n: number, L: number, flag: number): Table | undefined {
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
function jointTable(s: ProductStep, n: number): Table | undefined {
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
function sumTable(state: ModelState, s: SumStep, n: number): Table | undefined {
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
function tableBlock(s: Block, t: Table, r0: number, rows: number, bad: Uint8Array): void {
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
function rowToLinear(a: Float64Array, o: number, U: number): number {
  let m = -Infinity;
  for (let u = 0; u < U; u++) if (!(a[o + u]! <= m)) m = a[o + u]!;
  if (!(m > -Infinity) || m === Infinity) {
    for (let u = 0; u < U; u++) a[o + u] = 0;
    return NaN;
  }
  for (let u = 0; u < U; u++) a[o + u] = Math.exp(a[o + u]! - m);
  return m;
}

let xsScratch = new Float64Array(0);

/** Fills an input's block for rows r0..r0+rows (table lookup, or logDensity and one exp per entry). */
function inputBlock(state: ModelState, s: InputStep, x: Float64Array, v: number, r0: number, rows: number, bad: Uint8Array): void {
  const U = s.units;
  const { out, at, stride, scale } = s;
  if (s.table) return tableBlock(s, s.table, r0, rows, bad);
  const d = s.scope.length;
  if (xsScratch.length < rows * d) xsScratch = new Float64Array(R * Math.max(d, 1));
  const xs = gather(x.subarray(r0 * v, (r0 + rows) * v), rows, v, s.scope, xsScratch.subarray(0, rows * d));
  const tmp = new Float64Array(rows * U);
  const layer = state.layers.get(s.id)!;
  layer.family.logDensity(layer.params, layer.ctx, xs, rows, tmp);
  for (let r = 0; r < rows; r++) {
    const m = rowToLinear(tmp, r * U, U);
    out.set(tmp.subarray(r * U, (r + 1) * U), at + r * stride);
    scale[r] = m;
    if (Number.isNaN(m)) bad[r] = 1;
  }
}

/** Per-row sources of a product's children: the array and offset of row r's values (a table's row or a block's). */
const srcArr: Float64Array[] = [];
const srcAt = new Int32Array(64);

/** A product's block: the children's blocks (or tables) multiplied, scales added; rows rescaled under LOW, flagged under FLAG. */
function productBlock(s: ProductStep, r0: number, rows: number, bad: Uint8Array): void {
  const U = s.units;
  const { out, at, stride, scale, kids } = s;
  const K = kids.length;
  if (K === 0 || K > srcAt.length) return productBlockAny(s, r0, rows, bad);
  for (let r = 0; r < rows; r++) {
    // Where each child's values of this row are, and the row's scale.
    let sc = 0;
    for (let k = 0; k < K; k++) {
      const kid = kids[k]!;
      const t = kid.table;
      if (t) {
        const c = t.codes[r0 + r]!;
        srcArr[k] = t.lin;
        srcAt[k] = c * U;
        sc += t.sc[c]!;
      } else {
        srcArr[k] = kid.out;
        srcAt[k] = kid.at + r * kid.stride;
        sc += kid.scale[r]!;
      }
    }
    const o = at + r * stride;
    // One pass: the product of every child's value and the row max (NaN-aware).
    let m = 0;
    const a = srcArr[0]!;
    const ba = srcAt[0]!;
    if (K === 1) {
      for (let u = 0; u < U; u++) {
        const v = a[ba + u]!;
        out[o + u] = v;
        if (!(v <= m)) m = v;
      }
    } else if (K === 2) {
      const b = srcArr[1]!;
      const bb = srcAt[1]!;
      for (let u = 0; u < U; u++) {
        const v = a[ba + u]! * b[bb + u]!;
        out[o + u] = v;
        if (!(v <= m)) m = v;
      }
    } else if (K === 3) {
      const [b, c] = [srcArr[1]!, srcArr[2]!];
      const [bb, bc] = [srcAt[1]!, srcAt[2]!];
      for (let u = 0; u < U; u++) {
        const v = a[ba + u]! * b[bb + u]! * c[bc + u]!;
        out[o + u] = v;
        if (!(v <= m)) m = v;
      }
    } else if (K === 4) {
      const [b, c, d] = [srcArr[1]!, srcArr[2]!, srcArr[3]!];
      const [bb, bc, bd] = [srcAt[1]!, srcAt[2]!, srcAt[3]!];
      for (let u = 0; u < U; u++) {
        const v = a[ba + u]! * b[bb + u]! * c[bc + u]! * d[bd + u]!;
        out[o + u] = v;
        if (!(v <= m)) m = v;
      }
    } else {
      for (let u = 0; u < U; u++) out[o + u] = a[ba + u]!;
      for (let k = 1; k < K; k++) {
        const b = srcArr[k]!;
        const bb = srcAt[k]!;
        for (let u = 0; u < U; u++) out[o + u] *= b[bb + u]!;
      }
      for (let u = 0; u < U; u++) if (!(out[o + u]! <= m)) m = out[o + u]!;
    }
    scale[r] = sc;
    finishProductRow(out, o, U, m, scale, r, bad);
  }
}

/** Flags the row (max under FLAG, NaN, or a non-finite scale) or rescales it (max under LOW). */
function finishProductRow(out: Float64Array, o: number, U: number, m: number, scale: Float64Array, r: number, bad: Uint8Array): void {
  if (!(m >= FLAG) || !Number.isFinite(scale[r]!)) bad[r] = 1;
  else if (m < LOW) {
    const inv = 1 / m;
    for (let u = 0; u < U; u++) out[o + u] *= inv;
    scale[r] += Math.log(m);
  }
}

/** productBlock for no children (the constant 1) or very many. */
function productBlockAny(s: ProductStep, r0: number, rows: number, bad: Uint8Array): void {
  const U = s.units;
  const { out, at, stride, scale } = s;
  for (let r = 0; r < rows; r++) {
    const o = at + r * stride;
    out.fill(1, o, o + U);
    scale[r] = 0;
    for (const kid of s.kids) {
      const t = kid.table;
      const [src, b] = t ? [t.lin, t.codes[r0 + r]! * U] : [kid.out, kid.at + r * kid.stride];
      for (let u = 0; u < U; u++) out[o + u] *= src[b + u]!;
      scale[r] += t ? t.sc[t.codes[r0 + r]!]! : kid.scale[r]!;
    }
    let m = 0;
    for (let u = 0; u < U; u++) if (!(out[o + u]! <= m)) m = out[o + u]!;
    finishProductRow(out, o, U, m, scale, r, bad);
  }
}

/** A sum's block: the children's blocks into the kernel's A (scaled to a common factor when several), matmul, rescale. */
function sumBlock(s: SumStep, rows: number, bad: Uint8Array): void {
  const h = s.k.heap;
  const L = s.k.layout;
  const Ip = up4(s.inputs);
  const A = L.A / 8;
  const { scale } = s;
  if (s.fused) scale.set(s.kids[0]!.scale.subarray(0, rows));
  else if (s.kids.length === 1) {
    const kid = s.kids[0]!;
    const U = kid.units;
    for (let r = 0; r < rows; r++) h.set(kid.out.subarray(kid.at + r * kid.stride, kid.at + r * kid.stride + U), A + r * Ip);
    scale.set(kid.scale.subarray(0, rows));
  } else {
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (const kid of s.kids) if (kid.scale[r]! > m) m = kid.scale[r]!;
      if (!Number.isFinite(m)) {
        bad[r] = 1;
        m = 0;
      }
      scale[r] = m;
      let off = A + r * Ip;
      for (const kid of s.kids) {
        const f = Math.exp(kid.scale[r]! - m);
        const b = kid.at + r * kid.stride;
        for (let u = 0; u < kid.units; u++) h[off + u] = kid.out[b + u]! * f;
        off += kid.units;
      }
    }
  }
  s.k.fwd(up4(rows));
  const M = L.M / 8;
  for (let r = 0; r < rows; r++) {
    const m = h[M + r]!;
    if (!(m >= FLAG)) bad[r] = 1;
    scale[r] += Math.log(m);
  }
}

/**
 * out[i] = log p(x_i) for rows 0..n-1 of x (n x vars, NaN = missing), by the scaled-linear
 * forward; rows it flags go through logRows (the log-space forward of those rows' root). False
 * (out untouched) where the path declines this graph or these weights.
 */
let tabulate = true;
/**
 * Turns the tables of products and sums (a node over discrete inputs evaluated once per joint
 * code) on or off; off, only the inputs' per-level tables remain (benches compare the two).
 */
export function useLinearTables(on: boolean): void {
  tabulate = on;
}

let lastStats = { rows: 0, flagged: 0 };
/** Rows of the last linear pass on this thread and how many of them took the log-space path (tests, benches). */
export function lastLinearStats(): { rows: number; flagged: number } {
  return lastStats;
}

export function linearLogLikelihood(state: ModelState, x: Float64Array, n: number, out: Float64Array, logRows: (x: Float64Array, n: number) => Float64Array): boolean {
  const plan = planFor(state);
  if (!plan || !loadWeights(state, plan)) return false;
  const v = state.graph.vars.length;
  const { root, bad } = plan;
  const flagged: number[] = [];
  // Chunks of rows bound the tables' codes (one int per row and node); tables are rebuilt per chunk.
  for (let c0 = 0; c0 < n; c0 += CHUNK) {
    const nc = Math.min(CHUNK, n - c0);
    const xc = x.subarray(c0 * v, (c0 + nc) * v);
    columnCodes(plan, xc, nc, v);
    const { levels, flags } = plan.codeInfo;
    plan.tableInputs.forEach((s, q) => (s.table = inputTable(state, s, nc, levels[q]!, flags[q]!)));
    for (const s of plan.steps) {
      if (s.kind === 'input') {
        if (s.scope.length !== 1) s.table = undefined;
      } else if (!tabulate) s.table = undefined;
      else if (s.kind === 'product') s.table = jointTable(s, nc);
      else s.table = sumTable(state, s, nc);
    }
    // Products read their children's tables; sums without one (and the root's value) read blocks.
    for (const s of plan.steps) s.fill = !s.table || s.isRoot || s.parents.some((p) => p.kind === 'sum' && !p.table);
    for (let r0 = 0; r0 < nc; r0 += R) {
      const rows = Math.min(R, nc - r0);
      bad.fill(0);
      for (const s of plan.steps) {
        if (s.table) {
          if (s.fill) tableBlock(s, s.table, r0, rows, bad);
        } else if (s.kind === 'input') inputBlock(state, s, xc, v, r0, rows, bad);
        else if (s.kind === 'product') productBlock(s, r0, rows, bad);
        else sumBlock(s, rows, bad);
      }
      const o = c0 + r0;
      for (let r = 0; r < rows; r++) {
        if (bad[r]) flagged.push(o + r);
        else out[o + r] = Math.log(root.out[root.at + r * root.stride]!) + root.scale[r]!;
      }
    }
  }
  lastStats = { rows: n, flagged: flagged.length };
  if (flagged.length > 0) {
    const xs = new Float64Array(flagged.length * v);
    flagged.forEach((i, k) => xs.set(x.subarray(i * v, (i + 1) * v), k * v));
    const ll = logRows(xs, flagged.length);
    flagged.forEach((i, k) => (out[i] = ll[k]!));
  }
  return true;
}
