// sin and cos of a float64 array at once in WebAssembly SIMD (f64x2): the `sin` activation
// of the integral circuits' nets and its derivative. Reduction by pi/2 in three parts
// (Cody-Waite, fdlibm's pio2_1..3: exact products for |x| < 2^20), then fdlibm's
// __kernel_sin / __kernel_cos polynomials on |r| <= pi/4, swapped and negated by quadrant.
// Within a few ulp of Math.sin / Math.cos; entries with |x| >= 2^19 (or NaN, infinities)
// are left to Math.sin / Math.cos by the caller.
import { buildModule, f64x2Op as V, get, I32, i32, i64, loop, add, set, V128, vLoad, vStore, type Bytes } from './wasm-asm.js';
import { wasmHeap } from './wasm-heap.js';

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
/** v128.const of (c, c): one constant load, not f64.const + splat. */
const f64x2 = (c: number): Bytes => [0xfd, 0x0c, ...new Uint8Array(Float64Array.of(c, c).buffer)];
const simd = (code: number): Bytes => [0xfd, code & 0x7f | 0x80, code >> 7];
const AND: Bytes = [0xfd, 0x4e];
const XOR: Bytes = [0xfd, 0x51];
const BITSELECT: Bytes = [0xfd, 0x52];
const I64X2_SHR_S = simd(0xcc);
const I64X2_SPLAT: Bytes = [0xfd, 0x12];

const SHIFT = 6755399441055744; // 1.5 * 2^52: adding it rounds to an integer kept in the low bits
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_3 = 2.02226624871116645580e-21;
const S = [1.58969099521155010221e-10, -2.50507602534068634195e-8, 2.75573137070700676789e-6, -1.98412698298579493134e-4, 8.33333333332248946124e-3, -1.66666666666666324348e-1];
const C = [-1.13596475577881948265e-11, 2.08757232129817482790e-9, -2.75573143513906633035e-7, 2.48015872894767294178e-5, -1.38888888888741095749e-3, 4.16666666666666019037e-2];
/** Inputs at or beyond this magnitude go to Math.sin / Math.cos (the products j * PIO2_1 stop being exact). */
export const SINCOS_LIMIT = 2 ** 19;

const horner = (cs: readonly number[], z: number): Bytes => cs.slice(1).reduce<Bytes>((acc, c) => v(acc, get(z), V.mul, f64x2(c), V.add), f64x2(cs[0]!));
const i64x2 = (x: number): Bytes => v(i64(x), I64X2_SPLAT);

// sincos(x, s, c, count): s[i] = sin x[i], c[i] = cos x[i] for i < count (byte offsets; count
// a multiple of 2 * unroll). `unroll` pairs per iteration, statement by statement interleaved,
// so the polynomials' dependency chains overlap (locals 5 .. 5 + 10 unroll - 1, v128).
// Exported for dense-net-wasm-module.ts, whose module holds it (unroll 2) beside the matmuls.
export function sincos(unroll = 1): Bytes {
  const [x, s, c, count, i] = [0, 1, 2, 3, 4];
  const at = (base: number): Bytes => add(get(base), get(i));
  const sign = (bits: Bytes): Bytes => v(bits, i32(62), V.i64x2Shl, f64x2(-0), AND); // -0: the sign bit alone
  const body = (u: number): Bytes[] => {
    const [xv, t, j, r, z, sr, cr, swap, sinSign, cosSign] = Array.from({ length: 10 }, (_, k) => 5 + u * 10 + k) as [number, number, number, number, number, number, number, number, number, number];
    const o = u * 16;
    return [
      set(xv, vLoad(at(x), o)),
      // t holds round(x 2/pi) in its low bits; j the same as a float
      set(t, get(xv), f64x2(2 / Math.PI), V.mul, f64x2(SHIFT), V.add),
      set(j, get(t), f64x2(SHIFT), V.sub),
      set(r, get(xv), get(j), f64x2(PIO2_1), V.mul, V.sub, get(j), f64x2(PIO2_2), V.mul, V.sub, get(j), f64x2(PIO2_3), V.mul, V.sub),
      set(z, get(r), get(r), V.mul),
      // sin r = r + r z S(z); cos r = 1 - z/2 + z^2 C(z)
      set(sr, get(r), get(r), get(z), V.mul, horner(S, z), V.mul, V.add),
      set(cr, f64x2(1), get(z), f64x2(0.5), V.mul, V.sub, get(z), get(z), V.mul, horner(C, z), V.mul, V.add),
      // quadrant q = j mod 4: sin x = (sin r, cos r, -sin r, -cos r)[q], cos x = (cos r, -sin r, -cos r, sin r)[q]
      set(swap, get(t), i32(63), V.i64x2Shl, i32(63), I64X2_SHR_S),
      set(sinSign, sign(get(t))),
      set(cosSign, sign(v(get(t), i64x2(1), V.i64x2Add))),
      vStore(at(s), v(get(cr), get(sr), get(swap), BITSELECT, get(sinSign), XOR), o),
      vStore(at(c), v(get(sr), get(cr), get(swap), BITSELECT, get(cosSign), XOR), o),
    ];
  };
  const bodies = Array.from({ length: unroll }, (_, u) => body(u));
  const steps = bodies[0]!.map((_, k) => v(...bodies.map((b) => b[k]!)));
  return loop(i, i32(0), v(get(count), i32(8), [0x6c]), 16 * unroll, ...steps);
}

interface SinCosExports {
  readonly memory: WebAssembly.Memory;
  sincos(x: number, s: number, c: number, count: number): void;
}

let mod: WebAssembly.Module | null | undefined;

function build(bytes: number): SinCosExports | null {
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(buildModule([{ name: 'sincos', params: 4, locals: [[I32, 1], [V128, 10]], body: sincos() }]));
    } catch {
      mod = null;
    }
  }
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  return { memory, sincos: (inst.exports as unknown as SinCosExports).sincos };
}

const heap = wasmHeap(build);

/** s = sin x, c = cos x (same lengths); false (nothing written) where wasm SIMD is unavailable. */
export function sinCosWasm(x: Float64Array, s: Float64Array, c: Float64Array): boolean {
  const n = x.length;
  const np = n + (n & 1);
  const got = heap(3 * np * 8);
  if (!got) return false;
  const { w, h } = got;
  h.set(x);
  if (np > n) h[n] = 0;
  w.sincos(0, np * 8, 2 * np * 8, np);
  s.set(h.subarray(np, np + n));
  c.set(h.subarray(2 * np, 2 * np + n));
  // Far or non-finite inputs: the reduction above is not exact there.
  for (let k = 0; k < n; k++) {
    const xk = x[k]!;
    if (!(Math.abs(xk) < SINCOS_LIMIT)) {
      s[k] = Math.sin(xk);
      c[k] = Math.cos(xk);
    }
  }
  return true;
}
