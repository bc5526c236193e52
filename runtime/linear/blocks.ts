// The scaled-linear forward's blocks (runtime/evaluate-linear.ts): a block of R rows of one node
// computed from its children's blocks: inputs from their log-densities, products multiplied with
// their scales added, sums by the wasm kernel with one rescale per row.
import { gather, type ModelState } from '../state.js';
import { R } from '../kernels/sum-linear-wasm.js';
import { up4 } from '../kernels/block-copy.js';
import { FLAG, LOW, type InputStep, type ProductStep, type SumStep } from './plan.js';
import { rowToLinear, tableBlock } from './tables.js';

let xsScratch = new Float64Array(0);

/** Fills an input's block for rows r0..r0+rows (table lookup, or logDensity and one exp per entry). */
export function inputBlock(state: ModelState, s: InputStep, x: Float64Array, v: number, r0: number, rows: number, bad: Uint8Array): void {
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
export function productBlock(s: ProductStep, r0: number, rows: number, bad: Uint8Array): void {
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
export function sumBlock(s: SumStep, rows: number, bad: Uint8Array): void {
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
