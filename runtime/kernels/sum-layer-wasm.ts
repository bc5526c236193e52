// WebAssembly SIMD (f64x2) kernels of the folded dense sum layer (sum-layer-fast.ts drives
// them), one module per padded shape (Ip inputs, Up units, both multiples of 4) with its
// block layout baked in as constants. A block is up to R rows; every region is row-major:
//   fwd(rows):   E = exp(A - m) (m = row max, 0 when -inf), O = E @ WT, O = log(O) + m
//   bwd(rows, counts):  E and m as fwd; O = r = FL exp(m - O) (0 where FL = 0 or O = -inf);
//                CT = (RW r)^T; G = r @ W; CF += E * G; T += CT @ E (when counts)
// exp is mixture-wasm.ts's (within 1 ulp of Math.exp); log is 2 atanh((m-1)/(m+1)) on the
// mantissa (a degree-11 series in its square: ~1 ulp); multiply-adds of the matmuls are
// relaxed_madd (FMA) where the engine has relaxed SIMD. rows is a multiple of 4.
import { fmaAvailable } from './wasm-features.js';
import { add, buildModule, uleb, F64, f64x2, f64x2Op as V, f64x2RelaxedMadd, get, I32, i32, i64, lane64, loop, mul, set, V128, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

/** Rows per block. */
export const R = 64;

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const F64_MAX = 0xa5;
const F64_EQ = 0x61;
const SELECT = 0x1b;
const F64_STORE = (addr: Bytes, value: Bytes, offset = 0): Bytes => [...addr, ...value, 0x39, 3, ...uleb(offset)];
const DIV = [0xfd, 0xf3, 0x01];
const MAX = [0xfd, 0xf5, 0x01]; // f64x2.max: NaN-propagating (pmax is not)
const LT = [0xfd, 0x49];
const GT = [0xfd, 0x4a];
const EQ = [0xfd, 0x47];
const I64_SHR_U = [0xfd, 0xcd, 0x01];
const f64c = (x: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
/** A double with the given bit pattern (as a splat constant). */
const bitsSplat = (bits: bigint): Bytes => f64x2(new Float64Array(BigUint64Array.of(bits).buffer)[0]!);

/** Byte offsets of the regions of a block, for inputs Ip and units Up. */
export function layout(Ip: number, Up: number) {
  const WT = 0;
  const W = WT + Ip * Up * 8;
  const A = W + Up * Ip * 8;
  const M = A + R * Ip * 8;
  const O = M + R * 8;
  const FL = O + R * Up * 8;
  const G = FL + R * Up * 8;
  const CT = G + R * Ip * 8;
  const T = CT + Up * R * 8;
  const RW = T + Up * Ip * 8;
  const CF = RW + R * 8;
  return { WT, W, A, M, O, FL, G, CT, T, RW, CF, bytes: CF + R * Ip * 8 };
}

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 1, 1/3, ..., 1/23: log m = 2 s sum_k z^k / (2k + 1), z = s^2, |s| <= 0.172. */
const ATANH = Array.from({ length: 12 }, (_, k) => 1 / (2 * k + 1));
/** 1/k!, k = 0..13: exp(r) on |r| <= ln 2 / 2. */
const INV_FACT = Array.from({ length: 14 }, (_, k) => 1 / Array.from({ length: k }, (_, j) => j + 1).reduce((a, b) => a * b, 1));
const SHIFT = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer kept in the low bits

/**
 * sum_k c[k] x^k by Estrin's scheme: (low half) + x^h (high half), recursively, with the powers
 * x, x^2, x^4, x^8 in locals `pows` (computed by the caller). Its dependency chains are a
 * third of Horner's: the loops over a row overlap several evaluations.
 */
function estrin(c: readonly number[], pows: readonly number[]): Bytes {
  if (c.length === 1) return f64x2(c[0]!);
  const L = Math.ceil(Math.log2(c.length));
  const h = 2 ** (L - 1);
  return v(estrin(c.slice(0, h), pows), estrin(c.slice(h), pows), get(pows[L - 1]!), V.mul, V.add);
}
/** Sets locals pows[1..] to x^2, x^4, x^8 (pows[0] holds x). */
const powers = (pows: readonly number[]): Bytes => v(set(pows[1]!, get(pows[0]!), get(pows[0]!), V.mul), set(pows[2]!, get(pows[1]!), get(pows[1]!), V.mul), set(pows[3]!, get(pows[2]!), get(pows[2]!), V.mul));

/**
 * exp of the v128 in local x (x <= 0 in this kernel: 0 below -708, NaN kept), on the stack:
 * mixture-wasm.ts's expV (reduction by ln 2, the degree-13 Taylor polynomial, 2^k from the
 * rounded value's bits) with the polynomial by Estrin's scheme. Locals k, r, r2, r4, r8 scratch.
 */
export function expV(x: number, k: number, r: number, r2: number, r4: number, r8: number): Bytes {
  return v(
    set(k, get(x), f64x2(-708), V.pmax, f64x2(709), V.pmin, f64x2(Math.LOG2E), V.mul, f64x2(SHIFT), V.add),
    set(r, get(k), f64x2(SHIFT), V.sub),
    set(r, get(x), get(r), f64x2(LN2_HI), V.mul, V.sub, get(r), f64x2(LN2_LO), V.mul, V.sub),
    powers([r, r2, r4, r8]),
    estrin(INV_FACT, [r, r2, r4, r8]),
    get(k), i64(1023), V.i64x2Splat, V.i64x2Add, i32(52), V.i64x2Shl, V.mul,
    get(x), f64x2(-708), V.ge, vOp.and,
  );
}

/** log of the v128 in local c (c >= 0), on the stack; locals s, e, m, z, z2, z4, z8 scratch. */
function logV(c: number, s: number, e: number, m: number, z: number, z2: number, z4: number, z8: number): Bytes {
  return v(
    // subnormals scaled by 2^54 (their exponent corrected below)
    set(z, get(c), f64x2(2 ** -1022), LT),
    set(s, get(c), f64x2(2 ** 54), V.mul, get(c), get(z), vOp.bitselect),
    // exponent as a float: (bits >> 52) as the low bits of 2^52, minus 2^52 + 1023 (and 54 where scaled)
    set(e, get(s), i32(52), I64_SHR_U, bitsSplat(0x4330000000000000n), vOp.or, f64x2(2 ** 52 + 1023), V.sub, get(z), f64x2(54), vOp.and, V.sub),
    set(m, get(s), bitsSplat(0x000fffffffffffffn), vOp.and, f64x2(1), vOp.or), // mantissa in [1, 2)
    // m > sqrt 2: m / 2, e + 1
    set(z, get(m), f64x2(Math.SQRT2), GT),
    set(m, get(m), f64x2(0.5), V.mul, get(m), get(z), vOp.bitselect),
    set(e, get(e), get(z), f64x2(1), vOp.and, V.add),
    set(s, get(m), f64x2(1), V.sub, get(m), f64x2(1), V.add, DIV),
    set(z, get(s), get(s), V.mul),
    powers([z, z2, z4, z8]),
    set(m, estrin(ATANH, [z, z2, z4, z8]), get(s), V.mul), // atanh(s); log m = 2 atanh(s)
    get(e), f64x2(LN2_HI), V.mul,
    get(e), f64x2(LN2_LO), V.mul, get(m), get(m), V.add, V.add,
    V.add,
    // c itself where not below +inf (NaN, +inf); -inf where c == 0
    get(c), get(c), f64x2(Infinity), LT, vOp.bitselect,
    set(z), // reuse z as the result
    f64x2(-Infinity), get(z), get(c), f64x2(0), EQ, vOp.bitselect,
  );
}

/** madd(acc) = e * b + acc, fused where `fma`. */
const madd = (fma: boolean, acc: number, e: number, b: number): Bytes =>
  fma ? set(acc, get(e), get(b), get(acc), f64x2RelaxedMadd) : set(acc, get(acc), get(e), get(b), V.mul, V.add);

/**
 * gemm(rows, kc): C[r, j] (+)= sum_{k < kc} A[r, k] B[k, j] for r < rows (a multiple of 4),
 * j < jp (a multiple of 4); lda, jp and the region offsets baked in. 4 rows x 4 columns.
 */
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

/** rowmax_exp over the rows of A (width Ip): M[r] = max (0 when -inf, NaN when any NaN), A = exp(A - M[r]). */
function rowmaxExp(Ip: number, L: ReturnType<typeof layout>, rowsLocal: number, first: number, pows: readonly number[]): Bytes {
  const [r, p, pend] = [first, first + 1, first + 2];
  const [mx, x, k, rr] = [first + 3, first + 4, first + 5, first + 6];
  const ms = first + 7; // f64
  return loop(r, i32(0), get(rowsLocal), 1,
    set(p, add(i32(L.A), mul(get(r), i32(Ip * 8)))),
    set(pend, add(get(p), i32(Ip * 8))),
    set(mx, f64x2(-Infinity)),
    loop(p, get(p), get(pend), 16, set(mx, get(mx), vLoad(get(p)), MAX)),
    set(ms, get(mx), lane64(0), get(mx), lane64(1), [F64_MAX]),
    set(ms, f64c(0), get(ms), get(ms), f64c(-Infinity), [F64_EQ], [SELECT]),
    F64_STORE(add(i32(L.M), mul(get(r), i32(8))), get(ms)),
    set(mx, get(ms), V.splat),
    set(p, add(i32(L.A), mul(get(r), i32(Ip * 8)))),
    loop(p, get(p), get(pend), 16, set(x, vLoad(get(p)), get(mx), V.sub), vStore(get(p), expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!))),
  );
}

// fwd(rows, _): locals 2-4 i32, 5-8 v128, 9 f64 (rowmaxExp's), 10-13 v128 (log's scratch),
// 14-16 v128 (powers of the polynomials' arguments).
// `dst`: where log(O) + m goes (O itself; FL for fwdKeep, which leaves the linear O in place).
function fwdBody(Ip: number, Up: number, dst = layout(Ip, Up).O): Bytes {
  const L = layout(Ip, Up);
  const [rows, kc] = [0, 1];
  const [r, p, pend, mx, x] = [2, 3, 4, 5, 6];
  const [s, e, m, z] = [10, 11, 12, 13];
  const pows = [14, 15, 16];
  return v(
    rowmaxExp(Ip, L, rows, 2, pows),
    set(kc, i32(Ip)),
    [0x20, rows, 0x20, kc, 0x10, 0], // gemm_f(rows, Ip): O = E @ WT
    loop(r, i32(0), get(rows), 1,
      set(mx, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      set(p, add(i32(L.O), mul(get(r), i32(Up * 8)))),
      set(pend, add(get(p), i32(Up * 8))),
      loop(p, get(p), get(pend), 16, set(x, vLoad(get(p))), vStore(get(p), v(logV(x, s, e, m, z, pows[0]!, pows[1]!, pows[2]!), get(mx), V.add), dst - L.O)),
    ),
  );
}
export const FWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [V128, 7]];

// bwd(rows, counts): locals 2-4 i32, 5-8 v128, 9 f64 (rowmaxExp's), 10-11 i32, 12-18 v128,
// 19-21 v128 (powers).
// `kept` (bwdKept): A already holds E and O the linear O of fwdKeep: no exp at all, r = FL / O.
function bwdBody(Ip: number, Up: number, kept = false): Bytes {
  const L = layout(Ip, Up);
  const [rows, counts, r, p, u, q, kc] = [0, 1, 2, 3, 4, 10, 11];
  const [ms, o, fl, x, k, rr, rw] = [12, 13, 14, 15, 16, 17, 18];
  const NE = [0xfd, 0x48];
  const pows = [19, 20, 21];
  // r = FL exp(m - O) = FL / O_linear; masked to 0 where FL = 0 or O = -inf (O_linear = 0).
  const ratio = kept
    ? v(get(fl), get(o), DIV, get(fl), f64x2(0), NE, get(o), f64x2(0), NE, vOp.and, vOp.and)
    : v(get(ms), get(o), V.sub, set(x), expV(x, k, rr, pows[0]!, pows[1]!, pows[2]!), get(fl), V.mul, get(fl), f64x2(0), NE, get(o), f64x2(-Infinity), NE, vOp.and, vOp.and);
  return v(
    kept ? [] : rowmaxExp(Ip, L, rows, 2, pows),
    // r (into O); CT[u, r] = RW[r] r
    loop(r, i32(0), get(rows), 1,
      set(ms, vLoadSplat64(add(i32(L.M), mul(get(r), i32(8))))),
      set(rw, vLoadSplat64(add(i32(L.RW), mul(get(r), i32(8))))),
      loop(u, i32(0), i32(Up), 2,
        set(p, add(mul(get(r), i32(Up * 8)), mul(get(u), i32(8)))),
        set(o, vLoad(get(p), L.O)),
        set(fl, vLoad(get(p), L.FL)),
        set(x, ratio),
        vStore(get(p), get(x), L.O),
        set(q, add(i32(L.CT), mul(add(mul(get(u), i32(R)), get(r)), i32(8)))),
        set(x, get(x), get(rw), V.mul),
        F64_STORE(get(q), v(get(x), lane64(0))),
        F64_STORE(get(q), v(get(x), lane64(1)), R * 8),
      ),
    ),
    set(kc, i32(Up)),
    [0x20, rows, 0x20, kc, 0x10, 1], // gemm_g(rows, Up): G = r @ W
    // CF += E * G
    loop(p, i32(0), mul(get(rows), i32(Ip * 8)), 16,
      vStore(get(p), v(vLoad(get(p), L.CF), vLoad(get(p), L.A), vLoad(get(p), L.G), V.mul, V.add), L.CF),
    ),
    // T += CT @ E
    get(counts), [0x04, 0x40], i32(Up), get(rows), [0x10, 2], [0x0b],
  );
}
export const BWD_LOCALS: [number, number][] = [[I32, 3], [V128, 4], [F64, 1], [I32, 2], [V128, 10]];

export interface SumLayerWasm {
  readonly memory: WebAssembly.Memory;
  readonly layout: ReturnType<typeof layout>;
  fwd(rows: number): void;
  bwd(rows: number, counts: number): void;
  /** fwd, but log(O) + m goes to FL, E stays in A and the linear O in O (for bwdKept). */
  fwdKeep(rows: number): void;
  /** bwd from fwdKeep's E (in A) and linear O (in O): no exp. */
  bwdKept(rows: number, counts: number): void;
}

const compiled = new Map<string, WebAssembly.Module | null>();

/** An instance for padded shapes (Ip, Up multiples of 4), or null without wasm SIMD. */
export function sumLayerWasm(Ip: number, Up: number): SumLayerWasm | null {
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
          { name: 'fwd', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up) },
          { name: 'bwd', params: 2, locals: BWD_LOCALS, body: bwdBody(Ip, Up) },
          { name: 'fwdKeep', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up, L.FL) },
          { name: 'bwdKept', params: 2, locals: BWD_LOCALS, body: bwdBody(Ip, Up, true) },
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
  type Fn = (rows: number, flag: number) => void;
  const ex = inst.exports as unknown as { fwd: Fn; bwd: Fn; fwdKeep: Fn; bwdKept: Fn };
  return { memory, layout: L, fwd: (rows) => ex.fwd(rows, 0), bwd: (rows, counts) => ex.bwd(rows, counts), fwdKeep: (rows) => ex.fwdKeep(rows, 0), bwdKept: (rows, counts) => ex.bwdKept(rows, counts) };
}
