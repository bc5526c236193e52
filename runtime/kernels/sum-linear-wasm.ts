// WebAssembly SIMD (f64x2) kernel of one dense sum node in the scaled-linear inference forward
// (runtime/evaluate-linear.ts): the node's inputs are linear values (each row scaled by its own
// factor, kept by the caller), so the sum is a plain matmul and one rescale per row:
//   fwd(rows):  O = A @ WT;  M[r] = max_u O[r, u];  O[r, :] *= 1 / M[r]
// No exp or log per entry (the caller adds log M[r] to the row's log-scale). One instance per
// sum node: its weights stay in WT across blocks and its O region is the node's block of values.
// A block is up to R rows, row-major, rows a multiple of 4; Ip, Up (multiples of 4) baked in.
import { fmaAvailable } from './wasm-features.js';
import { cat as v, DIV, F64_MAX, F64_STORE, gemm, MAX } from './wasm-simd-math.js';
import { add, buildModule, F64, f64x2, f64x2Op as V, get, I32, i32, lane64, loop, mul, set, V128, vLoad, vStore, type Bytes } from './wasm-asm.js';

/** Rows per block. */
export const R = 64;

/** Byte offsets of the regions, for inputs Ip and units Up. */
export function linearLayout(Ip: number, Up: number) {
  const WT = 0;
  const A = WT + Ip * Up * 8;
  const O = A + R * Ip * 8;
  const M = O + R * Up * 8;
  return { WT, A, O, M, bytes: M + R * 8 };
}

// fwd(rows, _): locals 2-4 i32 (r, p, pend), 5-6 v128 (mx, x), 7 f64 (ms).
function fwdBody(Ip: number, Up: number): Bytes {
  const L = linearLayout(Ip, Up);
  const [rows, kc, r, p, pend, mx, x, ms] = [0, 1, 2, 3, 4, 5, 6, 7];
  return v(
    set(kc, i32(Ip)),
    [0x20, rows, 0x20, kc, 0x10, 0], // gemm(rows, Ip): O = A @ WT
    loop(r, i32(0), get(rows), 1,
      set(p, add(i32(L.O), mul(get(r), i32(Up * 8)))),
      set(pend, add(get(p), i32(Up * 8))),
      // Values are >= 0; f64x2.max propagates NaN (the caller then flags the row).
      set(mx, f64x2(0)),
      loop(p, get(p), get(pend), 16, set(mx, get(mx), vLoad(get(p)), MAX)),
      set(ms, get(mx), lane64(0), get(mx), lane64(1), [F64_MAX]),
      F64_STORE(add(i32(L.M), mul(get(r), i32(8))), get(ms)),
      set(x, f64x2(1), get(ms), V.splat, DIV),
      set(p, add(i32(L.O), mul(get(r), i32(Up * 8)))),
      loop(p, get(p), get(pend), 16, vStore(get(p), v(vLoad(get(p)), get(x), V.mul))),
    ),
  );
}
const FWD_LOCALS: [number, number][] = [[I32, 3], [V128, 2], [F64, 1]];

export interface SumLinearWasm {
  readonly memory: WebAssembly.Memory;
  readonly layout: ReturnType<typeof linearLayout>;
  /** Float64 view of the memory. */
  readonly heap: Float64Array;
  fwd(rows: number): void;
}

const compiled = new Map<string, WebAssembly.Module | null>();

/** A fresh instance (own memory) for padded shapes (Ip, Up multiples of 4), or null without wasm SIMD. */
export function sumLinearWasm(Ip: number, Up: number): SumLinearWasm | null {
  const fma = fmaAvailable();
  const key = `${Ip},${Up},${fma}`;
  let mod = compiled.get(key);
  const L = linearLayout(Ip, Up);
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(
        buildModule([
          { name: 'gemm', params: 2, locals: [[I32, 6], [V128, 11]], body: gemm(L.A, Ip, L.WT, L.O, Up, false, fma) },
          { name: 'fwd', params: 2, locals: FWD_LOCALS, body: fwdBody(Ip, Up) },
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
  const fwd = (inst.exports as unknown as { fwd: (rows: number, unused: number) => void }).fwd;
  return { memory, layout: L, heap: new Float64Array(memory.buffer), fwd: (rows) => fwd(rows, 0) };
}
