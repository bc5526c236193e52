// WebAssembly SIMD (f64x2) building blocks shared by the dense sum-layer kernels (monotone:
// sum-layer-wasm.ts; signed, for squared circuits: signed-sum-wasm.ts): opcodes wasm-asm.ts
// lacks, exp and log of a v128 (polynomials by Estrin's scheme) and the 4 x 4-tiled gemm.
import { uleb, f64x2, f64x2Op as V, f64x2RelaxedMadd, get, i32, i64, loop, add, mul, set, vLoad, vLoadSplat64, vOp, vStore, type Bytes } from './wasm-asm.js';

export const cat = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
export const F64_MAX = 0xa5;
export const F64_EQ = 0x61;
export const SELECT = 0x1b;
export const F64_STORE = (addr: Bytes, value: Bytes, offset = 0): Bytes => [...addr, ...value, 0x39, 3, ...uleb(offset)];
export const DIV = [0xfd, 0xf3, 0x01];
export const ABS = [0xfd, 0xec, 0x01];
export const MAX = [0xfd, 0xf5, 0x01]; // f64x2.max: NaN-propagating (pmax is not)
export const LT = [0xfd, 0x49];
export const GT = [0xfd, 0x4a];
export const EQ = [0xfd, 0x47];
export const I64_SHR_U = [0xfd, 0xcd, 0x01];
export const f64c = (x: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
/** A double with the given bit pattern (as a splat constant). */
export const bitsSplat = (bits: bigint): Bytes => f64x2(new Float64Array(BigUint64Array.of(bits).buffer)[0]!);

export const LN2_HI = 6.93147180369123816490e-1;
export const LN2_LO = 1.90821492927058770002e-10;
/** 1, 1/3, ..., 1/23: log m = 2 s sum_k z^k / (2k + 1), z = s^2, |s| <= 0.172. */
export const ATANH = Array.from({ length: 12 }, (_, k) => 1 / (2 * k + 1));
/** 1/k!, k = 0..13: exp(r) on |r| <= ln 2 / 2. */
export const INV_FACT = Array.from({ length: 14 }, (_, k) => 1 / Array.from({ length: k }, (_, j) => j + 1).reduce((a, b) => a * b, 1));
export const SHIFT = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer kept in the low bits

/**
 * sum_k c[k] x^k by Estrin's scheme: (low half) + x^h (high half), recursively, with the powers
 * x, x^2, x^4, x^8 in locals `pows` (computed by the caller). Its dependency chains are a
 * third of Horner's: the loops over a row overlap several evaluations.
 */
export function estrin(c: readonly number[], pows: readonly number[]): Bytes {
  if (c.length === 1) return f64x2(c[0]!);
  const L = Math.ceil(Math.log2(c.length));
  const h = 2 ** (L - 1);
  return cat(estrin(c.slice(0, h), pows), estrin(c.slice(h), pows), get(pows[L - 1]!), V.mul, V.add);
}
/** Sets locals pows[1..] to x^2, x^4, x^8 (pows[0] holds x). */
export const powers = (pows: readonly number[]): Bytes => cat(set(pows[1]!, get(pows[0]!), get(pows[0]!), V.mul), set(pows[2]!, get(pows[1]!), get(pows[1]!), V.mul), set(pows[3]!, get(pows[2]!), get(pows[2]!), V.mul));

/**
 * exp of the v128 in local x (x <= 0 in this kernel: 0 below -708, NaN kept), on the stack:
 * mixture-wasm.ts's expV (reduction by ln 2, the degree-13 Taylor polynomial, 2^k from the
 * rounded value's bits) with the polynomial by Estrin's scheme. Locals k, r, r2, r4, r8 scratch.
 */
export function expV(x: number, k: number, r: number, r2: number, r4: number, r8: number): Bytes {
  return cat(
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
export function logV(c: number, s: number, e: number, m: number, z: number, z2: number, z4: number, z8: number): Bytes {
  return cat(
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
export const madd = (fma: boolean, acc: number, e: number, b: number): Bytes =>
  fma ? set(acc, get(e), get(b), get(acc), f64x2RelaxedMadd) : set(acc, get(acc), get(e), get(b), V.mul, V.add);

/**
 * gemm(rows, kc): C[r, j] (+)= sum_{k < kc} A[r, k] B[k, j] for r < rows (a multiple of 4),
 * j < jp (a multiple of 4); lda, jp and the region offsets baked in. 4 rows x 4 columns.
 */
export function gemm(a: number, lda: number, b: number, c: number, jp: number, accumulate: boolean, fma: boolean): Bytes {
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
