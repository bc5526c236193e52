// sin and cos of a float64 array at once in WebAssembly SIMD (f64x2): the `sin` activation
// of the integral circuits' nets and its derivative. Reduction by pi/2 in three parts
// (Cody-Waite, fdlibm's pio2_1..3: exact products for |x| < 2^20), then fdlibm's
// __kernel_sin / __kernel_cos polynomials on |r| <= pi/4 (the shortest that keep a few ulp:
// one degree less costs sin ~4e-15 relative), swapped and negated by quadrant.
// Within a few ulp of Math.sin / Math.cos; entries with |x| >= 2^19 (or NaN, infinities)
// are flagged in the same pass and left to Math.sin / Math.cos by the caller.
// Speed (s11-dense): the constants are stored to a scratch table and loaded back into locals
// before the loop, so V8 cannot see their values: it would rematerialize each v128.const at
// every use inside the loop (a 64-bit move, a vmovq and an unpack); loaded, they stay in
// registers or one-instruction spill slots. The polynomials use fused multiply-adds where
// relaxed SIMD has them, and the far check is part of the loop instead of a second pass.
import { buildModule, f64x2Op as V, f64x2RelaxedMadd, get, I32, i32, i64, loop, add, set, V128, vLoad, vStore, type Bytes } from './wasm-asm.js';
import { fmaAvailable } from './wasm-features.js';
import { wasmHeap } from './wasm-heap.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
/** v128.const of (c, c). */
const f64x2 = (c: number): Bytes => [0xfd, 0x0c, ...new Uint8Array(Float64Array.of(c, c).buffer)];
const simd = (code: number): Bytes => [0xfd, code & 0x7f | 0x80, code >> 7];
const AND: Bytes = [0xfd, 0x4e];
const XOR: Bytes = [0xfd, 0x51];
const BITSELECT: Bytes = [0xfd, 0x52];
const ABS: Bytes = [0xfd, 0xec, 0x01];
const LT: Bytes = [0xfd, 0x49];
const I64X2_EQ = simd(0xd6);
/** i64x2.relaxed_laneselect(a, b, m): a where m, b elsewhere (one blend on x64; m must be all ones or zeros per lane). */
const LANESELECT = simd(0x10c);
const I64X2_SPLAT: Bytes = [0xfd, 0x12];
/** f64x2.relaxed_nmadd: c - a b (fused where the CPU has FMA). */
const RELAXED_NMADD: Bytes = simd(0x108);

const SHIFT = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer kept in the low bits
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_3 = 2.02226624871116645580e-21;
const S = [1.58969099521155010221e-10, -2.50507602534068634195e-8, 2.75573137070700676789e-6, -1.98412698298579493134e-4, 8.33333333332248946124e-3, -1.66666666666666324348e-1];
const C = [-1.13596475577881948265e-11, 2.08757232129817482790e-9, -2.75573143513906633035e-7, 2.48015872894767294178e-5, -1.38888888888741095749e-3, 4.16666666666666019037e-2];
/** Inputs at or beyond this magnitude go to Math.sin / Math.cos (the products j * PIO2_1 stop being exact). */
export const SINCOS_LIMIT = 2 ** 19;

/** The constants, each held in a v128 local (index into CONSTS = its local's offset). */
const CONSTS: readonly Bytes[] = [
  f64x2(2 / Math.PI), f64x2(SHIFT), f64x2(PIO2_1), f64x2(PIO2_2), f64x2(PIO2_3), ...S.map(f64x2), ...C.map(f64x2),
  f64x2(0.5), f64x2(1), f64x2(-0), v(i64(1), I64X2_SPLAT), f64x2(SINCOS_LIMIT),
];
const [K_2PI, K_SHIFT, K_P1, K_P2, K_P3] = [0, 1, 2, 3, 4];
const K_S = 5;
const K_C = 11;
const [K_HALF, K_ONE, K_SIGN, K_I1, K_LIMIT] = [17, 18, 19, 20, 21];
const TEMPS = 10;

export interface SinCosFunc {
  readonly params: number;
  readonly locals: [number, number][];
  readonly body: Bytes;
}

/** Bytes of sincos's scratch: the ok vector, then the constants' table. */
export const SINCOS_SCRATCH_BYTES = 16 * (1 + CONSTS.length);

/**
 * sincos(x, s, c, count, scratch): s[i] = sin x[i], c[i] = cos x[i] for i < count (byte offsets;
 * count a multiple of 2 * unroll), and at scratch a v128 whose lanes are all ones iff every
 * |x[i]| < SINCOS_LIMIT (a zero lane: some entry is far or NaN, the caller redoes those with
 * Math); SINCOS_SCRATCH_BYTES from scratch are overwritten. `unroll` pairs per iteration, statement by statement interleaved, so the
 * polynomials' dependency chains overlap. With `fma` the multiply-adds are relaxed_madd.
 */
export function sincosFunc(unroll: number, fma: boolean): SinCosFunc {
  const [x, s, c, count, okOut, i] = [0, 1, 2, 3, 4, 5];
  const k0 = 6; // v128 locals: constants, then `ok`, then each pair's temporaries
  const K = (n: number): Bytes => get(k0 + n);
  const ok = k0 + CONSTS.length;
  // a b + c and c - a b (operands pushed by the caller as Bytes)
  const madd = (a: Bytes, b: Bytes, cc: Bytes): Bytes => (fma ? v(a, b, cc, f64x2RelaxedMadd) : v(a, b, V.mul, cc, V.add));
  const nmadd = (a: Bytes, b: Bytes, cc: Bytes): Bytes => (fma ? v(a, b, cc, RELAXED_NMADD) : v(cc, a, b, V.mul, V.sub));
  const horner = (k: number, z: Bytes): Bytes => [1, 2, 3, 4, 5].reduce<Bytes>((acc, n) => madd(acc, z, K(k + n)), K(k));
  const at = (base: number): Bytes => add(get(base), get(i));
  const select = fma ? LANESELECT : BITSELECT;
  const sign = (bits: Bytes): Bytes => v(bits, i32(62), V.i64x2Shl, K(K_SIGN), AND); // -0: the sign bit alone
  const body = (u: number): Bytes[] => {
    const [xv, t, j, r, z, sr, cr, swap, sinSign, cosSign] = Array.from({ length: TEMPS }, (_, k) => ok + 1 + u * TEMPS + k) as [number, number, number, number, number, number, number, number, number, number];
    const o = u * 16;
    return [
      set(xv, vLoad(at(x), o)),
      // t holds round(x 2/pi) in its low bits; j the same as a float
      set(t, madd(get(xv), K(K_2PI), K(K_SHIFT))),
      set(j, get(t), K(K_SHIFT), V.sub),
      set(r, nmadd(get(j), K(K_P3), nmadd(get(j), K(K_P2), nmadd(get(j), K(K_P1), get(xv))))),
      set(ok, get(ok), get(xv), ABS, K(K_LIMIT), LT, AND),
      set(z, get(r), get(r), V.mul),
      // sin r = r + r z S(z); cos r = (1 - z/2) + z^2 C(z)
      set(sr, madd(v(get(r), get(z), V.mul), horner(K_S, get(z)), get(r))),
      set(cr, madd(v(get(z), get(z), V.mul), horner(K_C, get(z)), nmadd(get(z), K(K_HALF), K(K_ONE)))),
      // quadrant q = j mod 4: sin x = (sin r, cos r, -sin r, -cos r)[q], cos x = (cos r, -sin r, -cos r, sin r)[q]
      // swap: all ones in the lanes where j is odd (an and and a compare: SSE has no 64-bit arithmetic shift)
      set(swap, get(t), K(K_I1), AND, K(K_I1), I64X2_EQ),
      set(sinSign, sign(get(t))),
      set(cosSign, sign(v(get(t), K(K_I1), V.i64x2Add))),
      vStore(at(s), v(get(cr), get(sr), get(swap), select, get(sinSign), XOR), o),
      vStore(at(c), v(get(sr), get(cr), get(swap), select, get(cosSign), XOR), o),
    ];
  };
  const bodies = Array.from({ length: unroll }, (_, u) => body(u));
  const steps = bodies[0]!.map((_, k) => v(...bodies.map((b) => b[k]!)));
  return {
    params: 5,
    locals: [[I32, 1], [V128, CONSTS.length + 1 + TEMPS * unroll]],
    body: v(
      ...CONSTS.map((k, n) => vStore(get(okOut), k, 16 * (n + 1))),
      ...CONSTS.map((_, n) => set(k0 + n, vLoad(get(okOut), 16 * (n + 1)))),
      set(ok, v(i64(-1), I64X2_SPLAT)),
      loop(i, i32(0), v(get(count), i32(8), [0x6c]), 16 * unroll, ...steps),
      vStore(get(okOut), get(ok)),
    ),
  };
}

/** Whether the ok vector sincos stored at byte offset `at` says every input was near (all lanes ones). */
export function allNear(memory: WebAssembly.Memory, at: number): boolean {
  const u = new Int32Array(memory.buffer, at, 4);
  return (u[0]! & u[1]! & u[2]! & u[3]!) === -1;
}

interface SinCosExports {
  readonly memory: WebAssembly.Memory;
  sincos(x: number, s: number, c: number, count: number, ok: number): void;
}

const mods = new Map<boolean, WebAssembly.Module | null>();

function build(fma: boolean, bytes: number): SinCosExports | null {
  let mod = mods.get(fma);
  if (mod === undefined) {
    try {
      const f = sincosFunc(1, fma);
      mod = new WebAssembly.Module(buildModule([{ name: 'sincos', ...f }]));
    } catch {
      mod = null;
    }
    mods.set(fma, mod);
  }
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  return { memory, sincos: (inst.exports as unknown as SinCosExports).sincos };
}

const heaps = new Map<boolean, ReturnType<typeof wasmHeap<SinCosExports>>>();

/**
 * s = sin x, c = cos x (same lengths); false (nothing written) where wasm SIMD is unavailable.
 * `wantFma` false picks the unfused build (the tests run both); true uses the fused one where relaxed SIMD validates.
 */
export function sinCosWasm(x: Float64Array, s: Float64Array, c: Float64Array, wantFma = true): boolean {
  const fma = wantFma && fmaAvailable(); // also turns relaxed SIMD on in V8 where it is behind a flag
  let heap = heaps.get(fma);
  if (!heap) heaps.set(fma, (heap = wasmHeap((bytes) => build(fma, bytes))));
  const n = x.length;
  const np = n + (n & 1);
  const got = heap(3 * np * 8 + SINCOS_SCRATCH_BYTES);
  if (!got) return false;
  const { w, h } = got;
  h.set(x);
  if (np > n) h[n] = 0;
  const okAt = 3 * np * 8;
  w.sincos(0, np * 8, 2 * np * 8, np, okAt);
  s.set(h.subarray(np, np + n));
  c.set(h.subarray(2 * np, 2 * np + n));
  // Far or non-finite inputs: the reduction above is not exact there.
  if (!allNear(w.memory, okAt)) {
    for (let k = 0; k < n; k++) {
      const xk = x[k]!;
      if (!(Math.abs(xk) < SINCOS_LIMIT)) {
        s[k] = Math.sin(xk);
        c[k] = Math.cos(xk);
      }
    }
  }
  return true;
}
