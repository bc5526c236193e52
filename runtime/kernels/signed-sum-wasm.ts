// WebAssembly SIMD (f64x2) kernel of a dense sum node with signed weights in signed log space
// (squared circuits): values are (log|x|, sign x). One module per padded shape (Ip inputs, Up
// units, multiples of 4), blocks of up to R rows, every region row-major:
//   fwd(rows, signed):  m = row max of A (0 when -inf), E = exp(A - m) (times SA when
//                       `signed`; a positive child has no sign array), O = E @ WT,
//                       OS = sign(O), O = log|O| + m (-inf where O = 0)
//   bwd(rows):          E as fwd (signed); r = FL OS exp(m - O) (0 where FL = 0 or O = -inf,
//                       into O); CT = r^T; G = r @ W; CF += E * G; T += CT @ E
//                       (the caller keeps rows where m - O would overflow exp away from it)
// The same steps as the monotone sum layer (sum-layer-wasm.ts; exp, log and the 4x4 gemm are
// both files' wasm-simd-math.ts) plus the signs. rows is a multiple of 4.
import { fmaAvailable } from './wasm-features.js';
import { ABS, cat as v, expV, f64c, F64_EQ, F64_MAX, F64_STORE, gemm, GT, logV, LT, MAX, SELECT } from './wasm-simd-math.js';
import { add, buildModule, F64, f64x2, f64x2Op as V, get, I32, i32, lane64, loop, mul, set, V128, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

/** Rows per block. */
export const R = 256;

/** Byte offsets of the regions of a block, for inputs Ip and units Up (SA after A, OS after O: offsets are unsigned). */
export function layout(Ip: number, Up: number) {
  const WT = 0;
  const W = WT + Ip * Up * 8;
  const A = W + Up * Ip * 8;
  const SA = A + R * Ip * 8;
  const M = SA + R * Ip * 8;
  const O = M + R * 8;
  const OS = O + R * Up * 8;
  const FL = OS + R * Up * 8;
  const G = FL + R * Up * 8;
  const CT = G + R * Ip * 8;
  const T = CT + Up * R * 8;
  const CF = T + Up * Ip * 8;
  return { WT, W, A, SA, M, O, OS, FL, G, CT, T, CF, bytes: CF + R * Ip * 8 };
}

/** Per row: M[r] = max of A (0 when -inf, NaN when any NaN), A = exp(A - M[r]) (times SA when signed). Locals 2-9. */
function rowmaxExp(L: ReturnType<typeof layout>, Ip: number, rows: number, signed: boolean, pows: readonly number[]): Bytes {
  const [r, p, pend, mx, x, k, rr, ms] = [2, 3, 4, 5, 6, 7, 8, 9];
  return loop(r, i32(0), get(rows), 1,
    set(p, add(i32(L.A), mul(get(r), i32(Ip * 8)))),
    set(pend, add(get(p), i32(Ip * 8))),
    set(mx, f64x2(-Infinity)),
    loop(p, get(p), get(pend), 16, set(mx, get(mx), vLoad(get(p)), MAX)),
    set(ms, get(mx), lane64(0), get(mx), lane64(1), [F64_MAX]),
    set(ms, f64c(0), get(ms), get(ms), f64c(-Infinity), [F64_EQ], [SELECT]),
    F64_STORE(add(i32(L.M), mul(get(r), i32(8))), get(ms)),
    set(mx, get(ms), V.splat),
    set(p, add(i32(L.A), mul(get(r), i32(Ip * 8)))),
    loop(p, get(p), get(pend), 16,
      set(x, vLoad(get(p)), get(mx), V.sub),
      vStore(get(p), signed ? v(expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!), vLoad(get(p), L.SA - L.A), V.mul) : expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!)),
    ),
  );
}

// fwd(rows, _): locals 2-4 i32 (r, p, pend), 5-8 v128 (mx, x, k, rr), 9 f64 (ms), 10-14 v128 (log's scratch, sign),
// 15-17 v128 (powers of the polynomials' arguments).
function fwdBody(Ip: number, Up: number, signed: boolean): Bytes {
  const L = layout(Ip, Up);
  const [rows, kc] = [0, 1];
  const [r, p, pend, mx, x] = [2, 3, 4, 5, 6];
  const [s, e, m, z, sg] = [10, 11, 12, 13, 14];
  const pows = [15, 16, 17];
  const one = f64x2(1);
  return v(
    rowmaxExp(L, Ip, rows, signed, pows),
    set(kc, i32(Ip)),
    [0x20, rows, 0x20, kc, 0x10, 0], // gemm(rows, Ip): O = E @ WT
    loop(r, i32(0), get(rows), 1,
      set(mx, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      set(p, add(i32(L.O), mul(get(r), i32(Up * 8)))),
      set(pend, add(get(p), i32(Up * 8))),
      loop(p, get(p), get(pend), 16,
        set(x, vLoad(get(p))),
        // sign: (x > 0) - (x < 0), 0 for 0 and NaN
        set(sg, get(x), f64x2(0), GT, one, vOp.and, get(x), f64x2(0), LT, one, vOp.and, V.sub),
        vStore(get(p), get(sg), L.OS - L.O),
        set(x, get(x), ABS),
        vStore(get(p), v(logV(x, s, e, m, z, pows[0]!, pows[1]!, pows[2]!), get(mx), V.add)),
      ),
    ),
  );
}
const FWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [V128, 8]];

// bwd(rows, _): locals 2-4 i32, 5-8 v128, 9 f64 (rowmaxExp's), 10-11 i32, 12-18 v128, 19-21 v128 (powers).
function bwdBody(Ip: number, Up: number): Bytes {
  const L = layout(Ip, Up);
  const [rows, r, p, u, q, kc] = [0, 2, 3, 4, 10, 11];
  const [ms, o, fl, x, k, rr, os] = [12, 13, 14, 15, 16, 17, 18];
  const NE = [0xfd, 0x48];
  const pows = [19, 20, 21];
  return v(
    rowmaxExp(L, Ip, rows, true, pows),
    // r = FL OS exp(m - O), 0 where FL = 0 or O = -inf (into O); CT[u, r] = r
    loop(r, i32(0), get(rows), 1,
      set(ms, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      loop(u, i32(0), i32(Up), 2,
        set(p, add(mul(get(r), i32(Up * 8)), mul(get(u), i32(8)))),
        set(o, vLoad(get(p), L.O)),
        set(fl, vLoad(get(p), L.FL)),
        set(os, vLoad(get(p), L.OS)),
        set(x, get(ms), get(o), V.sub),
        set(x, expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!), get(fl), V.mul, get(os), V.mul, get(fl), f64x2(0), NE, get(o), f64x2(-Infinity), NE, vOp.and, vOp.and),
        vStore(get(p), get(x), L.O),
        set(q, add(i32(L.CT), mul(add(mul(get(u), i32(R)), get(r)), i32(8)))),
        F64_STORE(get(q), v(get(x), lane64(0))),
        F64_STORE(get(q), v(get(x), lane64(1)), R * 8),
      ),
    ),
    set(kc, i32(Up)),
    [0x20, rows, 0x20, kc, 0x10, 1], // gemm_g(rows, Up): G = r @ W
    loop(p, i32(0), mul(get(rows), i32(Ip * 8)), 16,
      vStore(get(p), v(vLoad(get(p), L.CF), vLoad(get(p), L.A), vLoad(get(p), L.G), V.mul, V.add), L.CF),
    ),
    i32(Up), get(rows), [0x10, 2], // gemm_t(Up, rows): T += CT @ E
  );
}
const BWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [I32, 2], [V128, 10]];

export interface SignedSumWasm {
  readonly memory: WebAssembly.Memory;
  readonly layout: ReturnType<typeof layout>;
  /** signed: multiply by the input signs SA (else the inputs are positive). */
  fwd(rows: number, signed: boolean): void;
  bwd(rows: number): void;
}

const compiled = new Map<string, WebAssembly.Module | null>();

/** An instance for padded shapes (Ip, Up multiples of 4), or null without wasm SIMD. */
export function signedSumWasm(Ip: number, Up: number): SignedSumWasm | null {
  const fma = fmaAvailable();
  const key = `${Ip},${Up},${fma}`;
  let mod = compiled.get(key);
  const L = layout(Ip, Up);
  if (mod === undefined) {
    const gemmLocals: [number, number][] = [[I32, 6], [V128, 11]];
    try {
      mod = new WebAssembly.Module(
        buildModule([
          { name: 'gemm_f', params: 2, locals: gemmLocals, body: gemm(L.A, Ip, L.WT, L.O, Up, false, fma) },
          { name: 'gemm_g', params: 2, locals: gemmLocals, body: gemm(L.O, Up, L.W, L.G, Ip, false, fma) },
          { name: 'gemm_t', params: 2, locals: gemmLocals, body: gemm(L.CT, R, L.A, L.T, Ip, true, fma) },
          { name: 'fwds', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up, true) },
          { name: 'fwdp', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up, false) },
          { name: 'bwd', params: 2, locals: BWD_LOCALS, body: bwdBody(Ip, Up) },
        ]),
      );
    } catch {
      mod = null;
    }
    compiled.set(key, mod);
  }
  if (mod === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(L.bytes / 65536) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  const ex = inst.exports as unknown as { fwds(rows: number, unused: number): void; fwdp(rows: number, unused: number): void; bwd(rows: number, unused: number): void };
  return { memory, layout: L, fwd: (rows, signed) => (signed ? ex.fwds(rows, 0) : ex.fwdp(rows, 0)), bwd: (rows) => ex.bwd(rows, 0) };
}
