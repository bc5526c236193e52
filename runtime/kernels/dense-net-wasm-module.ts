// The WebAssembly SIMD (f64x2) functions of a whole dense net's forward and backward pass
// (dense-net-wasm.ts drives them), emitted at run time by wasm-asm.ts. All matrices are
// row-major float64 at byte offsets in one memory; m and n are multiples of 4.
//   gemm_bias(a, b, c, m, k, n, bias): C = 1 bias^T + A B        (forward: bias in the epilogue)
//   gemm_set(a, b, c, m, k, n, _):     C = A B                    (backward: gx = gz W^T, W^T kept)
//   gemm_tn(a, b, c, m, k, n, _):      C += A^T B, A is [k x m]   (backward: gw += x^T gz, no transpose)
//   sincos(x, s, c, count, ok):        s = sin x, c = cos x, ok = all ones unless some x is far (sincos-wasm.ts)
//   colsum(g, out, rows, n):           out += 1^T G               (gb)
//   gzsum(g, d, out, rows, n):         G *= D (elementwise), out += 1^T G   (gz = gy cos z and gb in one pass)
// 4 rows x 4 columns of C in 8 v128 accumulators; FMA (relaxed SIMD) where available.
import { add, buildModule, f64x2Op, f64x2RelaxedMadd, f64x2Zero, get, I32, i32, loop, mul, set, V128, vLoad, vLoadSplat64, vStore, type Bytes } from './wasm-asm.js';
import { sincosFunc } from './sincos-wasm.js';

/** Pairs per sincos iteration (counts here are multiples of 16): 2 overlaps the polynomials without spilling much (measured against 1 and 4). */
const SINCOS_UNROLL = 2;

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const madd = (fma: boolean, acc: number, a: Bytes, b: Bytes): Bytes =>
  fma ? set(acc, a, b, get(acc), f64x2RelaxedMadd) : set(acc, get(acc), a, b, f64x2Op.mul, f64x2Op.add);

type Mode = 'bias' | 'set' | 'tn';

// Params a, b, c, m, k, n, bias (0-6); i32 locals 7-18, v128 locals 19-29.
function gemm(fma: boolean, mode: Mode): Bytes {
  const [a, b, c, m, k, n, bias] = [0, 1, 2, 3, 4, 5, 6];
  const [r, j, t, bp, n8, cp, ap, arow, tEnd] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const aq = [16, 17, 18];
  const acc = [19, 20, 21, 22, 23, 24, 25, 26]; // acc[q * 2 + h]: row r + q, columns j + 2h, j + 2h + 1
  const [b0, b1, x] = [27, 28, 29];
  const tn = mode === 'tn';
  // A's rows r..r+3 at column t: NN at ap + q * arow + t (t in bytes); TN at ap + 8q, ap moving down A's rows.
  const splatA = (q: number): Bytes => (tn ? vLoadSplat64(get(ap), q * 8) : vLoadSplat64(add(get(q === 0 ? ap : aq[q - 1]!), get(t))));
  const inner = v(
    set(b0, vLoad(get(bp))),
    set(b1, vLoad(get(bp), 16)),
    ...[0, 1, 2, 3].flatMap((q) => [set(x, splatA(q)), madd(fma, acc[q * 2]!, get(x), get(b0)), madd(fma, acc[q * 2 + 1]!, get(x), get(b1))]),
    set(bp, add(get(bp), get(n8))),
    ...(tn ? [set(ap, add(get(ap), get(arow)))] : []),
  );
  const init = (q: number, h: number): Bytes => (mode === 'bias' ? vLoad(add(get(bias), mul(get(j), i32(8))), h * 16) : f64x2Zero);
  const store = (h: number, q: number): Bytes =>
    tn ? vStore(get(cp), v(vLoad(get(cp), h * 16), get(acc[q * 2 + h]!), f64x2Op.add), h * 16) : vStore(get(cp), get(acc[q * 2 + h]!), h * 16);
  return v(
    set(n8, mul(get(n), i32(8))),
    set(arow, mul(get(tn ? m : k), i32(8))),
    set(tEnd, mul(get(k), i32(8))),
    loop(r, i32(0), get(m), 4,
      ...(tn ? [] : [set(aq[0]!, add(get(a), mul(get(r), get(arow), ), get(arow))), set(aq[1]!, add(get(aq[0]!), get(arow))), set(aq[2]!, add(get(aq[1]!), get(arow)))]),
      loop(j, i32(0), get(n), 4,
        ...[0, 1, 2, 3].flatMap((q) => [0, 1].map((h) => set(acc[q * 2 + h]!, init(q, h)))),
        set(bp, add(get(b), mul(get(j), i32(8)))),
        tn
          ? v(set(ap, add(get(a), mul(get(r), i32(8)))), loop(t, i32(0), get(k), 1, inner))
          : v(set(ap, add(get(a), mul(get(r), get(arow)))), loop(t, i32(0), get(tEnd), 8, inner)),
        set(cp, add(get(c), mul(add(mul(get(r), get(n)), get(j)), i32(8)))),
        ...[0, 1, 2, 3].flatMap((q) => [...[0, 1].map((h) => store(h, q)), set(cp, add(get(cp), get(n8)))]),
      ),
    ),
  );
}

// colsum(g, out, rows, n) (gz: false) and gzsum(g, d, out, rows, n) (gz: true, G *= D first,
// stored back): n a multiple of 4, 4 columns at a time down the rows.
function colsum(gz: boolean): Bytes {
  const [g, d, out, rows, n] = gz ? [0, 1, 2, 3, 4] : [0, -1, 1, 2, 3];
  const base = gz ? 5 : 4;
  const [j, r, gp, n8, dp] = [base, base + 1, base + 2, base + 3, base + 4];
  const [s0, s1, g0, g1] = [base + 5, base + 6, base + 7, base + 8];
  const o = add(get(out), mul(get(j), i32(8)));
  const step = gz
    ? v(
        set(g0, vLoad(get(gp)), vLoad(get(dp)), f64x2Op.mul),
        set(g1, vLoad(get(gp), 16), vLoad(get(dp), 16), f64x2Op.mul),
        vStore(get(gp), get(g0)),
        vStore(get(gp), get(g1), 16),
        set(s0, get(s0), get(g0), f64x2Op.add),
        set(s1, get(s1), get(g1), f64x2Op.add),
        set(dp, add(get(dp), get(n8))),
      )
    : v(set(s0, get(s0), vLoad(get(gp)), f64x2Op.add), set(s1, get(s1), vLoad(get(gp), 16), f64x2Op.add));
  return v(
    set(n8, mul(get(n), i32(8))),
    loop(j, i32(0), get(n), 4,
      set(s0, vLoad(o)),
      set(s1, vLoad(o, 16)),
      set(gp, add(get(g), mul(get(j), i32(8)))),
      ...(gz ? [set(dp, add(get(d), mul(get(j), i32(8))))] : []),
      loop(r, i32(0), get(rows), 1, step, set(gp, add(get(gp), get(n8)))),
      vStore(o, get(s0)),
      vStore(o, get(s1), 16),
    ),
  );
}

export interface DenseNetExports {
  readonly memory: WebAssembly.Memory;
  gemm_bias(a: number, b: number, c: number, m: number, k: number, n: number, bias: number): void;
  gemm_set(a: number, b: number, c: number, m: number, k: number, n: number, unused: number): void;
  gemm_tn(a: number, b: number, c: number, m: number, k: number, n: number, unused: number): void;
  sincos(x: number, s: number, c: number, count: number, ok: number): void;
  colsum(g: number, out: number, rows: number, n: number): void;
  gzsum(g: number, d: number, out: number, rows: number, n: number): void;
}

/** The module's bytes (throws nothing; validation is the caller's). */
export function denseNetModuleBytes(fma: boolean): Uint8Array<ArrayBuffer> {
  const gemmLocals: [number, number][] = [[I32, 12], [V128, 11]];
  return buildModule([
    { name: 'gemm_bias', params: 7, locals: gemmLocals, body: gemm(fma, 'bias') },
    { name: 'gemm_set', params: 7, locals: gemmLocals, body: gemm(fma, 'set') },
    { name: 'gemm_tn', params: 7, locals: gemmLocals, body: gemm(fma, 'tn') },
    { name: 'sincos', ...sincosFunc(SINCOS_UNROLL, fma) },
    { name: 'colsum', params: 4, locals: [[I32, 5], [V128, 4]], body: colsum(false) },
    { name: 'gzsum', params: 5, locals: [[I32, 5], [V128, 4]], body: colsum(true) },
  ]);
}
