// The WebAssembly SIMD (f32x4) kernels of logsumexp-matmul.ts, emitted at run time by
// wasm-asm.ts: per row max + exp (polynomial, Cephes expf), a 4x8 register-blocked matmul (FMA
// where relaxed SIMD is available),
// and log (Cephes logf) + max. Buffers are byte offsets into the imported memory; rows is a
// multiple of 4, kp of 4, jp of 8.
import { fmaAvailable } from './wasm-features.js';
import { add, buildModule, f32, f32Load, f32Store, F32, f32x4, f32x4RelaxedMadd, get, I32, i32, i32x4, lane, loop, mul, op, set, V128, vLoad, vLoadSplat32, vOp, vStore, type Bytes } from './wasm-asm.js';

const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_LO = -87.33654;
const MAGIC = 12582912; // 1.5 * 2^23 // below: exp underflows the normal range, flushed to 0
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];

const v = (...parts: Bytes[]): Bytes => parts.flatMap((p) => [...p]);
const vmul = (a: Bytes, b: Bytes): Bytes => v(a, b, vOp.f32x4Mul);
const vadd = (a: Bytes, b: Bytes): Bytes => v(a, b, vOp.f32x4Add);
const vsub = (a: Bytes, b: Bytes): Bytes => v(a, b, vOp.f32x4Sub);
/** Whether the module being built fuses multiply-adds (set by lseWasm around the build). */
let FMA = false;
/** a * b + c, one relaxed_madd when FMA. */
const vfma = (a: Bytes, b: Bytes, c: Bytes): Bytes => (FMA ? v(a, b, c, f32x4RelaxedMadd) : vadd(vmul(a, b), c));
/** Horner: ((c0 x + c1) x + ...) for the v128 in local x. */
const horner = (cs: readonly number[], x: number): Bytes => cs.slice(1).reduce<Bytes>((acc, c) => vfma(acc, get(x), f32x4(c)), f32x4(cs[0]!));

/**
 * exp of the v128 in local x (x <= 0 expected); uses locals n, r. Leaves the result on the
 * stack. Rounding by the 1.5 * 2^23 trick: t's low mantissa bits are round(x log2 e), so
 * (bits(t) + 127) << 23 is 2^n without a float-to-int conversion.
 */
function expV(x: number, n: number, r: number): Bytes {
  const xc = v(get(x), f32x4(EXP_LO), vOp.f32x4Max);
  return v(
    set(n, vfma(xc, f32x4(Math.LOG2E), f32x4(MAGIC))), // t
    set(r, get(n), i32x4(127), vOp.i32x4Add, i32(23), vOp.i32x4Shl), // 2^n, kept in r for now
    set(n, vsub(get(n), f32x4(MAGIC))), // n as a float
    get(r),
    set(r, vfma(get(n), f32x4(-LN2_LO), vfma(get(n), f32x4(-LN2_HI), xc))),
    // (p(r) r^2 + r + 1) * 2^n, zero where x < EXP_LO (and for -inf)
    vadd(vfma(vmul(horner(EXP_P, r), get(r)), get(r), get(r)), f32x4(1)),
    vOp.f32x4Mul,
    get(x), f32x4(EXP_LO), vOp.f32x4Ge, vOp.and,
  );
}

/** log of the v128 in local c (c >= 0); uses locals s, e, m, z. Leaves the result on the stack. */
function logV(c: number, s: number, e: number, m: number, z: number): Bytes {
  return v(
    // s = denormal lanes scaled by 2^24 (their exponent corrected below)
    set(s, vmul(get(c), f32x4(2 ** 24)), get(c), get(c), f32x4(2 ** -126), vOp.f32x4Lt, vOp.bitselect),
    set(e, get(s), i32(23), vOp.i32x4ShrU, i32x4(126), vOp.i32x4Sub, vOp.f32x4ConvertI32x4S),
    set(m, get(s), i32x4(0x007fffff), vOp.and, i32x4(0x3f000000), vOp.or), // mantissa in [0.5, 1)
    // m < sqrt(1/2): e -= 1, m = 2m - 1; else m = m - 1
    set(z, get(m), f32x4(Math.SQRT1_2), vOp.f32x4Lt),
    set(e, vsub(vsub(get(e), v(get(z), f32x4(1), vOp.and)), v(get(c), f32x4(2 ** -126), vOp.f32x4Lt, f32x4(24), vOp.and))),
    set(m, vsub(vadd(get(m), v(get(z), get(m), vOp.and)), f32x4(1))),
    set(z, vmul(get(m), get(m))),
    vfma(
      get(e),
      f32x4(LN2_HI),
      vadd(vfma(get(e), f32x4(LN2_LO), vmul(vmul(horner(LOG_P, m), get(m)), get(z))), vfma(get(z), f32x4(-0.5), get(m))),
    ),
    f32x4(-Infinity), get(c), f32x4(0), vOp.f32x4Ne, vOp.bitselect, // -inf where c == 0
  );
}

// rowmax_exp(a, m, rows, kp): m[r] = max_i a[r, i] (0 when -inf); a[r, i] = exp(a[r, i] - m[r]).
function rowmaxExp(): Bytes {
  const [a, m, rows, kp, r, i, row, x, n, rr, mx] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const mxs = 11; // f32
  const addr = add(get(row), mul(get(i), i32(4)));
  return loop(r, i32(0), get(rows), 1,
    set(row, add(get(a), mul(mul(get(r), get(kp)), i32(4)))),
    set(mx, f32x4(-Infinity)),
    loop(i, i32(0), get(kp), 4, set(mx, get(mx), vLoad(addr), vOp.f32x4Max)),
    set(mxs, get(mx), lane(0), get(mx), lane(1), [op.f32Max], get(mx), lane(2), [op.f32Max], get(mx), lane(3), [op.f32Max]),
    set(mxs, f32(0), get(mxs), get(mxs), f32(-Infinity), [op.f32Eq], [op.select]),
    f32Store(add(get(m), mul(get(r), i32(4))), get(mxs)),
    set(mx, get(mxs), vOp.f32x4Splat),
    loop(i, i32(0), get(kp), 4, set(x, vLoad(addr), get(mx), vOp.f32x4Sub), vStore(addr, expV(x, n, rr))),
  );
}

// gemm(a, w, c, rows): c[rows x jp] = a[rows x kp] @ w[kp x jp], 4 rows x 8 columns at a time,
// with kp and jp baked in (row offsets are load immediates, one pointer walks A's rows) and
// fused multiply-adds (f32x4.relaxed_madd) where the engine has relaxed SIMD.
function gemm(kp: number, jp: number, fma: boolean): Bytes {
  const [a, w, c, rows, r, j, pa, pend, wp, cp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const acc = [10, 11, 12, 13, 14, 15, 16, 17];
  const [w0, w1, e] = [18, 19, 20];
  const madd = (k: number, x: number): Bytes => (fma ? set(k, get(e), get(x), get(k), f32x4RelaxedMadd) : set(k, vadd(get(k), vmul(get(e), get(x)))));
  return loop(r, i32(0), get(rows), 4,
    loop(j, i32(0), i32(jp), 8,
      ...acc.map((k) => set(k, f32x4(0))),
      set(wp, add(get(w), mul(get(j), i32(4)))),
      set(pend, add(get(a), mul(add(get(r), i32(1)), i32(kp * 4)))),
      loop(pa, add(get(a), mul(get(r), i32(kp * 4))), get(pend), 4,
        set(w0, vLoad(get(wp))),
        set(w1, vLoad(get(wp), 16)),
        ...[0, 1, 2, 3].flatMap((q) => [set(e, vLoadSplat32(get(pa), q * kp * 4)), madd(acc[2 * q]!, w0), madd(acc[2 * q + 1]!, w1)]),
        set(wp, get(wp), i32(jp * 4), [op.i32Add]),
      ),
      set(cp, add(get(c), mul(add(mul(get(r), i32(jp)), get(j)), i32(4)))),
      ...[0, 1, 2, 3].flatMap((q) => [vStore(get(cp), get(acc[2 * q]!), q * jp * 4), vStore(get(cp), get(acc[2 * q + 1]!), q * jp * 4 + 16)]),
    ),
  );
}

// log_add(c, m, rows, jp): c[r, j] = log(c[r, j]) + m[r].
function logAdd(): Bytes {
  const [c, m, rows, jp, r, j, row, x, s, e, mm, z, mx] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const addr = add(get(row), mul(get(j), i32(4)));
  return loop(r, i32(0), get(rows), 1,
    set(row, add(get(c), mul(mul(get(r), get(jp)), i32(4)))),
    set(mx, f32Load(add(get(m), mul(get(r), i32(4)))), vOp.f32x4Splat),
    loop(j, i32(0), get(jp), 4, set(x, vLoad(addr)), vStore(addr, vadd(logV(x, s, e, mm, z), get(mx)))),
  );
}

export interface LseWasm {
  readonly memory: WebAssembly.Memory;
  rowmax_exp(a: number, m: number, rows: number, kp: number): void;
  /** c = a @ w for the kp and jp the instance was built for. */
  gemm(a: number, w: number, c: number, rows: number): void;
  log_add(c: number, m: number, rows: number, jp: number): void;
}

const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * An instance for padded sizes kp (a multiple of 4) and jp (of 8) over a fresh memory of
 * `bytes` bytes, or null where wasm SIMD is unavailable.
 */
export function lseWasm(bytes: number, kp: number, jp: number): LseWasm | null {
  const fma = fmaAvailable();
  const key = `${kp},${jp},${fma}`;
  let mod = compiled.get(key);
  if (mod === undefined) {
    FMA = fma;
    const code = buildModule([
      { name: 'rowmax_exp', params: 4, locals: [[I32, 3], [V128, 4], [F32, 1]], body: rowmaxExp() },
      { name: 'gemm', params: 4, locals: [[I32, 6], [V128, 11]], body: gemm(kp, jp, fma) },
      { name: 'log_add', params: 4, locals: [[I32, 3], [V128, 6]], body: logAdd() },
    ]);
    FMA = false;
    try {
      mod = new WebAssembly.Module(code);
    } catch {
      mod = null;
    }
    compiled.set(key, mod);
  }
  if (mod === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  return { memory, ...(inst.exports as unknown as Omit<LseWasm, 'memory'>) };
}
