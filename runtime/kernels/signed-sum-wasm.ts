// WebAssembly SIMD (f64x2) kernel of a dense sum node with signed weights in signed log space
// (squared circuits): values are (log|x|, sign x). One module per padded shape (Ip inputs, Up
// units, multiples of 4), blocks of up to R rows, every region row-major:
//   fwd(rows, signed):  m = row max of A (0 when -inf), E = exp(A - m) (times SA when
//                       `signed`; a positive child has no sign array), O = E @ WT,
//                       OS = sign(O), O = log|O| + m (-inf where O = 0)
//   bwd(rows):          E as fwd (signed); r = FL OS exp(m - O) (0 where FL = 0 or O = -inf,
//                       into O); CT = r^T; G = r @ W; CF += E * G; T += CT @ E
//                       (the caller keeps rows where m - O would overflow exp away from it)
// The same steps as the monotone sum layer (sum-layer-wasm.ts, whose exp, log and 4x4 gemm
// are copied here rather than shared: that file is being changed on another branch) plus the
// signs. rows is a multiple of 4.
import { expV } from './mixture-wasm.js';
import { fmaAvailable } from './wasm-features.js';
import { add, buildModule, uleb, F64, f64x2, f64x2Op as V, f64x2RelaxedMadd, get, I32, i32, lane64, loop, mul, set, V128, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

/** Rows per block. */
export const R = 256;

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const F64_MAX = 0xa5;
const F64_EQ = 0x61;
const SELECT = 0x1b;
const F64_STORE = (addr: Bytes, value: Bytes, offset = 0): Bytes => [...addr, ...value, 0x39, 3, ...uleb(offset)];
const DIV = [0xfd, 0xf3, 0x01];
const ABS = [0xfd, 0xec, 0x01];
const MAX = [0xfd, 0xf5, 0x01]; // f64x2.max: NaN-propagating (pmax is not)
const LT = [0xfd, 0x49];
const GT = [0xfd, 0x4a];
const EQ = [0xfd, 0x47];
const I64_SHR_U = [0xfd, 0xcd, 0x01];
const f64c = (x: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
const bitsSplat = (bits: bigint): Bytes => f64x2(new Float64Array(BigUint64Array.of(bits).buffer)[0]!);

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

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const ATANH = Array.from({ length: 12 }, (_, k) => 1 / (2 * (11 - k) + 1));

/** log of the v128 in local c (c >= 0), on the stack; locals s, e, m, z scratch (as sum-layer-wasm.ts). */
function logV(c: number, s: number, e: number, m: number, z: number): Bytes {
  const horner = ATANH.slice(1).reduce<Bytes>((acc, k) => v(acc, get(z), V.mul, f64x2(k), V.add), f64x2(ATANH[0]!));
  return v(
    set(z, get(c), f64x2(2 ** -1022), LT),
    set(s, get(c), f64x2(2 ** 54), V.mul, get(c), get(z), vOp.bitselect),
    set(e, get(s), i32(52), I64_SHR_U, bitsSplat(0x4330000000000000n), vOp.or, f64x2(2 ** 52 + 1023), V.sub, get(z), f64x2(54), vOp.and, V.sub),
    set(m, get(s), bitsSplat(0x000fffffffffffffn), vOp.and, f64x2(1), vOp.or),
    set(z, get(m), f64x2(Math.SQRT2), GT),
    set(m, get(m), f64x2(0.5), V.mul, get(m), get(z), vOp.bitselect),
    set(e, get(e), get(z), f64x2(1), vOp.and, V.add),
    set(s, get(m), f64x2(1), V.sub, get(m), f64x2(1), V.add, DIV),
    set(z, get(s), get(s), V.mul),
    set(m, horner, get(s), V.mul),
    get(e), f64x2(LN2_HI), V.mul,
    get(e), f64x2(LN2_LO), V.mul, get(m), get(m), V.add, V.add,
    V.add,
    get(c), get(c), f64x2(Infinity), LT, vOp.bitselect,
    set(z),
    f64x2(-Infinity), get(z), get(c), f64x2(0), EQ, vOp.bitselect,
  );
}

const madd = (fma: boolean, acc: number, e: number, b: number): Bytes =>
  fma ? set(acc, get(e), get(b), get(acc), f64x2RelaxedMadd) : set(acc, get(acc), get(e), get(b), V.mul, V.add);

/** gemm(rows, kc): C[r, j] (+)= sum_{k < kc} A[r, k] B[k, j], 4 rows x 4 columns (as sum-layer-wasm.ts). */
function gemm(a: number, lda: number, b: number, c: number, jp: number, accumulate: boolean, fma: boolean): Bytes {
  const [rows, kc, r, j, pa, pend, pb, pc] = [0, 1, 2, 3, 4, 5, 6, 7];
  const acc = [8, 9, 10, 11, 12, 13, 14, 15];
  const [b0, b1, e] = [16, 17, 18];
  return loop(r, i32(0), get(rows), 4,
    loop(j, i32(0), i32(jp), 4,
      set(pc, add(i32(c), mul(add(mul(get(r), i32(jp)), get(j)), i32(8)))),
      ...[0, 1, 2, 3].flatMap((q) => [0, 1].map((h) => set(acc[2 * q + h]!, accumulate ? vLoad(get(pc), q * jp * 8 + h * 16) : f64x2(0)))),
      set(pb, add(i32(b), mul(get(j), i32(8)))),
      set(pa, add(i32(a), mul(get(r), i32(lda * 8)))),
      set(pend, add(get(pa), mul(get(kc), i32(8)))),
      loop(pa, get(pa), get(pend), 8,
        set(b0, vLoad(get(pb))),
        set(b1, vLoad(get(pb), 16)),
        ...[0, 1, 2, 3].flatMap((q) => [set(e, vLoadSplat64(get(pa), q * lda * 8)), madd(fma, acc[2 * q]!, e, b0), madd(fma, acc[2 * q + 1]!, e, b1)]),
        set(pb, get(pb), i32(jp * 8), [0x6a]),
      ),
      ...[0, 1, 2, 3].flatMap((q) => [0, 1].map((h) => vStore(get(pc), get(acc[2 * q + h]!), q * jp * 8 + h * 16))),
    ),
  );
}

/** Per row: M[r] = max of A (0 when -inf, NaN when any NaN), A = exp(A - M[r]) (times SA when signed). Locals 2-9. */
function rowmaxExp(L: ReturnType<typeof layout>, Ip: number, rows: number, signed: boolean): Bytes {
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
      vStore(get(p), signed ? v(expV(x, k, rr), vLoad(get(p), L.SA - L.A), V.mul) : expV(x, k, rr)),
    ),
  );
}

// fwd(rows, _): locals 2-4 i32 (r, p, pend), 5-8 v128 (mx, x, k, rr), 9 f64 (ms), 10-14 v128 (log's scratch, sign).
function fwdBody(Ip: number, Up: number, signed: boolean): Bytes {
  const L = layout(Ip, Up);
  const [rows, kc] = [0, 1];
  const [r, p, pend, mx, x] = [2, 3, 4, 5, 6];
  const [s, e, m, z, sg] = [10, 11, 12, 13, 14];
  const one = f64x2(1);
  return v(
    rowmaxExp(L, Ip, rows, signed),
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
        vStore(get(p), v(logV(x, s, e, m, z), get(mx), V.add)),
      ),
    ),
  );
}
const FWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [V128, 5]];

// bwd(rows, _): locals 2-4 i32, 5-8 v128, 9 f64 (rowmaxExp's), 10-11 i32, 12-18 v128.
function bwdBody(Ip: number, Up: number): Bytes {
  const L = layout(Ip, Up);
  const [rows, r, p, u, q, kc] = [0, 2, 3, 4, 10, 11];
  const [ms, o, fl, x, k, rr, os] = [12, 13, 14, 15, 16, 17, 18];
  const NE = [0xfd, 0x48];
  return v(
    rowmaxExp(L, Ip, rows, true),
    // r = FL OS exp(m - O), 0 where FL = 0 or O = -inf (into O); CT[u, r] = r
    loop(r, i32(0), get(rows), 1,
      set(ms, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      loop(u, i32(0), i32(Up), 2,
        set(p, add(mul(get(r), i32(Up * 8)), mul(get(u), i32(8)))),
        set(o, vLoad(get(p), L.O)),
        set(fl, vLoad(get(p), L.FL)),
        set(os, vLoad(get(p), L.OS)),
        set(x, get(ms), get(o), V.sub),
        set(x, expV(x, k, rr), get(fl), V.mul, get(os), V.mul, get(fl), f64x2(0), NE, get(o), f64x2(-Infinity), NE, vOp.and, vOp.and),
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
const BWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [I32, 2], [V128, 7]];

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
