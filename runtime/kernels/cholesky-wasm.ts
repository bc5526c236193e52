// The O(n^3) parts of the blocked Cholesky (cholesky.ts) and of the triangular solves in
// WebAssembly SIMD (f64x2), emitted at run time by wasm-asm.ts. Where the engine has relaxed
// SIMD, the multiply-adds are f64x2.relaxed_madd (one FMA instruction on x64: measured
// 20 GFLOP/s per core here, against 14.5 for mul + add; see wasm-features.ts).
//
// Layout (byte offsets into one memory, row-major f64): the matrix A with row stride np (a
// multiple of 4, rows and columns past n are padding), the packed panel P (np rows of NB
// values, the panel's columns of the rows below the diagonal block, solved), the diagonal
// block L11 packed as NB x NB with zeros on and above its diagonal, and 1 / diag(L11).
// A kernel handles "row blocks" of 4 rows, so that threads can share a step by grabbing
// row-block ranges.
//
//   trsm(a, np, p, l, inv, k0, rb0, rb1): rows k1 + 4rb .. k1 + 4rb + 3 (k1 = k0 + NB) of the
//     panel A[:, k0:k1] solved against L11^T, written to P and back to A.
//   syrk(a, np, p, k1, rb0, rb1): A[k1 + i, k1 + j] -= P[i] . P[j] for the rows i of the row
//     blocks and every j <= i (4 x 2 tiles; tiles that cross the diagonal also write above it,
//     which is never read).
//   fwd(l, np, b, kp, inv, cb0, cb1, nr) / bwd(...): L X = B / L^T X = B in place on B (nr x kp,
//     kp a multiple of 4; padding rows of L are identity rows), L of nr rows with row stride
//     np >= nr, for the column blocks cb0 .. cb1 - 1 (4 columns each); inv = 1 / diag(L).
import { fmaAvailable } from './wasm-features.js';
import { add, buildModule, f64Load, f64Store, f64x2Op, f64x2RelaxedMadd, f64x2Zero, get, I32, i32, lane64, loop, mul, op, set, V128, vLoad, vLoadSplat64, vStore, type Bytes } from './wasm-asm.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const F64_MUL = 0xa2;
const I32_AND = 0x71;
const I32_SUB = op.i32Sub;

/** acc = a * b + acc (locals), fused when `fma`. */
const madd = (fma: boolean, acc: number, a: Bytes, b: Bytes): Bytes =>
  fma ? set(acc, a, b, get(acc), f64x2RelaxedMadd) : set(acc, get(acc), a, b, f64x2Op.mul, f64x2Op.add);
/** lane 0 + lane 1 of the v128 local x. */
const hsum = (x: number): Bytes => v(get(x), lane64(0), get(x), lane64(1), [op.f64Add]);

function trsm(NB: number, fma: boolean): Bytes {
  const [a, np, p, l, inv, k0, rb0, rb1] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [rb, pb, c, t, tEnd, lrow, np8] = [8, 9, 10, 11, 12, 13, 14];
  const aq = [15, 16, 17, 18];
  const acc = [19, 20, 21, 22];
  const lv = 23;
  const RB = NB * 8;
  return v(
    set(np8, mul(get(np), i32(8))),
    loop(rb, get(rb0), get(rb1), 1,
      set(pb, add(get(p), mul(get(rb), i32(4 * RB)))),
      // aq = a + ((k0 + NB + 4rb + q) np + k0) 8
      set(aq[0]!, add(get(a), mul(add(mul(add(get(k0), i32(NB), mul(get(rb), i32(4))), get(np)), get(k0)), i32(8)))),
      ...[1, 2, 3].map((q) => set(aq[q]!, add(get(aq[q - 1]!), get(np8)))),
      loop(t, i32(0), i32(RB), 16, ...aq.map((ar, q) => vStore(add(get(pb), get(t)), vLoad(add(get(ar), get(t))), q * RB))),
      loop(c, i32(0), i32(RB), 8,
        set(lrow, add(get(l), mul(get(c), i32(NB)))),
        set(tEnd, add(get(c), i32(8)), i32(~15), [I32_AND]),
        ...acc.map((x) => set(x, f64x2Zero)),
        loop(t, i32(0), get(tEnd), 16,
          set(lv, vLoad(add(get(lrow), get(t)))),
          ...acc.map((x, q) => madd(fma, x, vLoad(add(get(pb), get(t)), q * RB), get(lv))),
        ),
        ...acc.flatMap((x, q) => {
          const val = v(f64Load(add(get(pb), get(c)), q * RB), hsum(x), [op.f64Sub], f64Load(add(get(inv), get(c))), [F64_MUL]);
          return [f64Store(add(get(pb), get(c)), val, q * RB), f64Store(add(get(aq[q]!), get(c)), f64Load(add(get(pb), get(c)), q * RB))];
        }),
      ),
    ),
  );
}

function syrk(NB: number, fma: boolean): Bytes {
  const [a, np, p, k1, rb0, rb1] = [0, 1, 2, 3, 4, 5];
  const [rb, i, j, pi, pj, t, np8] = [6, 7, 8, 9, 10, 11, 12];
  const cq = [13, 14, 15, 16];
  const acc = [17, 18, 19, 20, 21, 22, 23, 24]; // acc[q * 2 + r]
  const [x, y0, y1] = [25, 26, 27];
  const ys = [y0, y1];
  const RB = NB * 8;
  return v(
    set(np8, mul(get(np), i32(8))),
    loop(rb, get(rb0), get(rb1), 1,
      set(i, mul(get(rb), i32(4))),
      set(pi, add(get(p), mul(get(i), i32(RB)))),
      set(cq[0]!, add(get(a), mul(add(mul(add(get(k1), get(i)), get(np)), get(k1)), i32(8)))),
      ...[1, 2, 3].map((q) => set(cq[q]!, add(get(cq[q - 1]!), get(np8)))),
      loop(j, i32(0), add(get(i), i32(4)), 2,
        set(pj, add(get(p), mul(get(j), i32(RB)))),
        ...acc.map((k) => set(k, f64x2Zero)),
        loop(t, i32(0), i32(RB), 16,
          ...ys.map((y, r) => set(y, vLoad(add(get(pj), get(t)), r * RB))),
          ...[0, 1, 2, 3].flatMap((q) => [set(x, vLoad(add(get(pi), get(t)), q * RB)), ...ys.map((y, r) => madd(fma, acc[q * 2 + r]!, get(x), get(y)))]),
        ),
        ...[0, 1, 2, 3].flatMap((q) =>
          [0, 1].map((r) => {
            const addr = add(get(cq[q]!), mul(get(j), i32(8)));
            return f64Store(addr, v(f64Load(addr, r * 8), hsum(acc[q * 2 + r]!), [op.f64Sub]), r * 8);
          }),
        ),
      ),
    ),
  );
}

/** Forward (L X = B) or backward (L^T X = B) substitution, 4 rows x 4 columns at a time. */
function solve(back: boolean, fma: boolean, cbMajor = false): Bytes {
  // nr: the rows solved (a multiple of 4, at most the stride np): a trailing sub-factor
  // L[c0:, c0:] is solved in place in the full factor, at offset (c0 np + c0) 8 with stride np.
  const [l, np, b, kp, inv, cb0, cb1, nr] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [rr, i, cb, xp, lp, j, np8, kp8, bi, nrb] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const lq = [18, 19, 20, 21];
  const acc = [22, 23, 24, 25, 26, 27, 28, 29]; // acc[q * 2 + h]: row i + q, columns 2h, 2h + 1 of the block
  const [x0, x1, s] = [30, 31, 32];
  // cbMajor: B stored column block by column block (block cb: nr rows of 4 values, contiguous),
  // so the inner loops stream B sequentially and use whole cache lines.
  const rowOff = (q: number): Bytes => (cbMajor ? i32(q * 32) : mul(i32(q), get(kp8)));
  const bStep = cbMajor ? i32(32) : get(kp8);
  /** Address of B's row r, column block cb. */
  const bAt = (r: Bytes): Bytes => (cbMajor ? add(get(b), mul(add(mul(get(cb), get(nr)), r), i32(32))) : add(get(b), mul(add(mul(r, get(kp)), mul(get(cb), i32(4))), i32(8))));
  // L[i + q, i + q'] (row-major)
  const lAt = (q: number, q2: number): Bytes => vLoadSplat64(add(get(l), mul(add(mul(add(get(i), i32(q)), get(np)), get(i), i32(q2)), i32(8))));
  // cbMajor backward reads U = L^T's rows (row-major, its upper triangle): U[i + q, j] = L[j, i + q].
  const lAtBack = (q2: number, q: number): Bytes => (cbMajor ? lAt(q, q2) : lAt(q2, q));
  const order = back ? [3, 2, 1, 0] : [0, 1, 2, 3];
  const diag = order.flatMap((q, n) =>
    [0, 1].flatMap((h) => {
      const prev = order.slice(0, n);
      // x = (b - acc - sum over solved q2 of L[.,.] x_q2) * inv
      let e: Bytes = v(vLoad(add(get(bi), rowOff(q)), 16 * h), get(acc[q * 2 + h]!), f64x2Op.sub);
      for (const q2 of prev) e = v(e, back ? lAtBack(q2, q) : lAt(q, q2), get(acc[q2 * 2 + h]!), f64x2Op.mul, f64x2Op.sub);
      e = v(e, vLoadSplat64(add(get(inv), mul(add(get(i), i32(q)), i32(8)))), f64x2Op.mul);
      return [set(acc[q * 2 + h]!, e), vStore(add(get(bi), rowOff(q)), get(acc[q * 2 + h]!), 16 * h)];
    }),
  );
  const inner = back && cbMajor
    ? // j from i + 4 to nr: acc[q] += U[i + q, j] * X[j], U's four rows streamed
      v(
        set(lq[0]!, add(get(l), mul(add(mul(get(i), get(np)), get(i), i32(4)), i32(8)))),
        ...[1, 2, 3].map((q) => set(lq[q]!, add(get(lq[q - 1]!), get(np8)))),
        set(xp, bAt(add(get(i), i32(4)))),
        loop(j, i32(0), mul(v(get(nr), get(i), [I32_SUB], i32(4), [I32_SUB]), i32(8)), 8,
          set(x0, vLoad(get(xp))),
          set(x1, vLoad(get(xp), 16)),
          ...[0, 1, 2, 3].flatMap((q) => [set(s, vLoadSplat64(add(get(lq[q]!), get(j)))), madd(fma, acc[q * 2]!, get(s), get(x0)), madd(fma, acc[q * 2 + 1]!, get(s), get(x1))]),
          set(xp, add(get(xp), bStep)),
        ),
      )
    : back
    ? // j from i + 4 to np: acc[q] += L[j, i + q] * X[j]
      v(
        set(lp, add(get(l), mul(add(mul(add(get(i), i32(4)), get(np)), get(i)), i32(8)))),
        set(xp, bAt(add(get(i), i32(4)))),
        loop(j, add(get(i), i32(4)), get(nr), 1,
          set(x0, vLoad(get(xp))),
          set(x1, vLoad(get(xp), 16)),
          ...[0, 1, 2, 3].flatMap((q) => [set(s, vLoadSplat64(get(lp), q * 8)), madd(fma, acc[q * 2]!, get(s), get(x0)), madd(fma, acc[q * 2 + 1]!, get(s), get(x1))]),
          set(lp, add(get(lp), get(np8))),
          set(xp, add(get(xp), bStep)),
        ),
      )
    : // j from 0 to i: acc[q] += L[i + q, j] * X[j]
      v(
        set(xp, bAt(i32(0))),
        loop(j, i32(0), mul(get(i), i32(8)), 8,
          set(x0, vLoad(get(xp))),
          set(x1, vLoad(get(xp), 16)),
          ...[0, 1, 2, 3].flatMap((q) => [set(s, vLoadSplat64(add(get(lq[q]!), get(j)))), madd(fma, acc[q * 2]!, get(s), get(x0)), madd(fma, acc[q * 2 + 1]!, get(s), get(x1))]),
          set(xp, add(get(xp), bStep)),
        ),
      );
  return v(
    set(np8, mul(get(np), i32(8))),
    set(kp8, mul(get(kp), i32(8))),
    set(nrb, get(nr), i32(2), [0x76]), // nr >> 2 (i32.shr_u)
    loop(rr, i32(0), get(nrb), 1,
      set(i, mul(back ? v(get(nrb), get(rr), [I32_SUB], i32(1), [I32_SUB]) : get(rr), i32(4))),
      ...(back ? [] : [set(lq[0]!, add(get(l), mul(mul(get(i), get(np)), i32(8)))), ...[1, 2, 3].map((q) => set(lq[q]!, add(get(lq[q - 1]!), get(np8))))]),
      loop(cb, get(cb0), get(cb1), 1,
        ...acc.map((k) => set(k, f64x2Zero)),
        inner,
        set(bi, bAt(get(i))),
        ...diag,
      ),
    ),
  );
}

export interface CholExports {
  trsm(a: number, np: number, p: number, l: number, inv: number, k0: number, rb0: number, rb1: number): void;
  syrk(a: number, np: number, p: number, k1: number, rb0: number, rb1: number): void;
  fwd(l: number, np: number, b: number, kp: number, inv: number, cb0: number, cb1: number, nr: number): void;
  bwd(l: number, np: number, b: number, kp: number, inv: number, cb0: number, cb1: number, nr: number): void;
  /**
   * fwd / bwd on B stored column block by column block (block cb at b + cb nr 32 bytes);
   * bwdc reads U = L^T (row-major, its upper triangle and zeros past row / column n) at l.
   */
  fwdc(l: number, np: number, b: number, kp: number, inv: number, cb0: number, cb1: number, nr: number): void;
  bwdc(u: number, np: number, b: number, kp: number, inv: number, cb0: number, cb1: number, nr: number): void;
}

export { fmaAvailable };

/** The largest shared memory the kernels ask for (4 GiB, wasm32's limit): reserved, not committed. */
export const MAX_PAGES = 65536;

function build(NB: number, fma: boolean, shared: boolean): Uint8Array<ArrayBuffer> {
  return buildModule(
    [
      { name: 'trsm', params: 8, locals: [[I32, 11], [V128, 5]], body: trsm(NB, fma) },
      { name: 'syrk', params: 6, locals: [[I32, 11], [V128, 11]], body: syrk(NB, fma) },
      { name: 'fwd', params: 8, locals: [[I32, 14], [V128, 11]], body: solve(false, fma) },
      { name: 'bwd', params: 8, locals: [[I32, 14], [V128, 11]], body: solve(true, fma) },
      { name: 'fwdc', params: 8, locals: [[I32, 14], [V128, 11]], body: solve(false, fma, true) },
      { name: 'bwdc', params: 8, locals: [[I32, 14], [V128, 11]], body: solve(true, fma, true) },
    ],
    shared ? { shared: true, maxPages: MAX_PAGES } : {},
  );
}

const modules = new Map<string, WebAssembly.Module | null>();

/** The compiled kernels for panel width NB (a multiple of 4), or null without wasm SIMD. */
export function cholModule(NB: number, shared: boolean, fma = fmaAvailable()): WebAssembly.Module | null {
  const key = `${NB}/${shared}/${fma}`;
  let m = modules.get(key);
  if (m === undefined) {
    try {
      m = new WebAssembly.Module(build(NB, fma, shared));
    } catch {
      m = null;
    }
    modules.set(key, m);
  }
  return m;
}
