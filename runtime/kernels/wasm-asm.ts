// A tiny WebAssembly assembler: just enough to emit our SIMD kernels as bytes at run time,
// with no toolchain dependency. Code is written as nested arrays of bytes built by the
// helpers below (structured control flow, locals, memory ops with SIMD).

export type Bytes = readonly number[];

/** Unsigned LEB128 of a 32-bit count or index (the bit operations are uint32). */
export function uleb(v: number): number[] {
  if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new RangeError(`uleb: ${v} is not a whole number from 0 to 4294967295`);
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an int32 (i32 constants); i64 constants go through sleb64. */
export function sleb(v: number): number[] {
  if (!(Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff)) throw new RangeError(`sleb: ${v} is outside the 32-bit range (i64 constants: sleb64)`);
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const flat = (parts: readonly Bytes[]): number[] => parts.flatMap((p) => [...p]);

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

// Locals and constants.
export const get = (i: number): Bytes => [0x20, ...uleb(i)];
export const set = (i: number, ...value: Bytes[]): Bytes => [...flat(value), 0x21, ...uleb(i)];
export const i32 = (v: number): Bytes => [0x41, ...sleb(v | 0)];
export const f32 = (v: number): Bytes => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];

// Scalar ops (operands pushed first).
export const op = {
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32GeS: 0x4e,
  f32Eq: 0x5b,
  f32Max: 0x97,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  select: 0x1b,
  drop: 0x1a,
} as const;

/** Sum of i32 expressions. */
export const add = (...xs: Bytes[]): Bytes => flat([xs[0]!, ...xs.slice(1).map((x) => [...x, op.i32Add])]);
export const mul = (a: Bytes, b: Bytes): Bytes => [...a, ...b, op.i32Mul];

// Memory (natural alignment hints).
export const f32Load = (addr: Bytes, offset = 0): Bytes => [...addr, 0x2a, 2, ...uleb(offset)];
export const f64Load = (addr: Bytes, offset = 0): Bytes => [...addr, 0x2b, 3, ...uleb(offset)];
export const f64Store = (addr: Bytes, value: Bytes, offset = 0): Bytes => [...addr, ...value, 0x39, 3, ...uleb(offset)];
export const f32Store = (addr: Bytes, value: Bytes, offset = 0): Bytes => [...addr, ...value, 0x38, 2, ...uleb(offset)];

// SIMD (0xfd prefix).
const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
export const vLoad = (addr: Bytes, offset = 0): Bytes => [...addr, ...simd(0x00, 4, ...uleb(offset))];
export const vLoadSplat32 = (addr: Bytes, offset = 0): Bytes => [...addr, ...simd(0x09, 2, ...uleb(offset))];
export const vStore = (addr: Bytes, value: Bytes, offset = 0): Bytes => [...addr, ...value, ...simd(0x0b, 4, ...uleb(offset))];
export const vOp = {
  f32x4Splat: simd(0x13),
  i32x4Splat: simd(0x11),
  and: simd(0x4e),
  or: simd(0x50),
  bitselect: simd(0x52),
  f32x4Eq: simd(0x41),
  f32x4Ne: simd(0x42),
  f32x4Lt: simd(0x43),
  f32x4Ge: simd(0x46),
  f32x4Nearest: simd(0x6a),
  i32x4Shl: simd(0xab),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i32x4Sub: simd(0xb1),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Max: simd(0xe9),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  i32x4TruncSatF32x4S: simd(0xf8),
  f32x4ConvertI32x4S: simd(0xfa),
} as const;
export const lane = (i: number): Bytes => simd(0x1f, i);
export const lane64 = (i: number): Bytes => simd(0x21, i);
export const f64x2Zero: Bytes = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...simd(0x14)];
export const f32x4 = (v: number): Bytes => [...f32(v), ...vOp.f32x4Splat];
export const i32x4 = (v: number): Bytes => [...i32(v), ...vOp.i32x4Splat];

/** for (i = from; i < to; i += step) body  — i, to are i32 expressions; `to` is re-evaluated. */
export function loop(i: number, from: Bytes, to: Bytes, step: number, ...body: Bytes[]): Bytes {
  return [
    ...set(i, from),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(i), ...to, op.i32GeS, 0x0d, 1, // br_if exit
    ...flat(body),
    ...set(i, get(i), i32(step), [op.i32Add]),
    0x0c, 0, // br loop
    0x0b, 0x0b,
  ];
}

export interface Func {
  readonly name: string;
  readonly params: number; // all i32
  readonly locals: readonly [type: number, count: number][];
  readonly body: Bytes;
}

const section = (id: number, content: Bytes): number[] => [id, ...uleb(content.length), ...content];
const vec = (items: readonly Bytes[]): number[] => [...uleb(items.length), ...flat(items)];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

/** The imported memory's limits: by default unshared, at least 1 page, no maximum. */
export interface MemoryImport {
  /** A shared memory (SharedArrayBuffer, for worker threads); needs `maxPages`. */
  readonly shared?: boolean;
  readonly maxPages?: number;
}

/** A module importing memory env.mem and exporting `funcs` (each returning nothing). */
export function buildModule(funcs: readonly Func[], mem: MemoryImport = {}): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...uleb(f.params), ...Array<number>(f.params).fill(I32), 0]);
  const limits = mem.maxPages === undefined ? [0x00, 1] : [mem.shared ? 0x03 : 0x01, 1, ...uleb(mem.maxPages)];
  const imports = [[...str('env'), ...str('mem'), 0x02, ...limits]];
  const exports = funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]);
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map(([t, c]) => [...uleb(c), t])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

// Float64 additions (the f64x2 kernels of gaussian-wasm.ts and mixture-wasm.ts).
export const F64 = 0x7c;
export const f64 = (v: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
/** Signed LEB128 of a 64-bit integer, in BigInt arithmetic (int32 operations would wrap above 2^31). */
export function sleb64(v: number | bigint): number[] {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`i64 constant ${v} is not a safe integer: pass a bigint`);
  let x = BigInt(v);
  if (x < -(2n ** 63n) || x >= 2n ** 63n) throw new RangeError(`i64 constant ${x} is outside the 64-bit range`);
  const out: number[] = [];
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n; // arithmetic: the sign carries down
    if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
export const i64 = (v: number | bigint): Bytes => [0x42, ...sleb64(v)];
export const vLoadSplat64 = (addr: Bytes, offset = 0): Bytes => [...addr, ...simd(0x0a, 3, ...uleb(offset))];
export const f64x2Op = {
  splat: simd(0x14),
  i64x2Splat: simd(0x12),
  ne: simd(0x48),
  ge: simd(0x4c),
  add: simd(0xf0),
  sub: simd(0xf1),
  mul: simd(0xf2),
  /** Pseudo-min/max (b < a ? b : a, a < b ? b : a): one instruction on x64, unlike min/max. */
  pmin: simd(0xf6),
  pmax: simd(0xf7),
  i64x2Add: simd(0xce),
  i64x2Shl: simd(0xcb),
} as const;
export const f64x2 = (v: number): Bytes => [...f64(v), ...f64x2Op.splat];

/**
 * Relaxed SIMD (f64x2.relaxed_madd: a * b + c, fused where the CPU has FMA). Validated by the
 * caller with WebAssembly.validate; Node 20's V8 has it behind --experimental-wasm-relaxed-simd.
 */
export const f64x2RelaxedMadd: Bytes = simd(0x107);
export const f32x4RelaxedMadd: Bytes = simd(0x105);

/** Calls function `index` of the module (its arguments pushed first). */
export const call = (index: number): Bytes => [0x10, ...uleb(index)];
